// The PostgreSQL remedies: cancel or terminate a backend by pid, VACUUM ANALYZE a table. Each
// says what happened in one line; a backend that is already gone is not an error. Every statement
// runs under the lock_timeout and statement_timeout of its action (statement-bounds.ts).
import pg from 'pg';
import type { Target } from '../../config/config.ts';
import { UserError } from '../../user-error.ts';
import type { ActionContext, ActionExecutor, ActionParams } from '../../actions/action-executor.ts';
import { formatBound, LOCK_NOT_AVAILABLE, QUERY_CANCELED, setBoundsSql, SIGNAL_BOUNDS, sqlState, vacuumBounds, type StatementBounds } from './statement-bounds.ts';
import { PG_IDENTIFIER, PG_PID } from './postgres-params.ts';
import { assertParams, show } from '../../actions/validate-params.ts';

/**
 * A session of its own for one action, its lock and statement timeouts set on the session (SET, not
 * startup options, so poolers that refuse unknown startup parameters still work; not SET LOCAL,
 * since VACUUM cannot run in a transaction block).
 */
async function withClient<T>(target: Target, database: string | undefined, bounds: StatementBounds, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(String(target.url));
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'chatops-action', connectionTimeoutMillis: target.timeoutMs });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(setBoundsSql(bounds));
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function signalBackend(fn: 'pg_cancel_backend' | 'pg_terminate_backend', target: Target, pid: number, io: ActionContext): Promise<string> {
  assertParams({ pid }, { pid: PG_PID });
  return await withClient(target, undefined, SIGNAL_BOUNDS, async (c) => {
    await io.note(`${fn}(${pid}) was sent; whether it took effect is unknown: check SELECT state, query FROM pg_stat_activity WHERE pid = ${pid}`);
    let rows: Array<{ ok: boolean | null; present: boolean }>;
    try {
      ({ rows } = await c.query<{ ok: boolean | null; present: boolean }>(
        `SELECT ${fn}($1) AS ok, EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) AS present`, [pid]));
    } catch (error) {
      throw boundHit(error, `${fn}(${pid})`, SIGNAL_BOUNDS, 'the server is overloaded or not answering: check it with /diag, then press again or run it in psql') ?? error;
    }
    if (!rows[0]?.present && !rows[0]?.ok) return `backend ${pid} is already gone`;
    if (!rows[0]?.ok) throw new UserError(`${fn}(${pid}) returned false: the bot's role may lack permission (pg_signal_backend)`);
    return fn === 'pg_cancel_backend' ? `cancelled the statement of backend ${pid}` : `terminated backend ${pid}`;
  });
}

/**
 * The database of a VACUUM as the URL path segment withClient sets, after checking the three names
 * as identifiers. `%` is escaped so that a name such as "%2e%2e" is not decoded into another one.
 */
function vacuumDatabase(p: ActionParams): string {
  assertParams(p, { database: PG_IDENTIFIER, schema: PG_IDENTIFIER, table: PG_IDENTIFIER });
  return String(p.database).replaceAll('%', '%25');
}

/** A name that does not survive the connection URL (`?`, `#`, `/`) reaches another database: stop there. */
async function assertDatabase(c: pg.Client, database: string): Promise<void> {
  const { rows } = await c.query<{ db: string }>('SELECT current_database() AS db');
  if (rows[0]?.db !== database) throw new UserError(`nothing was run: connected to database ${show(rows[0]?.db)} instead of ${show(database)}`);
}

const executors = {
  'postgres.cancel_query': { run: (target, p, io) => signalBackend('pg_cancel_backend', target, Number(p.pid), io) },
  'postgres.terminate_backend': { run: (target, p, io) => signalBackend('pg_terminate_backend', target, Number(p.pid), io) },
  'postgres.vacuum_analyze': { run: vacuumAnalyze },
} satisfies Record<string, ActionExecutor>;

/**
 * The executors of the postgres actions, by action id; the kind's actions load this module on
 * their first press. An id that is not here reads as possibly undefined: a type error where the
 * kind names it.
 */
export const POSTGRES_EXECUTORS: typeof executors & Readonly<Record<string, ActionExecutor>> = executors;

async function vacuumAnalyze(target: Target, p: ActionParams, io: ActionContext): Promise<string> {
  const bounds = vacuumBounds(target);
  return await withClient(target, vacuumDatabase(p), bounds, async (c) => {
    await assertDatabase(c, String(p.database));
    const table = `${pg.escapeIdentifier(String(p.schema))}.${pg.escapeIdentifier(String(p.table))}`;
    const name = `${p.schema}.${p.table}`;
    const backend = (c as unknown as { processID?: number }).processID;
    await io.note(
      `VACUUM ANALYZE ${name} was started${backend ? ` (backend ${backend})` : ''}; whether it finished is unknown: check SELECT * FROM pg_stat_progress_vacuum` +
        `${backend ? ` WHERE pid = ${backend}` : ''} while it runs, then last_vacuum and last_analyze in pg_stat_user_tables; its statement_timeout of ${formatBound(bounds.statementTimeoutMs)} stops it at the latest`,
    );
    const started = Date.now();
    try {
      // The statement goes on in the server if the bot stops waiting; its statement_timeout ends it.
      await untilAborted(c.query(`VACUUM (ANALYZE) ${table}`), io.signal);
    } catch (error) {
      throw boundHit(error, `VACUUM ANALYZE ${name}`, bounds, sqlState(error) === LOCK_NOT_AVAILABLE
        ? 'another session holds a conflicting lock on the table (VACUUM FULL, ALTER TABLE, CREATE INDEX, another VACUUM, LOCK TABLE): find it with /diag db (blocking locks) and press again once it is gone'
        : `the table is too big to vacuum within that: raise vacuumTimeoutMs of target ${target.name}, or run it off-peak in psql; what it did so far is kept`) ?? error;
    }
    return `VACUUM ANALYZE ${name} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  });
}

/**
 * A lock or statement timeout, as an error that names the bound and how to go on; undefined for
 * any other error (a cancel by someone else reads "due to user request", not "statement timeout").
 */
function boundHit(error: unknown, what: string, bounds: StatementBounds, fix: string): UserError | undefined {
  const message = error instanceof Error ? error.message : '';
  if (sqlState(error) === LOCK_NOT_AVAILABLE) {
    return new UserError(`${what} waited ${formatBound(bounds.lockTimeoutMs)} for its lock (lock_timeout) and gave up, nothing done: ${fix}`, { cause: error });
  }
  if (sqlState(error) === QUERY_CANCELED && /statement timeout/i.test(message)) {
    return new UserError(`${what} did not finish within its statement_timeout of ${formatBound(bounds.statementTimeoutMs)} and was cancelled: ${fix}`, { cause: error });
  }
  return undefined;
}

/** The promise, or a rejection with the signal's reason once it is aborted (the promise is left to settle). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
