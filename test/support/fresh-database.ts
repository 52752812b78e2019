// A database of its own for a test file, migrated like the bot's state store: tests that count
// rows (pages, timers) cannot see another file's. It holds the test bots' signing key.
import pg from 'pg';
import { inject } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { migrate } from '../../src/store/migrate.ts';
import { storedKeyRing } from '../../src/security/signing-keys.ts';

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
    // The test bots' button-signing key (press-button.ts signs with the shared store's key): a bot
    // on this database accepts the presses tests sign, as one on the shared store does.
    const shared = new pg.Pool({ connectionString: inject('pgUrl'), max: 1 });
    try {
      await migrate(shared, silentLogger());
      (await storedKeyRing(shared)).close?.();
      const { rows } = await shared.query<{ id: string; secret: Buffer }>('SELECT id, secret FROM signing_keys WHERE retired_at IS NULL');
      for (const k of rows) await pool.query('INSERT INTO signing_keys (id, secret) VALUES ($1, $2) ON CONFLICT DO NOTHING', [k.id, k.secret]);
    } finally {
      await shared.end();
    }
  } finally {
    await pool.end();
  }
  return url.toString();
}
