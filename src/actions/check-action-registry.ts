// The actions of every kind form one registry, checked when it loads: every action has a spec and
// an executor, its parameters are declared, ids are unique and read `<kind>.<name>` with the kind
// that offers it. A problem stops the bot at start, naming the action, instead of offering a
// button that can never run.
import type { ActionDefinition } from './action-definition.ts';

const ACTION_NAME = /^[a-z][a-z0-9_]*$/;

/** What is wrong, one line per problem; empty when the actions are fit to register. */
export function checkActionRegistry(kinds: ReadonlyArray<{ kind: string; actions: readonly ActionDefinition<never>[] }>): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  for (const { kind, actions } of kinds) {
    for (const a of actions) {
      const [prefix, name, ...rest] = a.id.split('.');
      if (prefix !== kind || name === undefined || rest.length > 0 || !ACTION_NAME.test(name)) {
        problems.push(`action ${a.id} of kind ${kind} must be named ${kind}.<name> (lowercase letters, digits and _)`);
      }
      const other = owner.get(a.id);
      if (other !== undefined) problems.push(`action ${a.id} is defined twice (kinds ${other} and ${kind})`);
      owner.set(a.id, kind);
      if (!a.title) problems.push(`action ${a.id} has no title`);
      if (typeof a.describe !== 'function') problems.push(`action ${a.id} has no describe`);
      if (typeof a.executor !== 'function') problems.push(`action ${a.id} has no executor`);
      if (a.buttonTtlMs !== undefined && !(Number.isSafeInteger(a.buttonTtlMs) && a.buttonTtlMs > 0)) {
        problems.push(`action ${a.id}: buttonTtlMs must be a positive whole number of milliseconds`);
      }
      if (typeof a.params !== 'object' || a.params === null) {
        problems.push(`action ${a.id} declares no params (an empty object when it takes none)`);
        continue;
      }
      for (const [param, spec] of Object.entries(a.params)) {
        if ((spec?.type !== 'integer' && spec?.type !== 'string') || !spec.accepts) {
          problems.push(`action ${a.id}: parameter ${param} must be declared as an integer or string with the words of what it accepts`);
        }
      }
      if (a.input) {
        const declared = Object.hasOwn(a.params, a.input.param) ? a.params[a.input.param] : undefined;
        if (declared?.type !== 'integer' || declared.min !== a.input.min || declared.max !== a.input.max) {
          problems.push(`action ${a.id}: input ${a.input.param} must be declared in params as an integer from ${a.input.min} to ${a.input.max}`);
        }
      }
    }
  }
  return problems;
}
