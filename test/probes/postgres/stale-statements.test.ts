// pg_stat_statements adds up every call since its last reset: a slow statement of an hour ago
// must not keep the report red. Each server, as a superuser and as a pg_monitor role (each with
// its own probe state, as two targets would have): the first run judges the history and says
// since when, at most a warning; the next judges only the calls made since.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { ClientBag, findingOf, runProbe, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';
import { describeOnEachServer, OWN_SERVERS, reportStatistics } from './servers-under-test.ts';

const THRESHOLDS = { slow_queries: { warn: 100, crit: 200 } };

describeOnEachServer('slow statements judged since the previous run', { stale: { pgStatStatements: true } }, (pg) => {
  const bag = new ClientBag();
  const monitor = { role: uniqueName('probe_stale'), password: `Pw-${Math.random().toString(36).slice(2)}-s` };

  beforeAll(async () => {
    const admin = await bag.open(pg.adminUrl);
    await admin.query(`CREATE ROLE ${monitor.role} LOGIN PASSWORD '${monitor.password}'`);
    await admin.query(`GRANT pg_monitor TO ${monitor.role}`);
  });

  afterAll(async () => {
    await probePools.closeAll();
    const admin = await bag.open(pg.adminUrl);
    await admin.query(`DROP ROLE IF EXISTS ${monitor.role}`);
    await bag.closeAll();
  });

  it('a statement slow long ago is a warning since the stats reset, then ok; a new slow call is crit', async () => {
    const urls = { superuser: pg.url('stale'), pg_monitor: withCredentials(pg.url('stale'), monitor.role, monitor.password) };
    const job = await bag.open(pg.url('stale'), 'report-job');
    for (let i = 0; i < 2; i++) await job.query('SELECT pg_sleep(0.3)');

    for (const url of Object.values(urls)) {
      const first = findingOf(await runProbe(url, { thresholds: THRESHOLDS }), 'slow_queries');
      // 300 ms is over the 200 ms crit, but only the history says so.
      expect(first.status).toBe('warn');
      const since = pg.versionNum >= 140000 ? 'since stats reset \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC' : 'since stats reset \\(date unknown before PostgreSQL 14\\)';
      expect(first.title).toMatch(new RegExp(`^A statement averages (\\d{3} ms|\\d+\\.\\d s) over 2 calls ${since}$`));
      expect(first.detail).toContain('SELECT pg_sleep($1)');
      expect(first.detail).toContain('at most a warning');
      expect(first.fix).toMatch(/^EXPLAIN/);
    }

    for (const url of Object.values(urls)) {
      const second = findingOf(await runProbe(url, { thresholds: THRESHOLDS }), 'slow_queries');
      expect(second.status).toBe('ok');
      expect(second.title).toMatch(/^(Statements in the last .*: slowest mean \d+(\.\d+)? ms|No statement ran in the last .*)$/);
    }

    await job.query('SELECT pg_sleep(0.25)');
    for (const url of Object.values(urls)) {
      const third = findingOf(await runProbe(url, { thresholds: THRESHOLDS }), 'slow_queries');
      expect(third.status).toBe('crit');
      expect(third.title).toMatch(/^A statement averaged (\d{3} ms|\d+\.\d s) over 1 call in the last /);
      expect(third.detail).toContain('SELECT pg_sleep($1)');
      expect(third.detail).not.toContain('at most a warning');
    }

    // A statement the previous run did not see may be new or old (evicted, another server): its
    // whole history is all there is, so at most a warning.
    await job.query("SELECT pg_sleep(0.3), 'first time' AS note");
    for (const url of Object.values(urls)) {
      const fourth = findingOf(await runProbe(url, { thresholds: THRESHOLDS }), 'slow_queries');
      expect(fourth.status).toBe('warn');
      expect(fourth.title).toMatch(/^A statement averages (\d{3} ms|\d+\.\d s) over 1 call \(not seen by the previous run: all its calls\)$/);
      expect(fourth.detail).toContain('SELECT pg_sleep($1), $2 AS note');
    }
  });
});

// Rollback ratios from pg_stat_database add up since the statistics reset too. On servers of the
// file's own: every database's ratio is judged, and other files' databases must not weigh in.
// The counters are read from another database (the admin connection's), so that waiting for them
// adds few commits to the one judged; and the wait is for both counters: before 15 a backend sends
// its counts at most every 500 ms, so the rollbacks may have arrived while the commits after them
// have not (the first run then saw 70% instead of 67%).
describeOnEachServer('rollbacks judged since the previous run', { rollbacks: {} }, (pg) => {
  const bag = new ClientBag();

  afterAll(async () => {
    await probePools.closeAll();
    await bag.closeAll();
  });

  it('a rollback ratio of the past is at most a warning, rollbacks since the previous run are crit', async () => {
    const url = pg.url('rollbacks');
    const app = await bag.open(url, 'flaky-app');
    const admin = await bag.open(pg.adminUrl, 'probe-test-admin');
    const counters = async () => {
      const { rows } = await admin.query<{ commits: string; rollbacks: string }>(
        'SELECT xact_commit AS commits, xact_rollback AS rollbacks FROM pg_stat_database WHERE datname = $1',
        [pg.database('rollbacks')],
      );
      return { commits: Number(rows[0]!.commits), rollbacks: Number(rows[0]!.rollbacks) };
    };
    // The probe compares with its previous run, so it runs once the counters show the whole burst.
    const burst = async (rollbacks: number, commits: number) => {
      const before = await counters();
      for (let i = 0; i < rollbacks; i++) await app.query('BEGIN; SELECT 1; ROLLBACK');
      for (let i = 0; i < commits; i++) await app.query('BEGIN; SELECT 1; COMMIT');
      let nudged = Date.now();
      await waitFor(
        async () => {
          // Before 15 the app's counts leave at its next statement 500 ms after the last report:
          // nudge it now and then, not on every poll (each nudge is a commit of the database).
          if (pg.versionNum >= 150000 || Date.now() - nudged > 600) {
            // From 15 a backend's transaction counts leave with its other pending statistics
            // only: a statement that reads a table gives it some, then the flush is forced.
            await app.query('SELECT count(*) FROM pg_class');
            await reportStatistics(app, pg.versionNum);
            nudged = Date.now();
          }
          const now = await counters();
          return now.rollbacks >= before.rollbacks + rollbacks && now.commits >= before.commits + commits;
        },
        15_000,
        'the rollbacks and commits to reach pg_stat_database',
        100,
      );
    };

    await burst(800, 400);
    // 67% rolled back, over the 50% crit: but only the history says so.
    const first = findingOf(await runProbe(url), 'deadlocks');
    expect(first.status).toBe('warn');
    expect(first.title).toContain(`(${pg.database('rollbacks')})`);
    expect(first.detail).toMatch(new RegExp(`${pg.database('rollbacks')}: 6\\d% of \\d+ transactions rolled back since stats reset`));

    // Since that run: the rollbacks, and the commits of the probe's own statements (they reach the
    // counters when its backends next report, so some or all of them may count).
    await burst(600, 0);
    const now = findingOf(await runProbe(url), 'deadlocks');
    expect(now.status).toBe('crit');
    const since = new RegExp(`${pg.database('rollbacks')}: (\\d+)(\\.\\d)?% of \\d+ transactions rolled back in the last `).exec(now.detail ?? '');
    expect(since, now.detail).not.toBeNull();
    expect(Number(since![1])).toBeGreaterThanOrEqual(80);
  });
}, OWN_SERVERS);
