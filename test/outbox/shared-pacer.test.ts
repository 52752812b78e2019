// Alert and heartbeat messages share one channel pacer when given one: Slack's 429 on an alert's
// post holds the channel (Retry-After: 2 s), and a heartbeat's post to the same channel waits the
// hold out instead of meeting another 429; the alert is posted once after it. Real PostgreSQL, the
// real Slack alert poster against the fake Slack API (the posts' start times observed around it).
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService } from '../../src/alerts/alert-service.ts';
import type { AlertPoster } from '../../src/alerts/alert-poster.ts';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { LocalChannelPacer } from '../../src/coord/local-channel-pacer.ts';
import { HeartbeatService } from '../../src/heartbeats/heartbeat-service.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSlackAlertPoster } from '../../src/slack/create-slack-alert-poster.ts';
import { migrate } from '../../src/store/migrate.ts';
import { errorRateAlert, errorRateGroup } from '../alerts/alertmanager-payloads.ts';
import { FakeClock } from '../heartbeats/heartbeat-harness.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';
import { BOT_TOKEN } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

interface Attempt {
  who: string;
  startedAt: number;
  outcome: 'posted' | 'refused';
}

/** The real poster, with when each post started and how it ended written down. */
function observed(poster: AlertPoster, who: string, attempts: Attempt[]): AlertPoster {
  return {
    budget: poster.budget,
    post: async (channel, message, key) => {
      const startedAt = Date.now();
      try {
        const ref = await poster.post(channel, message, key);
        attempts.push({ who, startedAt, outcome: 'posted' });
        return ref;
      } catch (error) {
        attempts.push({ who, startedAt, outcome: 'refused' });
        throw error;
      }
    },
    update: (ref, message) => poster.update(ref, message),
    reply: (parent, message, key) => poster.reply(parent, message, key),
    findPosted: (channel, key, since) => poster.findPosted(channel, key, since),
    findReply: (parent, key) => poster.findReply(parent, key),
  };
}

let slack: FakeSlackApi;
let pool: pg.Pool;
let alerts: AlertService | undefined;
let heartbeats: HeartbeatService | undefined;
const pacer = new LocalChannelPacer(1_000);

beforeAll(async () => {
  slack = await startFakeSlackApi();
  pool = new pg.Pool({ connectionString: await freshDatabaseUrl('outbox_shared_pacer'), max: 4 });
  await migrate(pool, silentLogger());
});
afterAll(async () => {
  pacer.stop();
  await Promise.all([alerts?.stop(), heartbeats?.stop()]);
  await pool?.end();
  await slack?.close();
});

describe('one pacer for alert and heartbeat messages', () => {
  it("a 429 on an alert's post holds the channel for the heartbeat's post too", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-shared-pacer-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'alerts:\n  routes:\n    - match: { alertname: HighErrorRate }\n      channel: C0SHARED\n');
    const config = loadConfig({ file, env: {} });
    const log = silentLogger();
    const attempts: Attempt[] = [];
    const slackPoster = createSlackAlertPoster({ token: BOT_TOKEN, apiUrl: slack.apiUrl, signer: TEST_SIGNER });
    const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));
    alerts = new AlertService({ pool, config, poster: observed(slackPoster, 'alert', attempts), log, token: undefined, probeOptions: { log }, reportOptions: {}, pacer, pollMs: 200 });
    heartbeats = new HeartbeatService({
      pool,
      heartbeats: [{ name: 'backup', everyMs: 60_000, graceMs: 60_000, channel: 'C0SHARED' }],
      poster: observed(slackPoster, 'heartbeat', attempts),
      log,
      token: undefined,
      clock,
      poll: false,
      pacer,
    });
    await heartbeats.start();
    alerts.start();

    slack.rateLimitNext('chat.postMessage', 2, 1);
    expect(await alerts.receive(parseAlertmanagerPayload(errorRateGroup([errorRateAlert('checkout', '2026-12-02T03:30:00Z', 'dddd000000000001')], '{}:{alertname="HighErrorRate",case="shared"}')))).toBe('recorded');
    const refused = await waitFor(async () => attempts.find((a) => a.who === 'alert' && a.outcome === 'refused'), 20_000, "the alert's post refused with a 429");

    // The heartbeat goes missed now: its post to the same channel waits for the hold to end.
    clock.advance(121_000);
    await heartbeats.check();
    const beat = attempts.find((a) => a.who === 'heartbeat');
    expect(beat).toMatchObject({ outcome: 'posted' });
    expect(beat!.startedAt - refused.startedAt).toBeGreaterThanOrEqual(1_950);

    // The alert is posted once, after the hold.
    await waitFor(async () => attempts.find((a) => a.who === 'alert' && a.outcome === 'posted'), 20_000, 'the alert posted after the hold');
    expect(attempts.filter((a) => a.who === 'alert').map((a) => a.outcome)).toEqual(['refused', 'posted']);
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0SHARED')).toHaveLength(3);
  });
});
