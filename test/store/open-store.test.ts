// The state store: migrations are ordered and idempotent, the audit log keeps every row, and
// without DATABASE_URL an embedded PostgreSQL keeps the data across restarts.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/logger.ts';
import { PASSWORD_FILE } from '../../src/store/start-embedded-postgres.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore } from '../../src/store/open-store.ts';

const log = silentLogger();

async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  const name = `store_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  return url.toString();
}

describe('migrations', () => {
  const pools: pg.Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });

  it('apply in order once, even when two replicas start together', async () => {
    const url = await freshDatabase();
    const a = new pg.Pool({ connectionString: url });
    const b = new pg.Pool({ connectionString: url });
    pools.push(a, b);
    const migrations = [
      { version: 2, name: 'second', sql: 'ALTER TABLE t ADD COLUMN b int' },
      { version: 1, name: 'first', sql: 'CREATE TABLE t (a int)' },
    ];
    const [ra, rb] = await Promise.all([migrate(a, log, migrations), migrate(b, log, migrations)]);
    expect([...ra, ...rb].sort()).toEqual([1, 2]);
    expect(await migrate(a, log, migrations)).toEqual([]);
    const { rows } = await a.query('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows).toEqual([{ version: 1, name: 'first' }, { version: 2, name: 'second' }]);
  });

  it('roll back a failing migration whole and name it', async () => {
    const url = await freshDatabase();
    const pool = new pg.Pool({ connectionString: url });
    pools.push(pool);
    const broken = [{ version: 1, name: 'broken', sql: 'CREATE TABLE half (a int); SELECT no_such_function()' }];
    await expect(migrate(pool, log, broken)).rejects.toThrow('while applying migration 1 (broken)');
    const { rows } = await pool.query("SELECT to_regclass('half') AS t");
    expect(rows[0].t).toBeNull();
  });
});

describe('openStore', () => {
  it('with DATABASE_URL: migrates and records audit rows newest first', async () => {
    const store = await openStore({ databaseUrl: await freshDatabase(), dataDir: '/nonexistent', log });
    try {
      expect(store.embedded).toBe(false);
      await store.audit.record({ actor: 'U1', channel: 'C1', source: 'slack', action: 'diag', target: 'db', outcome: 'ok', durationMs: 12, params: { text: 'db' } });
      await store.audit.record({ actor: 'cli:root', source: 'cli', action: 'diag', target: 'db', outcome: 'crit' });
      const rows = await store.audit.recent(10);
      expect(rows.map((r) => [r.actor, r.outcome])).toEqual([['cli:root', 'crit'], ['U1', 'ok']]);
      expect(rows[1]).toMatchObject({ channel: 'C1', params: { text: 'db' }, durationMs: 12 });
      expect(await store.ping()).toBe(true);

      // Probe state: per target and key, overwritten by the next run.
      const a = store.probeState.forTarget('cache');
      expect(await a.get('redis.evicted_keys')).toBeUndefined();
      await a.set('redis.evicted_keys', { count: 10 });
      await a.set('redis.evicted_keys', { count: 25 });
      const remembered = await a.get<{ count: number }>('redis.evicted_keys');
      expect(remembered?.value).toEqual({ count: 25 });
      expect(remembered?.at).toBeInstanceOf(Date);
      expect(await store.probeState.forTarget('other').get('redis.evicted_keys')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('says which store failed, without the password, when DATABASE_URL is wrong', async () => {
    const url = new URL(inject('pgAdminUrl'));
    url.password = 'wrong-password-123';
    await expect(openStore({ databaseUrl: url.toString(), dataDir: '/nonexistent', log })).rejects.toThrow(/cannot open the state store \(DATABASE_URL\)/);
    await openStore({ databaseUrl: url.toString(), dataDir: '/nonexistent', log }).catch((e: Error) => {
      expect(e.message).not.toContain('wrong-password-123');
    });
  });

  it('without DATABASE_URL: starts an embedded PostgreSQL whose data survives a restart', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-state-'));
    const lines: string[] = [];
    const captured = createLogger({ destination: { write: (l: string) => void lines.push(l) } });
    const first = await openStore({ dataDir, log: captured });
    expect(first.embedded).toBe(true);
    // On a Unix socket in the data dir, with the random password of its 0600 file, never logged.
    const passwordFile = path.join(dataDir, 'postgres', PASSWORD_FILE);
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(lines.join('')).toContain('embedded PostgreSQL is running on a Unix socket in its data dir (no TCP)');
    expect(lines.join('')).not.toContain(password);
    await first.audit.record({ actor: 'U1', source: 'slack', action: 'diag', target: 'db', outcome: 'warn' });
    await first.close();

    const second = await openStore({ dataDir, log });
    try {
      const rows = await second.audit.recent(5);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actor: 'U1', outcome: 'warn' });
    } finally {
      await second.close();
    }
  }, 90_000);
});
