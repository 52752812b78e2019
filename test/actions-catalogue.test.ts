// Every action a probe offers as a remedy must exist in the catalogue, with the parameters it
// declares: a finding must never offer a button nothing can run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, findAction } from '../src/actions/action-catalogue.ts';
import { backendRemedies, backendRemedy, MAX_SESSION_REMEDIES } from '../src/probes/postgres/backend-remedy.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('action catalogue', () => {
  it('knows every action id the probes name', () => {
    const named = new Set<string>();
    for (const file of sourceFiles(path.resolve(import.meta.dirname, '../src/probes'))) {
      // `action: 'x.y'` in a remedy, or the action given to backendRemedy/backendRemedies.
      for (const m of readFileSync(file, 'utf8').matchAll(/(?:action: |backendRemed(?:y|ies)\()'([a-z0-9]+\.[a-z_]+)'/g)) named.add(m[1]!);
    }
    expect(named.size).toBeGreaterThanOrEqual(3);
    for (const id of named) expect(findAction(id), id).toBeDefined();
  });

  it('session buttons carry exactly the parameters their actions take', () => {
    for (const action of ['postgres.cancel_query', 'postgres.terminate_backend'] as const) {
      const remedy = backendRemedy(action, 4242);
      expect(Object.keys(remedy.params)).toEqual(Object.keys(findAction(action)!.params));
      expect(remedy.label).toMatch(/ pid 4242$/);
    }
    expect(backendRemedies('postgres.terminate_backend', [{ pid: 1 }, { pid: 2 }, { pid: 3 }, { pid: 4 }])).toHaveLength(MAX_SESSION_REMEDIES);
  });

  it('describes each action for a confirmation dialog', () => {
    for (const a of ACTIONS) {
      const params = Object.fromEntries(Object.entries(a.params).map(([k, t]) => [k, t === 'integer' ? 4242 : 'x']));
      expect(a.describe(params, 'main-db')).toContain('main-db');
    }
  });
});
