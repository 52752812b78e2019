import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';

const RUNBOOKS = path.resolve(import.meta.dirname, '../../runbooks');

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-runbooks-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const good = `---
id: sample
title: Sample
summary: A sample.
severity_hint: warn
symptoms: [things are slow]
checks: [postgres.connections]
remedies:
  - action: postgres.terminate_backend
    label: Terminate
---
## Confirm
Look.
`;

describe('runbooks', () => {
  it('the shipped runbooks load, and every check of every probe is explained by one of them', () => {
    const index = loadRunbooks(RUNBOOKS, allCheckIds());
    expect(index.all.length).toBeGreaterThanOrEqual(11);
    const unexplained = [...allCheckIds()].filter((check) => !index.byCheck.has(check));
    expect(unexplained).toEqual([]);
    for (const rb of index.all) expect(rb.body, rb.id).toMatch(/## Confirm[\s\S]*## Fix[\s\S]*## Prevent[\s\S]*## Escalate/);
  });

  it('loads a valid runbook', () => {
    const index = loadRunbooks(dirWith({ 'sample.md': good }), allCheckIds());
    expect(index.byId.get('sample')?.remedies[0]).toEqual({ action: 'postgres.terminate_backend', label: 'Terminate', params: {} });
    expect(index.byCheck.get('postgres.connections')).toBe('sample');
  });

  it.each([
    ['an unknown check id', good.replace('postgres.connections', 'postgres.conections'), /sample\.md: unknown check id "postgres\.conections"/],
    ['an unknown action id', good.replace('postgres.terminate_backend', 'postgres.drop_table'), /sample\.md: remedies\.0\.action: unknown action id "postgres\.drop_table"/],
    ['an unknown key', good.replace('title:', 'tittle: x\ntitle:'), /sample\.md: .*tittle/],
    ['an id that does not match the file name', good.replace('id: sample', 'id: other'), /id "other" must match the file name "sample"/],
    ['no front matter', '# just text', /must start with a YAML front matter/],
    ['an unknown parameter', good.replace('label: Terminate', 'label: Terminate\n    params: { pod: 3 }'), /params\.pod: action postgres\.terminate_backend takes no parameter "pod"; accepted: pid/],
  ])('refuses %s, naming the file', (_name, text, message) => {
    expect(() => loadRunbooks(dirWith({ 'sample.md': text }), allCheckIds())).toThrow(message);
  });

  it('refuses two runbooks explaining the same check', () => {
    const other = good.replace('id: sample', 'id: second');
    expect(() => loadRunbooks(dirWith({ 'sample.md': good, 'second.md': other }), allCheckIds())).toThrow(/check postgres\.connections is already explained by runbook sample/);
  });

});
