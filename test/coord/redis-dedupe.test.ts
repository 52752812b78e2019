// Two replicas (two real bots in this process) sharing one PostgreSQL and one redis-server: a
// Slack request delivered to both (a retry landing on the other replica) is handled once, through
// Redis while it answers and through PostgreSQL when it is paused or killed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { metrics } from '../../src/metrics/metrics.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import { startTestRedis, type RunningRedis } from '../support/start-test-redis.ts';
import { SIGNING_SECRET, startTestBot } from '../support/test-bot.ts';
import { sleep } from '../support/wait-for.ts';

let slack: FakeSlackApi;
let redis: RunningRedis;
let bots: RunningBot[] = [];

const dedupedByRedis = async (): Promise<number> =>
  (await metrics.deduplicatedTotal.get()).values.find((v) => v.labels.source === 'redis')?.value ?? 0;

/** The same signed `/diag nosuch` to both replicas, the second as Slack's retry; resolves with both HTTP statuses. */
async function deliverToBoth(id: string): Promise<number[]> {
  const body = slashCommandBody({ command: '/diag', text: 'nosuch', responseUrl: slack.responseUrl(id) });
  const timestamp = Math.floor(Date.now() / 1000);
  const [a, b] = bots.map((bot) => `http://127.0.0.1:${bot.port}/slack/events`);
  const first = await postSigned(a!, body, { secret: SIGNING_SECRET, timestamp });
  const retry = await postSigned(b!, body, { secret: SIGNING_SECRET, timestamp, headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
  return [first.status, retry.status];
}

/** The answers to the request with this response URL id, once the bots had time to answer twice. */
async function answersTo(id: string): Promise<number> {
  await slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === id));
  await sleep(1_000);
  return slack.callsTo('respond').filter((c) => c.responseId === id).length;
}

beforeAll(async () => {
  slack = await startFakeSlackApi();
  redis = await startTestRedis();
  const db = await freshDatabaseUrl('coord_dedupe');
  const env = { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: db, REDIS_URL: redis.url };
  bots = [await startTestBot(env), await startTestBot(env)];
});

afterAll(async () => {
  for (const bot of bots) await bot.stop();
  await redis?.stop();
  await slack?.close();
});

describe('two replicas with REDIS_URL', () => {
  it('a Slack retry delivered to the other replica is answered once, recognised by Redis', async () => {
    const before = await dedupedByRedis();
    expect(await deliverToBoth('both-1')).toEqual([200, 200]);
    expect(await answersTo('both-1')).toBe(1);
    expect(await dedupedByRedis()).toBe(before + 1);
    const client = new Redis(redis.url);
    try {
      expect((await client.keys('chatops:slack-request:*')).length).toBeGreaterThanOrEqual(1);
    } finally {
      client.disconnect();
    }
  });

  it('Redis paused (answers nothing): the retry is still answered once, through PostgreSQL', async () => {
    const before = await dedupedByRedis();
    redis.process.kill('SIGSTOP');
    try {
      expect(await deliverToBoth('paused-1')).toEqual([200, 200]);
      expect(await answersTo('paused-1')).toBe(1);
    } finally {
      redis.process.kill('SIGCONT');
    }
    expect(await dedupedByRedis()).toBe(before);
  });

  it('Redis killed mid-run: requests still handled once, through PostgreSQL', async () => {
    expect(await deliverToBoth('before-kill')).toEqual([200, 200]);
    expect(await answersTo('before-kill')).toBe(1);
    await redis.stop();
    const before = await dedupedByRedis();
    for (const id of ['after-kill-1', 'after-kill-2']) {
      expect(await deliverToBoth(id)).toEqual([200, 200]);
      expect(await answersTo(id)).toBe(1);
    }
    expect(await dedupedByRedis()).toBe(before);
  });
});
