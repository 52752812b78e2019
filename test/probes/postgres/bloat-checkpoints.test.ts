// The bloat and checkpoints checks against servers of the file's own (checkpoint counters are
// server-wide): a table bloated by updates estimated over the threshold, the same table fresh under
// it, a role that may not read the table's statistics (unknown), tables the estimate must survive
// (a low fillfactor, columns added since ANALYZE, TOAST); requested checkpoints forced by
// CHECKPOINT commands, judged on their history and then since the previous run.
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import type { Thresholds } from '../../../src/probes/probe-definition.ts';
import { postgresKind } from '../../../src/probes/postgres/postgres-kind.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import type { Finding } from '../../../src/report.ts';
import { ClientBag, findingOf, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';
import { describeOnEachServer, OWN_SERVERS } from './servers-under-test.ts';

async function run(url: string, state: MemoryProbeStateStore, extra: Record<string, unknown> = {}, thresholds: Record<string, Thresholds> = {}): Promise<Finding[]> {
  return await runKindChecks(
    postgresKind,
    { name: 'test-db', kind: 'postgres', url, thresholds, timeoutMs: 10_000, ...extra },
    { signal: new AbortController().signal, log: silentLogger(), state: state.forTarget(url) },
  );
}

/** Tables over 1 MB are estimated (the default is 1 GB). */
const SMALL_TABLES = { limits: { bloatTableMb: 1 } };

describeOnEachServer(
  'bloat and checkpoints',
  { fresh: {}, bloated: {}, hidden: {}, partial: {} },
  (pg) => {
    const bag = new ClientBag();
    afterEach(async () => {
      await bag.closeAll();
    });

    /** About 2.7 MB of rows of ~140 bytes, autovacuum off so that nothing cleans up behind the test. */
    async function fillTable(url: string): Promise<ReturnType<ClientBag['open']>> {
      const db = await bag.open(url);
      await db.query('CREATE TABLE payments (id int, note text) WITH (autovacuum_enabled = false)');
      await db.query("INSERT INTO payments SELECT g, repeat('n', 100) FROM generate_series(1, 20000) g");
      await db.query('ANALYZE payments');
      return db;
    }

    it('no table over the size limit: ok, nothing estimated', async () => {
      const f = findingOf(await run(pg.url('fresh'), new MemoryProbeStateStore()), 'bloat');
      expect(f.status).toBe('ok');
      expect(f.title).toBe('No table over 1 GB: bloat not estimated');
    });

    it('a freshly loaded table is estimated under the threshold: ok, and says it is an estimate', async () => {
      await fillTable(pg.url('fresh'));
      const f = findingOf(await run(pg.url('fresh'), new MemoryProbeStateStore(), SMALL_TABLES), 'bloat');
      expect(f.status).toBe('ok');
      expect(f.title).toMatch(/^1 table over 1 MB, estimated bloat under 50% \(most: public\.payments (\d+(\.\d)?|<0\.1)%\)$/);
      expect(Number(f.metrics?.max_waste_pct)).toBeLessThan(15);
      expect(f.detail).toMatch(/^An estimate from the planner statistics/);
    });

    it('a table whose rows were all updated twice: warn naming it, about two thirds bloat; never crit', async () => {
      const db = await fillTable(pg.url('bloated'));
      await db.query("UPDATE payments SET note = repeat('m', 100)");
      await db.query("UPDATE payments SET note = repeat('o', 100)");
      await db.query('ANALYZE payments');
      const f = findingOf(await run(pg.url('bloated'), new MemoryProbeStateStore(), SMALL_TABLES, { bloat: { warn: 50, crit: 60 } }), 'bloat');
      expect(f.status).toBe('warn');
      expect(f.title).toMatch(/^public\.payments: an estimated (6\d)% \([\d.]+ MB\) of its [\d.]+ MB is bloat$/);
      expect(f.detail).toContain('An estimate');
      expect(f.fix).toMatch(/pg_repack/);
      // Over a higher threshold it is not reported.
      const ok = findingOf(await run(pg.url('bloated'), new MemoryProbeStateStore(), SMALL_TABLES, { bloat: { warn: 80, crit: Infinity } }), 'bloat');
      expect(ok.status).toBe('ok');
    });

    it('a low fillfactor with wide rows, a fixed-width column added since ANALYZE, a table without statistics and a TOAST-heavy one: the others are still judged', async () => {
      const db = await bag.open(pg.url('partial'));
      // Fewer than one row fits a page at fillfactor 10: still one per page, 0% bloat.
      await db.query('CREATE TABLE wide (id int, body text) WITH (fillfactor = 10, autovacuum_enabled = false)');
      await db.query("INSERT INTO wide SELECT g, repeat('w', 1000) FROM generate_series(1, 2000) g");
      await db.query('CREATE TABLE grown (id int, note text) WITH (autovacuum_enabled = false)');
      await db.query("INSERT INTO grown SELECT g, repeat('g', 100) FROM generate_series(1, 20000) g");
      await db.query('CREATE TABLE notes (id int, note text) WITH (autovacuum_enabled = false)');
      await db.query("INSERT INTO notes SELECT g, repeat('n', 100) FROM generate_series(1, 20000) g");
      // Large values, moved out of line: megabytes of TOAST behind a heap of a few pages.
      await db.query('CREATE TABLE docs (id int, body text) WITH (autovacuum_enabled = false)');
      await db.query("INSERT INTO docs SELECT g, (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 400) i) FROM generate_series(1, 200) g");
      await db.query('ANALYZE');
      // Columns added since the ANALYZE: one of fixed width (its width is known), one text (not).
      await db.query('ALTER TABLE grown ADD COLUMN flag int DEFAULT 0');
      await db.query('ALTER TABLE notes ADD COLUMN memo text');

      const f = findingOf(await run(pg.url('partial'), new MemoryProbeStateStore(), SMALL_TABLES), 'bloat');
      expect(f.status).toBe('ok');
      expect(f.title).toMatch(/^2 tables over 1 MB, estimated bloat under 50% \(most: public\.(wide|grown) (\d+(\.\d)?|<0\.1)%\); 1 other without statistics not estimated$/);
      expect(f.detail).toMatch(/1 large table not estimated, without statistics .*: public\.notes [\d.]+ MB; ANALYZE it to estimate/);
      expect(f.detail).not.toContain('public.docs');
      expect(f.metrics).toMatchObject({ large_tables: 3, bloated_tables: 0 });
      expect(Number(f.metrics?.max_waste_pct)).toBeLessThan(15);

      // With no table estimated at all, nothing says the bloat is low: unknown.
      await db.query('DROP TABLE wide, grown');
      const none = findingOf(await run(pg.url('partial'), new MemoryProbeStateStore(), SMALL_TABLES), 'bloat');
      expect(none.status).toBe('unknown');
      expect(none.title).toBe('Bloat of 1 large table unknown');
      expect(none.fix).toMatch(/^ANALYZE the tables/);
    });

    it('a role that may not read the large table: bloat unknown naming the table and the GRANT, never ok', async () => {
      await fillTable(pg.url('hidden'));
      const admin = await bag.open(pg.url('hidden'));
      const role = uniqueName('probe_plain');
      const password = `Pw-${Math.random().toString(36).slice(2)}-b`;
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      try {
        const findings = await run(withCredentials(pg.url('hidden'), role, password), new MemoryProbeStateStore(), SMALL_TABLES);
        const f = findingOf(findings, 'bloat');
        expect(f.status).toBe('unknown');
        expect(f.title).toBe('Bloat of 1 large table unknown');
        expect(f.detail).toContain(`1 large table not estimated: ${role} may not read its statistics (pg_stats shows only readable columns): public.payments`);
        expect(f.fix).toContain(`GRANT SELECT ON the tables to ${role}`);
        // What every role may see is judged as for a superuser.
        expect(findingOf(findings, 'indexes').status).toBe('ok');
        expect(findingOf(findings, 'checkpoints').status).not.toBe('unknown');
        expect(findingOf(findings, 'backups').status).toBe('ok');
      } finally {
        await probePools.closeAll();
        await admin.query(`DROP ROLE ${role}`);
      }
    });

    it('requested checkpoints: their history is shown, never judged; the ones since the previous run are', async () => {
      const db = await bag.open(pg.url('fresh'));
      const counters =
        pg.versionNum >= 170000
          ? 'SELECT num_requested::int AS requested, num_timed::int AS timed FROM pg_stat_checkpointer'
          : 'SELECT checkpoints_req::int AS requested, checkpoints_timed::int AS timed FROM pg_stat_bgwriter';
      await db.query(`SELECT pg_stat_reset_shared('${pg.versionNum >= 170000 ? 'checkpointer' : 'bgwriter'}')`);
      const state = new MemoryProbeStateStore();

      const few = findingOf(await run(pg.url('fresh'), state), 'checkpoints');
      expect(few.status).toBe('ok');
      expect(few.title).toMatch(/^[0-9] checkpoints? since stats reset .* UTC: too few to judge \(at least 10\)$/);

      // A CHECKPOINT command is a requested checkpoint on every version tested here.
      for (let i = 0; i < 10; i++) await db.query('CHECKPOINT');
      // Before 15 the checkpointer reports to the statistics collector a moment later.
      await waitFor(async () => {
        const { rows } = await db.query<{ requested: number; timed: number }>(counters);
        return rows[0]!.requested >= 10;
      }, 10_000, '10 requested checkpoints counted');

      // A probe state without a previous run: the history since the reset is shown, not judged.
      const history = findingOf(await run(pg.url('fresh'), new MemoryProbeStateStore(), {}, { checkpoints: { warn: 30, crit: 50 } }), 'checkpoints');
      expect(history.status).toBe('ok');
      expect(history.title).toMatch(/^(9\d|100)% of 1\d checkpoints since stats reset .* UTC were requested .*: history, judged from the next run on$/);
      expect(history.detail).toContain('Only the checkpoints between two runs are judged');

      // The first state's baseline saw fewer than 10: the 10 since then are judged, and may be crit.
      const recent = findingOf(await run(pg.url('fresh'), state, {}, { checkpoints: { warn: 30, crit: 50 } }), 'checkpoints');
      expect(recent.status).toBe('crit');
      expect(recent.title).toMatch(/^Many checkpoints requested rather than timed: (9\d|100)% of 1\d checkpoints in the last (<1 s|\d+ s) were requested/);
      expect(recent.fix).toMatch(/^Raise max_wal_size \(now \d+(MB|GB)/);

      // No checkpoint since that run: too few since it, so the history again, shown as ok.
      const quiet = findingOf(await run(pg.url('fresh'), state), 'checkpoints');
      expect(quiet.status).toBe('ok');
      expect(quiet.title).toContain('since stats reset');

      // With a higher minimum the same counts are too few to judge.
      const raised = findingOf(await run(pg.url('fresh'), new MemoryProbeStateStore(), { limits: { minCheckpoints: 1000 } }), 'checkpoints');
      expect(raised.status).toBe('ok');
      expect(raised.title).toMatch(/too few to judge \(at least 1000\)$/);
    });
  },
  OWN_SERVERS,
);
