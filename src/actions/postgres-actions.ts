// The PostgreSQL remedies: cancel or terminate a backend by pid, VACUUM ANALYZE a table. Each
// says what happened in one line; a backend that is already gone is not an error.
import pg from 'pg';
import type { Target } from '../config/config.ts';
import { UserError } from '../user-error.ts';
import type { ActionExecutor, ActionParams } from './action-executor.ts';
import { PG_IDENTIFIER, PG_PID } from './action-catalogue.ts';
import { assertParams, show } from './validate-params.ts';

async function withClient<T>(target: Target, database: string | undefined, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const url = new URL(String(target.url));
  if (database) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString(), application_name: 'chatops-action', connectionTimeoutMillis: target.timeoutMs, statement_timeout: 0 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function signalBackend(fn: 'pg_cancel_backend' | 'pg_terminate_backend', target: Target, pid: number): Promise<string> {
  assertParams({ pid }, { pid: PG_PID });
  return await withClient(target, undefined, async (c) => {
    const { rows } = await c.query<{ ok: boolean | null; present: boolean }>(
      `SELECT ${fn}($1) AS ok, EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1) AS present`, [pid]);
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

export const POSTGRES_EXECUTORS: Record<string, ActionExecutor> = {
  'postgres.cancel_query': { run: (target, p) => signalBackend('pg_cancel_backend', target, Number(p.pid)) },
  'postgres.terminate_backend': { run: (target, p) => signalBackend('pg_terminate_backend', target, Number(p.pid)) },
  'postgres.vacuum_analyze': { run: async (target: Target, p: ActionParams) =>
    await withClient(target, vacuumDatabase(p), async (c) => {
      await assertDatabase(c, String(p.database));
      const table = `${pg.escapeIdentifier(String(p.schema))}.${pg.escapeIdentifier(String(p.table))}`;
      const started = Date.now();
      await c.query(`VACUUM (ANALYZE) ${table}`);
      return `VACUUM ANALYZE ${p.schema}.${p.table} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    }) },
};
