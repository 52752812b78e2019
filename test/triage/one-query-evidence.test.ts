// A runbook's evidence may name one PromQL query (prometheus.query.<name>): only a prometheus
// target that has that query is run for it, a prometheus target without it is not "the missing
// kind", and the query's finding confirms the runbook as its own check would.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { buildReport } from '../../src/report.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { runbookCheckPlan } from '../../src/runbooks/runbook-check-plan.ts';
import { planTriage } from '../../src/triage/run-triage.ts';
import { triageFromReports } from '../../src/triage/triage-from-reports.ts';

const runbooks = loadRunbooks(path.resolve(import.meta.dirname, '../../runbooks'), allCheckIds());
const memory = { runbook: 'redis-memory-pressure', score: 0.8, matched: [] };

const targetsOf = (raw: Record<string, unknown>) => parseConfig({ targets: raw }, 'test.yml', {}).targets;

describe('evidence of one PromQL query', () => {
  it('plans a prometheus target only when it has the query; without one, the redis kind is what is missing', () => {
    const withPack = targetsOf({ prom: { kind: 'prometheus', url: 'http://127.0.0.1:9', queryPacks: ['redis'] } });
    expect(planTriage([memory], runbooks, withPack, 8).runs.map((r) => [r.target.name, [...r.checks]])).toEqual([['prom', ['query']]]);
    expect(runbookCheckPlan(runbooks.byId.get('redis-memory-pressure')!, withPack).targets.map((t) => t.name)).toEqual(['prom']);

    const withoutPack = targetsOf({ prom: { kind: 'prometheus', url: 'http://127.0.0.1:9', queryPacks: ['node'] } });
    const plan = planTriage([memory], runbooks, withoutPack, 8);
    expect(plan.runs).toEqual([]);
    expect(plan.notChecked).toEqual([{ runbook: 'redis-memory-pressure', title: expect.any(String), reason: 'no redis target configured' }]);
    expect(runbookCheckPlan(runbooks.byId.get('redis-memory-pressure')!, withoutPack).targets).toEqual([]);
  });

  it('the query\'s finding confirms the runbook; another query\'s does not', () => {
    const report = buildReport('prom', 'prometheus', new Date(), [
      { check: 'prometheus.query.redis_memory_used', status: 'crit', title: 'redis_memory_used: 1 of 1 series above 95%' },
      { check: 'prometheus.query.node_disk_free', status: 'warn', title: 'node_disk_free: 1 of 3 series below 20%' },
    ]);
    const result = triageFromReports({ symptom: 'redis memory full', candidates: [memory], reports: [report], runbooks, notChecked: [], unasked: 'crit', durationMs: 1 });
    const cause = result.causes.find((c) => c.runbook === 'redis-memory-pressure')!;
    expect(cause.confirmed).toBe(true);
    expect(cause.evidence.map((e) => e.check)).toEqual(['prometheus.query.redis_memory_used']);
  });

  it('the loader takes prometheus.query.<name> in evidence, not in checks, and refuses a misspelt kind', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runbooks-'));
    const write = (front: string) => writeFileSync(path.join(dir, 'x.md'), `---\nid: x\ntitle: X\nsummary: s\nseverity_hint: warn\nsymptoms: [a, b, c]\n${front}\n---\n## Confirm\nsteps\n`);
    write('evidence: [prometheus.query.http_5xx_ratio]');
    expect(loadRunbooks(dir, allCheckIds()).byId.get('x')!.evidence).toEqual([{ check: 'prometheus.query.http_5xx_ratio', confirms: 'warn' }]);
    write('evidence: [prometheus.querys.http_5xx_ratio]');
    expect(() => loadRunbooks(dir, allCheckIds())).toThrow(/evidence\.0: unknown check id "prometheus\.querys\.http_5xx_ratio".*or prometheus\.query\.<name> for one PromQL query/);
    write('checks: [prometheus.query.http_5xx_ratio]');
    expect(() => loadRunbooks(dir, allCheckIds())).toThrow(/unknown check id "prometheus\.query\.http_5xx_ratio"/);
  });
});
