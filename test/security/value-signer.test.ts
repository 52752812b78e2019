// The signature on button values: any change to any part is refused, so is a value past its
// expiry or signed with a key the bot does not hold; keys rotate without breaking buttons already
// posted, and the stored ring is shared by every replica on one state store.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../src/store/migrate.ts';
import { silentLogger } from '../../src/logger.ts';
import { parseSigningKeys, RETIRE_AFTER_MS, rotateSigningKeys, staticKeyRing, storedKeyRing } from '../../src/security/signing-keys.ts';
import { SIGNED_OVERHEAD, ValueSigner } from '../../src/security/value-signer.ts';

const key = (id: string, fill: number) => ({ id, secret: Buffer.alloc(32, fill) });
const NONCE = 'nonce-0001';
const VALUE = JSON.stringify({ action: 'postgres.terminate_backend', params: { pid: 4242 }, target: 'main-db' });

describe('ValueSigner', () => {
  const signer = new ValueSigner(staticKeyRing([key('k1', 1)]));
  const signed = signer.sign('remedy:postgres.terminate_backend', VALUE, { nonce: NONCE, ttlMs: 60_000 });

  it('gives back the value, the nonce and the expiry of what it signed', async () => {
    const v = await signer.verify('remedy:postgres.terminate_backend', signed);
    expect(v).toMatchObject({ ok: true, raw: VALUE, nonce: NONCE });
    expect(signed.length - VALUE.length).toBeLessThanOrEqual(SIGNED_OVERHEAD);
  });

  it('refuses a change to any single character', async () => {
    for (let i = 0; i < signed.length; i++) {
      const c = signed[i]!;
      const changed = signed.slice(0, i) + (c === 'a' ? 'b' : 'a') + signed.slice(i + 1);
      const v = await signer.verify('remedy:postgres.terminate_backend', changed);
      expect(v.ok, `character ${i} changed`).toBe(false);
    }
  });

  it('refuses it for another intent, unsigned, truncated or empty', async () => {
    expect(await signer.verify('remedy:postgres.cancel_query', signed)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(await signer.verify('remedy:postgres.terminate_backend', VALUE)).toEqual({ ok: false, reason: 'unsigned' });
    expect(await signer.verify('remedy:postgres.terminate_backend', signed.split('.').slice(0, 4).join('.'))).toEqual({ ok: false, reason: 'malformed' });
    expect(await signer.verify('remedy:postgres.terminate_backend', undefined)).toEqual({ ok: false, reason: 'unsigned' });
    expect(await signer.verify('remedy:postgres.terminate_backend', 42)).toEqual({ ok: false, reason: 'unsigned' });
  });

  it('refuses a value signed with a key it does not hold, or with the same id and another secret', async () => {
    const other = new ValueSigner(staticKeyRing([key('k2', 2)])).sign('remedy:x', VALUE, { nonce: NONCE, ttlMs: 60_000 });
    expect(await signer.verify('remedy:x', other)).toEqual({ ok: false, reason: 'unknown-key' });
    const impostor = new ValueSigner(staticKeyRing([key('k1', 9)])).sign('remedy:x', VALUE, { nonce: NONCE, ttlMs: 60_000 });
    expect(await signer.verify('remedy:x', impostor)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a value past its expiry, and only then', async () => {
    let now = 1_800_000_000_000;
    const clocked = new ValueSigner(staticKeyRing([key('k1', 1)]), () => now);
    const v = clocked.sign('digest:details', '17', { nonce: NONCE, ttlMs: 3_600_000 });
    now += 3_599_000;
    expect((await clocked.verify('digest:details', v)).ok).toBe(true);
    now += 2_000;
    expect(await clocked.verify('digest:details', v)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps a value with dots, unicode and quotes intact', async () => {
    const raw = 'a.b.c.d.e.f "ü" 🔥';
    expect(await signer.verify('x', signer.sign('x', raw, { nonce: NONCE, ttlMs: 1000 }))).toMatchObject({ ok: true, raw });
  });
});

describe('CHATOPS_SIGNING_KEYS', () => {
  const b64 = Buffer.alloc(32, 5).toString('base64');
  it('reads id:base64 entries, the first signing', () => {
    const keys = parseSigningKeys(`new:${b64}, old:${Buffer.alloc(40, 6).toString('base64')}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
  });
  it.each([
    ['', 'holds no key'],
    [`:${b64}`, 'entry 1 has no valid key id'],
    [`bad id:${b64}`, 'entry 1 has no valid key id'],
    ['short:c2hvcnQ=', 'key "short" decodes to 5 bytes; at least 32 are needed'],
    [`a:${b64},a:${b64}`, 'key id "a" appears twice'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseSigningKeys(text)).toThrowError(message);
  });
});

describe('keys in the state store', () => {
  let pool: pg.Pool;
  beforeAll(async () => {
    // A database of its own: the suite's shared one holds the test bots' key.
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS signing_keys_test');
    await admin.query('CREATE DATABASE signing_keys_test');
    await admin.end();
    const url = new URL(inject('pgUrl'));
    url.pathname = '/signing_keys_test';
    pool = new pg.Pool({ connectionString: url.toString() });
    await migrate(pool, silentLogger());
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('the first start creates one key; replicas starting together share it', async () => {
    const rings = await Promise.all(Array.from({ length: 8 }, () => storedKeyRing(pool)));
    for (const r of rings) r.close?.();
    expect(new Set(rings.map((r) => r.current().id)).size).toBe(1);
    expect(Number((await pool.query('SELECT count(*) AS n FROM signing_keys')).rows[0].n)).toBe(1);
  });

  it('after a rotation the new key signs, and buttons signed before still verify until the old key retires', async () => {
    const before = await storedKeyRing(pool);
    const oldSigner = new ValueSigner(before);
    const posted = oldSigner.sign('incident:ack', '7', { nonce: NONCE, ttlMs: 7 * 24 * 3600_000 });
    const { id, retiring } = await rotateSigningKeys(pool);
    expect(retiring).toEqual([before.current().id]);
    const after = await storedKeyRing(pool);
    expect(after.current().id).toBe(id);
    const newSigner = new ValueSigner(after);
    expect(await newSigner.verify('incident:ack', posted)).toMatchObject({ ok: true, raw: '7' });
    // A replica that loaded before the rotation meets a value signed with the new key: it reloads.
    const fresh = newSigner.sign('incident:ack', '8', { nonce: NONCE, ttlMs: 60_000 });
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await oldSigner.verify('incident:ack', fresh)).toMatchObject({ ok: true, raw: '8' });
    // Once retired (RETIRE_AFTER_MS later), the old key no longer verifies anything.
    await pool.query(`UPDATE signing_keys SET retired_at = now() - interval '1 second' WHERE id = $1`, [retiring[0]]);
    const later = await storedKeyRing(pool);
    expect(await new ValueSigner(later).verify('incident:ack', posted)).toEqual({ ok: false, reason: 'unknown-key' });
    for (const r of [before, after, later]) r.close?.();
    expect(RETIRE_AFTER_MS).toBeGreaterThanOrEqual(31 * 24 * 3600_000);
  });

  it('bin/chatops keys rotate adds a key in the store DATABASE_URL names, and refuses when CHATOPS_SIGNING_KEYS is set', async () => {
    const url = new URL(inject('pgUrl'));
    url.pathname = '/signing_keys_test';
    const run = (env: Record<string, string>) => promisify(execFile)('bin/chatops', ['keys', 'rotate'], { env: { PATH: process.env.PATH!, ...env } });
    const newest = async () => (await pool.query('SELECT id FROM signing_keys ORDER BY created_at DESC LIMIT 1')).rows[0].id as string;
    const { stdout } = await run({ DATABASE_URL: url.toString() });
    expect(stdout).toContain(`New signing key ${await newest()}.`);
    const refused = await run({ DATABASE_URL: url.toString(), CHATOPS_SIGNING_KEYS: `a:${Buffer.alloc(32).toString('base64')}` }).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 3 });
    expect((refused as { stderr: string }).stderr).toContain('CHATOPS_SIGNING_KEYS is set');
  });
});
