// What changed since the previous digest: each kind of change, most important first, the metric
// thresholds, and the first digest that has nothing to compare with.
import { describe, expect, it } from 'vitest';
import { digestChanges, type DigestChange } from '../../src/digest/digest-changes.ts';
import { DIGEST_METRICS } from '../../src/digest/digest-metrics.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
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

  it('does not call a check resolved when a root cause took it in', () => {
    const root: Finding = { check: 'redis.memory', status: 'crit', title: 'Cache too small for its working set', rootCause: true, merged: ['redis.hit_rate', 'redis.evictions'] };
    const { changes } = digestChanges(
      [report('cache', [f('redis.hit_rate', 'warn', 'Hit rate 80%'), f('redis.memory', 'ok')])],
      [report('cache', [root])],
    );
    expect(kinds(changes)).toEqual(['new_problem cache redis.memory']);
  });

  it('reports worse and better between problem levels', () => {
    const { changes } = digestChanges(
      [report('db', [f('postgres.connections', 'warn'), f('postgres.locks', 'crit')])],
      [report('db', [f('postgres.connections', 'crit', 'Connections 97%'), f('postgres.locks', 'warn', '1 session waiting')])],
    );
    expect(changes.map((c) => [c.kind, c.previousStatus, c.status, c.text])).toEqual([
      ['worse', 'warn', 'crit', 'db: warn → crit: Connections 97%'],
      ['better', 'crit', 'warn', 'db: crit → warn: 1 session waiting'],
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
      f('postgres.connections', status, `Connections ${pct * 2}/200 (${pct}%)`, { pct, connections: pct * 2, idle: pct, max_connections: 200, ...extra });
    const hit = (pct: number) => f('postgres.cache_hit', 'ok', `Cache hit ${pct}%`, { hit_pct: pct, databases: 3 });
    const texts = (previous: Finding[], current: Finding[]) => digestChanges([report('db', previous)], [report('db', current)]).changes.map((c) => c.text);

    it('names a percentage that moved by its points, with its label, unit and direction', () => {
      expect(texts([conn('ok', 45)], [conn('ok', 64)])).toEqual([]);
      const moved = digestChanges([report('db', [conn('ok', 45)])], [report('db', [conn('ok', 65)])]).changes;
      expect(moved).toEqual([{
        kind: 'metric_moved', target: 'db', check: 'postgres.connections', status: 'ok', previousStatus: 'ok',
        title: 'Connections 130/200 (65%)', moves: [{ metric: 'pct', label: 'connections', from: 45, to: 65, worse: true }],
        text: 'db: connections 45% → 65%',
      }]);
      expect(texts([conn('ok', 91)], [conn('ok', 45.54)])).toEqual(['db: connections 91% → 45.5%']);
    });

    it('a cache hit rate: a fall of a few points is named, to one decimal', () => {
      expect(texts([hit(99.5)], [hit(97.1)])).toEqual(['db: cache hit 99.5% → 97.1%']);
      expect(texts([hit(99.5)], [hit(99.1)])).toEqual([]);
      // A change too small for the shown precision is no change.
      expect(texts([hit(99.5)], [hit(99.52)])).toEqual([]);
    });

    it('a rate-limit headroom falling by 20 points or more is named as worse; smaller moves are not', () => {
      const headroom = (pct: number) => f('http.rate_limit', 'ok', `Rate limit: ${pct}% left`, { headroom_pct: pct, remaining: pct * 10 });
      const moved = digestChanges([report('api', [headroom(85)])], [report('api', [headroom(30)])]).changes;
      expect(moved.map((c) => [c.text, c.moves?.[0]?.worse])).toEqual([['api: rate-limit headroom 85% → 30%', true]]);
      expect(digestChanges([report('api', [headroom(85)])], [report('api', [headroom(70)])]).changes).toEqual([]);
    });

    it('the hosted APIs: payment failures and bounce rates rising, headroom and reputation falling, are named as worse', () => {
      const one = (check: string, metrics: Record<string, number>) => [f(check, 'ok', check, metrics)];
      const move = (check: string, from: Record<string, number>, to: Record<string, number>) =>
        digestChanges([report('svc', one(check, from))], [report('svc', one(check, to))]).changes.map((c) => [c.text, c.moves?.[0]?.worse]);
      expect(move('stripe.payment_failures', { failure_pct: 2 }, { failure_pct: 9 })).toEqual([['svc: payment failures 2% → 9%', true]]);
      expect(move('stripe.undelivered_events', { undelivered: 0 }, { undelivered: 12 })).toEqual([['svc: undelivered webhook events 0 → 12', true]]);
      expect(move('openai.headroom', { headroom_pct: 90 }, { headroom_pct: 40 })).toEqual([['svc: OpenAI rate-limit headroom 90% → 40%', true]]);
      expect(move('sendgrid.delivery', { bounce_pct: 1.2 }, { bounce_pct: 4.5 })).toEqual([['svc: bounce rate 1.2% → 4.5%', true]]);
      expect(move('sendgrid.reputation', { reputation: 99 }, { reputation: 88 })).toEqual([['svc: sender reputation 99 → 88', true]]);
      // Small moves are no change.
      expect(move('sendgrid.delivery', { bounce_pct: 1.2 }, { bounce_pct: 2.1 })).toEqual([]);
    });

    it('never names the bot\'s own latency, sampling windows, raw byte counts, counters, ids or versions', () => {
      const previous = [
        f('postgres.reachable', 'ok', 'up', { connect_ms: 3, server_version_num: 160000 }),
        f('postgres.database_size', 'ok', 'size', { database_bytes: 1e6, largest_table_bytes: 1e5 }),
        f('postgres.deadlocks', 'ok', 'd', { new_deadlocks: 0, deadlocks_total: 10, rollback_pct: 1 }),
        f('postgres.long_queries', 'ok', 'q', { queries: 0, longest_s: 1, longest_pid: 100 }),
        conn('ok', 40),
      ];
      const current = [
        f('postgres.reachable', 'ok', 'up', { connect_ms: 900, server_version_num: 170000 }),
        f('postgres.database_size', 'ok', 'size', { database_bytes: 9e9, largest_table_bytes: 8e9 }),
        f('postgres.deadlocks', 'ok', 'd', { new_deadlocks: 40, deadlocks_total: 9000, rollback_pct: 2 }),
        f('postgres.long_queries', 'ok', 'q', { queries: 0, longest_s: 100, longest_pid: 90_000 }),
        conn('ok', 41, { connections: 800, idle: 700, max_connections: 1000 }),
      ];
      expect(texts(previous, current)).toEqual([]);
      const redis = (window: number, used: number, connect: number) => [
        f('redis.reachable', 'ok', 'up', { connect_ms: connect, uptime_s: window }),
        f('redis.evictions', 'ok', 'e', { evicted: 0, evicted_total: used, window_s: window }),
        f('redis.memory', 'ok', 'm', { used_bytes: used, maxmemory_bytes: 2 * used, keys: used, pct: 50 }),
      ];
      expect(digestChanges([report('cache', redis(60, 1e6, 2))], [report('cache', redis(86_400, 1e9, 400))]).changes).toEqual([]);
    });

    it('writes each unit as a person reads it', () => {
      const lag = (s: number) => f('postgres.replication', 'ok', 'r', { standbys: 1, slots: 1, inactive_slots: 0, max_lag_s: s });
      expect(texts([lag(4)], [lag(600)])).toEqual(['db: replication lag 4 s → 10 min']);
      const web = (ms: number, days: number) => [f('http.latency', 'ok', 'l', { latency_ms: ms, headers_ms: ms, body_bytes: ms }), f('http.certificate', 'ok', 'c', { days_left: days })];
      const at = (a: [number, number], b: [number, number]) => digestChanges([report('web', web(...a))], [report('web', web(...b))]).changes.map((c) => c.text);
      expect(at([120, 60], [480, 60])).toEqual(['web: response time 120 ms → 480 ms']);
      expect(at([120, 60], [200, 60])).toEqual([]); // not doubled
      expect(at([20, 60], [60, 60])).toEqual([]); // tripled, by 40 ms only
      expect(at([120, 60], [120, 20])).toEqual(['web: certificate expires in 60 days → 20 days']);
    });

    it('ranks a worse move before a better one, and the biggest first', () => {
      const { changes } = digestChanges(
        [report('a', [conn('ok', 80)]), report('b', [hit(99.9)]), report('c', [conn('ok', 10)])],
        [report('a', [conn('ok', 30)]), report('b', [hit(97)]), report('c', [conn('ok', 35)])],
      );
      expect(changes.map((c) => [c.text, c.moves?.[0]?.worse])).toEqual([
        ['b: cache hit 99.9% → 97%', true],
        ['c: connections 10% → 35%', true],
        ['a: connections 80% → 30%', false],
      ]);
    });

    it('the allow-list is configurable, and refuses a rule that cannot work', () => {
      const prev = [report('db', [conn('ok', 40)])];
      const cur = [report('db', [conn('ok', 50)])];
      expect(digestChanges(prev, cur).changes).toEqual([]);
      const metrics = [
        { check: 'postgres.connections', metric: 'pct', label: 'pool', unit: '%' as const, worse: 'up' as const, moved: { points: 5 } },
        { check: 'postgres.connections', metric: 'idle', label: 'idle sessions', unit: 'count' as const, worse: 'up' as const, moved: { factor: 1.2, minDelta: 5 } },
      ];
      expect(digestChanges(prev, cur, { metrics }).changes.map((c) => c.text)).toEqual(['db: pool 40% → 50%, idle sessions 40 → 50']);
      expect(() => digestChanges(prev, cur, { metrics: [{ ...metrics[1]!, moved: { factor: 1, minDelta: 0 } }] })).toThrow('digest metric postgres.connections idle: factor must be > 1');
    });

    it('every entry of the allow-list names a check the kinds have, once', () => {
      const ids = allCheckIds();
      for (const m of DIGEST_METRICS) expect(ids, `${m.check} ${m.metric}`).toContain(m.check);
      const keys = DIGEST_METRICS.map((m) => `${m.check} ${m.metric}`);
      expect(new Set(keys).size).toBe(keys.length);
      expect(DIGEST_METRICS.filter((m) => /(_ms|_s)$/.test(m.metric) && /reachable/.test(m.check))).toEqual([]);
    });

    it('a status change carries the move of its check instead of a separate line', () => {
      const { changes } = digestChanges([report('db', [conn('ok', 40)])], [report('db', [conn('warn', 85)])]);
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({ kind: 'new_problem', moves: [{ metric: 'pct', label: 'connections', from: 40, to: 85, worse: true }] });
      expect(changes[0]?.text).toBe('db: new warn: Connections 170/200 (85%) (connections 40% → 85%)');
    });

    it('compares a metric only within the same check', () => {
      const { changes } = digestChanges(
        [report('db', [f('postgres.connections', 'ok', 'c', { pct: 10 })])],
        [report('db', [f('postgres.connections', 'ok', 'c'), f('postgres.sequences', 'ok', 's', { max_pct: 90 })])],
      );
      expect(changes).toEqual([]);
    });
  });

  it('puts the most important first: crit, warn, unknown problems, big moves, improvements, roster', () => {
    const pct = (p: number) => ({ pct: p });
    const metrics = ['x.three', 'x.five'].map((check) => ({ check, metric: 'pct', label: check.slice(2), unit: '%' as const, worse: 'up' as const, moved: { points: 20 } }));
    const previous = [
      report('a', [f('x.one', 'ok'), f('x.two', 'crit'), f('x.three', 'ok', 't', pct(10)), f('x.four', 'warn'), f('x.five', 'ok', 't', pct(10))]),
      report('b', [f('x.one', 'ok'), f('x.two', 'warn'), f('x.three', 'ok')]),
      report('gone', []),
    ];
    const current = [
      report('new', [f('x.one', 'crit')]),
      report('a', [f('x.one', 'unknown'), f('x.two', 'ok'), f('x.three', 'ok', 't', pct(35)), f('x.four', 'warn'), f('x.five', 'ok', 't', pct(90))]),
      report('b', [f('x.one', 'warn'), f('x.two', 'crit'), f('x.three', 'crit')]),
    ];
    expect(kinds(digestChanges(previous, current, { metrics }).changes)).toEqual([
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
