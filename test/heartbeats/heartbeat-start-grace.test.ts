// After every replica was down (the beats sent meanwhile were refused), a starting bot does not
// say a heartbeat missed for the bot's own outage: it judges each heartbeat once it has been up
// for that heartbeat's every + grace, then says it missed if no beat came. Real PostgreSQL, the
// real bot over HTTP, the fake Slack API, a fake clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { beat, FakeClock, SIGNING_SECRET, startHeartbeatBot } from './heartbeat-harness.ts';

const MIN = 60_000;
let slack: FakeSlackApi;
let storeUrl: string;
let bot: RunningBot | undefined;
const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));
const start = async () => await startHeartbeatBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl }, clock);
const posted = () => slack.calls.filter((c) => c.method === 'chat.postMessage' && String(c.args.text).startsWith('heartbeat nightly-backup missed'));

beforeAll(async () => {
  slack = await startFakeSlackApi();
  storeUrl = await freshDatabaseUrl('heartbeats_start_grace');
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
});

describe('a heartbeat after the bot itself was down', () => {
  it('is not said missed at start for the time the bot was down; it is once the bot has been up every + grace without a beat', async () => {
    bot = await start();
    expect((await beat(bot.port, 'nightly-backup')).status).toBe(200);
    await bot.stop();
    // Every replica down for 2 h: the hourly beats were refused.
    clock.advance(120 * MIN);
    bot = await start();
    await bot.services.heartbeats!.check();
    expect(posted()).toHaveLength(0);
    // A beat within its every + grace after the start: nothing was ever missed.
    clock.advance(30 * MIN);
    expect((await beat(bot.port, 'nightly-backup')).status).toBe(200);
    await bot.services.heartbeats!.check();
    expect(posted()).toHaveLength(0);
    // Then silence for longer than every + grace: said missed, once.
    clock.advance(71 * MIN);
    await bot.services.heartbeats!.check();
    await bot.services.heartbeats!.check();
    expect(posted()).toHaveLength(1);
  });
});
