// What a report makes of its findings, whatever the kind: the root cause first, a remedy offered
// once, and the bot's own configuration never the system's status.
import { describe, expect, it } from 'vitest';
import { buildReport, buildReportSet, isConfigProblem, type Finding } from '../src/report.ts';

const at = new Date('2026-11-22T03:00:00.000Z');
const terminate = { action: 'postgres.terminate_backend', label: 'Terminate pid 23238', params: { pid: 23238 } };

describe('buildReport', () => {
  it('opens with the root cause, whatever the order the checks answered in', () => {
    const findings: Finding[] = [
      { check: 'postgres.connections', status: 'crit', title: 'Connections 95%' },
      { check: 'postgres.blocking_locks', status: 'warn', rootCause: true, title: 'pid 23238 blocks 1 session' },
      { check: 'postgres.cache_hit', status: 'ok', title: 'Cache hit 99%' },
    ];
    expect(buildReport('db', 'postgres', at, findings).findings.map((f) => f.check)).toEqual(['postgres.blocking_locks', 'postgres.connections', 'postgres.cache_hit']);
  });

  it('keeps a remedy offered twice only on the first finding, the parameters compared in any order', () => {
    const report = buildReport('db', 'postgres', at, [
      { check: 'postgres.idle_in_transaction', status: 'warn', title: 'pid 23238 idle in transaction', remedies: [terminate] },
      { check: 'postgres.blocking_locks', status: 'crit', title: 'pid 23238 blocks 1', remedies: [terminate, { action: 'x.y', label: 'Other', params: { b: 1, a: 2 } }] },
      { check: 'postgres.long_transactions', status: 'warn', title: 'tx 2 min', remedies: [{ action: 'x.y', label: 'Other again', params: { a: 2, b: 1 } }] },
    ]);
    const remedies = report.findings.map((f) => (f.remedies ?? []).map((r) => r.label));
    expect(remedies).toEqual([['Terminate pid 23238', 'Other'], [], []]);
    expect(report.findings[1]).not.toHaveProperty('remedies');
  });

  it('never lets a configuration finding be crit, nor the report crit for it', () => {
    const report = buildReport('cache', 'redis', at, [{ check: 'redis.config', status: 'crit', config: true, title: 'CACHE_URL is not set' }]);
    expect(report.findings[0]!.status).toBe('unknown');
    expect(report.status).toBe('unknown');
    expect(isConfigProblem(report)).toBe(true);
  });

  it("judges the system by its own findings when a configuration finding sits beside them", () => {
    const report = buildReport('k8s', 'k8s', at, [
      { check: 'k8s.config', status: 'unknown', config: true, title: 'context prod does not exist' },
      { check: 'k8s.pods', status: 'ok', title: 'pods fine' },
    ]);
    expect(report.status).toBe('ok');
    expect(isConfigProblem(report)).toBe(false);
  });

  it('names the server only when the kind said which', () => {
    expect(buildReport('db', 'postgres', at, [], 'db:5432/app').endpoint).toBe('db:5432/app');
    expect(buildReport('db', 'postgres', at, [], '')).not.toHaveProperty('endpoint');
    expect(buildReportSet(at, [buildReport('db', 'postgres', at, [{ check: 'postgres.config', status: 'warn', config: true, title: 'x' }])]).status).toBe('unknown');
  });
});
