// Two replicas of the bot on one PostgreSQL store, one over HTTP and one in Socket Mode (its
// Alertmanager route on PORT beside the health routes): the same notifications sent to both at
// once, and a group's later notifications split between them, give one message per group, updated
// in place. A bot without ALERTS_TOKEN does not serve the route.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { freePort } from '../../src/free-port.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startTestBot } from '../support/test-bot.ts';
import { ALERTS_CONFIG, ALERTS_TOKEN, SIGNING_SECRET, sendAlert, settled, startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup, postgresDownFiring } from './alertmanager-payloads.ts';

const APP_TOKEN = 'xapp-1-A0APP-1234-test-app-token';
let slack: FakeSlackApi;
let socket: FakeSocketMode;
let pool: pg.Pool;
let httpBot: RunningBot;
let socketBot: RunningBot;
let tokenless: RunningBot;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  socket = await startFakeSocketMode({ upstreamApiUrl: slack.apiUrl });
  const storeUrl = await freshDatabaseUrl('alerts_replicas');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  httpBot = await startAlertBot(slack.apiUrl, storeUrl);
  socketBot = await startTestBot({ SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: socket.apiUrl, SLACK_RESPONSE_URL_BASE: slack.apiUrl, PORT: String(await freePort()), DATABASE_URL: storeUrl, ALERTS_TOKEN }, ALERTS_CONFIG);
  tokenless = await startTestBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl }, ALERTS_CONFIG);
});
afterAll(async () => {
  await Promise.all([httpBot?.stop(), socketBot?.stop(), tokenless?.stop()]);
  await pool?.end();
  await socket?.close();
  await slack?.close();
});

describe('several replicas', () => {
  it('serves the route in Socket Mode on PORT', async () => {
    expect(socketBot.mode).toBe('socket');
    expect((await sendAlert(socketBot.port, postgresDownFiring(), 'wrong')).status).toBe(401);
  });

  it('gives one message per group when both replicas receive the same notifications at once', async () => {
    slack.reset();
    const groups = Array.from({ length: 6 }, (_, i) => {
      const key = `{}:{alertname="HighErrorRate",service="svc-${i}"}`;
      return { key, body: errorRateGroup([errorRateAlert(`svc-${i}`, '2026-12-02T03:30:00Z', `bbbb00000000000${i}`)], key) };
    });
    // Each notification to both replicas, twice (Alertmanager's retry), all at once.
    const answers = await Promise.all(groups.flatMap((g) => [httpBot, socketBot, httpBot, socketBot].map((b) => sendAlert(b.port, g.body))));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.status === 'recorded')).toHaveLength(groups.length);
    for (const g of groups) await settled(pool, g.key);
    for (let i = 0; i < groups.length; i++) {
      expect(slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes(`on svc-${i}`)), `svc-${i}`).toHaveLength(1);
    }

    // The group moves on through the other replica: updated in place, not posted again.
    const g0 = groups[0]!;
    const before = await settled(pool, g0.key);
    const joined = errorRateGroup([errorRateAlert('svc-0', '2026-12-02T03:30:00Z', 'bbbb000000000000'), errorRateAlert('svc-0b', '2026-12-02T03:31:00Z', 'bbbb0000000000f0')], g0.key);
    await Promise.all([sendAlert(socketBot.port, joined), sendAlert(httpBot.port, joined)]);
    const after = await settled(pool, g0.key);
    expect(after.message_ts).toBe(before.message_ts);
    expect(slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes('on svc-0'))).toHaveLength(1);
    expect(JSON.stringify(slack.callsTo('chat.update').filter((c) => c.args.ts === before.message_ts).at(-1)!.args.blocks)).toContain('2 firing');
  });

  it('does not serve the route without ALERTS_TOKEN', async () => {
    const res = await sendAlert(tokenless.port, postgresDownFiring());
    expect(res.status).toBe(404);
  });
});
