// Heartbeats end to end: two replicas of the real bot on one PostgreSQL store, one over HTTP and
// one in Socket Mode (its heartbeat route on PORT beside the health routes), both seeing the time
// of one clock the test moves; the fake Slack API records what they post. A beat posts nothing; a
// beat missing for every + grace posts one message however many checks run on however many
// replicas; the next beat turns that message recovered; a heartbeat that never beat is counted
// from the first start with it configured, across restarts.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { freePort } from '../../src/free-port.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { ALERTS_TOKEN, beat, FakeClock, heartbeatRow, shown, SIGNING_SECRET, startHeartbeatBot } from './heartbeat-harness.ts';

const APP_TOKEN = 'xapp-1-A0APP-1234-test-app-token';
const MIN = 60_000;
let slack: FakeSlackApi;
let socket: FakeSocketMode;
let pool: pg.Pool;
let storeUrl: string;
let httpBot: RunningBot;
let socketBot: RunningBot;
// 02:00 UTC, the bots' first start with these heartbeats.
const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));

const posts = (channel: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel);
const updates = (ts: string) => slack.callsTo('chat.update').filter((c) => c.args.ts === ts);
/** Checks on both replicas, `times` each, all at once. */
const checkEverywhere = (times: number) => Promise.all(Array.from({ length: times }, () => [httpBot, socketBot].map((b) => b.services.heartbeats!.check())).flat());

beforeAll(async () => {
  slack = await startFakeSlackApi();
  socket = await startFakeSocketMode({ upstreamApiUrl: slack.apiUrl });
  storeUrl = await freshDatabaseUrl('heartbeats');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  httpBot = await startHeartbeatBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl }, clock);
  socketBot = await startHeartbeatBot({ SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: socket.apiUrl, SLACK_RESPONSE_URL_BASE: slack.apiUrl, PORT: String(await freePort()), DATABASE_URL: storeUrl }, clock);
});
afterAll(async () => {
  await Promise.all([httpBot?.stop(), socketBot?.stop()]);
  await pool?.end();
  await socket?.close();
  await slack?.close();
});

describe('heartbeats', () => {
  it('refuses a beat without the token or with a wrong one (401), and an unknown name (404) naming nothing configured', async () => {
    expect(socketBot.mode).toBe('socket');
    for (const bot of [httpBot, socketBot]) {
      expect((await beat(bot.port, 'nightly-backup', null)).status).toBe(401);
      expect((await beat(bot.port, 'nightly-backup', 'wrong-token')).status).toBe(401);
      // Without the token, a name that does not exist is not told apart from one that does.
      expect((await beat(bot.port, 'no-such-job', 'wrong-token')).status).toBe(401);
      const unknown = await beat(bot.port, 'no-such-job');
      expect(unknown.status).toBe(404);
      expect(JSON.stringify(unknown.body)).not.toMatch(/nightly-backup|watchdog|never-ran|no-such-job/);
    }
    expect(await heartbeatRow(pool, 'no-such-job')).toBeUndefined();
    expect((await heartbeatRow(pool, 'nightly-backup'))!.last_beat_at).toBeNull();
  });

  it('records a beat (its body ignored) and posts nothing while beats come within every + grace; one that never beat is counted from the first start', async () => {
    slack.reset();
    const watchdogPayload = JSON.stringify({ version: '4', status: 'firing', groupKey: '{}:{alertname="Watchdog"}', alerts: [{ labels: { alertname: 'Watchdog' } }] });
    expect(await beat(httpBot.port, 'nightly-backup')).toEqual({ status: 200, body: { status: 'recorded' } });
    expect(await beat(socketBot.port, 'watchdog', ALERTS_TOKEN, watchdogPayload)).toEqual({ status: 200, body: { status: 'recorded' } });
    expect((await heartbeatRow(pool, 'nightly-backup'))!.last_beat_at!.toISOString()).toBe('2026-12-02T02:00:00.000Z');
    for (let i = 0; i < 3; i++) {
      clock.advance(MIN); // 02:01 .. 02:03: the watchdog beats every minute
      expect((await beat(i % 2 ? httpBot.port : socketBot.port, 'watchdog')).status).toBe(200);
      await checkEverywhere(3);
    }
    clock.advance(66 * MIN); // 03:09: the backup is 9 minutes late, within its 10 minutes of grace
    expect((await beat(httpBot.port, 'watchdog')).status).toBe(200);
    await checkEverywhere(3);
    expect(posts('C0OPS')).toHaveLength(0);
    expect(posts('C0ALERTS')).toHaveLength(0);
    // never-ran (every 10 min, grace 5 min) never beat: counted from the bots' first start, 02:00.
    await shown(pool, 'never-ran');
    expect(posts('C0NEVER')).toHaveLength(1);
    expect(posts('C0NEVER')[0]!.args.text).toBe(
      'heartbeat never-ran missed since 02:10 UTC (expected every 10 min, grace 5 min; no beat since the bot started watching it at 02:00 UTC)',
    );
  });

  it('posts one message once a beat is missing for every + grace, however many checks run on both replicas', async () => {
    slack.reset();
    clock.advance(2 * MIN); // 03:11: past 02:00 + 1 h + 10 min
    expect((await beat(httpBot.port, 'watchdog')).status).toBe(200);
    await checkEverywhere(10);
    const row = await shown(pool, 'nightly-backup');
    expect(row.status).toBe('missed');
    expect(row.outage).toBe(1);
    expect(posts('C0OPS')).toHaveLength(1);
    expect(posts('C0OPS')[0]!.args.text).toBe('heartbeat nightly-backup missed since 03:00 UTC (expected every 1 h, grace 10 min)');

    // Later checks, on either replica, say nothing more: one message per outage.
    for (let i = 0; i < 5; i++) {
      clock.advance(10 * MIN);
      expect((await beat(socketBot.port, 'watchdog')).status).toBe(200);
      await checkEverywhere(2);
    }
    await shown(pool, 'nightly-backup');
    expect(posts('C0OPS')).toHaveLength(1);
    expect(slack.callsTo('chat.update')).toHaveLength(0);
    expect(posts('C0ALERTS')).toHaveLength(0);
  });

  it('turns the same message recovered at the next beat, with how long it was missing', async () => {
    const before = await shown(pool, 'nightly-backup');
    const ts = before.message_ts!;
    slack.reset();
    // 04:01: the backup ran at last, through the other replica.
    expect(await beat(socketBot.port, 'nightly-backup')).toEqual({ status: 200, body: { status: 'recovered' } });
    const after = await shown(pool, 'nightly-backup');
    expect(after.status).toBe('ok');
    expect(after.message_ts).toBe(ts);
    expect(posts('C0OPS')).toHaveLength(0);
    expect(updates(ts)).toHaveLength(1);
    expect(updates(ts)[0]!.args.text).toBe('heartbeat nightly-backup recovered at 04:01 UTC after 1 h 1 min missing (missed since 03:00 UTC, expected every 1 h, grace 10 min)');
    // A second beat changes nothing in Slack.
    expect(await beat(httpBot.port, 'nightly-backup')).toEqual({ status: 200, body: { status: 'recorded' } });
    await checkEverywhere(3);
    expect(slack.calls.filter((c) => c.args.channel === 'C0OPS')).toHaveLength(1);
  });

  it('counts a heartbeat that never beat from the first start with it, across a restart, and says so', async () => {
    // never-ran: watched since 02:00, missed since 02:10, posted once (above).
    const row = await shown(pool, 'never-ran');
    expect(row.watched_since.toISOString()).toBe('2026-12-02T02:00:00.000Z');
    expect(row.outage).toBe(1);

    // A restart later does not start the count again, nor post the open outage again.
    slack.reset();
    await httpBot.stop();
    clock.advance(30 * MIN);
    httpBot = await startHeartbeatBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl }, clock);
    await checkEverywhere(3);
    const again = await shown(pool, 'never-ran');
    expect(again.watched_since.toISOString()).toBe('2026-12-02T02:00:00.000Z');
    expect(again.outage).toBe(1);
    expect(posts('C0NEVER')).toHaveLength(0);

    // Its first beat ever recovers that message.
    expect(await beat(httpBot.port, 'never-ran')).toEqual({ status: 200, body: { status: 'recovered' } });
    const recovered = await shown(pool, 'never-ran');
    expect(updates(recovered.message_ts!)).toHaveLength(1);
    expect(String(updates(recovered.message_ts!)[0]!.args.text)).toMatch(/^heartbeat never-ran recovered at 04:31 UTC after 2 h 21 min missing/);
  });

  it('posts a new message for a new outage', async () => {
    slack.reset();
    const first = (await shown(pool, 'nightly-backup')).message_ts;
    clock.advance(71 * MIN); // 05:42: its last beat was at 04:01, due again at 05:01, late past 05:11
    await checkEverywhere(4);
    const row = await shown(pool, 'nightly-backup');
    expect(row.outage).toBe(2);
    expect(row.message_ts).not.toBe(first);
    expect(posts('C0OPS')).toHaveLength(1);
    expect(posts('C0OPS')[0]!.args.text).toBe('heartbeat nightly-backup missed since 05:01 UTC (expected every 1 h, grace 10 min)');
  });
});

