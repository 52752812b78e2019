// The indexes check against real servers: an INVALID index left by a failed concurrent build, an
// unused index over a (lowered) size, a table read by sequential scans with the statement that
// scans it; an INVALID index of a partitioned table and a leftover of a failed REINDEX
// CONCURRENTLY, each with what deals with it; a role that may not read other roles' statements
// told so; and nothing on a healthy database.
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { postgresKind } from '../../../src/probes/postgres/postgres-kind.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import type { Finding } from '../../../src/report.ts';
import { ClientBag, findingOf, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';
import { describeOnEachServer, reportStatistics } from './servers-under-test.ts';

const state = new MemoryProbeStateStore();

async function runIndexes(url: string, extra: Record<string, unknown> = {}, warnMb = 100): Promise<Finding> {
  const findings = await runKindChecks(
    postgresKind,
    { name: 'test-db', kind: 'postgres', url, thresholds: { indexes: { warn: warnMb, crit: Infinity } }, timeoutMs: 10_000, ...extra },
    { signal: new AbortController().signal, log: silentLogger(), state: state.forTarget(url) },
  );
  return findingOf(findings, 'indexes');
}

describeOnEachServer('indexes', { healthy: {}, invalid: {}, leftover: {}, unused: {}, scanned: { pgStatStatements: true } }, (pg) => {
  const bag = new ClientBag();
  afterEach(async () => {
    await bag.closeAll();
  });

  it('a healthy database: ok, no invalid, unused or sequentially scanned object', async () => {
    const db = await bag.open(pg.url('healthy'));
    await db.query('CREATE TABLE accounts (id int PRIMARY KEY, email text UNIQUE)');
    await db.query("INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 100) g");
    const f = await runIndexes(pg.url('healthy'));
    expect(f.status).toBe('ok');
    expect(f.title).toMatch(/^No invalid index/);
    expect(f.metrics).toEqual({ invalid_indexes: 0, unused_large_indexes: 0, seq_scanned_tables: 0 });
  });

  it('an INVALID index from a failed CREATE UNIQUE INDEX CONCURRENTLY: warn, named, with the rebuild', async () => {
    const db = await bag.open(pg.url('invalid'));
    await db.query('CREATE TABLE "Orders" (id int, ref text)');
    await db.query("INSERT INTO \"Orders\" SELECT g, 'r' || (g % 10) FROM generate_series(1, 200) g");
    await db.query('CREATE INDEX orders_id_ok ON "Orders" (id)');
    await expect(db.query('CREATE UNIQUE INDEX CONCURRENTLY orders_ref_uniq ON "Orders" (ref)')).rejects.toThrow(/could not create unique index/);
    const { rows } = await db.query<{ valid: boolean }>("SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'orders_ref_uniq'::regclass");
    expect(rows[0]!.valid).toBe(false);

    const f = await runIndexes(pg.url('invalid'));
    expect(f.status).toBe('warn');
    expect(f.title).toBe('1 INVALID index (public.orders_ref_uniq)');
    expect(f.detail).toContain('public.orders_ref_uniq on public."Orders"');
    expect(f.detail).toContain('REINDEX INDEX CONCURRENTLY public.orders_ref_uniq;');
    expect(f.detail).toContain('remove them first');
    expect(f.detail).not.toContain('orders_id_ok');
    expect(f.fix).toMatch(/rebuild/);
    expect(f.metrics?.invalid_indexes).toBe(1);
  });

  it('an INVALID index of a partitioned table is attached, not rebuilt; a leftover of a failed REINDEX CONCURRENTLY is dropped', async () => {
    const db = await bag.open(pg.url('leftover'));
    await db.query('CREATE TABLE measurements (id int, kind int) PARTITION BY RANGE (id)');
    await db.query('CREATE TABLE measurements_1 PARTITION OF measurements FOR VALUES FROM (0) TO (1000)');
    // ON ONLY: the partitioned index stays INVALID until the partition's index is attached.
    await db.query('CREATE INDEX measurements_kind_idx ON ONLY measurements (kind)');
    await db.query('CREATE TABLE refs (id int, ref text)');
    await db.query("INSERT INTO refs SELECT g, 'r' || (g % 3) FROM generate_series(1, 30) g");
    // The name a failed REINDEX CONCURRENTLY leaves on its new copy.
    await expect(db.query('CREATE UNIQUE INDEX CONCURRENTLY refs_ref_idx_ccnew ON refs (ref)')).rejects.toThrow(/could not create unique index/);

    const f = await runIndexes(pg.url('leftover'));
    expect(f.status).toBe('warn');
    expect(f.title).toBe('2 INVALID indexes (public.measurements_kind_idx, public.refs_ref_idx_ccnew)');
    expect(f.detail).toContain('public.measurements_kind_idx on the partitioned table public.measurements: valid once every partition has its index attached');
    expect(f.detail).toContain('ALTER INDEX public.measurements_kind_idx ATTACH PARTITION');
    expect(f.detail).not.toContain('REINDEX INDEX CONCURRENTLY public.measurements_kind_idx');
    expect(f.detail).toContain('public.refs_ref_idx_ccnew on public.refs');
    expect(f.detail).toContain('left by a failed REINDEX CONCURRENTLY (the new copy that was being built): drop it: DROP INDEX CONCURRENTLY public.refs_ref_idx_ccnew; then run the REINDEX again');
    expect(f.detail).not.toContain('REINDEX INDEX CONCURRENTLY public.refs_ref_idx_ccnew');
  });

  it('an unused index over the lowered size threshold: warn naming it and its size; a used one and a unique one are not named', async () => {
    const db = await bag.open(pg.url('unused'));
    await db.query('CREATE TABLE events (id int PRIMARY KEY, kind text, payload text)');
    await db.query("INSERT INTO events SELECT g, 'k' || (g % 50), repeat('x', 50) FROM generate_series(1, 20000) g");
    await db.query('CREATE INDEX events_payload_idx ON events (payload)');
    await db.query('CREATE INDEX events_kind_idx ON events (kind)');
    await db.query('CREATE UNIQUE INDEX events_kind_id_uniq ON events (kind, id)');
    await db.query('ANALYZE events');
    // events_kind_idx gets used; events_payload_idx never is.
    await db.query('SET enable_seqscan = off');
    await waitFor(async () => {
      await db.query("SELECT count(*) FROM events WHERE kind = 'k7'");
      await reportStatistics(db, pg.versionNum);
      const { rows } = await db.query<{ n: string }>("SELECT idx_scan AS n FROM pg_stat_user_indexes WHERE indexrelname = 'events_kind_idx'");
      return Number(rows[0]?.n) > 0;
    }, 10_000, 'index scan counted');

    const small = await runIndexes(pg.url('unused'));
    expect(small.status).toBe('ok');

    const f = await runIndexes(pg.url('unused'), {}, 0.1);
    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/^1 unused index over 102 kB \(public\.events_payload_idx \d+(\.\d)? (kB|MB)\)$/);
    expect(f.detail).toMatch(/Never scanned since (stats reset \d{4}-\d\d-\d\d \d\d:\d\d UTC|the statistics began)/);
    expect(f.detail).toMatch(/public\.events_payload_idx on public\.events: [\d.]+ (kB|MB), 0 scans/);
    expect(f.detail).not.toContain('events_kind_idx');
    expect(f.detail).not.toContain('events_kind_id_uniq');
    expect(f.detail).not.toContain('events_pkey');
    expect(f.fix).toMatch(/DROP INDEX CONCURRENTLY/);
  });

  it('a large table read by sequential scans: warn naming it and the statement that scans it (masked); under the row threshold it is not', async () => {
    const db = await bag.open(pg.url('scanned'));
    await db.query('CREATE TABLE customers (id int PRIMARY KEY, email text)');
    await db.query("INSERT INTO customers SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 5000) g");
    await db.query('SELECT pg_stat_statements_reset()');
    for (let i = 0; i < 12; i++) await db.query("SELECT id FROM customers WHERE email = 'user42@example.com'");
    await waitFor(async () => {
      await reportStatistics(db, pg.versionNum);
      const { rows } = await db.query<{ n: string }>("SELECT seq_scan AS n FROM pg_stat_user_tables WHERE relname = 'customers'");
      return Number(rows[0]?.n) >= 12;
    }, 10_000, 'sequential scans counted');

    // Default limits: 5,000 rows is no suspect.
    expect((await runIndexes(pg.url('scanned'))).status).toBe('ok');

    const f = await runIndexes(pg.url('scanned'), { limits: { missingIndexRows: 1000, rowsPerSeqScan: 1000 } });
    expect(f.status).toBe('warn');
    expect(f.title).toBe('1 large table read by sequential scans (public.customers)');
    expect(f.detail).toMatch(/public\.customers: 5,000 rows, 1[2-9] sequential scans reading [\d,]+ rows each, 0 index scans/);
    expect(f.detail).toContain('top statement on it by total time: SELECT id FROM customers WHERE email = $1');
    expect(f.detail).not.toContain('user42@example.com');
    expect(f.fix).toContain('EXPLAIN the statement');
    expect(f.metrics?.seq_scanned_tables).toBe(1);
    expect(f.detail).not.toContain('hidden from');

    // A role that may not read other roles' statements: the table is named, and what is missing.
    const role = uniqueName('probe_plain');
    const password = `Pw-${Math.random().toString(36).slice(2)}-i`;
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      const plain = await runIndexes(withCredentials(pg.url('scanned'), role, password), { limits: { missingIndexRows: 1000, rowsPerSeqScan: 1000 } });
      expect(plain.status).toBe('warn');
      expect(plain.title).toBe('1 large table read by sequential scans (public.customers)');
      expect(plain.detail).not.toContain('top statement on it');
      expect(plain.detail).toContain(`Statements of other roles are hidden from ${role} in pg_stat_statements: GRANT pg_read_all_stats (or pg_monitor) TO ${role};`);
    } finally {
      await probePools.closeAll();
      await db.query(`DROP ROLE ${role}`);
    }
  });
});
