// The kinds are checked when the registry loads, so that a slip in a definition stops the bot at
// start, naming it, rather than showing up as a silent gap at 3 a.m.: kind words claimed twice,
// check names that are not ids or are used twice, thresholds that are not numbers, a trend metric
// of another kind's check, and the action registry's own rules (check-action-registry.ts).
import { checkActionRegistry } from '../actions/check-action-registry.ts';
import type { KindDefinition, TargetBase } from './probe-definition.ts';

const CHECK_NAME = /^[a-z][a-z0-9_]*$/;

/** What is wrong, one line per problem; empty when the kinds are fit to register. */
export function checkKinds(kinds: readonly KindDefinition<TargetBase>[]): string[] {
  const problems: string[] = [];
  const words = new Map<string, string>();
  for (const k of kinds) {
    for (const word of [k.kind, ...k.aliases]) {
      const owner = words.get(word);
      if (owner !== undefined) problems.push(`probe word "${word}" is claimed by both ${owner} and ${k.kind}`);
      words.set(word, k.kind);
    }
    if (k.checks.length === 0) problems.push(`kind ${k.kind} has no checks`);
    const names = new Set<string>();
    for (const c of k.checks) {
      if (!CHECK_NAME.test(c.name)) problems.push(`kind ${k.kind}: check name "${c.name}" must be lowercase letters, digits and _`);
      if (names.has(c.name)) problems.push(`kind ${k.kind}: check ${c.name} is defined twice`);
      names.add(c.name);
      if (!c.label || !c.description) problems.push(`kind ${k.kind}: check ${c.name} needs a label and a description`);
      const t = c.thresholds;
      if (t && (typeof t.warn !== 'number' || typeof t.crit !== 'number' || Number.isNaN(t.warn) || Number.isNaN(t.crit) || !t.unit)) {
        problems.push(`kind ${k.kind}: check ${c.name} thresholds must be numbers warn and crit with a unit`);
      }
    }
    for (const t of k.trends) {
      if (!k.checks.includes(t.check)) problems.push(`kind ${k.kind}: trend metric ${t.metric} names check ${t.check.name}, which is not one of its checks`);
    }
  }
  return [...problems, ...checkActionRegistry(kinds)];
}
