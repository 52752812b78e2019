// A database of its own for a test file, migrated like the bot's state store: tests that count
// rows (pages, timers) cannot see another file's.
import pg from 'pg';
import { inject } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { migrate } from '../../src/store/migrate.ts';

export async function freshDatabaseUrl(prefix: string): Promise<string> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  const name = `${prefix}_${process.pid}_${Math.floor(Math.random() * 1e9)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    await migrate(pool, silentLogger());
  } finally {
    await pool.end();
  }
  return url.toString();
}
