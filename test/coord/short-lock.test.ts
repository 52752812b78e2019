// The short lock against a real redis-server: one owner at a time until it releases or the TTL runs
// out, a release by anyone else deletes nothing, and a Redis that is stopped or paused answers
// "unknown" (the caller's PostgreSQL path) instead of throwing.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotRedis } from '../../src/coord/bot-redis.ts';
import { ShortLock } from '../../src/coord/short-lock.ts';
import { silentLogger } from '../../src/logger.ts';
import { startTestRedis, type RunningRedis } from '../support/start-test-redis.ts';
import { waitFor } from '../support/wait-for.ts';

let server: RunningRedis;
let redis: BotRedis;
let lock: ShortLock;
let raw: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new BotRedis(server.url, silentLogger());
  lock = new ShortLock(redis);
  raw = new Redis(server.url);
  raw.on('error', () => undefined);
  await waitFor(async () => (await redis.call('ping', (r) => r.ping())) === 'PONG', 10_000, 'the bot\'s Redis connected');
});

afterAll(async () => {
  raw?.disconnect();
  await redis?.close();
  await server?.stop();
});

describe('ShortLock', () => {
  it('refuses another owner while held, naming the holder, and is free again once its owner releases it', async () => {
    expect(await lock.acquire('press:a', 'owner-1', 30_000)).toEqual({ state: 'acquired' });
    expect(await lock.acquire('press:a', 'owner-2', 30_000)).toEqual({ state: 'held', holder: 'owner-1' });
    // The same owner again is refused too: a lock is taken once, not re-entered.
    expect((await lock.acquire('press:a', 'owner-1', 30_000)).state).toBe('held');
    // Another name is another lock.
    expect(await lock.acquire('press:b', 'owner-2', 30_000)).toEqual({ state: 'acquired' });
    expect(await lock.release('press:a', 'owner-1')).toBe('released');
    expect(await lock.acquire('press:a', 'owner-2', 30_000)).toEqual({ state: 'acquired' });
    expect(await raw.get('chatops:lock:press:a')).toBe('owner-2');
  });

  it('a release by anyone but the owner deletes nothing', async () => {
    expect(await lock.acquire('press:c', 'owner-1', 30_000)).toEqual({ state: 'acquired' });
    expect(await lock.release('press:c', 'owner-2')).toBe('not-owner');
    expect(await raw.get('chatops:lock:press:c')).toBe('owner-1');
    expect(await lock.acquire('press:c', 'owner-2', 30_000)).toEqual({ state: 'held', holder: 'owner-1' });
    // A release of a lock that is not there is not an owner's either.
    expect(await lock.release('press:none', 'owner-1')).toBe('not-owner');
  });

  it('expires with its TTL: a holder that never releases frees it, and its late release cannot free the next owner\'s', async () => {
    expect(await lock.acquire('press:d', 'owner-1', 300)).toEqual({ state: 'acquired' });
    const pttl = await raw.pttl('chatops:lock:press:d');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(300);
    await waitFor(async () => (await lock.acquire('press:d', 'owner-2', 30_000)).state === 'acquired', 10_000, 'the lock free after its TTL');
    expect(await lock.release('press:d', 'owner-1')).toBe('not-owner');
    expect(await raw.get('chatops:lock:press:d')).toBe('owner-2');
  });

  it('refuses a TTL that is not a short one, naming it and what is accepted', async () => {
    await expect(lock.acquire('press:e', 'owner-1', 0)).rejects.toThrow(/ttlMs 0 is not accepted; expected a whole number of milliseconds from 1 to 600000/);
    await expect(lock.acquire('press:e', 'owner-1', 3_600_000)).rejects.toThrow(/ttlMs 3600000 is not accepted/);
    await expect(lock.acquire('', 'owner-1', 1000)).rejects.toThrow(/must not be empty/);
  });

  it('Redis paused, then stopped: acquire and release answer "unknown", never throw', async () => {
    expect(await lock.acquire('press:f', 'owner-1', 30_000)).toEqual({ state: 'acquired' });
    server.process.kill('SIGSTOP');
    try {
      expect(await lock.acquire('press:f', 'owner-2', 30_000)).toEqual({ state: 'unknown' });
      expect(await lock.release('press:f', 'owner-1')).toBe('unknown');
    } finally {
      server.process.kill('SIGCONT');
    }
    // Back: the lock was kept meanwhile (nothing was released while Redis could not say).
    await waitFor(async () => (await lock.acquire('press:f', 'owner-2', 30_000)).state === 'held', 10_000, 'Redis answering again');
    await server.stop();
    expect(await lock.acquire('press:g', 'owner-1', 30_000)).toEqual({ state: 'unknown' });
    expect(await lock.release('press:g', 'owner-1')).toBe('unknown');
  });
});
