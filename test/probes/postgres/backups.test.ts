// The backups check against real servers: a server archiving to a failing command (crit naming the
// segment), the same server once its archive command succeeds (ok), archive_mode off (ok, no
// point-in-time recovery), and the newest backup's age from a backupCheck query, both ways; a
// backupCheck query that would act on the server (end a session, run a program, change a setting)
// is refused before it runs, a write or a second statement fails in the server, the statement
// timeout bounds it and a value the server's error quotes is not shown.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { postgresKind } from '../../../src/probes/postgres/postgres-kind.ts';
import type { CheckContext } from '../../../src/probes/postgres/check-context.ts';
import { checkBackups } from '../../../src/probes/postgres/checks/backups.ts';
import { depthSettings } from '../../../src/probes/postgres/depth-settings.ts';
import { refusedStatement } from '../../../src/probes/postgres/refused-statement.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import type { Finding } from '../../../src/report.ts';
import { startPostgres13 } from '../../support/start-old-postgres.ts';
import { startTestPostgres } from '../../support/start-test-postgres.ts';
import { ClientBag, findingOf, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';
import { describeOnEachServer, type ServerUnderTest } from './servers-under-test.ts';

const state = new MemoryProbeStateStore();

async function runBackups(url: string, extra: Record<string, unknown> = {}, thresholds = {}): Promise<Finding> {
  const findings = await runKindChecks(
    postgresKind,
    { name: 'test-db', kind: 'postgres', url, thresholds, timeoutMs: 10_000, ...extra },
    { signal: new AbortController().signal, log: silentLogger(), state: state.forTarget(url) },
  );
  return findingOf(findings, 'backups');
}

/**
 * Flag files the archive command of each server reads: it fails (exit 1) until `ok-<label>` exists,
 * and takes 3 s per segment while `slow-<label>` exists. A server's command-line settings outrank
 * ALTER SYSTEM, so the command itself cannot be changed while the server runs.
 */
const FLAGS = mkdtempSync(path.join(os.tmpdir(), 'chatops-archive-flags-'));
chmodSync(FLAGS, 0o755);
const flag = (name: string) => path.join(FLAGS, name);

const archiving = (label: string) => ({
  archive_mode: 'on',
  archive_command: `test ! -f ${flag(`slow-${label}`)} || sleep 3; test -f ${flag(`ok-${label}`)}`,
});

const ARCHIVING_SERVERS: readonly ServerUnderTest[] = [
  {
    label: '17',
    start: async () => {
      const server = await startTestPostgres(archiving('17'));
      return { adminUrl: server.urlFor('postgres'), stop: () => server.stop() };
    },
  },
  {
    label: '13',
    start: async () => {
      const server = await startPostgres13(archiving('13'));
      return { adminUrl: server.urlFor('postgres'), stop: () => server.stop() };
    },
  },
];

afterAll(() => rmSync(FLAGS, { recursive: true, force: true }));

interface Archiver {
  failed_count: string;
  last_failed_wal: string | null;
  last_archived_wal: string | null;
  ok_after_failure: boolean;
}

describeOnEachServer(
  'WAL archiving',
  { app: {} },
  (pg) => {
    const bag = new ClientBag();
    afterEach(async () => {
      await bag.closeAll();
    });

    // First in the block: nothing has been archived or has failed on the fresh server yet.
    it('nothing archived yet: ok, for a superuser and for a role without pg_monitor alike (every role may read pg_stat_archiver and the archive settings)', async () => {
      const db = await bag.open(pg.url('app'));
      const { rows } = await db.query<{ archived: string; failed: string }>('SELECT archived_count::text AS archived, failed_count::text AS failed FROM pg_stat_archiver');
      expect(rows[0]).toEqual({ archived: '0', failed: '0' });
      const seen = await runBackups(pg.url('app'));
      expect(seen.status).toBe('ok');
      expect(seen.title).toMatch(/^WAL archiving works: nothing archived yet/);

      const role = uniqueName('probe_plain');
      const password = `Pw-${Math.random().toString(36).slice(2)}-a`;
      await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
      try {
        const plain = await runBackups(withCredentials(pg.url('app'), role, password));
        expect(plain.status).toBe('ok');
        expect(plain.title).toBe(seen.title);
      } finally {
        await probePools.closeAll();
        await db.query(`DROP ROLE ${role}`);
      }
    });

    it('an archive command that fails: crit naming the WAL segment and the failure count; once it succeeds: ok', async () => {
      const db = await bag.open(pg.url('app'));
      await db.query('CREATE TABLE filler AS SELECT g FROM generate_series(1, 1000) g');
      await db.query('SELECT pg_switch_wal()');
      const failed = await waitFor(async () => {
        const { rows } = await db.query<Archiver>('SELECT failed_count::text, last_failed_wal, last_archived_wal, false AS ok_after_failure FROM pg_stat_archiver');
        return Number(rows[0]!.failed_count) > 0 ? rows[0]! : undefined;
      }, 15_000, 'a failed archive attempt');

      const crit = await runBackups(pg.url('app'));
      expect(crit.status).toBe('crit');
      expect(crit.title).toContain(`segment ${failed.last_failed_wal} could not be archived`);
      expect(crit.title).toMatch(/\((\d+) failures? of the archive command since (stats reset|the statistics began)/);
      expect(Number(/\((\d+) failure/.exec(crit.title)![1])).toBeGreaterThanOrEqual(Number(failed.failed_count));
      expect(crit.detail).toContain('piles up in pg_wal');
      expect(crit.fix).toMatch(/server log/);

      // The cause is fixed: the archiver retries the waiting segment.
      writeFileSync(flag(`ok-${pg.label}`), '');
      await db.query('INSERT INTO filler SELECT g FROM generate_series(1, 1000) g');
      await db.query('SELECT pg_switch_wal()');
      await waitFor(async () => {
        const { rows } = await db.query<Archiver>('SELECT last_archived_time > last_failed_time AS ok_after_failure FROM pg_stat_archiver');
        return rows[0]!.ok_after_failure;
      }, 20_000, 'a successful archive after the failures');

      const ok = await runBackups(pg.url('app'));
      expect(ok.status).toBe('ok');
      expect(ok.title).toMatch(/^WAL archiving works: last (<1 s|\d+ s) ago \([0-9A-F]{24}\), 0 completed WAL segments waiting to be archived$/);
    });

    it('an archiver falling behind: completed segments waiting longer than the (lowered) threshold is a warning', async () => {
      const db = await bag.open(pg.url('app'));
      writeFileSync(flag(`ok-${pg.label}`), '');
      writeFileSync(flag(`slow-${pg.label}`), '');
      try {
        for (let i = 0; i < 3; i++) {
          await db.query('INSERT INTO filler SELECT g FROM generate_series(1, 100) g');
          await db.query('SELECT pg_switch_wal()');
        }
        const f = await runBackups(pg.url('app'), {}, { backups: { warn: 0, crit: Infinity } });
        expect(f.status).toBe('warn');
        expect(f.title).toMatch(/^No WAL segment archived for (<1 s|\d+ s) while [1-3] completed WAL segments? waiting to be archived$/);
        expect(f.fix).toMatch(/archiver/);
        // With the default threshold (1 h) the same moment is fine.
        const ok = await runBackups(pg.url('app'));
        expect(ok.status).toBe('ok');
      } finally {
        rmSync(flag(`slow-${pg.label}`), { force: true });
      }
    });
  },
  ARCHIVING_SERVERS,
);

describeOnEachServer('backups without archiving, and the backupCheck query', { app: {} }, (pg) => {
  const bag = new ClientBag();
  afterEach(async () => {
    await bag.closeAll();
  });

  it('archive_mode off: ok, and says point-in-time recovery is not possible', async () => {
    const f = await runBackups(pg.url('app'));
    expect(f.status).toBe('ok');
    expect(f.title).toBe('WAL archiving is off (archive_mode = off): point-in-time recovery is not possible, only restores of whole backups');
  });

  it('backupCheck: the newest backup within maxAge is ok, over it warn, over twice crit, none at all crit', async () => {
    const db = await bag.open(pg.url('app'));
    await db.query('CREATE TABLE backup_runs (finished_at timestamptz, ok boolean)');
    const backupCheck = { query: 'SELECT max(finished_at) FROM backup_runs WHERE ok', maxAge: '26h' };

    const none = await runBackups(pg.url('app'), { backupCheck });
    expect(none.status).toBe('crit');
    expect(none.title).toBe('No backup found: the backupCheck query returned no backup time');

    await db.query("INSERT INTO backup_runs VALUES (now() - interval '3 hours', true), (now() - interval '1 hour', false)");
    const fresh = await runBackups(pg.url('app'), { backupCheck });
    expect(fresh.status).toBe('ok');
    // The archive part leads (both ok); the backup's age is in the detail.
    expect(fresh.detail).toMatch(/Newest backup 3 h old \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\), within maxAge 26h/);

    await db.query("UPDATE backup_runs SET finished_at = now() - interval '30 hours' WHERE ok");
    const old = await runBackups(pg.url('app'), { backupCheck });
    expect(old.status).toBe('warn');
    expect(old.title).toMatch(/^Newest backup is 1 d 6 h old \(.* UTC\): over maxAge 26h$/);
    expect(old.fix).toMatch(/backup job/);

    await db.query("UPDATE backup_runs SET finished_at = now() - interval '60 hours' WHERE ok");
    const older = await runBackups(pg.url('app'), { backupCheck });
    expect(older.status).toBe('crit');
    expect(older.title).toMatch(/^Newest backup is 2 d 12 h old \(.* UTC\): over twice the maxAge 26h$/);
  });

  it('backupCheck runs read-only and as one statement; a broken query is unknown and names the key', async () => {
    const db = await bag.open(pg.url('app'));
    await db.query('CREATE TABLE guarded (id int)');
    // A query (so not refused before it runs) that writes: the read-only transaction stops it.
    const write = await runBackups(pg.url('app'), { backupCheck: { query: 'WITH w AS (INSERT INTO guarded VALUES (1) RETURNING now()) SELECT * FROM w', maxAge: '1d' } });
    expect(write.status).toBe('unknown');
    expect(write.title).toMatch(/read-only transaction/);
    const two = await runBackups(pg.url('app'), { backupCheck: { query: 'SELECT now(); DELETE FROM guarded', maxAge: '1d' } });
    expect(two.status).toBe('unknown');
    expect(two.title).toMatch(/multiple commands|cannot insert multiple/);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM guarded');
    expect(rows[0]!.n).toBe(0);

    const text = await runBackups(pg.url('app'), { backupCheck: { query: "SELECT 'yesterday'::text", maxAge: '1d' } });
    expect(text.status).toBe('unknown');
    expect(text.title).toBe('Backup age unknown: the backupCheck query returned text, not a timestamptz');
    expect(text.fix).toContain('targets.test-db.backupCheck.query');
  });

  it('backupCheck never acts on the server: a query that would end a session, run a program, change a setting or the role, or write after a COMMIT is refused or fails, and nothing happened', async () => {
    const db = await bag.open(pg.url('app'));
    const victimApp = uniqueName('backup_victim');
    const victim = await bag.open(pg.url('app'), victimApp);
    await db.query('CREATE TABLE kept (id int)');
    await db.query('CREATE SEQUENCE backup_seq');
    const marker = path.join(os.tmpdir(), `${uniqueName('chatops-copy')}.touched`);
    const refused = async (query: string, why: RegExp) => {
      const f = await runBackups(pg.url('app'), { backupCheck: { query, maxAge: '1d' } });
      expect(f.status, query).toBe('unknown');
      expect(f.title, query).toMatch(/^Backup age unknown: the backupCheck query was not run: /);
      expect(f.title, query).toMatch(why);
      expect(f.config, query).toBe(true);
      expect(f.fix, query).toContain('targets.test-db.backupCheck.query');
    };
    try {
      await refused(
        `SELECT now() FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '${victimApp}') t`,
        /it calls pg_terminate_backend\(\), which acts on the server/,
      );
      await refused('SELECT "pg_cancel_backend"(pg_backend_pid()), now()', /it calls pg_cancel_backend\(\)/);
      await refused(`COPY (SELECT now()) TO PROGRAM 'touch ${marker}'`, /it is not a query \(COPY\)/);
      await refused("/* a comment first */ SELECT pg_catalog.set_config('statement_timeout', '0', false)::timestamptz", /it calls set_config\(\)/);
      await refused('SET ROLE postgres', /it is not a query \(SET\)/);
      await refused('SELECT now() FROM (SELECT pg_advisory_lock(42)) l', /it calls pg_advisory_lock\(\)/);
      // The session is still there, no program ran.
      expect((await victim.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
      expect(existsSync(marker)).toBe(false);

      // What passes the refusal still runs read-only and alone.
      const chained = await runBackups(pg.url('app'), { backupCheck: { query: 'SELECT now(); COMMIT; DROP TABLE kept', maxAge: '1d' } });
      expect(chained.status).toBe('unknown');
      expect(chained.title).toMatch(/cannot insert multiple commands into a prepared statement/);
      const sequence = await runBackups(pg.url('app'), { backupCheck: { query: "SELECT now() FROM (SELECT nextval('backup_seq')) s", maxAge: '1d' } });
      expect(sequence.status).toBe('unknown');
      expect(sequence.title).toMatch(/cannot execute nextval\(\) in a read-only transaction/);
      expect((await db.query<{ called: boolean }>('SELECT is_called AS called FROM backup_seq')).rows[0]!.called).toBe(false);
      expect((await db.query("SELECT to_regclass('kept') IS NOT NULL AS kept")).rows[0]).toEqual({ kept: true });
      // A name in a string is no call.
      const quoted = await runBackups(pg.url('app'), { backupCheck: { query: "SELECT now() WHERE 'pg_terminate_backend(1)' <> ''", maxAge: '1d' } });
      expect(quoted.status).toBe('ok');
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it('backupCheck: bounded by the statement timeout, and an error quoting a value does not show the value', async () => {
    const slow = await runBackups(pg.url('app'), { backupCheck: { query: 'SELECT now() FROM pg_sleep(5)', maxAge: '1d' }, timeoutMs: 2_000 });
    expect(slow.status).toBe('unknown');
    expect(slow.title).toBe('Backup age unknown: the backupCheck query ran past the statement timeout (2000 ms)');

    const leaky = await runBackups(pg.url('app'), { backupCheck: { query: "SELECT 'Tok-4f9c-private'::timestamptz", maxAge: '1d' } });
    expect(leaky.status).toBe('unknown');
    expect(leaky.title).toMatch(/^Backup age unknown: the backupCheck query failed \(invalid input syntax for type timestamp with time zone: "…"\)$/);
    expect(JSON.stringify(leaky)).not.toContain('Tok-4f9c');
  });

  it('a role that may not read the backup table: unknown naming the privilege, never ok', async () => {
    const db = await bag.open(pg.url('app'));
    const role = uniqueName('probe_plain');
    const password = `Pw-${Math.random().toString(36).slice(2)}-p`;
    await db.query('CREATE TABLE private_backups (finished_at timestamptz)');
    await db.query('INSERT INTO private_backups VALUES (now())');
    await db.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      const f = await runBackups(withCredentials(pg.url('app'), role, password), {
        backupCheck: { query: 'SELECT max(finished_at) FROM private_backups', maxAge: '26h' },
      });
      expect(f.status).toBe('unknown');
      expect(f.title).toBe(`Backup age unknown: ${role} may not run the backupCheck query (permission denied for table private_backups)`);
      expect(f.fix).toBe(`GRANT SELECT on what targets.test-db.backupCheck.query reads to ${role}.`);
      // The archive part is still there, in the detail.
      expect(f.detail).toContain('point-in-time recovery is not possible');
    } finally {
      await probePools.closeAll();
      await db.query(`DROP OWNED BY ${role}`);
      await db.query(`DROP ROLE ${role}`);
    }
  });
});

// Times a real server cannot be made to show: an archive failure hours old, with nothing archived
// since and nothing retried; a last success days old. Rows as the check's queries return them from
// pg_stat_archiver and pg_ls_archive_statusdir.
describe('postgres.backups on archiver counters of the past', () => {
  const archiver = (over: Record<string, unknown>) => ({
    archive_mode: 'on',
    command_set: true,
    archived_count: 40,
    last_archived_wal: '000000010000000000000027',
    last_archived_age_s: 5 * 3600,
    failed_count: 3,
    last_failed_wal: '000000010000000000000028',
    last_failed_age_s: 4 * 3600,
    failing: true,
    stats_reset: null,
    in_recovery: false,
    current_wal: '000000010000000000000029',
    segment_bytes: 16 * 1024 * 1024,
    ...over,
  });
  /** The oldest .ready file's age in seconds, null for none, 'denied' for a role that may not list them. */
  type Ready = number | null | 'denied';
  const context = (row: object, ready: Ready): CheckContext =>
    ({
      query: async (sql: string) => {
        if (!sql.includes('pg_ls_archive_statusdir')) return [row];
        if (ready === 'denied') throw Object.assign(new Error('permission denied for function pg_ls_archive_statusdir'), { code: '42501' });
        return [{ age_s: ready }];
      },
      readOnly: async () => [],
      server: { versionNum: 170000, version: '17.0', role: 'monitor', database: 'app', superuser: false, monitor: true, readAllStats: true, inRecovery: false },
      targetName: 'test-db',
      timeoutMs: 5_000,
      settings: depthSettings({}),
    }) as unknown as CheckContext;
  const judge = async (row: object, ready: Ready = null) => (await checkBackups(context(row, ready), { warn: 1, crit: Infinity }))[0]!;

  it('a failure hours old that nothing retried since is history: not crit; with its segment archived since, ok', async () => {
    const nothingWaiting = await judge(archiver({ current_wal: '000000010000000000000028' }));
    expect(nothingWaiting.status).toBe('ok');
    expect(nothingWaiting.title).toBe('WAL archiving not failing now: the last failure (000000010000000000000028) was 4 h ago and nothing has failed since; 0 completed WAL segments waiting to be archived');
    // Segments wait and nothing was archived for hours: the archiver is behind, a warning.
    const waiting = await judge(archiver({}), 4 * 3600);
    expect(waiting.status).toBe('warn');
    expect(waiting.title).toBe('No WAL segment archived for 5 h while 1 completed WAL segment waiting to be archived');
    expect(waiting.detail).toContain('the last attempt failed 4 h ago and none failed since');
  });

  it('a quiet database whose one new segment is being archived: ok although the last success is days old; a role that may not list the waiting segments gets the old rule and the GRANT', async () => {
    const quiet = archiver({ failing: false, failed_count: 0, last_failed_wal: null, last_failed_age_s: null, last_archived_age_s: 3 * 86_400, last_archived_wal: '000000010000000000000027' });
    const ok = await judge(quiet, 20);
    expect(ok.status).toBe('ok');
    expect(ok.title).toBe('WAL archiving works: last 3 d ago (000000010000000000000027), 1 completed WAL segment waiting to be archived');
    expect(ok.detail).toContain('the oldest has waited 20 s');
    const stuck = await judge(quiet, 2 * 3600);
    expect(stuck.status).toBe('warn');
    expect(stuck.title).toBe('No WAL segment archived for 3 d while 1 completed WAL segment waiting to be archived');
    const blind = await judge(quiet, 'denied');
    expect(blind.status).toBe('warn');
    expect(blind.detail).toContain('may not list pg_wal/archive_status (pg_ls_archive_statusdir: GRANT pg_monitor)');
  });

  it('a failure a minute old with no success after it is critical; one followed by a success is history', async () => {
    const now = await judge(archiver({ last_failed_age_s: 60 }));
    expect(now.status).toBe('crit');
    expect(now.title).toMatch(/^WAL archiving failing: segment 000000010000000000000028 could not be archived/);
    const past = await judge(archiver({ failing: false, last_archived_age_s: 30, last_archived_wal: '000000010000000000000028' }));
    expect(past.status).toBe('ok');
    expect(past.title).toMatch(/^WAL archiving works: last 30 s ago/);
  });
});

describe('postgres.backups configuration', () => {
  it('maxAge takes the durations of the rest of the config (1h30m, 2d) and a bad one names its key and the accepted forms', () => {
    const target = (maxAge: string) => ({ targets: { db: { kind: 'postgres', url: 'postgres://u:p@db.example:5432/app', backupCheck: { query: 'SELECT max(at) FROM backups', maxAge } } } });
    const [parsed] = parseConfig(target('1h30m'), 'chatops.yml').targets;
    expect(depthSettings(parsed as Parameters<typeof depthSettings>[0]).backupCheck).toEqual({ query: 'SELECT max(at) FROM backups', maxAge: '1h30m', maxAgeS: 5400 });
    expect(() => parseConfig(target('soon'), 'chatops.yml')).toThrow('targets.db.backupCheck.maxAge: must be a duration like 30s, 15m, 1h, 1h30m, 1d or 1w, over 0 (got "soon")');
    expect(() => parseConfig(target('0h'), 'chatops.yml')).toThrow('targets.db.backupCheck.maxAge');
  });
});

describe('what a backupCheck query may be', () => {
  it('a query naming a function inside a string, a comment or a dollar quote is no call; a quoted, schema-qualified or escaped name is', () => {
    for (const ok of [
      'SELECT max(finished_at) FROM backup_runs WHERE ok',
      "(SELECT now()) UNION ALL (SELECT now() WHERE 'pg_reload_conf()' = '')",
      "WITH b AS (SELECT stop_time FROM catalogue /* pg_terminate_backend(1) */) SELECT max(stop_time) FROM b",
      "SELECT now() WHERE E'it\\'s pg_cancel_backend(1)' <> $$dblink(x)$$ -- set_config(a)",
      'VALUES (now())',
      'TABLE newest_backup',
      'SELECT lo_time FROM catalogue',
    ]) {
      expect(refusedStatement(ok), ok).toBeUndefined();
    }
    expect(refusedStatement('SELECT pg_catalog.pg_reload_conf()::text::timestamptz')).toMatch(/^it calls pg_reload_conf\(\)/);
    expect(refusedStatement('SELECT "pg_stat_reset" ()')).toMatch(/^it calls pg_stat_reset\(\)/);
    expect(refusedStatement('SELECT * FROM DBLINK_EXEC(\'x\', \'DROP TABLE t\')')).toMatch(/^it calls dblink_exec\(\)/);
    expect(refusedStatement('SELECT U&"\\0070g_reload_conf"()')).toMatch(/Unicode escapes/);
    expect(refusedStatement('-- SELECT\nDELETE FROM catalogue RETURNING now()')).toBe('it is not a query (DELETE): only SELECT, WITH, VALUES or TABLE run');
    expect(refusedStatement('EXPLAIN ANALYZE SELECT 1')).toMatch(/^it is not a query \(EXPLAIN\)/);
    expect(refusedStatement('  ')).toMatch(/^it is not a query \(empty\)/);
  });
});
