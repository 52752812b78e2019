// How long a remedy button lives is declared on its action (buttonTtlMs), not known to the Slack
// edge: the registry refuses a lifetime that is not a positive number of milliseconds.
import { describe, expect, it } from 'vitest';
import { ACTIONS, findAction } from '../../src/actions/action-catalogue.ts';
import type { ActionDefinition } from '../../src/actions/action-definition.ts';
import { checkActionRegistry } from '../../src/actions/check-action-registry.ts';

const HOUR = 3600_000;

function action(buttonTtlMs: number | undefined): ActionDefinition<never> {
  return { id: 'demo.act', title: 'Act', destructive: false, params: {}, describe: () => 'acts', executor: async () => ({ run: async () => 'done' }), ...(buttonTtlMs !== undefined && { buttonTtlMs }) } as ActionDefinition<never>;
}

describe('buttonTtlMs', () => {
  it('is an hour on the two actions naming a PostgreSQL backend, and unset on every other', () => {
    expect(findAction('postgres.cancel_query')?.buttonTtlMs).toBe(HOUR);
    expect(findAction('postgres.terminate_backend')?.buttonTtlMs).toBe(HOUR);
    const others = ACTIONS.filter((a) => a.id !== 'postgres.cancel_query' && a.id !== 'postgres.terminate_backend');
    expect(others.length).toBeGreaterThan(4);
    for (const a of others) expect(a.buttonTtlMs, a.id).toBeUndefined();
  });

  it('is refused by the registry unless a positive whole number of milliseconds', () => {
    expect(checkActionRegistry([{ kind: 'demo', actions: [action(undefined)] }])).toEqual([]);
    expect(checkActionRegistry([{ kind: 'demo', actions: [action(HOUR)] }])).toEqual([]);
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity]) {
      expect(checkActionRegistry([{ kind: 'demo', actions: [action(bad)] }]), String(bad)).toEqual(['action demo.act: buttonTtlMs must be a positive whole number of milliseconds']);
    }
  });
});
