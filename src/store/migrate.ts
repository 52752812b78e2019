// Applies pending migrations in order, each in its own transaction. An advisory lock makes two
// replicas starting together apply each migration once.
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

const LOCK_KEY = 7_318_402_551; // arbitrary, fixed: "chatops migrations"

export async function migrate(pool: pg.Pool, log: Logger, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    // Waiting for another replica's migrations, or a migration rewriting a big table, may take
    // longer than the pool's statement timeout: this session waits as long as it takes.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (cause) {
        await client.query('ROLLBACK');
        throw new Error(`while applying migration ${m.version} (${m.name})`, { cause });
      }
      applied.push(m.version);
      log.info({ version: m.version, migration: m.name }, 'applied migration');
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    // Back to the pool's own timeout (the value the connection started with).
    await client.query('RESET statement_timeout').catch(() => undefined);
    client.release();
  }
  return applied;
}
