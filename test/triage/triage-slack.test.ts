// /triage through the real bot: a signed slash command, "Looking into…" posted and replaced by the
// answer (the failing health endpoint first, its evidence, the Runbook button), an audit row; the
// empty command refused with examples; and a report's Explain button, pressed with the value the
// bot signed, answered in the report's thread with the runbooks its findings confirm, while a
// value the bot did not sign is refused.
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../src/logger.ts';
import { reportMessage } from '../../src/render/report-message.ts';
import { parseConfig } from '../../src/config/load-config.ts';
import { runProbe } from '../../src/probes/run-probe.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import type { Intent } from '../../src/message/intent.ts';
import { FakeHttpServer } from '../probes/http/fake-http-services.ts';
import { pressButton } from '../support/press-button.ts';
import { blockActionBody, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';

let api: FakeHttpServer | undefined;

const t = useHttpTestBot(async () => {
  api = await FakeHttpServer.start({ '/health': { status: 503, body: 'upstream unavailable' } });
  return `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 10000
  shop-api:
    kind: http
    url: ${api.url}/health
    timeoutMs: 10000
`;
});

afterAll(async () => {
  await api?.close();
});

async function slash(text: string, responseId = 'r'): Promise<void> {
  const res = await t.send(slashCommandBody({ command: '/triage', text, responseUrl: t.slack.responseUrl(responseId) }));
  expect(res.status).toBe(200);
}

describe('/triage in Slack', () => {
  it('posts "Looking into…", replaces it with the failing endpoint as the likely cause, and audits the run', async () => {
    await slash('users see 503 errors');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update' && callText(c).includes('Triage')), 20_000);

    const [post] = t.slack.callsTo('chat.postMessage');
    expect(String(post!.args.text)).toContain('Looking into *users see 503 errors*');
    const answer = t.slack.callsTo('chat.update').at(-1)!;
    expect(answer.args.ts).toBeDefined();
    const text = callText(answer);
    expect(String(answer.args.text)).toMatch(/^:\w+: \d+% likely: Health endpoint failing/);
    expect(text).toMatch(/\d+% likely: Health endpoint failing, slow, or its certificate expiring/);
    expect(text).toContain('*shop-api*: ');
    expect(text).toContain('503');
    expect(text).toContain('runbook:open');
    expect(text).toMatch(/checked [^"]*shop-api/);
    expect(text).not.toContain('xoxb');

    const db = new pg.Client({ connectionString: inject('pgUrl') });
    await db.connect();
    try {
      const { rows } = await db.query("SELECT actor, channel, source, target, params, outcome FROM audit_log WHERE action = 'triage' AND params->>'text' = 'users see 503 errors' ORDER BY id DESC LIMIT 1");
      expect(rows[0]).toMatchObject({ actor: 'U0ALICE', channel: 'C0OPS', source: 'slack', outcome: 'crit' });
      expect(rows[0].target).toContain('shop-api');
    } finally {
      await db.end();
    }
  });

  it('refuses an empty symptom with examples, posting nothing', async () => {
    await slash('', 'empty');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'empty'));
    const reply = t.slack.callsTo('respond').find((c) => c.responseId === 'empty')!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toContain('describe what you see in a few words');
    expect(callText(reply)).toContain('/triage users see 504s');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('the Explain button of a report', () => {
  it('answers in the report\'s thread with the runbook its findings confirm, from the signed value', async () => {
    const config = parseConfig({ targets: { 'shop-api': { kind: 'http', url: `${api!.url}/health`, timeoutMs: 10_000 } } }, 'explain.yml', {});
    const report = await runProbe(config.targets[0]!, { log: silentLogger() });
    expect(report.status).toBe('crit');
    const message = reportMessage(report, { budget: SLACK_BUDGET, explain: true });
    const button = message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : [])).find((b) => b.label === 'Explain');
    expect(button?.intent).toMatchObject({ intent: 'triage.explain', report: { target: 'shop-api', kind: 'http' } });
    const { actionId, value } = encodeIntent(button!.intent as Intent);

    const res = await pressButton(t, actionId, value, { responseId: 'explain', channelId: 'C0OPS', messageTs: '1700000009.000100' });
    expect(res.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));

    const answer = t.slack.callsTo('chat.postMessage')[0]!;
    expect(answer.args).toMatchObject({ channel: 'C0OPS', thread_ts: '1700000009.000100' });
    const text = callText(answer);
    expect(text).toContain('Explain: shop-api');
    expect(text).toMatch(/\d+% likely: Health endpoint failing/);
    expect(text).toContain('http.status');
  });

  it('is on a /diag report in Slack, and pressing it as posted answers in that report\'s thread', async () => {
    const res = await t.send(slashCommandBody({ command: '/diag', text: 'shop-api', responseUrl: t.slack.responseUrl('diag') }));
    expect(res.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'), 20_000);
    const report = t.slack.callsTo('chat.update').at(-1)!;
    const elements = (report.args.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));
    const explain = elements.find((e) => e.action_id === 'triage:explain');
    expect(explain?.value).toBeDefined();
    t.slack.reset();

    // The value exactly as the bot signed it into the report.
    await t.send(blockActionBody({ actionId: explain!.action_id!, value: explain!.value!, responseUrl: t.slack.responseUrl('pressed'), messageTs: String(report.args.ts) }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));

    const answer = t.slack.callsTo('chat.postMessage')[0]!;
    expect(answer.args).toMatchObject({ channel: 'C0OPS', thread_ts: String(report.args.ts) });
    expect(callText(answer)).toMatch(/\d+% likely: Health endpoint failing/);
  });

  it('refuses a value the bot did not sign, and one of the wrong shape', async () => {
    const forged = JSON.stringify({ report: { target: 'shop-api', kind: 'http', findings: [{ check: 'http.status', status: 'crit', title: 'HTTP 503' }], ok: [] } });
    await t.send(blockActionBody({ actionId: 'triage:explain', value: forged, responseUrl: t.slack.responseUrl('forged') }));
    await pressButton(t, 'triage:explain', JSON.stringify({ report: { target: 'shop-api', kind: 'http', findings: [{ check: 'http.status', status: 'dire', title: 'x' }], ok: [] } }), { responseId: 'shape' });
    await t.slack.waitFor((calls) => ['forged', 'shape'].every((id) => calls.some((c) => c.method === 'respond' && c.responseId === id)));
    const byId = (id: string) => callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(byId('forged')).toContain('This button was changed or has expired');
    expect(byId('shape')).toContain('This Explain button is not valid: a finding is not {check, status (one of ok, warn, crit, unknown), title}');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
