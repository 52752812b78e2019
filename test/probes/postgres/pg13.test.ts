// The probe against the oldest supported server, PostgreSQL 13 (the other probe tests run on 17):
// every check must run, and the faults of the PG17 tests must show the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetSequenceLists } from '../../../src/probes/postgres/checks/sequences.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { startPostgres13, type OldPostgres } from '../../support/start-old-postgres.ts';
import { ClientBag, findingOf, pidOf, runProbe, sleep, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';

const ALL_CHECKS = [
  'blocking_locks', 'cache_hit', 'connections', 'database_size', 'deadlocks', 'idle_in_transaction',
  'long_queries', 'long_transactions', 'reachable', 'replication', 'sequences', 'slow_queries', 'vacuum', 'wraparound',
].map((c) => `postgres.${c}`);

const bag = new ClientBag();
let server: OldPostgres;
let url: string;

beforeAll(async () => {
  // A quick deadlock detector for the deadlock test.
  server = await startPostgres13({ deadlock_timeout: '100ms' });
  url = server.url;
  const admin = await bag.open(url);
  await admin.query('CREATE EXTENSION pg_stat_statements');
  await bag.closeAll();
});

afterAll(async () => {
  await bag.closeAll();
  // The probe keeps a warm pool per URL: close it before the server goes.
  await probePools.closeAll();
  await server?.stop();
});

describe('postgres probe on PostgreSQL 13', () => {
  it('runs against a 13.x server', async () => {
    const admin = await bag.open(url);
    const { rows } = await admin.query<{ v: number }>("select current_setting('server_version_num')::int as v");
    expect(rows[0]!.v).toBeGreaterThanOrEqual(130000);
    expect(rows[0]!.v).toBeLessThan(140000);
    await bag.closeAll();
  });

  it('runs every check on a healthy database without an SQL error', async () => {
    forgetSequenceLists();
    const findings = await runProbe(url);

    expect(findings.map((f) => f.check).sort()).toEqual(ALL_CHECKS);
    expect(findings.filter((f) => f.status === 'unknown').map((f) => `${f.check}: ${f.title}`)).toEqual([]);
    const reachable = findingOf(findings, 'reachable');
    expect(reachable.title).toMatch(/^Reachable: PostgreSQL 13\./);
    expect(reachable.metrics?.server_version_num).toBeLessThan(140000);
    expect(findingOf(findings, 'slow_queries').status).toBe('ok');
    // No reserved_connections before 16: only superuser_reserved_connections (3) is reserved.
    const connections = findingOf(findings, 'connections').metrics!;
    expect(connections.usable).toBe(Number(connections.max_connections) - 3);
  });

  it('reports a session idle in transaction', async () => {
    const idle = await bag.open(url, 'idle-app');
    const pid = await pidOf(idle);
    await idle.query('BEGIN');
    await idle.query('SELECT 1');
    await sleep(1_200);

    const findings = await runProbe(url, {
      thresholds: { idle_in_transaction: { warn: 1, crit: 600 }, long_transactions: { warn: 1, crit: 600 } },
    });

    const f = findingOf(findings, 'idle_in_transaction');
    expect(f.status).toBe('warn');
    expect(f.detail).toContain(`pid ${pid}`);
    expect(f.detail).toContain('app idle-app');
    expect(f.remedies).toContainEqual({ action: 'postgres.terminate_backend', label: `Terminate pid ${pid}`, params: { pid } });
    const tx = findingOf(findings, 'long_transactions');
    expect(tx.status).toBe('warn');
    expect(tx.detail).toContain(`pid ${pid}`);
    await bag.closeAll();
  });

  it('names the blocker of a query waiting on a lock (no pg_locks.waitstart before 14)', async () => {
    const table = uniqueName('probe_lock');
    const admin = await bag.open(url);
    await admin.query(`CREATE TABLE ${table} (id serial primary key, v text)`);
    try {
      const holder = await bag.open(url, 'lock-holder');
      const waiter = await bag.open(url, 'lock-waiter');
      const holderPid = await pidOf(holder);
      const waiterPid = await pidOf(waiter);
      await holder.query('BEGIN');
      await holder.query(`LOCK TABLE ${table}`);
      const blockedQuery = waiter.query(`SELECT count(*) FROM ${table}`).catch(() => undefined);
      await waitFor(
        async () => (await admin.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [waiterPid])).rowCount,
        10_000,
        'the waiter to queue on the lock',
      );

      const findings = await runProbe(url);

      const f = findingOf(findings, 'blocking_locks');
      expect(f.status).toBe('warn');
      expect(f.title).toContain(`held by pid ${holderPid}`);
      expect(f.detail).toContain(`pid ${waiterPid}`);
      expect(f.detail).toContain(`behind pid ${holderPid}`);
      expect(f.metrics?.root_blocker_pid).toBe(holderPid);
      expect(f.remedies).toContainEqual({ action: 'postgres.terminate_backend', label: `Terminate pid ${holderPid}`, params: { pid: holderPid } });
      expect(findings.filter((x) => x.title.includes('could not check')).map((x) => x.title)).toEqual([]);

      await holder.query('ROLLBACK');
      await blockedQuery;
    } finally {
      await bag.closeAll();
      const cleanup = await bag.open(url);
      await cleanup.query(`DROP TABLE IF EXISTS ${table}`);
      await bag.closeAll();
    }
  });

  it('reports a slow statement from pg_stat_statements (mean_exec_time, 1.8 columns)', async () => {
    const app = await bag.open(url, 'reporting');
    for (let i = 0; i < 3; i++) await app.query("SELECT pg_sleep(0.2), 'secret-literal' AS note");

    const findings = await runProbe(url, { thresholds: { slow_queries: { warn: 150, crit: 60_000 } } });

    const f = findingOf(findings, 'slow_queries');
    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/averages \d+ ms over 3 calls/);
    expect(f.detail).toContain('SELECT pg_sleep($1), $2 AS note');
    expect(f.detail).not.toContain('secret-literal');
    expect(f.metrics?.max_mean_ms).toBeGreaterThanOrEqual(150);
    await bag.closeAll();
  });

  it('flags a serial sequence near the end of the integer range', async () => {
    const table = uniqueName('orders');
    const db = await bag.open(url);
    await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY)`);
    await db.query(`SELECT setval('${table}_id_seq', 2061584302)`); // 96% of 2^31-1
    try {
      // The probe keeps its list of sequences for minutes.
      forgetSequenceLists();
      const f = findingOf(await runProbe(url), 'sequences');
      expect(f.status).toBe('crit');
      expect(f.title).toContain(`public.${table}_id_seq`);
      expect(f.detail).toContain(`${table}_id_seq (integer)`);
    } finally {
      await db.query(`DROP TABLE ${table}`);
      await bag.closeAll();
      forgetSequenceLists();
    }
  });

  it('reports a long running statement', async () => {
    const busy = await bag.open(url, 'slow-report');
    const pid = await pidOf(busy);
    const running = busy.query('SELECT pg_sleep(10)').catch(() => undefined);
    const admin = await bag.open(url);
    await waitFor(
      async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND now() - query_start > interval '1.1 s'", [pid])).rowCount,
      10_000,
      'the statement to run for a while',
    );

    const f = findingOf(await runProbe(url, { thresholds: { long_queries: { warn: 1, crit: 600 } } }), 'long_queries');
    expect(f.status).toBe('warn');
    expect(f.detail).toContain(`pid ${pid}`);
    expect(f.detail).toContain('SELECT pg_sleep(?)');
    expect(f.remedies).toContainEqual({ action: 'postgres.cancel_query', label: `Cancel pid ${pid}`, params: { pid } });

    await admin.query('SELECT pg_cancel_backend($1)', [pid]);
    await running;
    await bag.closeAll();
  });

  it('reports a table full of dead rows (statistics collector, no pg_stat_force_next_flush before 15)', async () => {
    const table = uniqueName('churn');
    const db = await bag.open(url);
    await db.query(`CREATE TABLE ${table} (id int, payload text) WITH (autovacuum_enabled = false)`);
    await db.query(`INSERT INTO ${table} SELECT g, 'x' FROM generate_series(1, 20000) g`);
    await db.query(`DELETE FROM ${table}`);
    try {
      const f = await waitFor(
        async () => {
          // A PG13 backend sends its statistics at most every 500 ms, and only when a statement ends.
          await db.query('SELECT 1');
          const x = findingOf(await runProbe(url), 'vacuum');
          return x.status !== 'ok' ? x : undefined;
        },
        15_000,
        'dead rows to show in the statistics',
      );
      expect(f.status).toBe('warn');
      expect(f.title).toContain(`public.${table}`);
      expect(f.title).toContain('20,000 dead rows');
      expect(f.detail).toContain('autovacuum disabled');
      expect(f.remedies).toContainEqual({
        action: 'postgres.vacuum_analyze',
        label: `VACUUM ANALYZE public.${table}`,
        params: { database: 'app', schema: 'public', table },
      });
    } finally {
      await db.query(`DROP TABLE ${table}`);
      await bag.closeAll();
    }
  });

  it('reports a new deadlock since the previous run', async () => {
    const table = uniqueName('dl');
    const admin = await bag.open(url);
    await admin.query(`CREATE TABLE ${table} (id int primary key, v int)`);
    await admin.query(`INSERT INTO ${table} VALUES (1, 0), (2, 0)`);
    try {
      // The baseline: deadlocks are counted from the previous run on.
      await runProbe(url);
      const a = await bag.open(url, 'deadlock-a');
      const b = await bag.open(url, 'deadlock-b');
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query(`UPDATE ${table} SET v = 1 WHERE id = 1`);
      await b.query(`UPDATE ${table} SET v = 1 WHERE id = 2`);
      const first = a.query(`UPDATE ${table} SET v = 2 WHERE id = 2`).then(() => 'ok', (e: Error) => e.message);
      await waitFor(async () => (await admin.query('SELECT 1 FROM pg_locks WHERE NOT granted')).rowCount, 10_000, 'a to wait for b');
      const second = b.query(`UPDATE ${table} SET v = 2 WHERE id = 1`).then(() => 'ok', (e: Error) => e.message);
      // One is chosen as the victim; the other then gets its lock.
      const outcomes = await Promise.all([first, second]);
      expect(outcomes.filter((o) => o.includes('deadlock detected'))).toHaveLength(1);
      await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);

      const f = await waitFor(
        async () => {
          const x = findingOf(await runProbe(url), 'deadlocks');
          return x.status !== 'ok' ? x : undefined;
        },
        10_000,
        'the deadlock to reach pg_stat_database',
      );
      expect(f.status).toBe('warn');
      expect(f.title).toMatch(/^1 new deadlock in the last/);
      expect(f.detail).toContain('app: 1 new deadlock');
    } finally {
      await bag.closeAll();
      const cleanup = await bag.open(url);
      await cleanup.query(`DROP TABLE IF EXISTS ${table}`);
      await bag.closeAll();
    }
  });

  it('completes for a role without pg_monitor and says that other sessions are hidden', async () => {
    const role = uniqueName('probe_nomon');
    const password = `Pw-${Math.random().toString(36).slice(2)}-x`;
    const admin = await bag.open(url);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      // A superuser session the role cannot look into.
      const other = await bag.open(url, 'someone-else');
      await other.query('BEGIN');
      await other.query('SELECT 1');

      const findings = await runProbe(withCredentials(url, role, password));

      expect(findings.map((f) => f.check).sort()).toEqual(ALL_CHECKS);
      expect(findings.filter((f) => f.title.includes('could not check')).map((f) => f.title)).toEqual([]);
      const reachable = findingOf(findings, 'reachable');
      expect(reachable.status).toBe('ok');
      expect(reachable.title).toContain(`role ${role} lacks pg_monitor`);
      const idle = findingOf(findings, 'idle_in_transaction');
      expect(idle.status).toBe('unknown');
      expect(idle.title).toContain('hidden');
      expect(idle.detail).toContain(`grant pg_monitor to ${role}`);
      expect(findingOf(findings, 'connections').detail).toContain('(hidden)');
      expect(JSON.stringify(findings)).not.toContain(password);
    } finally {
      await bag.closeAll();
      await probePools.closeAll();
      const cleanup = await bag.open(url);
      await cleanup.query(`DROP ROLE IF EXISTS ${role}`);
      await bag.closeAll();
    }
  });
});
