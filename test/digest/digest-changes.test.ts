// What changed since the previous digest: each kind of change, most important first, the metric
// thresholds, and the first digest that has nothing to compare with.
import { describe, expect, it } from 'vitest';
import { digestChanges, type DigestChange } from '../../src/digest/digest-changes.ts';
import type { Finding, Report, Status } from '../../src/report.ts';

function report(target: string, findings: Finding[], startedAt = '2025-01-02T07:00:00.000Z'): Report {
  const rank: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };
  const status = findings.reduce<Status>((w, f) => (rank[f.status] > rank[w] ? f.status : w), 'ok');
  return { target, kind: 'postgres', status, startedAt, durationMs: 50, findings };
}

function f(check: string, status: Status, title = `${check} ${status}`, metrics?: Record<string, number>): Finding {
  return metrics ? { check, status, title, metrics } : { check, status, title };
}

const kinds = (changes: DigestChange[]) => changes.map((c) => [c.kind, c.target, c.check].filter(Boolean).join(' '));

describe('digestChanges', () => {
  it('says nothing on the first digest, and flags it', () => {
    const current = [report('db', [f('postgres.connections', 'crit')])];
    expect(digestChanges(undefined, current)).toEqual({ firstDigest: true, changes: [] });
    expect(digestChanges([], current)).toEqual({ firstDigest: true, changes: [] });
    expect(digestChanges([undefined, undefined], current)).toEqual({ firstDigest: true, changes: [] });
  });

  it('says nothing when nothing changed', () => {
    const r = [report('db', [f('postgres.connections', 'warn', 'Connections 82%', { pct: 82 }), f('postgres.reachable', 'ok')])];
    expect(digestChanges(r, r)).toEqual({ firstDigest: false, changes: [] });
  });

  it('reports a new problem: a finding not ok now that was ok or absent', () => {
    const { changes } = digestChanges(
      [report('db', [f('postgres.connections', 'ok', 'Connections 20%'), f('postgres.reachable', 'ok')])],
      [report('db', [f('postgres.connections', 'warn', 'Connections 85%'), f('postgres.reachable', 'ok'), f('postgres.replication', 'unknown', 'Replication: not checked')])],
    );
    expect(changes).toEqual([
      { kind: 'new_problem', target: 'db', check: 'postgres.connections', status: 'warn', previousStatus: 'ok', title: 'Connections 85%', text: 'db: new warn: Connections 85%' },
      { kind: 'new_problem', target: 'db', check: 'postgres.replication', status: 'unknown', previousStatus: undefined, title: 'Replication: not checked', text: 'db: new unknown: Replication: not checked' },
    ]);
  });

  it('reports a resolved problem: was warn, crit or unknown, now ok or no longer reported', () => {
    const { changes } = digestChanges(
      [report('db', [f('postgres.connections', 'crit', 'Connections 95%'), f('postgres.locks', 'warn', '3 sessions waiting'), f('postgres.replication', 'unknown'), f('postgres.size', 'ok')])],
      [report('db', [f('postgres.connections', 'ok', 'Connections 30%'), f('postgres.replication', 'ok', 'No standbys')])],
    );
    expect(kinds(changes)).toEqual(['resolved db postgres.connections', 'resolved db postgres.replication', 'resolved db postgres.locks']);
    expect(changes.map((c) => c.text)).toEqual([
      'db: resolved (was crit): Connections 30%',
      'db: resolved (was unknown): No standbys',
      'db: resolved (was warn, no longer reported): 3 sessions waiting',
    ]);
    expect(changes[2]?.status).toBeUndefined();
    expect(changes[2]?.previousStatus).toBe('warn');
  });

  it('reports worse and better between problem levels', () => {
    const { changes } = digestChanges(
      [report('db', [f('postgres.connections', 'warn'), f('postgres.locks', 'crit')])],
      [report('db', [f('postgres.connections', 'crit', 'Connections 97%'), f('postgres.locks', 'warn', '1 session waiting')])],
    );
    expect(changes.map((c) => [c.kind, c.previousStatus, c.status, c.text])).toEqual([
      ['worse', 'warn', 'crit', 'db: warn -> crit: Connections 97%'],
      ['better', 'crit', 'warn', 'db: crit -> warn: 1 session waiting'],
    ]);
  });

  it('reports targets added and gone, not their findings one by one', () => {
    const { changes } = digestChanges(
      [report('db', []), report('old', [f('postgres.connections', 'crit')])],
      [report('db', []), report('cache', [f('redis.memory', 'warn', 'Memory 91% used'), f('redis.reachable', 'ok')]), report('web', [f('http.status', 'ok')])],
    );
    expect(changes.map((c) => c.text)).toEqual([
      'old: no longer in the digest (was crit)',
      'cache: new target, warn: Memory 91% used',
      'web: new target, ok',
    ]);
    expect(kinds(changes)).toEqual(['target_gone old', 'target_added cache', 'target_added web']);
  });

  describe('metrics', () => {
    const conn = (status: Status, pct: number, extra: Record<string, number> = {}) =>
      f('postgres.connections', status, `Connections ${pct * 2}/200 (${pct}%)`, { pct, connections: pct * 2, ...extra });

    it('a percentage that moved by at least 20 points', () => {
      const { changes } = digestChanges([report('db', [conn('ok', 40)])], [report('db', [conn('ok', 59)])]);
      expect(changes).toEqual([]);
      const moved = digestChanges([report('db', [conn('ok', 40)])], [report('db', [conn('ok', 60)])]).changes;
      expect(moved).toEqual([{
        kind: 'metric_moved', target: 'db', check: 'postgres.connections', status: 'ok', previousStatus: 'ok',
        title: 'Connections 120/200 (60%)', moves: [{ metric: 'pct', from: 40, to: 60 }],
        text: 'db: connections pct 40% -> 60%',
      }]);
      const down = digestChanges([report('db', [conn('ok', 70)])], [report('db', [conn('ok', 45.5)])]).changes;
      expect(down.map((c) => c.text)).toEqual(['db: connections pct 70% -> 45.5%']);
    });

    it('another metric that doubled or halved, by at least 10', () => {
      const lat = (ms: number) => f('http.latency', 'ok', `${ms} ms`, { latency_ms: ms });
      const at = (from: number, to: number) => digestChanges([report('web', [lat(from)])], [report('web', [lat(to)])]).changes.map((c) => c.text);
      expect(at(100, 190)).toEqual([]);
      expect(at(100, 200)).toEqual(['web: latency latency_ms 100 -> 200']);
      expect(at(400, 200)).toEqual(['web: latency latency_ms 400 -> 200']);
      expect(at(3, 9)).toEqual([]); // tripled, but by 6 ms only
      expect(at(0, 25)).toEqual(['web: latency latency_ms 0 -> 25']);
    });

    it('ignores ids, versions, status codes and cumulative totals', () => {
      const m = (pid: number, total: number) => f('postgres.long_queries', 'ok', 'ok', { longest_pid: pid, deadlocks_total: total, server_version_num: pid });
      expect(digestChanges([report('db', [m(100, 100)])], [report('db', [m(90_000, 900)])]).changes).toEqual([]);
    });

    it('thresholds are configurable, per metric too', () => {
      const prev = [report('db', [conn('ok', 40, { idle: 20 })])];
      const cur = [report('db', [conn('ok', 50, { idle: 50 })])];
      expect(digestChanges(prev, cur).changes.map((c) => c.text)).toEqual(['db: connections idle 20 -> 50']);
      expect(digestChanges(prev, cur, { percentPoints: 10, factor: 3 }).changes.map((c) => c.text)).toEqual(['db: connections pct 40% -> 50%']);
      expect(digestChanges(prev, cur, { percentPoints: 10 }).changes.map((c) => c.text)).toEqual(['db: connections idle 20 -> 50, pct 40% -> 50%']);
      const onlyPct = digestChanges(prev, cur, {
        metricRule: (check, metric, d) => (check === 'postgres.connections' && metric === 'pct' ? { kind: 'percent', points: 5 } : metric === 'idle' ? undefined : d.fallback),
      });
      expect(onlyPct.changes.map((c) => c.text)).toEqual(['db: connections pct 40% -> 50%']);
      expect(() => digestChanges(prev, cur, { factor: 1 })).toThrow(RangeError);
    });

    it('a status change carries the move of its check instead of a separate line', () => {
      const { changes } = digestChanges([report('db', [conn('ok', 40)])], [report('db', [conn('warn', 85)])]);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ kind: 'new_problem', moves: [{ metric: 'pct', from: 40, to: 85 }, { metric: 'connections', from: 80, to: 170 }] });
      expect(changes[0]?.text).toBe('db: new warn: Connections 170/200 (85%) (pct 40% -> 85%)');
    });

    it('compares a metric only within the same check', () => {
      const { changes } = digestChanges(
        [report('db', [f('postgres.connections', 'ok', 'c', { pct: 10 })])],
        [report('db', [f('postgres.connections', 'ok', 'c'), f('postgres.sequences', 'ok', 's', { pct: 90 })])],
      );
      expect(changes).toEqual([]);
    });
  });

  it('puts the most important first: crit, warn, unknown problems, big moves, improvements, roster', () => {
    const previous = [
      report('a', [f('x.one', 'ok'), f('x.two', 'crit'), f('x.three', 'ok', 't', { pct: 10 }), f('x.four', 'warn'), f('x.five', 'ok', 't', { pct: 10 })]),
      report('b', [f('x.one', 'ok'), f('x.two', 'warn'), f('x.three', 'ok')]),
      report('gone', []),
    ];
    const current = [
      report('new', [f('x.one', 'crit')]),
      report('a', [f('x.one', 'unknown'), f('x.two', 'ok'), f('x.three', 'ok', 't', { pct: 35 }), f('x.four', 'warn'), f('x.five', 'ok', 't', { pct: 90 })]),
      report('b', [f('x.one', 'warn'), f('x.two', 'crit'), f('x.three', 'crit')]),
    ];
    expect(kinds(digestChanges(previous, current).changes)).toEqual([
      'new_problem b x.three', // crit, new
      'worse b x.two', // crit, worse
      'new_problem b x.one', // warn
      'new_problem a x.one', // unknown
      'metric_moved a x.five', // 80 points before 25
      'metric_moved a x.three',
      'resolved a x.two',
      'target_gone gone',
      'target_added new',
    ]);
  });

  it('compares the latest report of a target when given several, and skips missing ones', () => {
    const older = report('db', [f('postgres.connections', 'crit')], '2025-01-01T07:00:00.000Z');
    const newer = report('db', [f('postgres.connections', 'warn')], '2025-01-01T19:00:00.000Z');
    const { changes } = digestChanges([newer, undefined, older], [report('db', [f('postgres.connections', 'warn')])]);
    expect(changes).toEqual([]);
  });
});
