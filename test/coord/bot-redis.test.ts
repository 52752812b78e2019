// The bot's own Redis connection against a real redis-server: a call to a server that is down,
// paused or refusing the password answers "unknown" (undefined) instead of throwing, the client
// comes back by itself when the server does, and the URL's password reaches no log line.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { BotRedis } from '../../src/coord/bot-redis.ts';
import { freePort } from '../../src/free-port.ts';
import { createLogger } from '../../src/logger.ts';
import { startTestRedis } from '../support/start-test-redis.ts';
import { sleep, waitFor } from '../support/wait-for.ts';

const PASSWORD = 'redis-pw-5b1e9c0d7a';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A logger (no masking configured) whose lines the test reads. */
function capturedLog(): { log: ReturnType<typeof createLogger>; text: () => string } {
  let text = '';
  const log = createLogger({ level: 'debug', destination: { write: (line: string) => void (text += line) } });
  return { log, text: () => text };
}

function open(url: string, log = capturedLog().log): BotRedis {
  const redis = new BotRedis(url, log);
  cleanups.push(() => redis.close());
  return redis;
}

const ping = (redis: BotRedis) => redis.call('test', (r) => r.ping());

describe('BotRedis', () => {
  it('a server that is not there: calls answer undefined, never throw', async () => {
    const redis = open(`redis://127.0.0.1:${await freePort()}`);
    expect(await ping(redis)).toBeUndefined();
    expect(await redis.call('test', (r) => r.set('k', '1', 'PX', 1000, 'NX'))).toBeUndefined();
  });

  it('paused, then resumed: undefined while it does not answer, answers again without a restart', async () => {
    const server = await startTestRedis();
    cleanups.push(() => server.stop());
    const redis = open(server.url);
    await waitFor(async () => (await ping(redis)) === 'PONG', 10_000, 'the first PONG');
    server.process.kill('SIGSTOP');
    try {
      expect(await ping(redis)).toBeUndefined();
      expect(await redis.call('test', (r) => r.get('anything'))).toBeUndefined();
    } finally {
      server.process.kill('SIGCONT');
    }
    await waitFor(async () => (await ping(redis)) === 'PONG', 15_000, 'PONG after the pause');
  });

  it('its connection dropped by the server: the client reconnects in the background', async () => {
    const server = await startTestRedis();
    cleanups.push(() => server.stop());
    const redis = open(server.url);
    await waitFor(async () => (await ping(redis)) === 'PONG', 10_000, 'the first PONG');
    const admin = new Redis(server.url);
    try {
      const list = String(await admin.client('LIST'));
      const id = /id=(\d+) [^\n]* name=chatops-coord /.exec(list)?.[1];
      expect(id, list).toBeDefined();
      expect(await admin.client('KILL', 'ID', id!)).toBe(1);
    } finally {
      admin.disconnect();
    }
    await waitFor(async () => (await ping(redis)) === 'PONG', 20_000, 'PONG on a new connection');
  });

  it('a wrong password: calls answer undefined, and the password is in no log line', async () => {
    const server = await startTestRedis();
    cleanups.push(() => server.stop());
    const admin = new Redis(server.url);
    await admin.config('SET', 'requirepass', 'the-real-one-3f9a');
    admin.disconnect();
    const captured = capturedLog();
    const redis = open(`redis://:${PASSWORD}@127.0.0.1:${server.port}`, captured.log);
    await sleep(300);
    expect(await ping(redis)).toBeUndefined();
    await sleep(300);
    expect(captured.text()).toContain('did not answer');
    expect(captured.text()).toContain(`127.0.0.1:${server.port}`);
    expect(captured.text()).not.toContain(PASSWORD);
  });

  it('a REDIS_URL that is not a Redis URL is refused naming REDIS_URL and the accepted form, without the password', () => {
    expect(() => new BotRedis(`http://:${PASSWORD}@cache:6379`, capturedLog().log)).toThrow(/^REDIS_URL: scheme http: is not redis: or rediss:; expected redis:\/\/\[user\[:password\]@\]host\[:port\]\[\/db\] or rediss:\/\//);
    try {
      new BotRedis(`http://:${PASSWORD}@cache:6379`, capturedLog().log);
    } catch (e) {
      expect((e as Error).message).not.toContain(PASSWORD);
    }
  });
});
