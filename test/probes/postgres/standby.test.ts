// A real streaming standby of a PostgreSQL 17 of this file's own (a copy of the cleanly stopped
// primary's data directory, with standby.signal and primary_conninfo): streaming, hidden from a
// role without pg_monitor, and with its WAL receiver gone once the primary stops. The embedded
// binaries have no pg_basebackup and PostgreSQL 13's test server keeps its data directory to
// itself, so this runs on 17 only.
import { chown, cp, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../../src/store/start-embedded-postgres.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { ClientBag, findingOf, runProbe, uniqueName, waitFor, withCredentials } from './probe-helpers.ts';
import { startStandby, type RunningStandby } from './start-standby.ts';

describe('postgres probe on PostgreSQL 17: replication of a standby', () => {
  const bag = new ClientBag();
  const dirs: string[] = [];
  let primary: RunningPostgres | undefined;
  let standby: RunningStandby | undefined;
  let standbyUrl = '';
  const plain = { role: uniqueName('probe_plain'), password: `Pw-${Math.random().toString(36).slice(2)}-p` };
  const monitor = { role: uniqueName('probe_mon'), password: `Pw-${Math.random().toString(36).slice(2)}-m` };

  beforeAll(async () => {
    const primaryDir = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-primary-'));
    const standbyDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'chatops-test-standby-')), 'data');
    dirs.push(primaryDir, path.dirname(standbyDir));
    const first = await startEmbeddedPostgres({ dataDir: primaryDir, persistent: true, database: 'app', listen: 'tcp' });
    const admin = await bag.open(first.urlFor('postgres'));
    for (const r of [plain, monitor]) await admin.query(`CREATE ROLE ${r.role} LOGIN PASSWORD '${r.password}'`);
    await admin.query(`GRANT pg_monitor TO ${monitor.role}`);
    await bag.closeAll();
    await first.stop();
    // A cleanly stopped cluster's files are a valid base for a standby of it.
    await cp(primaryDir, standbyDir, { recursive: true, preserveTimestamps: true });
    const owner = await stat(primaryDir);
    await writeFile(path.join(standbyDir, 'standby.signal'), '');
    for (const f of ['postmaster.pid', 'postmaster.opts']) await rm(path.join(standbyDir, f), { force: true });
    await chownTree(path.dirname(standbyDir), owner.uid, owner.gid);

    primary = await startEmbeddedPostgres({ dataDir: primaryDir, port: first.port, persistent: true, database: 'app', listen: 'tcp' });
    const password = decodeURIComponent(new URL(primary.url).password);
    const at = (port: number) => {
      const u = new URL(primary!.url);
      u.port = String(port);
      return u.toString();
    };
    standby = await startStandby(standbyDir, at, {
      primary_conninfo: `host=127.0.0.1 port=${primary.port} user=postgres password=${password} application_name=replica-1`,
      // Once the primary is gone, the receiver is not retried within the test.
      wal_retrieve_retry_interval: '10min',
    });
    standbyUrl = at(standby.port);
  });

  afterAll(async () => {
    await probePools.closeAll();
    await bag.closeAll();
    await standby?.stop().catch(() => undefined);
    await primary?.stop().catch(() => undefined);
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('sees the standby streaming, from both sides; a role without pg_monitor is told what it cannot see', async () => {
    // A transaction replayed gives the standby a replay time to measure its lag by.
    const writer = await bag.open(primary!.url);
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
        const f = findingOf(await runProbe(primary!.url), 'replication');
        return f.title.startsWith('Primary; 1 standby') ? f : undefined;
      },
      10_000,
      'the primary to list its standby',
    );
    expect(onPrimary.status).toBe('ok');
    expect(onPrimary.detail).toContain('standby replica-1 (127.0.0.1): streaming');
    expect(findingOf(await runProbe(withCredentials(primary!.url, monitor.role, monitor.password)), 'replication').status).toBe('ok');

    // Without pg_read_all_stats the standby's state and lag are null: not "lag <1 s" but unknown.
    const blindPrimary = findingOf(await runProbe(withCredentials(primary!.url, plain.role, plain.password)), 'replication');
    expect(blindPrimary.status).toBe('unknown');
    expect(blindPrimary.title).toBe(`Primary; 1 standby, replay lag hidden from role ${plain.role}`);
    expect(blindPrimary.fix).toBe(`GRANT pg_monitor TO ${plain.role};`);
    const blindReplica = findingOf(await runProbe(withCredentials(standbyUrl, plain.role, plain.password)), 'replication');
    expect(blindReplica.status).toBe('unknown');
    expect(blindReplica.title).toBe(`Replica: WAL receiver running, its state hidden from role ${plain.role}`);
  });

  it('says the WAL receiver is not running once the primary is gone, never "replay lag <1 s"', async () => {
    await primary!.stop();
    primary = undefined;
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

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await chown(dir, uid, gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(p, uid, gid);
    else await chown(p, uid, gid);
  }
}
