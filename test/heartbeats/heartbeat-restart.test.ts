// Heartbeat outages across a crash and Slack's failures: an outage committed by a process that
// died before posting is posted by the next start; a post that may have gone out (started, its ts
// never recorded) is found in the channel by its key and updated, not posted again; a message
// deleted in Slack is posted anew; a rate limit is waited out. Real PostgreSQL, the real bot over
// HTTP, the fake Slack API, a fake clock.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { HeartbeatStore } from '../../src/heartbeats/heartbeat-store.ts';
import { messageKey } from '../../src/heartbeats/heartbeat-service.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { BOT_TOKEN } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';
import { ALERTS_TOKEN, beat, FakeClock, heartbeatRow, shown, SIGNING_SECRET, startHeartbeatBot } from './heartbeat-harness.ts';

const MIN = 60_000;
let slack: FakeSlackApi;
let pool: pg.Pool;
let storeUrl: string;
let bot: RunningBot | undefined;
const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));
const start = async (env: Record<string, string> = {}) => await startHeartbeatBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl, ...env }, clock);
const backup = { name: 'nightly-backup', everyMs: 60 * MIN, graceMs: 10 * MIN, channel: 'C0OPS' };
const watchdog = { name: 'watchdog', everyMs: MIN, graceMs: 2 * MIN, channel: 'C0ALERTS' };

beforeAll(async () => {
  slack = await startFakeSlackApi();
  storeUrl = await freshDatabaseUrl('heartbeats_restart');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
});
afterAll(async () => {
  await bot?.stop();
  await pool?.end();
  await slack?.close();
});

describe('heartbeat messages across a crash', () => {
  it('posts at start an outage committed and not posted, and finds a post that went out instead of repeating it', async () => {
    bot = await start();
    expect((await beat(bot.port, 'nightly-backup')).status).toBe(200);
    expect((await beat(bot.port, 'watchdog')).status).toBe(200);
    await bot.stop();
    bot = undefined;

    // A replica's checker at 03:15 (the bot here is down): both outages committed, then it died.
    clock.advance(75 * MIN);
    const store = new HeartbeatStore(pool);
    expect((await store.markMissed([backup, watchdog], clock.now())).sort()).toEqual(['nightly-backup', 'watchdog']);
    expect(await store.markMissed([backup, watchdog], clock.now())).toEqual([]);
    // The backup's message went out; the process died before recording its ts.
    slack.reset();
    await pool.query("UPDATE heartbeats SET posting_since = now() - interval '10 seconds', claim_owner = 'dead-host:41:0a0b0c0d', claim_until = now() - interval '1 second' WHERE name = 'nightly-backup'");
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${BOT_TOKEN}` },
      body: JSON.stringify({ channel: 'C0OPS', text: 'heartbeat nightly-backup missed since 03:00 UTC', metadata: { event_type: 'chatops_alert', event_payload: { key: messageKey({ name: 'nightly-backup', outage: 1 }) } } }),
    });
    const sentTs = ((await res.json()) as { ts: string }).ts;

    clock.advance(5 * MIN);
    bot = await start();
    await Promise.all([bot.services.heartbeats!.check(), bot.services.heartbeats!.check()]);
    const sent = await shown(pool, 'nightly-backup');
    const pending = await shown(pool, 'watchdog');
    // The one post in C0OPS is the dead process's.
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0OPS')).toHaveLength(1);
    expect(slack.messagesIn('C0OPS')).toHaveLength(1);
    expect(sent.message_ts).toBe(sentTs);
    expect(slack.callsTo('chat.update').filter((c) => c.args.ts === sentTs)).toHaveLength(1);
    expect(slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1);
    const watchdogPosts = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0ALERTS');
    expect(watchdogPosts).toHaveLength(1);
    expect(watchdogPosts[0]!.args.text).toBe('heartbeat watchdog missed since 02:01 UTC (expected every 1 min, grace 2 min)');
    expect(pending.outage).toBe(1);
  });

  it('posts the outage anew when its message was deleted in Slack, and waits out a rate limit', async () => {
    const before = await shown(pool, 'nightly-backup');
    slack.reset();
    slack.failNext('chat.update', 'message_not_found');
    expect(await beat(bot!.port, 'nightly-backup')).toEqual({ status: 200, body: { status: 'recovered' } });
    const after = await shown(pool, 'nightly-backup');
    expect(after.message_ts).not.toBe(before.message_ts);
    const posted = slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0OPS');
    expect(posted).toHaveLength(1);
    expect(String(posted[0]!.args.text)).toMatch(/^heartbeat nightly-backup recovered at 03:20 UTC after 20 min missing/);

    slack.reset();
    const watchdogTs = (await shown(pool, 'watchdog')).message_ts!;
    slack.rateLimitNext('chat.update', 1);
    expect(await beat(bot!.port, 'watchdog')).toEqual({ status: 200, body: { status: 'recovered' } });
    // The retry is due a second later; the checker's next run (or this one) sends it.
    const recovered = await waitFor(async () => {
      await bot!.services.heartbeats!.check();
      const row = await heartbeatRow(pool, 'watchdog');
      return row && row.version === row.shown_version ? row : undefined;
    }, 20_000, 'the rate-limited update sent', 200);
    expect(recovered.message_ts).toBe(watchdogTs);
    expect(slack.callsTo('chat.update').filter((c) => c.args.ts === watchdogTs).length).toBeGreaterThanOrEqual(2);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('does not serve the route without ALERTS_TOKEN, and answers 413 to a body above 1 MiB', async () => {
    await bot?.stop();
    bot = await start({ ALERTS_TOKEN: '' });
    expect((await beat(bot.port, 'nightly-backup')).status).toBe(404);
    expect((await beat(bot.port, 'nightly-backup', null)).status).toBe(404);
    await bot.stop();
    bot = await start();
    const big = await beat(bot.port, 'nightly-backup', ALERTS_TOKEN, JSON.stringify({ x: 'x'.repeat(1024 * 1024 + 10) }));
    expect(big.status).toBe(413);
    expect((await beat(bot.port, 'nightly-backup', ALERTS_TOKEN, JSON.stringify({ status: 'firing' }))).status).toBe(200);
  });
});
