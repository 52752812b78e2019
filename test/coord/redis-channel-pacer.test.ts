// The shared channel pacer on a real redis-server: two pacers (two replicas) on one Redis space
// one channel's calls between them, a hold set through one is honoured by the other, and a Redis
// that is gone leaves each pacer pacing its own calls in-process.
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { BotRedis } from '../../src/coord/bot-redis.ts';
import { PacerStoppedError } from '../../src/coord/channel-pacer.ts';
import { LocalChannelPacer } from '../../src/coord/local-channel-pacer.ts';
import { RedisChannelPacer } from '../../src/coord/redis-channel-pacer.ts';
import { silentLogger } from '../../src/logger.ts';
import { startTestRedis } from '../support/start-test-redis.ts';
import { sleep } from '../support/wait-for.ts';

const INTERVAL_MS = 250;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function pacerOn(url: string): { pacer: RedisChannelPacer; redis: BotRedis } {
  const redis = new BotRedis(url, silentLogger());
  const pacer = new RedisChannelPacer({ redis, fallback: new LocalChannelPacer(INTERVAL_MS), log: silentLogger(), intervalMs: INTERVAL_MS });
  cleanups.push(async () => {
    pacer.stop();
    await redis.close();
  });
  return { pacer, redis };
}

/** Waits until the client has connected (the first calls of a fresh client go to the fallback). */
async function connected(redis: BotRedis): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await redis.call('test', (r) => r.ping())) === 'PONG') return;
    await sleep(50);
  }
  throw new Error('the test Redis did not answer');
}

interface Span { who: string; start: number; end: number }

/** A call that records when it ran, taking `ms`. */
const recorder = (spans: Span[], who: string, ms = 40) => async (): Promise<string> => {
  const start = Date.now();
  await sleep(ms);
  spans.push({ who, start, end: Date.now() });
  return who;
};

describe('RedisChannelPacer', () => {
  it('two pacers on one Redis never run two calls for one channel at once, and both get turns', async () => {
    const a = pacerOn(inject('redisUrl'));
    const b = pacerOn(inject('redisUrl'));
    await Promise.all([connected(a.redis), connected(b.redis)]);
    const channel = `C${randomUUID()}`;
    const spans: Span[] = [];
    const results = await Promise.all([
      ...[1, 2, 3].map((i) => a.pacer.run(channel, recorder(spans, `a${i}`))),
      ...[1, 2, 3].map((i) => b.pacer.run(channel, recorder(spans, `b${i}`))),
    ]);
    expect(results.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'b3']);
    spans.sort((x, y) => x.start - y.start);
    // Behaviour, not speed: each call started after the one before it had finished (40 ms calls,
    // 250 ms apart: two calls let through together by separate in-process pacers would overlap).
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start, `${spans[i]!.who} after ${spans[i - 1]!.who}`).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    // Another channel is not held up by this one's queue.
    const other: Span[] = [];
    await b.pacer.run(`C${randomUUID()}`, recorder(other, 'other', 1));
    expect(other).toHaveLength(1);
  });

  it('a hold set through one pacer is honoured by the other', async () => {
    const a = pacerOn(inject('redisUrl'));
    const b = pacerOn(inject('redisUrl'));
    await Promise.all([connected(a.redis), connected(b.redis)]);
    const channel = `C${randomUUID()}`;
    const heldAt = Date.now();
    await a.pacer.hold(channel, 1_500);
    const spans: Span[] = [];
    await b.pacer.run(channel, recorder(spans, 'b', 1));
    // Not before the hold's end (Redis keeps time for both; a few ms of clock rounding allowed).
    expect(spans[0]!.start).toBeGreaterThanOrEqual(heldAt + 1_500 - 20);
  });

  it('Redis gone: calls still run, paced in-process, a hold still honoured, and stop rejects waiting calls', async () => {
    const server = await startTestRedis();
    const a = pacerOn(server.url);
    await connected(a.redis);
    await server.stop();
    const channel = `C${randomUUID()}`;
    const spans: Span[] = [];
    expect(await Promise.all([a.pacer.run(channel, recorder(spans, 'x')), a.pacer.run(channel, recorder(spans, 'y'))])).toEqual(['x', 'y']);
    expect(spans[1]!.start).toBeGreaterThanOrEqual(spans[0]!.end);
    const heldAt = Date.now();
    await a.pacer.hold(channel, 800);
    const late: Span[] = [];
    await a.pacer.run(channel, recorder(late, 'z', 1));
    expect(late[0]!.start).toBeGreaterThanOrEqual(heldAt + 800 - 20);
    await a.pacer.hold(channel, 60_000);
    const waiting = a.pacer.run(channel, recorder(late, 'never', 1));
    await sleep(100);
    a.pacer.stop();
    await expect(waiting).rejects.toBeInstanceOf(PacerStoppedError);
    expect(late.map((s) => s.who)).toEqual(['z']);
  });

  it('Redis paused mid-run: a call is not lost, it goes through the in-process pacer', async () => {
    const server = await startTestRedis();
    cleanups.push(() => server.stop());
    const a = pacerOn(server.url);
    await connected(a.redis);
    const channel = `C${randomUUID()}`;
    server.process.kill('SIGSTOP');
    try {
      expect(await a.redis.call('test', (r) => r.ping())).toBeUndefined();
      const spans: Span[] = [];
      expect(await a.pacer.run(channel, recorder(spans, 'during-pause', 1))).toBe('during-pause');
    } finally {
      server.process.kill('SIGCONT');
    }
  });
});
