// The report's "Re-enable webhook endpoint" button through the real bot (Bolt in HTTP mode, a fake
// Slack API) against the local Stripe API: /diag on a stripe target shows the disabled endpoint with
// its button; pressing it asks for confirmation, then re-enables the endpoint; pressing it again
// does not send Stripe a second POST; the run is audited without a secret; a button whose endpoint
// id was changed is not the bot's and is refused before anything reaches Stripe.
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { blockActionBody, slashCommandBody } from '../../support/signed-slack-request.ts';
import { answers, confirmationPrompt, signAsBot } from '../../support/press-button.ts';
import { callText, useHttpTestBot, type HttpTestBot } from '../../support/test-bot.ts';
import { unsealedValue } from '../../support/test-signer.ts';
import { FakeStripeApi } from './fake-stripe-api.ts';

const KEY = 'sk_test_51ButtonKeyAbcdef0123456789';
const SECRET = 'whsec_ButtonSigningSecret0123456789';
let api: FakeStripeApi;

const t = useHttpTestBot(async () => {
  api = await FakeStripeApi.start();
  api.keys.set(KEY, { livemode: false });
  return `targets:
  payments:
    kind: stripe
    apiKey: ${KEY}
    webhookSecret: ${SECRET}
    url: ${api.url}
    timeoutMs: 3000
access:
  stripe.*:
    users: [U0ALICE]
`;
});

afterAll(async () => {
  await api?.close();
});

interface Button {
  action_id: string;
  text: { text: string };
  value?: string;
  style?: string;
  confirm?: unknown;
}

/** Presses a button carrying this (bot-signed) value on message `ts`, and confirms it when the bot asks. */
async function pressAndConfirm(bot: HttpTestBot, button: Button, ts: string, responseId: string): Promise<void> {
  const before = bot.slack.calls.length;
  const res = await bot.send(blockActionBody({ actionId: button.action_id, value: button.value!, responseUrl: bot.slack.responseUrl(responseId), messageTs: ts }));
  expect(res.status).toBe(200);
  await bot.slack.waitFor((calls) => calls.slice(before).some((c) => confirmationPrompt([c], responseId) !== undefined || (c.method === 'respond' && c.responseId === responseId)));
  const prompt = confirmationPrompt(bot.slack.calls.slice(before), responseId);
  if (!prompt) return;
  await bot.send(blockActionBody({ actionId: 'confirm:run', value: prompt.run, responseUrl: bot.slack.responseUrl(responseId), messageTs: ts }));
}

describe('stripe: the re-enable button through the bot', () => {
  it('/diag shows the disabled endpoint with its button; pressed and confirmed, it is re-enabled; a second press sends no second POST', async () => {
    api.endpoints = [{ id: 'we_1Btn', url: 'https://shop.example.com/stripe/webhook', status: 'disabled', enabled_events: ['invoice.paid'] }];
    await t.send(slashCommandBody({ command: '/diag', text: 'payments', responseUrl: t.slack.responseUrl('d') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'), 15_000);
    const update = t.slack.callsTo('chat.update')[0]!;
    const blocks = update.args.blocks as Array<{ type: string; elements?: Button[] }>;
    const button = blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements ?? []).find((b) => b.action_id === 'remedy:stripe.enable_webhook_endpoint')!;
    expect(button.text.text).toBe('Re-enable webhook endpoint');
    expect(button.style).toBe('danger');
    expect(JSON.parse(unsealedValue(button.value!))).toEqual({ action: 'stripe.enable_webhook_endpoint', target: 'payments', params: { endpoint: 'we_1Btn' } });
    expect(callText(update)).not.toContain(KEY);
    expect(callText(update)).not.toContain(SECRET);
    expect(api.to('/v1/webhook_endpoints/we_1Btn', 'POST')).toHaveLength(0);

    const ts = String(update.args.ts);
    await pressAndConfirm(t, button, ts, 'first');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('we_1Btn')), 15_000);
    const outcome = t.slack.callsTo('chat.postMessage').find((c) => String(c.args.text).includes('we_1Btn'))!;
    expect(String(outcome.args.text)).toContain('ran Re-enable webhook endpoint on payments: webhook endpoint we_1Btn (https://shop.example.com/stripe/webhook) is enabled');
    expect(outcome.args.thread_ts).toBe(ts);
    expect(callText(outcome)).not.toContain(KEY);
    expect(callText(outcome)).not.toContain(SECRET);
    expect(api.endpoints[0]!.status).toBe('enabled');
    expect(api.to('/v1/webhook_endpoints/we_1Btn', 'POST')).toHaveLength(1);

    // The same button again: the bot says it was done; Stripe sees no second request of the action.
    const before = t.slack.calls.length;
    await pressAndConfirm(t, button, ts, 'second');
    await t.slack.waitFor((calls) => answers(t).some((c) => c.responseId === 'second') || calls.slice(before).some((c) => c.method === 'chat.postMessage'), 15_000);
    const second = answers(t).find((c) => c.responseId === 'second');
    expect(second && callText(second)).toMatch(/already (running|done)/);
    expect(api.to('/v1/webhook_endpoints/we_1Btn', 'POST')).toHaveLength(1);
    expect(api.to('/v1/webhook_endpoints/we_1Btn', 'GET')).toHaveLength(1);
  });

  it('the run is audited under the action with its endpoint, its outcome line, and no secret', async () => {
    const c = new pg.Client({ connectionString: inject('pgUrl') });
    await c.connect();
    try {
      const rows = (await c.query<{ outcome: string; target: string; params: unknown; detail: string | null }>("SELECT outcome, target, params, detail FROM audit_log WHERE action = 'stripe.enable_webhook_endpoint' AND params->>'endpoint' = 'we_1Btn' ORDER BY id")).rows;
      expect(rows.map((r) => r.outcome)).toContain('succeeded');
      expect(rows.find((r) => r.outcome === 'succeeded')).toMatchObject({ target: 'payments', params: { endpoint: 'we_1Btn' } });
      expect(JSON.stringify(rows)).not.toContain(KEY);
      expect(JSON.stringify(rows)).not.toContain(SECRET);
    } finally {
      await c.end();
    }
  });

  it('a button whose endpoint id was changed (not one the bot offered) is refused, and Stripe hears nothing of it', async () => {
    api.endpoints.push({ id: 'we_1Victim', url: 'https://other.example.com/hook', status: 'disabled', enabled_events: ['*'] });
    const offered = await signAsBot('remedy:stripe.enable_webhook_endpoint', JSON.stringify({ action: 'stripe.enable_webhook_endpoint', target: 'payments', params: { endpoint: 'we_1Btn' } }));
    const forged = offered.replace('we_1Btn', 'we_1Victim');
    const res = await t.send(blockActionBody({ actionId: 'remedy:stripe.enable_webhook_endpoint', value: forged, responseUrl: t.slack.responseUrl('forged'), messageTs: '1700000001.000100' }));
    expect(res.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'forged'), 15_000);
    expect(callText(t.slack.calls.find((c) => c.responseId === 'forged')!)).toContain('This button was changed or has expired');
    expect(confirmationPrompt(t.slack.calls, 'forged')).toBeUndefined();
    expect(api.requests.filter((r) => r.path.includes('we_1Victim'))).toHaveLength(0);
    expect(api.endpoints.find((e) => e.id === 'we_1Victim')!.status).toBe('disabled');
  });

  it('two presses confirmed at the same moment re-enable the endpoint with one POST; the other is told it is running or done', async () => {
    api.endpoints.push({ id: 'we_1Twice', url: 'https://twice.example.com/hook', status: 'disabled', enabled_events: ['*'] });
    api.overrides.set('/v1/webhook_endpoints/we_1Twice', { delayMs: 300 });
    const ts = '1700000002.000200';
    const value = await signAsBot('remedy:stripe.enable_webhook_endpoint', JSON.stringify({ action: 'stripe.enable_webhook_endpoint', target: 'payments', params: { endpoint: 'we_1Twice' } }), 'm1700000002000200');
    const prompts: Array<{ run: string }> = [];
    for (const id of ['a', 'b']) {
      const before = t.slack.calls.length;
      await t.send(blockActionBody({ actionId: 'remedy:stripe.enable_webhook_endpoint', value, responseUrl: t.slack.responseUrl(id), messageTs: ts }));
      await t.slack.waitFor((calls) => confirmationPrompt(calls.slice(before), id) !== undefined, 15_000);
      prompts.push(confirmationPrompt(t.slack.calls.slice(before), id)!);
    }
    // Stripe answers slowly (GET and POST alike), so the two runs would overlap.
    await Promise.all(prompts.map((p, i) => t.send(blockActionBody({ actionId: 'confirm:run', value: p.run, responseUrl: t.slack.responseUrl(`run${i}`), messageTs: ts }))));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && String(c.args.text).includes('we_1Twice')), 15_000);
    await t.slack.waitFor(() => answers(t).some((c) => c.responseId === 'run0' || c.responseId === 'run1'), 15_000);
    expect(api.to('/v1/webhook_endpoints/we_1Twice', 'POST')).toHaveLength(1);
    expect(callText(answers(t).find((c) => c.responseId === 'run0' || c.responseId === 'run1')!)).toMatch(/already (running|done)/);
    expect(api.endpoints.find((e) => e.id === 'we_1Twice')!.status).toBe('enabled');
  });

  it('markup in what Stripe answers (an error message, an endpoint URL) reaches Slack escaped: no mention, no link, no forged line', async () => {
    api.endpoints = [{ id: 'we_1Markup', url: 'https://shop.example.com/<!channel>/hook', status: 'disabled', enabled_events: ['invoice.paid'], description: 'ops\n*DISABLED* <!here> <https://evil.example.com|click>' }];
    api.overrides.set('/v1/payment_intents', { status: 500, body: { error: { type: 'api_error', message: '<!channel> pay now <https://evil.example.com|here>\n:white_check_mark: all fine' } } });
    try {
      await t.send(slashCommandBody({ command: '/diag', text: 'payments', responseUrl: t.slack.responseUrl('m') }));
      await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'), 15_000);
      const text = callText(t.slack.callsTo('chat.update').at(-1)!);
      expect(text).toContain('&lt;!channel&gt; pay now &lt;https://evil.example.com|here&gt;');
      expect(text).not.toMatch(/<!channel>|<!here>|<https:\/\/evil/);
      expect(text).toContain('https://shop.example.com/%3C!channel%3E/hook');
    } finally {
      api.overrides.clear();
    }
  });
});
