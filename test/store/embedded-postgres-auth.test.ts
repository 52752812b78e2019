// The embedded PostgreSQL's access: a random superuser password kept in a 0600 file in the data
// dir, a Unix socket in the data dir and no TCP (127.0.0.1 only when the socket path is too long),
// and data dirs of earlier versions (fixed password `chatops-local`) moved to a random one.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/free-port.ts';
import { ensurePostgresUserCanReach, LEGACY_PASSWORD, PASSWORD_FILE, loadEmbeddedPostgres, startEmbeddedPostgres, type RunningPostgres } from '../../src/store/start-embedded-postgres.ts';

const running: RunningPostgres[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop().catch(() => undefined)));
});

async function start(dataDir: string, extra: { persistent?: boolean; notices?: string[]; serverLog?: string[] } = {}): Promise<RunningPostgres> {
  const server = await startEmbeddedPostgres({
    dataDir,
    persistent: extra.persistent ?? true,
    database: 'app',
    onNotice: (m) => extra.notices?.push(m),
    onLog: (l) => extra.serverLog?.push(l),
  });
  running.push(server);
  return server;
}

async function stop(server: RunningPostgres): Promise<void> {
  running.splice(running.indexOf(server), 1);
  await server.stop();
}

async function query(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end();
  }
}

/** Whether anything accepts TCP connections on 127.0.0.1:port. */
function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** The same server, reached with another password. */
function withPassword(url: string, password: string): string {
  return url.replace(/^(postgres:\/\/postgres:)[^@]*@/, `$1${encodeURIComponent(password)}@`);
}

async function authFails(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const tmp = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));

describe('embedded PostgreSQL access', () => {
  it('a fresh data dir gets a random password in a 0600 file, and the server listens on a socket in the data dir only', async () => {
    const dirA = path.join(tmp('chatops-pgauth-'), 'postgres');
    const dirB = path.join(tmp('chatops-pgauth-'), 'postgres');
    const serverLog: string[] = [];
    const a = await start(dirA, { serverLog });
    const b = await start(dirB);

    const fileA = path.join(dirA, PASSWORD_FILE);
    expect(statSync(fileA).mode & 0o777).toBe(0o600);
    const pwA = readFileSync(fileA, 'utf8').trim();
    const pwB = readFileSync(path.join(dirB, PASSWORD_FILE), 'utf8').trim();
    expect(pwA).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    expect(pwA).not.toBe(pwB);
    expect(pwA).not.toBe(LEGACY_PASSWORD);

    // On the socket, with that password; no TCP listener on its port.
    expect(a.socketDir).toBe(path.resolve(dirA));
    expect(existsSync(path.join(dirA, `.s.PGSQL.${a.port}`))).toBe(true);
    expect(await query(a.url, 'SELECT current_database() AS db, inet_server_addr() AS addr')).toEqual({ db: 'app', addr: null });
    expect(await tcpOpen(a.port)).toBe(false);
    expect(await query(a.url, "SELECT current_setting('listen_addresses') AS l")).toEqual({ l: '' });

    // Only that password opens it: not the old fixed one, not the other cluster's.
    expect(await authFails(withPassword(a.url, LEGACY_PASSWORD))).toBe('28P01');
    expect(await authFails(withPassword(a.url, pwB))).toBe('28P01');
    // The password is in no server log line.
    expect(serverLog.join('')).not.toContain(pwA);
    expect(b.url).not.toContain(pwA);
  }, 120_000);

  it('a restart reuses the password file', async () => {
    const dir = path.join(tmp('chatops-pgauth-'), 'postgres');
    const first = await start(dir);
    await query(first.url, 'CREATE TABLE kept (v int)');
    const password = readFileSync(path.join(dir, PASSWORD_FILE), 'utf8');
    await stop(first);

    const notices: string[] = [];
    const second = await start(dir, { notices });
    expect(readFileSync(path.join(dir, PASSWORD_FILE), 'utf8')).toBe(password);
    expect(await query(second.url, "SELECT to_regclass('kept') IS NOT NULL AS kept")).toEqual({ kept: true });
    expect(notices).toEqual([]);
  }, 120_000);

  it('falls back to 127.0.0.1, with the random password, when the socket path is over 107 bytes, and says so', async () => {
    const dir = path.join(tmp('chatops-pgauth-'), 'a-data-dir-whose-path-is-too-long-for-a-unix-socket'.repeat(2), 'postgres');
    const notices: string[] = [];
    const server = await start(dir, { notices });
    expect(server.socketDir).toBeUndefined();
    expect(notices.join('\n')).toMatch(/over the 107-byte limit of Unix sockets; listening on 127\.0\.0\.1:\d+ instead/);
    expect(await tcpOpen(server.port)).toBe(true);
    expect(server.url).toContain(`@127.0.0.1:${server.port}/`);
    expect(await query(server.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
    const password = readFileSync(path.join(dir, PASSWORD_FILE), 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await authFails(withPassword(server.url, LEGACY_PASSWORD))).toBe('28P01');
    expect(notices.join('\n')).not.toContain(password);
  }, 120_000);

  it('TCP when asked for it (the test suite shares its server by URL), still with a random password', async () => {
    const dir = path.join(tmp('chatops-pgauth-'), 'postgres');
    const server = await startEmbeddedPostgres({ dataDir: dir, persistent: false, database: 'app', listen: 'tcp' });
    running.push(server);
    expect(server.socketDir).toBeUndefined();
    expect(await tcpOpen(server.port)).toBe(true);
    expect(server.url).not.toContain(LEGACY_PASSWORD);
    expect(await query(server.url, 'SELECT 1 AS one')).toEqual({ one: 1 });
    expect(await authFails(withPassword(server.url, LEGACY_PASSWORD))).toBe('28P01');
  }, 120_000);

  it('a data dir of an earlier version (password chatops-local) keeps its data and gets a random password at its first start', async () => {
    const dir = path.join(tmp('chatops-pgauth-'), 'postgres');
    await makeLegacyDataDir(dir);
    expect(existsSync(path.join(dir, PASSWORD_FILE))).toBe(false);

    const notices: string[] = [];
    const server = await start(dir, { notices });
    const file = path.join(dir, PASSWORD_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(existsSync(`${file}.new`)).toBe(false);
    expect(notices.join('\n')).toContain('replaced the superuser password');
    expect(notices.join('\n')).not.toContain(password);
    expect(await query(server.urlFor('postgres'), 'SELECT count(*)::int AS n FROM legacy_rows')).toEqual({ n: 3 });
    expect(await authFails(withPassword(server.url, LEGACY_PASSWORD))).toBe('28P01');
    await stop(server);

    // An upgrade interrupted after the new password was set, before the file was renamed into place.
    renameSync(file, `${file}.new`);
    const again = await start(dir);
    expect(readFileSync(file, 'utf8').trim()).toBe(password);
    expect(await query(again.urlFor('postgres'), 'SELECT count(*)::int AS n FROM legacy_rows')).toEqual({ n: 3 });
  }, 180_000);

  it('refuses a data dir whose password is neither in the file nor the old one, and says what to do', async () => {
    const dir = path.join(tmp('chatops-pgauth-'), 'postgres');
    await makeLegacyDataDir(dir, 'some-other-password');
    await expect(start(dir)).rejects.toThrow(/has no password file \(.*chatops-superuser-password\) and does not accept the password of earlier versions; restore the file, or set DATABASE_URL/);
  }, 180_000);
});

/** A data dir as earlier versions made it: initialised with a fixed password, listening on 127.0.0.1. */
async function makeLegacyDataDir(dir: string, password = LEGACY_PASSWORD): Promise<void> {
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() === 0) await ensurePostgresUserCanReach([dir]);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  await server.start();
  try {
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE legacy_rows (v int); INSERT INTO legacy_rows VALUES (1), (2), (3)');
    await client.end();
  } finally {
    await server.stop();
  }
}
