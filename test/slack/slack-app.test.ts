// The real bot (Bolt in HTTP mode, real PostgreSQL state store, real probe against a real server)
// driven by correctly signed Slack requests; its Web API calls go to a local fake Slack API.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { blockActionBody, postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, expectRunningThenReport, expectUnknownTargetReply, startTestBot } from '../support/test-bot.ts';
import { signAsBot } from '../support/press-button.ts';

const SECRET = 'test-signing-secret';
let slack: FakeSlackApi;
let bot: RunningBot;
let eventsUrl: string;
let base: string;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  bot = await startTestBot({ SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0' });
  base = `http://127.0.0.1:${bot.port}`;
  eventsUrl = `${base}/slack/events`;
});

afterAll(async () => {
  await bot?.stop();
  await slack?.close();
});

beforeEach(() => slack.reset());

const slash = (text: string, responseId = 'r1', command = '/diag') =>
  postSigned(eventsUrl, slashCommandBody({ command, text, responseUrl: slack.responseUrl(responseId) }), { secret: SECRET });


describe('/diag over HTTP', () => {
  it('acks at once, posts "running", then replaces it with the report, and audits the run', async () => {
    const res = await slash('db');
    expect(res.status).toBe(200);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'));
    expectRunningThenReport(slack);

    const client = new pg.Client({ connectionString: inject('pgUrl') });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT actor, channel, source, action, target, outcome, duration_ms FROM audit_log WHERE action = 'diag' ORDER BY id DESC LIMIT 1");
      expect(rows[0]).toMatchObject({ actor: 'U0ALICE', channel: 'C0OPS', source: 'slack', action: 'diag', target: 'main-db' });
      expect(['ok', 'warn', 'crit', 'unknown']).toContain(rows[0].outcome);
      expect(rows[0].duration_ms).toBeGreaterThanOrEqual(0);
    } finally {
      await client.end();
    }
  });

  it('answers an unknown target with an ephemeral message naming it and the valid ones', async () => {
    expect((await slash('nosuch')).status).toBe(200);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expectUnknownTargetReply(slack);
  });

  it('/diag alone lists the targets and kinds', async () => {
    await slash('');
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = callText(slack.callsTo('respond')[0]!);
    expect(reply).toContain('main-db');
    expect(reply).toContain('postgres');
    expect(reply).toContain('db');
  });

  it('falls back to response_url where the bot may not post', async () => {
    slack.failNext('chat.postMessage', 'not_in_channel');
    await slash('main-db', 'fallback');
    await slack.waitFor((calls) => calls.filter((c) => c.method === 'respond').length >= 2);
    const [running, report] = slack.callsTo('respond');
    expect(running!.args.response_type).toBe('in_channel');
    expect(report!.args.replace_original).toBe(true);
    expect(callText(report!)).toContain('main-db');
  });

  it('answers an unexpected failure with "internal error, see logs (ref ...)"', async () => {
    slack.failNext('chat.update', 'invalid_blocks');
    await slash('db', 'broken');
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = slack.callsTo('respond')[0]!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toMatch(/internal error, see logs \(ref [0-9a-f]{8}\)/);
  });

  it('rejects a forged signature and a stale timestamp with 401 and runs nothing', async () => {
    const body = slashCommandBody({ command: '/diag', text: 'db', responseUrl: slack.responseUrl() });
    const forged = await postSigned(eventsUrl, body, { secret: 'wrong-secret' });
    const stale = await postSigned(eventsUrl, body, { secret: SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.calls).toHaveLength(0);
  });
});

describe('/runbook and the runbook button', () => {
  it('/runbook <id> shows the runbook; an unknown id lists the valid ones', async () => {
    await slash('postgres-locks', 'rb', '/runbook');
    await slash('nope', 'rb2', '/runbook');
    await slack.waitFor((calls) => calls.filter((c) => c.method === 'respond').length >= 2);
    const byId = (id: string) => callText(slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(byId('rb')).toMatch(/lock/i);
    expect(byId('rb2')).toContain('unknown runbook \\"nope\\"');
    expect(byId('rb2')).toContain('postgres-locks');
  });

  it('the runbook button on a report answers with that runbook', async () => {
    const body = blockActionBody({ actionId: 'runbook:open', value: await signAsBot('runbook:open', 'postgres-connection-exhaustion'), responseUrl: slack.responseUrl('btn') });
    expect((await postSigned(eventsUrl, body, { secret: SECRET })).status).toBe(200);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = slack.callsTo('respond')[0]!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toMatch(/connection/i);
  });
});

describe('health endpoints', () => {
  it('/healthz and /readyz answer 200 when the store is up', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, reasons: [] });
  });
});
