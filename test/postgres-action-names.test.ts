// VACUUM ANALYZE names its database in the connection URL and its table as quoted identifiers:
// names with URL or SQL meaning must reach exactly the database and table they name, or nothing.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SILENT_IO } from '../src/actions/action-executor.ts';
import { POSTGRES_EXECUTORS } from '../src/probes/postgres/postgres-actions.ts';
import type { Target } from '../src/config/config.ts';

const suffix = `${process.pid}_${Math.floor(Math.random() * 1e6)}`;
/** "%61" is "a" once URL-decoded: a name that decodes into another database's name. */
const encoded = `vac_%61_${suffix}`;
const decoded = `vac_a_${suffix}`;
/** "?" does not survive the URL path: the connection would reach "vac_q%3F_..." instead. */
const questioned = `vac_q?_${suffix}`;
const lookalike = `vac_q%3F_${suffix}`;
const databases = [encoded, decoded, lookalike];

async function admin<T>(fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const url = new URL(inject('pgAdminUrl'));
  const c = new pg.Client({ connectionString: url.toString(), ...(database && { database }) });
  if (database) {
    // pg lets the URL's database win over the option: connect to this one by config only.
    const parsed = { host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database };
    const d = new pg.Client(parsed);
    await d.connect();
    try {
      return await fn(d);
    } finally {
      await d.end();
    }
  }
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const target = () => ({ name: 'main-db', kind: 'postgres', url: inject('pgAdminUrl'), timeoutMs: 10_000 }) as unknown as Target;
const vacuum = POSTGRES_EXECUTORS['postgres.vacuum_analyze']!;

beforeAll(async () => {
  await admin(async (c) => {
    for (const db of databases) await c.query(`CREATE DATABASE ${pg.escapeIdentifier(db)}`);
  });
  // The table exists only in the database whose name has the literal "%61".
  await admin((c) => c.query('CREATE TABLE "Order ""Lines""" (id int)'), encoded);
  await admin((c) => c.query('CREATE TABLE t (id int)'), lookalike);
});

afterAll(async () => {
  await admin(async (c) => {
    for (const db of databases) await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
  });
});

describe('postgres.vacuum_analyze names', () => {
  it('a database name with "%" reaches that database, not the one its URL-decoding names', async () => {
    const result = await vacuum.run(target(), { database: encoded, schema: 'public', table: 'Order "Lines"' }, SILENT_IO);
    expect(result).toMatch(/^VACUUM ANALYZE public\.Order "Lines" finished in/);
  });

  it('a database name the URL cannot carry is refused after connecting, before any statement', async () => {
    await expect(vacuum.run(target(), { database: questioned, schema: 'public', table: 't' }, SILENT_IO))
      .rejects.toThrow(`nothing was run: connected to database "${lookalike}" instead of "${questioned}"`);
    const vacuumed = await admin((c) => c.query<{ n: string }>("SELECT coalesce(vacuum_count + analyze_count, 0) AS n FROM pg_stat_user_tables WHERE relname = 't'"), lookalike);
    expect(Number(vacuumed.rows[0]?.n ?? 0)).toBe(0);
  });

  it('names that are not identifiers are refused before connecting', async () => {
    await expect(vacuum.run(target(), { database: encoded, schema: 'public', table: 'a\u0000b' }, SILENT_IO)).rejects.toThrow('nothing was sent: parameter "table" must be a PostgreSQL identifier: 1 to 63 bytes, no NUL, got "a\\u0000b" (a NUL character)');
    await expect(vacuum.run(target(), { database: 'd'.repeat(64), schema: 'public', table: 't' }, SILENT_IO)).rejects.toThrow('(64 characters)');
  });
});
