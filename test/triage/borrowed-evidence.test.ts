// The cases that must not give a confident wrong answer: evidence a runbook borrows from another
// (a crashloop somewhere, for "users see 503s") against its own checks that came back ok; a
// runbook "ruled out" by borrowed checks alone, or by some of its targets when the cap left the
// rest unrun; and the owner of a check coming before the runbooks that borrow it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { buildReport, type Finding } from '../../src/report.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { planTriage } from '../../src/triage/run-triage.ts';
import { triageFromReports } from '../../src/triage/triage-from-reports.ts';
import type { RankedRunbook } from '../../src/triage/triage-result.ts';

const runbooks = loadRunbooks(path.resolve(import.meta.dirname, '../../runbooks'), allCheckIds());
const http: RankedRunbook = { runbook: 'http-health-endpoint', score: 0.9, matched: [] };
const crashing: RankedRunbook = { runbook: 'k8s-crashing-pods', score: 0.3, matched: [] };
const report = (target: string, kind: string, findings: Finding[]) => buildReport(target, kind, new Date(), findings);
const crashloop: Finding = { check: 'k8s.crashloop', status: 'crit', title: 'cronjob report-7f9 crashlooping: 6 restarts' };

describe('borrowed evidence and what rules a cause out', () => {
  it('"users see 503s": the endpoint answers 200, a cronjob crashloops: the endpoint is not "likely" failing, and its 200 speaks against', () => {
    const result = triageFromReports({
      symptom: 'users see 503 errors',
      candidates: [http, crashing],
      reports: [
        report('api', 'http', [{ check: 'http.reachable', status: 'ok', title: 'answered' }, { check: 'http.status', status: 'ok', title: 'HTTP 200 OK' }]),
        report('cluster', 'k8s', [crashloop]),
      ],
      runbooks,
      unasked: 'crit',
      durationMs: 1,
    });
    const endpoint = result.causes.find((c) => c.runbook === 'http-health-endpoint');
    expect(endpoint === undefined || (endpoint.confidence <= 0.5 && !endpoint.confirmed)).toBe(true);
    if (endpoint) expect(endpoint.evidence).toContainEqual(expect.objectContaining({ check: 'http.status', supports: false }));
    expect(result.causes[0]!.runbook).toBe('k8s-crashing-pods');
  });

  it('with no http target, the crashloop makes the endpoint "possible" at most, after the owner of the check', () => {
    const result = triageFromReports({ symptom: 'users see 503 errors', candidates: [http, crashing], reports: [report('cluster', 'k8s', [crashloop])], runbooks, unasked: 'crit', durationMs: 1 });
    const [first, ...rest] = result.causes;
    expect(first!.runbook).toBe('k8s-crashing-pods');
    expect(first!.confidence).toBeGreaterThan(0.7);
    const endpoint = rest.find((c) => c.runbook === 'http-health-endpoint')!;
    expect(endpoint.confidence).toBeLessThan(0.7);
  });

  it('Explain on one crashloop: the runbook that owns the check comes first', () => {
    const result = triageFromReports({ symptom: '', candidates: [], reports: [report('cluster', 'k8s', [{ ...crashloop, status: 'warn' }])], runbooks, unasked: 'all', durationMs: 1 });
    expect(result.causes[0]!.runbook).toBe('k8s-crashing-pods');
    for (const other of result.causes.slice(1)) expect(other.confidence).toBeLessThan(result.causes[0]!.confidence);
  });

  it('only k8s checks ran and came back ok: the endpoint is not ruled out by them (its own checks never ran)', () => {
    const result = triageFromReports({
      symptom: 'users see 503 errors',
      candidates: [http],
      reports: [report('cluster', 'k8s', [{ check: 'k8s.crashloop', status: 'ok', title: 'no crashloops' }, { check: 'k8s.readiness', status: 'ok', title: 'all ready' }])],
      runbooks,
      unasked: 'crit',
      durationMs: 1,
    });
    expect(result.ruledOut.map((r) => r.runbook)).not.toContain('http-health-endpoint');
    const endpoint = result.causes.find((c) => c.runbook === 'http-health-endpoint')!;
    expect(endpoint.confirmed).toBe(false);
    expect(endpoint.confidence).toBeLessThanOrEqual(0.4);
  });

  it('ten databases, eight run: what ran cannot rule connection exhaustion out', () => {
    const raw = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`db${i + 1}`, { kind: 'postgres', url: `postgres://u@127.0.0.1:${5400 + i}/app` }]));
    const targets = parseConfig({ targets: raw }, 'test.yml', {}).targets;
    const exhaustion: RankedRunbook = { runbook: 'postgres-connection-exhaustion', score: 0.9, matched: [] };
    const plan = planTriage([exhaustion], runbooks, targets, 8);
    expect(plan.runs).toHaveLength(8);
    expect(plan.partial).toEqual(['postgres-connection-exhaustion']);
    const reports = plan.runs.map((r) => report(r.target.name, 'postgres', [{ check: 'postgres.connections', status: 'ok', title: 'Connections 12/100 (12%)' }]));
    const result = triageFromReports({ symptom: 'too many clients already', candidates: [exhaustion], reports, runbooks, partiallyChecked: plan.partial, unasked: 'crit', durationMs: 1 });
    expect(result.ruledOut).toEqual([]);
    expect(result.causes[0]).toMatchObject({ runbook: 'postgres-connection-exhaustion', confirmed: false });
    expect(result.causes[0]!.confidence).toBeLessThanOrEqual(0.4);
  });
});
