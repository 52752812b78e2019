// A short lock over the bot's Redis (REDIS_URL): the fast "no" for the same press handled on two
// replicas at once. Taken with `SET key owner NX PX ttl`, so a holder that dies frees it when its
// TTL runs out; released only by its owner, with a compare-and-delete script, so a holder whose TTL
// ran out cannot free a lock another has taken since. It is never the truth: a caller that takes
// it still goes through PostgreSQL's claims, and a caller that cannot tell (Redis down, slow or
// restarting: "unknown" within CALL_BUDGET_MS) goes on the PostgreSQL path as if there were no Redis.
import type { BotRedis } from './bot-redis.ts';

/** Deletes the key only while it still holds this owner's value: 1 when it did, 0 otherwise. */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

const KEY_PREFIX = 'chatops:lock:';
const MAX_TTL_MS = 10 * 60_000;

/**
 * `acquired`: this owner holds it now. `held`: another owner does (`holder` is its value, or
 * undefined when it was released between the two reads). `unknown`: Redis could not say.
 */
export type LockAttempt = { state: 'acquired' } | { state: 'held'; holder: string | undefined } | { state: 'unknown' };

export class ShortLock {
  readonly #redis: BotRedis;

  constructor(redis: BotRedis) {
    this.#redis = redis;
  }

  /**
   * Takes the lock `name` for `owner` (a value unique to this holding: it is what release compares)
   * for at most `ttlMs`. Never throws for Redis; throws only for a TTL or name a caller got wrong.
   */
  async acquire(name: string, owner: string, ttlMs: number): Promise<LockAttempt> {
    if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_TTL_MS) {
      throw new RangeError(`short lock "${name.slice(0, 80)}": ttlMs ${ttlMs} is not accepted; expected a whole number of milliseconds from 1 to ${MAX_TTL_MS} (a short lock, not a lease)`);
    }
    if (name === '' || owner === '') throw new RangeError('short lock: the name and the owner must not be empty');
    const key = KEY_PREFIX + name;
    const set = await this.#redis.call('short lock', (r) => r.set(key, owner, 'PX', ttlMs, 'NX'));
    if (set === 'OK') return { state: 'acquired' };
    if (set === undefined) return { state: 'unknown' };
    // Taken: who holds it, for the answer (a second bounded call; its failure is not an "unknown":
    // the lock was seen held).
    const holder = await this.#redis.call('short lock holder', (r) => r.get(key));
    return { state: 'held', holder: holder ?? undefined };
  }

  /**
   * Frees the lock if `owner` still holds it: `released`, `not-owner` (another owner's, or gone:
   * nothing is deleted) or `unknown` (Redis could not say; the TTL frees it).
   */
  async release(name: string, owner: string): Promise<'released' | 'not-owner' | 'unknown'> {
    const deleted = await this.#redis.call('short lock release', (r) => r.eval(RELEASE_SCRIPT, 1, KEY_PREFIX + name, owner));
    if (deleted === undefined) return 'unknown';
    return deleted === 1 ? 'released' : 'not-owner';
  }
}
