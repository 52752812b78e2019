// The catalogue (what an action is) and the executors (how it runs) are two lists joined by id:
// every spec must have an executor and every executor a spec, or the bot refuses to start, naming
// the id, instead of offering a button that can never run.
import type { ActionSpec } from './action-catalogue.ts';
import type { ActionExecutor } from './action-executor.ts';

/** What does not match, one line per id; empty when every spec has exactly its executor. */
export function checkActionRegistry(specs: readonly ActionSpec[], executors: Readonly<Record<string, ActionExecutor>>): string[] {
  const ids = new Set(specs.map((s) => s.id));
  return [
    ...specs.filter((s) => !Object.hasOwn(executors, s.id)).map((s) => `action ${s.id} is in the catalogue but has no executor`),
    ...Object.keys(executors).filter((id) => !ids.has(id)).map((id) => `executor ${id} has no entry in the action catalogue`),
  ];
}
