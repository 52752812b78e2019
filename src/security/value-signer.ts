// Signs the values the bot puts in buttons and dialogs, and verifies them when they come back.
// Slack's signing secret proves a request came through Slack; this proves the value in it is one
// the bot itself offered: for this intent (the button's action id or the dialog's callback id), in
// this message (a nonce shared by the buttons of one message), not yet expired.
//
// A signed value is `cs1.<key id>.<expiry>.<nonce>.<mac>.<raw value>`: the raw value stays
// readable (and within Slack's 2,000 characters for a button value with SIGNED_OVERHEAD to spare),
// the MAC is HMAC-SHA256 over every other part and the intent, cut to 128 bits.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'cs1';
const MAC_BYTES = 16;
/** Characters a signature adds to a value at most: version, key id, expiry, nonce, MAC, dots. */
export const SIGNED_OVERHEAD = 80;

export interface SigningKey {
  /** Short, url-safe: [A-Za-z0-9_-]{1,16}. */
  id: string;
  secret: Buffer;
}

/** Where the keys come from: the newest signs; every key returned verifies. */
export interface KeyRing {
  current(): SigningKey;
  /** The key with this id, or undefined (the ring may reload once on an unknown id). */
  find(id: string): Promise<SigningKey | undefined>;
  /** Stops reloading, where the ring reloads. */
  close?(): void;
}

export type Verified = { ok: true; raw: string; nonce: string; expiresAt: Date };
export type Rejected = { ok: false; reason: 'unsigned' | 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' };

const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
const NONCE = /^[A-Za-z0-9_-]{8,32}$/;
const EXPIRY = /^[0-9a-z]{1,10}$/;

export class ValueSigner {
  private readonly keys: KeyRing;
  private readonly now: () => number;

  constructor(keys: KeyRing, now: () => number = Date.now) {
    this.keys = keys;
    this.now = now;
  }

  /** A fresh nonce: one per rendered message, shared by its buttons. */
  static nonce(): string {
    return randomBytes(9).toString('base64url');
  }

  sign(intent: string, raw: string, options: { nonce: string; ttlMs: number }): string {
    if (!NONCE.test(options.nonce)) throw new Error(`nonce ${JSON.stringify(options.nonce)} is not 8 to 32 url-safe characters`);
    const key = this.keys.current();
    const expiry = Math.ceil((this.now() + options.ttlMs) / 1000).toString(36);
    return `${VERSION}.${key.id}.${expiry}.${options.nonce}.${mac(key, expiry, options.nonce, intent, raw)}.${raw}`;
  }

  async verify(intent: string, value: unknown): Promise<Verified | Rejected> {
    if (typeof value !== 'string' || !value.startsWith(`${VERSION}.`)) return { ok: false, reason: 'unsigned' };
    const parts = splitFirst(value, '.', 5);
    if (!parts) return { ok: false, reason: 'malformed' };
    const [, keyId = '', expiry = '', nonce = '', given = '', raw = ''] = parts;
    if (!KEY_ID.test(keyId) || !EXPIRY.test(expiry) || !NONCE.test(nonce)) return { ok: false, reason: 'malformed' };
    const key = await this.keys.find(keyId);
    if (!key) return { ok: false, reason: 'unknown-key' };
    const expected = Buffer.from(mac(key, expiry, nonce, intent, raw), 'utf8');
    const actual = Buffer.from(given, 'utf8');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return { ok: false, reason: 'bad-signature' };
    const expiresAt = new Date(parseInt(expiry, 36) * 1000);
    if (expiresAt.getTime() < this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, raw, nonce, expiresAt };
  }
}

function mac(key: SigningKey, expiry: string, nonce: string, intent: string, raw: string): string {
  // Lengths first: no two different (intent, raw) pairs hash the same input.
  const input = `${VERSION}|${key.id}|${expiry}|${nonce}|${intent.length}:${intent}|${raw.length}:${raw}`;
  return createHmac('sha256', key.secret).update(input, 'utf8').digest().subarray(0, MAC_BYTES).toString('base64url');
}

/** Splits at the first `count` separators; undefined when there are fewer. */
function splitFirst(s: string, sep: string, count: number): string[] | undefined {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < count; i++) {
    const at = s.indexOf(sep, from);
    if (at < 0) return undefined;
    out.push(s.slice(from, at));
    from = at + 1;
  }
  out.push(s.slice(from));
  return out;
}
