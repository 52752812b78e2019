// Report history on a real PostgreSQL: migration 3 applies on a fresh database, reports round-trip
// small (no detail), the previous report / run / series are found, and pruning keeps recent rows.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import type { Finding, Report, Status } from '../../src/report.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';

const log = silentLogger();
const DAY = 86_400_000;

async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  const name = `history_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

function report(target: string, at: Date, findings: Finding[], kind = 'postgres'): Report {
  const rank: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };
  const status = findings.reduce<Status>((w, f) => (rank[f.status] > rank[w] ? f.status : w), 'ok');
  return { target, kind, status, startedAt: at.toISOString(), durationMs: 120, findings };
}

function connections(pct: number, status: Status = pct >= 90 ? 'crit' : pct >= 80 ? 'warn' : 'ok'): Finding {
  return {
    check: 'postgres.connections', status, title: `Connections ${pct * 2}/200 (${pct}%)`,
    detail: 'by application: api 120, worker 40\n'.repeat(50),
    metrics: { connections: pct * 2, pct, max_connections: 200 },
    remedies: [{ action: 'postgres.terminate_idle', label: 'Terminate idle', params: { target: 'db' } }],
    runbook: 'postgres-connections',
  };
}

describe('report history', () => {
  let store: Store;
  const now = Date.now();
  const ago = (days: number) => new Date(now - days * DAY);

  beforeAll(async () => {
    store = await openStore({ databaseUrl: await freshDatabase(), dataDir: '/nonexistent', log });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('is created by migration 3 on a fresh database, with its indexes', async () => {
    const { rows } = await store.pool.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows).toContainEqual({ version: 3, name: 'report history' });
    const idx = await store.pool.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'report_history' ORDER BY indexname");
    expect(idx.rows.map((r) => r.indexname)).toEqual([
      'report_history_pkey', 'report_history_source_run', 'report_history_started_at',
      'report_history_target_at', 'report_history_target_source_at',
    ]);
  });

  it('records reports in one statement, small: check, status, title, metrics, capped detail', async () => {
    const h = store.reportHistory;
    expect((await h.record([], 'digest:empty')).size).toBe(0);
    const at = ago(1);
    const n = await h.record([
      report('rt-db', at, [connections(95), { check: 'postgres.cache_hit', status: 'ok', title: 'x'.repeat(1000), metrics: { hit_pct: 99.5, bad: Number.NaN } }]),
      report('rt-cache', at, [], 'redis'),
    ], 'digest:morning');
    expect([...n.keys()].sort()).toEqual(['rt-cache', 'rt-db']);
    expect((await h.byId(n.get('rt-db')!))?.target).toBe('rt-db');

    const got = await h.previous('rt-db', new Date());
    expect(got).toMatchObject({ target: 'rt-db', kind: 'postgres', status: 'crit', startedAt: at.toISOString(), durationMs: 120, source: 'digest:morning' });
    expect(got?.runAt).toBeInstanceOf(Date);
    expect(got?.findings[0]).toMatchObject({ check: 'postgres.connections', status: 'crit', title: 'Connections 190/200 (95%)', metrics: { connections: 190, pct: 95, max_connections: 200 }, runbook: 'postgres-connections' });
    // The detail is kept for the Details button (capped at 2,000 characters); remedies are not.
    expect(got?.findings[0]?.detail).toBe('by application: api 120, worker 40\n'.repeat(50));
    expect(got?.findings[0]).not.toHaveProperty('remedies');
    expect(got?.findings[1]?.title).toHaveLength(300);
    expect(got?.findings[1]?.metrics).toEqual({ hit_pct: 99.5 });
    expect(await h.previous('rt-cache', new Date())).toMatchObject({ kind: 'redis', findings: [] });
  });

  it('finds the latest report of a target before a time, from any source or one', async () => {
    const h = store.reportHistory;
    await h.record([report('p-db', ago(3), [connections(40)])], 'digest:morning');
    await h.record([report('p-db', ago(2), [connections(60)])], 'diag');
    await h.record([report('p-db', ago(1), [connections(85)])], 'digest:morning');

    expect((await h.previous('p-db', new Date()))?.findings[0]?.metrics?.pct).toBe(85);
    expect((await h.previous('p-db', ago(1)))?.findings[0]?.metrics?.pct).toBe(60);
    expect((await h.previous('p-db', ago(1), 'digest:morning'))?.findings[0]?.metrics?.pct).toBe(40);
    expect(await h.previous('p-db', ago(3))).toBeUndefined();
    expect(await h.previous('p-db', new Date(), 'digest:evening')).toBeUndefined();
    expect(await h.previous('nobody', new Date())).toBeUndefined();

    const many = await h.previousMany(['p-db', 'nobody'], ago(1), 'digest:morning');
    expect([...many.keys()]).toEqual(['p-db']);
    expect(many.get('p-db')?.findings[0]?.metrics?.pct).toBe(40);
    expect((await h.previousMany(['p-db'], new Date())).get('p-db')?.source).toBe('digest:morning');
    expect((await h.previousMany([], new Date())).size).toBe(0);
  });

  it('finds the previous run of a source: every target it covered, or none before the first', async () => {
    const h = store.reportHistory;
    const first = ago(2);
    const second = ago(1);
    await h.record([report('r-a', first, []), report('r-b', first, [connections(85)]), report('r-gone', first, [])], 'digest:runs', { runAt: first });
    await h.record([report('r-a', second, []), report('r-b', second, [connections(40)])], 'digest:runs', { runAt: second });

    const prev = await h.previousRun('digest:runs', new Date());
    expect(prev?.runAt).toEqual(second);
    expect(prev?.reports.map((r) => r.target)).toEqual(['r-a', 'r-b']);
    const before = await h.previousRun('digest:runs', second);
    expect(before?.reports.map((r) => r.target)).toEqual(['r-a', 'r-b', 'r-gone']);
    expect(await h.previousRun('digest:runs', first)).toBeUndefined();
    expect(await h.previousRun('digest:never', new Date())).toBeUndefined();

    // Without runAt, one record() call is one run (the database's now()).
    await h.record([report('r-x', ago(0), []), report('r-y', ago(0), [])], 'digest:now');
    expect((await h.previousRun('digest:now', new Date(Date.now() + 60_000)))?.reports).toHaveLength(2);
  });

  it('lists the reports of a target since a time, oldest first', async () => {
    const h = store.reportHistory;
    await h.record([report('s-db', ago(1), [connections(50)])], 'diag');
    await h.record([report('s-db', ago(10), [connections(30)])], 'digest:morning');
    await h.record([report('s-db', ago(5), [connections(40)])], 'digest:morning');
    await h.record([report('s-other', ago(2), [connections(99)])], 'digest:morning');

    const since = await h.since('s-db', ago(7));
    expect(since.map((r) => r.findings[0]?.metrics?.pct)).toEqual([40, 50]);
    expect((await h.since('s-db', ago(30))).map((r) => r.findings[0]?.metrics?.pct)).toEqual([30, 40, 50]);
    expect((await h.since('s-db', ago(30), 'digest:morning')).map((r) => r.findings[0]?.metrics?.pct)).toEqual([30, 40]);
    expect(await h.since('s-db', new Date())).toEqual([]);
  });

  it('reads a metric series out of the stored findings, skipping reports without it', async () => {
    const h = store.reportHistory;
    await h.record([report('m-db', ago(3), [connections(40)])], 'digest:morning');
    await h.record([report('m-db', ago(2), [{ check: 'postgres.connections', status: 'unknown', title: 'Not checked' }])], 'digest:morning');
    await h.record([report('m-db', ago(1.5), [{ check: 'postgres.reachable', status: 'crit', title: 'Unreachable', metrics: { pct: 1 } }])], 'diag');
    await h.record([report('m-db', ago(1), [connections(85.5)])], 'diag');
    await h.record([report('m-db', ago(9), [connections(10)])], 'digest:morning');
    await h.record([report('m-other', ago(1), [connections(70)])], 'digest:morning');

    const series = await h.metricSeries('m-db', 'postgres.connections', 'pct', ago(7));
    expect(series).toEqual([{ at: ago(3), value: 40 }, { at: ago(1), value: 85.5 }]);
    expect(await h.metricSeries('m-db', 'postgres.connections', 'no_such_metric', ago(7))).toEqual([]);
    expect(await h.metricSeries('m-db', 'postgres.no_such_check', 'pct', ago(7))).toEqual([]);
  });

  it('prunes only the reports older than the retention', async () => {
    const h = store.reportHistory;
    await h.record([report('old-db', ago(45), []), report('old-db', ago(31), [])], 'digest:morning');
    await h.record([report('old-db', ago(29), []), report('old-db', ago(0.5), [])], 'digest:morning');
    const total = async () => Number((await store.pool.query('SELECT count(*) AS n FROM report_history')).rows[0].n);
    const before = await total();

    expect(await h.prune(30)).toBe(2);
    expect(await total()).toBe(before - 2);
    expect((await h.since('old-db', ago(365))).map((r) => r.startedAt)).toEqual([ago(29).toISOString(), ago(0.5).toISOString()]);
    expect(await h.prune(30)).toBe(0);
    await expect(h.prune(-1)).rejects.toThrow(RangeError);
    await expect(h.prune(Number.NaN)).rejects.toThrow(RangeError);
  });
});

describe('report history at digest volume (20 targets x 30 days x 4 reports a day)', () => {
  let store: Store;
  const targets = Array.from({ length: 20 }, (_, i) => `vol-${String(i).padStart(2, '0')}`);
  const now = Date.now();
  const measure = process.env.CHATOPS_MEASURE === '1';

  beforeAll(async () => {
    store = await openStore({ databaseUrl: await freshDatabase(), dataDir: '/nonexistent', log });
    // A postgres-sized report: 14 findings with a few metrics each.
    for (let run = 30 * 4 - 1; run >= 0; run--) {
      const at = new Date(now - run * 6 * 3_600_000);
      const reports = targets.map((t, i) => report(t, at, [
        connections((run * 7 + i * 13) % 100),
        { check: 'postgres.cache_hit', status: 'ok', title: 'Cache hit 99.2%', metrics: { hit_pct: 90 + ((run + i) % 10), databases: 3 } },
        { check: 'postgres.database_size', status: 'ok', title: 'Database 12 GB', metrics: { database_bytes: 12e9 + run * 1e6, largest_table_bytes: 3e9 } },
        ...Array.from({ length: 11 }, (_, k) => ({
          check: `postgres.check_${k}`, status: 'ok' as const, title: `Check ${k} fine, nothing to see on this target`,
          metrics: { count: k, longest_s: run % 60, oldest_pid: 1000 + k },
        })),
      ]));
      await store.reportHistory.record(reports, 'digest:morning', { runAt: at });
    }
    await store.pool.query('ANALYZE report_history');
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  async function median(fn: () => Promise<unknown>): Promise<number> {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return ((times[4] ?? 0) + (times[5] ?? 0)) / 2;
  }

  it('finds the previous reports and the 7-day series of every target', async () => {
    const h = store.reportHistory;
    const { rows } = await store.pool.query('SELECT count(*)::int AS n, pg_total_relation_size($1) AS bytes FROM report_history', ['report_history']);
    expect(rows[0].n).toBe(2400);

    const before = new Date(now - 3_600_000);
    const one = async () => Promise.all(targets.map((t) => h.previous(t, before, 'digest:morning')));
    const prev = await one();
    expect(prev.every((r) => r && Date.parse(r.startedAt) === now - 6 * 3_600_000)).toBe(true);
    const batch = await h.previousMany(targets, before, 'digest:morning');
    expect(batch.size).toBe(20);
    const run = await h.previousRun('digest:morning', new Date(now - 1));
    expect(run?.reports).toHaveLength(20);

    const week = new Date(now - 7 * DAY);
    const series: Array<[string, string]> = [['postgres.connections', 'pct'], ['postgres.cache_hit', 'hit_pct'], ['postgres.database_size', 'database_bytes']];
    const charts = async () => Promise.all(targets.flatMap((t) => series.map(([c, m]) => h.metricSeries(t, c, m, week))));
    const points = await charts();
    expect(points).toHaveLength(60);
    // The boundary is inclusive: 7 days of points every 6 hours, plus the one at the start.
    expect(points.every((p) => p.length === 7 * 4 + 1)).toBe(true);

    if (measure) {
      const serial = async () => {
        for (const t of targets) for (const [c, m] of series) await h.metricSeries(t, c, m, week);
      };
      const serialPrev = async () => {
        for (const t of targets) await h.previous(t, before, 'digest:morning');
      };
      const figures = {
        rows: rows[0].n,
        tableBytes: Number(rows[0].bytes),
        previous20Parallel: await median(one),
        previous20Serial: await median(serialPrev),
        previousMany20: await median(() => h.previousMany(targets, before, 'digest:morning')),
        previousRun: await median(() => h.previousRun('digest:morning', new Date(now - 1))),
        metricSeries60Parallel: await median(charts),
        metricSeries60Serial: await median(serial),
        since30DaysOneTarget: await median(() => h.since('vol-00', new Date(now - 30 * DAY))),
      };
      console.log(JSON.stringify(figures, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 100) / 100 : v), 2));
    }
  }, 120_000);
});
