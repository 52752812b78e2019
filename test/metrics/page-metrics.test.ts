// Escalation pages through the real bot (its own state store, so no other file's engine pages its
// incidents): /incident declare pages the on-call by DM; Slack answers the pager's first call with
// a 429, which the pager's client gives up on (the engine waits as asked and sends again). That
// call is counted rate_limited by its method, the page retried then sent with its lag, each attempt
// logged with the page key as correlation id; the timers-due gauge is read from the store.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { INCIDENTS_YAML } from '../support/incidents-yaml.ts';
import { postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import { SIGNING_SECRET } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';
import { startObservedBot, type ObservedBot } from './observed-bot.ts';

let slack: FakeSlackApi;
let o: ObservedBot;
let storeUrl: string;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  storeUrl = await freshDatabaseUrl('metrics_pages');
  o = await startObservedBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: storeUrl }, `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
${INCIDENTS_YAML}`);
});
afterAll(async () => {
  await o?.stop();
  await slack?.close();
});

async function latestIncidentId(): Promise<number> {
  const c = new pg.Client({ connectionString: storeUrl });
  await c.connect();
  try {
    return Number((await c.query('SELECT id FROM incidents ORDER BY id DESC LIMIT 1')).rows[0].id);
  } finally {
    await c.end();
  }
}

describe('escalation pages', () => {
  it('a page refused with a 429 is counted rate_limited by method, then retried and sent; each attempt logged with the page key', async () => {
    const before = await o.scrape();
    slack.rateLimitNext('conversations.open', 1, 1);
    const body = slashCommandBody({ command: '/incident', text: 'declare sev1 Checkout fails', responseUrl: slack.responseUrl('declare') });
    expect((await postSigned(`http://127.0.0.1:${o.bot.port}/slack/events`, body, { secret: SIGNING_SECRET })).status).toBe(200);
    await slack.waitFor(() => slack.messagesIn('DU0ONCALL').length === 1, 30_000);
    const id = await latestIncidentId();
    const key = `INC-${id}/sev1:s0a0/dm:U0ONCALL`;
    const lines = await waitFor(async () => {
      const mine = o.lines.filter((l) => l.op === 'page' && l.correlation_id === key);
      return mine.some((l) => l.outcome === 'sent') && mine;
    }, 30_000, 'the DM page\'s lines');
    const after = await o.scrape();

    const limited = { method: 'conversations.open', outcome: 'rate_limited' };
    expect(after.value('chatops_slack_api_calls_total', limited) - before.value('chatops_slack_api_calls_total', limited)).toBe(1);
    expect(after.value('chatops_slack_rate_limited_total', { method: 'conversations.open' }) - before.value('chatops_slack_rate_limited_total', { method: 'conversations.open' })).toBe(1);
    expect(after.value('chatops_pages_total', { outcome: 'retried' }) - before.value('chatops_pages_total', { outcome: 'retried' })).toBe(1);
    // The DM and the mention in the incidents channel.
    expect(after.value('chatops_pages_total', { outcome: 'sent' }) - before.value('chatops_pages_total', { outcome: 'sent' })).toBeGreaterThanOrEqual(2);
    expect(after.value('chatops_page_lag_seconds_count') - before.value('chatops_page_lag_seconds_count')).toBe(after.value('chatops_pages_total', { outcome: 'sent' }) - before.value('chatops_pages_total', { outcome: 'sent' }));
    expect(after.types.get('chatops_escalation_timers_due')).toBe('gauge');
    expect(after.text).toMatch(/^chatops_escalation_timers_due 0$/m);

    expect(lines.map((l) => l.outcome)).toEqual(['retry', 'sent']);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'page', incident: id, paged: 'on-call' });
    expect(lines[1]).toMatchObject({ level: 'info', msg: 'page', incident: id });
    for (const l of lines) expect(typeof l.duration_ms).toBe('number');
    expect(typeof lines[1]!.lag_ms).toBe('number');
  });

  it('the timers-due gauge counts the store\'s past-due timers no replica has claimed, at each scrape', async () => {
    const id = await latestIncidentId();
    const inserter = new pg.Client({ connectionString: storeUrl });
    const holder = new pg.Client({ connectionString: storeUrl });
    await inserter.connect();
    await holder.connect();
    try {
      // A timer past due, then held under a row lock at once (the engine sleeps up to 10 s between
      // passes, and its claim skips locked rows): a timer the engine cannot get to, as when it is stuck.
      const { rows } = await inserter.query<{ id: string }>(`INSERT INTO incident_timers (incident_id, point, epoch, due_at) VALUES ($1, 'stuck-test', 0, now() - interval '1 minute') RETURNING id::text AS id`, [id]);
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM incident_timers WHERE id = $1 FOR UPDATE', [rows[0]!.id]);
      expect((await o.scrape()).value('chatops_escalation_timers_due')).toBe(1);
      await holder.query('DELETE FROM incident_timers WHERE id = $1', [rows[0]!.id]);
      await holder.query('COMMIT');
      expect((await o.scrape()).value('chatops_escalation_timers_due')).toBe(0);
    } finally {
      await holder.end();
      await inserter.end();
    }
  });
});
