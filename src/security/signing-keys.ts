// The keys that sign button values: from CHATOPS_SIGNING_KEYS when it is set (several replicas,
// or keys kept in a secret manager), else from the state store, where the first start generates
// one. Rotation adds a newer key: it signs from then on, and the older keys keep verifying until
// they retire (after the longest-lived value they signed has expired).
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { UserError } from '../user-error.ts';
import type { KeyRing, SigningKey } from './value-signer.ts';

/** Bytes of a generated key, and the least a configured one may have. */
const KEY_BYTES = 32;
/** How often the store is read again for a newer key (rotation without restart). */
const RELOAD_MS = 5 * 60_000;
/** An unknown key id reloads the store at most this often (a forged id cannot hammer it). */
const MISS_RELOAD_MS = 10_000;
/** Older keys verify this long after a rotation: the longest a signed value lives. */
export const RETIRE_AFTER_MS = 31 * 24 * 3600_000;

export const SIGNING_KEYS_ENV = 'CHATOPS_SIGNING_KEYS';

/**
 * `id:base64,id:base64`: the first signs, all verify. Each secret is at least 32 bytes once
 * decoded; ids are 1 to 16 url-safe characters.
 */
export function parseSigningKeys(text: string): SigningKey[] {
  const keys = text.split(',').map((s) => s.trim()).filter(Boolean).map((entry, i) => {
    const at = entry.indexOf(':');
    const id = at > 0 ? entry.slice(0, at) : '';
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(id)) {
      throw new UserError(`${SIGNING_KEYS_ENV}: entry ${i + 1} has no valid key id (expected id:base64secret, id of 1 to 16 characters A-Z a-z 0-9 _ -)`);
    }
    const secret = Buffer.from(entry.slice(at + 1), 'base64');
    if (secret.length < KEY_BYTES) {
      throw new UserError(`${SIGNING_KEYS_ENV}: key "${id}" decodes to ${secret.length} bytes; at least ${KEY_BYTES} are needed (generate one with: openssl rand -base64 32)`);
    }
    return { id, secret };
  });
  if (keys.length === 0) throw new UserError(`${SIGNING_KEYS_ENV} is set but holds no key (expected id:base64secret[,id:base64secret...])`);
  const ids = new Set<string>();
  for (const k of keys) {
    if (ids.has(k.id)) throw new UserError(`${SIGNING_KEYS_ENV}: key id "${k.id}" appears twice`);
    ids.add(k.id);
  }
  return keys;
}

/** A fixed ring from CHATOPS_SIGNING_KEYS. */
export function staticKeyRing(keys: readonly SigningKey[]): KeyRing {
  const byId = new Map(keys.map((k) => [k.id, k]));
  return { current: () => keys[0]!, find: async (id) => byId.get(id) };
}

/** The ring kept in the state store; generates the first key when there is none. */
export async function storedKeyRing(pool: pg.Pool, now: () => number = Date.now): Promise<KeyRing> {
  let keys = await loadOrCreate(pool);
  let loadedAt = now();
  let missAt = 0;
  const reload = async () => {
    keys = await loadOrCreate(pool);
    loadedAt = now();
  };
  const timer = setInterval(() => void reload().catch(() => undefined), RELOAD_MS);
  timer.unref();
  return {
    current: () => keys[0]!,
    async find(id) {
      const hit = keys.find((k) => k.id === id);
      if (hit || now() - missAt < MISS_RELOAD_MS || now() - loadedAt < 1_000) return hit;
      missAt = now();
      await reload();
      return keys.find((k) => k.id === id);
    },
    close: () => clearInterval(timer),
  };
}

async function loadOrCreate(pool: pg.Pool): Promise<SigningKey[]> {
  const select = async () =>
    (await pool.query<{ id: string; secret: Buffer }>(
      `SELECT id, secret FROM signing_keys WHERE retired_at IS NULL OR retired_at > now() ORDER BY created_at DESC, id`)).rows;
  let rows = await select();
  if (rows.length === 0) {
    // Replicas starting together: one creates the first key under a lock held to its commit; the
    // others wait for it, find the key, and create none of their own.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('chatops.signing_keys'))`);
      const { rows: live } = await client.query(`SELECT 1 FROM signing_keys WHERE retired_at IS NULL OR retired_at > now() LIMIT 1`);
      if (live.length === 0) await client.query(`INSERT INTO signing_keys (id, secret) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [newKeyId(), randomBytes(KEY_BYTES)]);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    rows = await select();
  }
  return rows.map((r) => ({ id: r.id, secret: r.secret }));
}

/** Adds a new signing key; the older ones retire after RETIRE_AFTER_MS. Returns the new key's id. */
export async function rotateSigningKeys(pool: pg.Pool): Promise<{ id: string; retiring: string[] }> {
  const id = newKeyId();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(
      `UPDATE signing_keys SET retired_at = now() + $1 * interval '1 millisecond' WHERE retired_at IS NULL RETURNING id`, [RETIRE_AFTER_MS]);
    // A newer created_at than the keys it replaces, even within one clock tick.
    await client.query(`INSERT INTO signing_keys (id, secret, created_at) VALUES ($1, $2, greatest(now(), (SELECT max(created_at) + interval '1 millisecond' FROM signing_keys)))`, [id, randomBytes(KEY_BYTES)]);
    await client.query('COMMIT');
    return { id, retiring: rows.map((r) => r.id) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function newKeyId(): string {
  return `k${randomBytes(6).toString('base64url')}`;
}
