// Statistics-based checks, each in a database of its own on each server so that other test files'
// statements and tables do not leak in: slow statements, dead rows, missing extension, deadlocks.
import { afterEach, expect, it } from 'vitest';
import { causeDeadlock, ClientBag, findingOf, runProbe, uniqueName, waitFor } from './probe-helpers.ts';
import { describeOnEachServer, reportStatistics } from './servers-under-test.ts';

// `bare` has no pg_stat_statements: the deadlock happens there, as its statements, slow from
// waiting on locks, would otherwise count among the slow statements of `stats`.
describeOnEachServer('statistics', { stats: { pgStatStatements: true }, bare: {} }, (pg) => {
  const bag = new ClientBag();

  afterEach(async () => {
    await bag.closeAll();
  });

  it('reports a slow statement from pg_stat_statements, with literals masked', async () => {
    const url = pg.url('stats');
    const app = await bag.open(url, 'reporting');
    for (let i = 0; i < 3; i++) await app.query("SELECT pg_sleep(0.2), 'secret-literal' AS note");

    const findings = await runProbe(url, { thresholds: { slow_queries: { warn: 150, crit: 60_000 } } });

    const f = findingOf(findings, 'slow_queries');
    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/averages \d+ ms over 3 calls/);
    expect(f.detail).toContain('SELECT pg_sleep($1), $2 AS note');
    expect(f.detail).not.toContain('secret-literal');
    expect(f.metrics?.max_mean_ms).toBeGreaterThanOrEqual(150);
  });

  it('reports a table full of dead rows that is not vacuumed, with a VACUUM button', async () => {
    const url = pg.url('stats');
    const table = uniqueName('churn');
    const db = await bag.open(url);
    await db.query(`CREATE TABLE ${table} (id int, payload text) WITH (autovacuum_enabled = false)`);
    await db.query(`INSERT INTO ${table} SELECT g, 'x' FROM generate_series(1, 20000) g`);
    await db.query(`DELETE FROM ${table}`);
    try {
      const f = await waitFor(
        async () => {
          await reportStatistics(db, pg.versionNum);
          const x = findingOf(await runProbe(url), 'vacuum');
          return x.status !== 'ok' ? x : undefined;
        },
        15_000,
        'dead rows to show in pg_stat_user_tables',
      );
      expect(f.status).toBe('warn');
      expect(f.title).toContain(`public.${table}`);
      expect(f.title).toContain('20,000 dead rows');
      expect(f.detail).toContain('autovacuum disabled');
      expect(f.remedies).toContainEqual({
        action: 'postgres.vacuum_analyze',
        label: `VACUUM ANALYZE public.${table}`,
        params: { database: pg.database('stats'), schema: 'public', table },
      });
    } finally {
      await db.query(`DROP TABLE ${table}`);
    }
  });

  it('says how to enable pg_stat_statements when the extension is missing in the database', async () => {
    const findings = await runProbe(pg.url('bare'));
    const f = findingOf(findings, 'slow_queries');
    expect(f.status).toBe('unknown');
    expect(f.title).toContain('CREATE EXTENSION pg_stat_statements');
    expect(f.title).toContain(pg.database('bare'));
    expect(findingOf(findings, 'reachable').status).toBe('ok');
  });

  it('reports a new deadlock since the previous run', async () => {
    const url = pg.url('bare');
    const table = uniqueName('dl');
    const admin = await bag.open(url);
    await admin.query(`CREATE TABLE ${table} (id int primary key, v int)`);
    await admin.query(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
    // Rollback ratios (on 17 also those of other test files' databases) are not this test's
    // business: with thresholds above 100% only a deadlock can raise the status.
    const thresholds = { deadlocks: { warn: 101, crit: 102 } };
    try {
      // The baseline: deadlocks are counted from the previous run on.
      await runProbe(url, { thresholds });
      const { sessions, outcomes } = await causeDeadlock(bag, admin, url, table);
      // One is chosen as the victim; the other then gets its lock.
      expect(outcomes.filter((o) => o.includes('deadlock detected'))).toHaveLength(1);

      const f = await waitFor(
        async () => {
          for (const c of sessions) await reportStatistics(c, pg.versionNum);
          const x = findingOf(await runProbe(url, { thresholds }), 'deadlocks');
          return x.status !== 'ok' ? x : undefined;
        },
        // Under load the victim's statistics can take a while to be flushed and read.
        30_000,
        'the deadlock to reach pg_stat_database',
      );
      expect(f.status).toBe('warn');
      expect(f.title).toMatch(/^1 new deadlock in the last/);
      expect(f.detail).toContain(`${pg.database('bare')}: 1 new deadlock`);
    } finally {
      // An open transaction would block the DROP: end every session first.
      await bag.closeAll();
      const cleanup = await bag.open(url);
      await cleanup.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }, 60_000);
});
