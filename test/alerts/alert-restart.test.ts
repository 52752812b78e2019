// Nothing lost, nothing doubled across a crash: a notification committed by a process that died
// before posting is posted by the next one at start; a post that may have gone out (started, its
// ts never recorded) is found in the channel by its key and updated, not posted again; a claim
// whose owner died is taken over. Real PostgreSQL, the real bot, the fake Slack API.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { AlertStore } from '../../src/alerts/alert-store.ts';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { chooseRoute } from '../../src/alerts/alert-service.ts';
import { messageKey } from '../../src/alerts/alert-outbox.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { BOT_TOKEN } from '../support/test-bot.ts';
import { ALERTS_CONFIG, sendAlert, settled, startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup } from './alertmanager-payloads.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let slack: FakeSlackApi;
let pool: pg.Pool;
let storeUrl: string;
let bot: RunningBot | undefined;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  storeUrl = await freshDatabaseUrl('alerts_restart');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
});
afterAll(async () => {
  await bot?.stop();
  await pool?.end();
  await slack?.close();
});

/** Records a notification as the receiving process did, before it died: committed, nothing sent. */
async function recordedByAProcessThatDied(payload: Record<string, unknown>): Promise<number> {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-alerts-')), 'chatops.yml');
  writeFileSync(file, ALERTS_CONFIG);
  const config = loadConfig({ file, env: { MONITORED_URL: 'postgres://u:p@127.0.0.1:1/x' } });
  const recorded = await new AlertStore(pool).record(parseAlertmanagerPayload(payload), (labels) => chooseRoute(config.alerts, labels), config.alerts!.flapWindowMs);
  if (recorded.outcome !== 'recorded') throw new Error('expected a new notification');
  return recorded.groupId;
}

describe('alert messages across a crash', () => {
  it('posts at start what was committed and not posted, finds a post that went out, and takes over a dead claim', async () => {
    // 1. Committed, then the process died before posting.
    const pendingKey = '{}:{alertname="HighErrorRate",service="pending"}';
    await recordedByAProcessThatDied(errorRateGroup([errorRateAlert('pending', '2026-12-02T03:00:00Z', 'aaaa000000000001')], pendingKey));

    slack.reset();
    // 2. The post went out, the process died before recording its ts.
    const sentKey = '{}:{alertname="HighErrorRate",service="sent"}';
    const sentId = await recordedByAProcessThatDied(errorRateGroup([errorRateAlert('sent', '2026-12-02T03:01:00Z', 'aaaa000000000002')], sentKey));
    await pool.query("UPDATE alert_groups SET posting_since = now() - interval '10 seconds', claim_owner = 'dead-host:41:0a0b0c0d', claim_until = now() - interval '1 second' WHERE id = $1", [sentId]);
    const res = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${BOT_TOKEN}` },
      body: JSON.stringify({ channel: 'C0ALERTS', text: 'Firing: HighErrorRate', metadata: { event_type: 'chatops_alert', event_payload: { key: messageKey({ id: sentId, episode: 1 }) } } }),
    });
    const sentTs = ((await res.json()) as { ts: string }).ts;

    // 3. Claimed by a replica that died mid-post, with nothing in Slack: its lease ran out.
    const claimedKey = '{}:{alertname="HighErrorRate",service="claimed"}';
    const claimedId = await recordedByAProcessThatDied(errorRateGroup([errorRateAlert('claimed', '2026-12-02T03:02:00Z', 'aaaa000000000003')], claimedKey));
    await pool.query("UPDATE alert_groups SET posting_since = now() - interval '40 seconds', claim_owner = 'dead-host:42:0e0f0a0b', claim_until = now() - interval '5 seconds' WHERE id = $1", [claimedId]);

    bot = await startAlertBot(slack.apiUrl, storeUrl);
    const pending = await settled(pool, pendingKey);
    const sent = await settled(pool, sentKey);
    const claimed = await settled(pool, claimedKey);

    const posts = slack.callsTo('chat.postMessage');
    const postsFor = (service: string) => posts.filter((c) => JSON.stringify(c.args.blocks ?? []).includes(`on ${service}`));
    expect(postsFor('pending')).toHaveLength(1);
    expect(postsFor('claimed')).toHaveLength(1);
    expect(postsFor('sent')).toHaveLength(0);
    expect(sent.message_ts).toBe(sentTs);
    const update = slack.callsTo('chat.update').find((c) => c.args.ts === sentTs);
    expect(JSON.stringify(update!.args.blocks)).toContain('5xx ratio above 5% on sent');
    expect(slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(1);
    expect(pending.message_ts).not.toBeNull();
    expect(claimed.message_ts).not.toBe(sentTs);
  });

  it('a stop while messages wait for their channel\'s turn loses none and doubles none: the next start posts the rest', async () => {
    await bot?.stop();
    bot = await startAlertBot(slack.apiUrl, storeUrl);
    slack.reset();
    const keys = Array.from({ length: 6 }, (_, i) => `{}:{alertname="HighErrorRate",service="queued-${i}"}`);
    for (const [i, key] of keys.entries()) {
      expect((await sendAlert(bot.port, errorRateGroup([errorRateAlert(`queued-${i}`, '2026-12-02T03:10:00Z', `cccc00000000000${i}`)], key))).status).toBe(200);
    }
    // One channel takes a message a second: most of them are still waiting when the bot stops.
    await bot.stop();
    bot = undefined;
    bot = await startAlertBot(slack.apiUrl, storeUrl);
    for (const key of keys) await settled(pool, key);
    for (let i = 0; i < keys.length; i++) {
      expect(slack.messagesIn('C0ALERTS').filter((m) => m.text.endsWith(`on queued-${i}`)), `queued-${i}`).toHaveLength(1);
    }
  });
});
