// Every action a probe offers as a remedy must exist in the catalogue, with the parameters it
// declares: a finding must never offer a button nothing can run.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, findAction } from '../src/actions/action-catalogue.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('action catalogue', () => {
  it('knows every action id the probes offer, with matching parameter names', () => {
    const offered: Array<{ file: string; action: string; params: string[] }> = [];
    for (const file of sourceFiles(path.resolve(import.meta.dirname, '../src/probes'))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/action: '([a-z0-9_.]+)'[\s\S]{0,200}?params: \{([^}]*)\}/g)) {
        const params = m[2]!.split(',').map((part) => /^\s*(\w+)/.exec(part)?.[1]).filter((k): k is string => !!k);
        offered.push({ file: path.basename(file), action: m[1]!, params });
      }
    }
    expect(offered.length).toBeGreaterThanOrEqual(3);
    for (const o of offered) {
      const spec = findAction(o.action);
      expect(spec, `${o.file} offers ${o.action}`).toBeDefined();
      expect(o.params.sort(), `${o.file}: params of ${o.action}`).toEqual(Object.keys(spec!.params).sort());
    }
  });

  it('describes each action for a confirmation dialog', () => {
    for (const a of ACTIONS) {
      const params = Object.fromEntries(Object.entries(a.params).map(([k, t]) => [k, t === 'integer' ? 4242 : 'x']));
      expect(a.describe(params, 'main-db')).toContain('main-db');
    }
  });
});
