// The stripe kind against a local Stripe API (fake-stripe-api.ts) reached by the official SDK
// through its host/port/protocol options: every check healthy and broken, the key's mode and
// permissions, timeouts, a 500, an answer that is not JSON, pagination and its bound, and keys that
// never reach a finding.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stripeKind } from '../../../src/probes/stripe/stripe-kind.ts';
import type { Finding } from '../../../src/report.ts';
import { findingOf, runKind, statuses, type RunOptions } from '../http/probe-helpers.ts';
import { FakeStripeApi } from './fake-stripe-api.ts';

const LIVE_KEY = 'sk_live_51FakeLiveKeyAbcdefGHIJ0123456789';
const TEST_KEY = 'sk_test_51FakeTestKeyAbcdefGHIJ0123456789';
const RESTRICTED = 'rk_live_51FakeRestrictedKeyXYZ0123456789';
const SECRET = 'whsec_FakeSigningSecret0123456789abcdef';

let api: FakeStripeApi;
beforeEach(async () => {
  api = await FakeStripeApi.start();
  api.keys.set(LIVE_KEY, { livemode: true });
  api.keys.set(TEST_KEY, { livemode: false });
});
afterEach(async () => {
  await api.close();
});

interface Keys {
  apiKey?: string;
  webhookSecret?: string;
  maxObjects?: number;
  minPaymentAttempts?: number;
}

function run(keys: Keys = {}, options: RunOptions = {}): Promise<Finding[]> {
  const parsed = stripeKind.targetSchema.parse({ apiKey: LIVE_KEY, webhookSecret: SECRET, url: api.url, ...keys });
  return runKind(stripeKind, parsed, options);
}

/** A healthy account: one enabled endpoint listening to what is emitted, events delivered, payments succeeding. */
function healthy(): void {
  api.endpoints = [{ id: 'we_1Main', url: 'https://shop.example.com/stripe/webhook', status: 'enabled', enabled_events: ['payment_intent.succeeded', 'invoice.paid'] }];
  api.events = [
    { id: 'evt_1', type: 'payment_intent.succeeded', ageS: 300 },
    { id: 'evt_2', type: 'invoice.paid', ageS: 600 },
  ];
  api.paymentIntents = Array.from({ length: 20 }, (_, i) => ({ id: `pi_ok${i}`, status: 'succeeded', ageS: 60 + i }));
}

const all = (findings: Finding[]) => JSON.stringify(findings);

describe('stripe probe', () => {
  it('a healthy live account: every check ok, the mode stated, the key sent as Bearer, read with bounded pages', async () => {
    healthy();
    const findings = await run();
    expect(statuses(findings)).toEqual({
      'stripe.auth': 'ok',
      'stripe.webhook_endpoints': 'ok',
      'stripe.undelivered_events': 'ok',
      'stripe.payment_failures': 'ok',
      'stripe.webhook_secret': 'ok',
    });
    expect(findingOf(findings, 'stripe.auth').title).toMatch(/^Live-mode secret key works: GET \/v1\/balance answered in \d+ ms$/);
    expect(findingOf(findings, 'stripe.webhook_endpoints').title).toBe('1 live-mode webhook endpoint, all enabled');
    expect(findingOf(findings, 'stripe.undelivered_events').metrics).toEqual({ undelivered: 0, pending_webhooks: 0 });
    expect(findingOf(findings, 'stripe.payment_failures')).toMatchObject({ title: '0 of 20 payments failed in the last hour (0%)', metrics: { failure_pct: 0, attempts: 20 } });
    expect(api.requests.every((r) => r.authorization === `Bearer ${LIVE_KEY}`)).toBe(true);
    const undelivered = api.to('/v1/events').find((r) => r.query.get('delivery_success') === 'false')!;
    expect(Number(undelivered.query.get('created[gte]'))).toBeGreaterThan(Date.now() / 1000 - 3700);
    expect(undelivered.query.get('limit')).toBe('100');
    // The endpoint list is read once, though two checks use it.
    expect(api.to('/v1/webhook_endpoints')).toHaveLength(1);
    expect(all(findings)).not.toContain(LIVE_KEY);
    expect(all(findings)).not.toContain(SECRET);
  });

  it('a test key is said to be test mode', async () => {
    healthy();
    const findings = await run({ apiKey: TEST_KEY });
    expect(findingOf(findings, 'stripe.auth').title).toMatch(/^Test-mode secret key works/);
    expect(findingOf(findings, 'stripe.auth').metrics).toMatchObject({ livemode: 0 });
    expect(findingOf(findings, 'stripe.webhook_endpoints').title).toBe('1 test-mode webhook endpoint, all enabled');
  });

  describe('auth', () => {
    it('an invalid key is critical (401); the other API checks are unknown for that reason; the secret check still runs', async () => {
      healthy();
      const findings = await run({ apiKey: 'sk_live_51WrongKeyWrongKeyWrong000' });
      const auth = findingOf(findings, 'stripe.auth');
      expect(auth.status).toBe('crit');
      expect(auth.title).toBe('Stripe refuses the live-mode secret key (HTTP 401): Invalid API Key provided: sk_live_*** (request req_fake1)');
      expect(auth.fix).toContain('Developers > API keys');
      for (const id of ['stripe.webhook_endpoints', 'stripe.undelivered_events', 'stripe.payment_failures']) {
        expect(findingOf(findings, id)).toMatchObject({ status: 'unknown', title: expect.stringContaining('could not check (Stripe refused the API key (HTTP 401))') });
      }
      expect(findingOf(findings, 'stripe.webhook_secret').status).toBe('ok');
      expect(api.requests.map((r) => r.path)).toEqual(['/v1/balance']);
    });

    it('a server that echoes the whole key in its error: the key reaches no finding', async () => {
      api.echoKey = true;
      const key = 'sk_live_51EchoedKeyMustNotLeak0123456789';
      const findings = await run({ apiKey: key });
      expect(findingOf(findings, 'stripe.auth').status).toBe('crit');
      expect(findingOf(findings, 'stripe.auth').title).toContain('Invalid API Key provided');
      expect(all(findings)).not.toContain(key);
      expect(all(findings)).not.toContain('EchoedKeyMustNotLeak');
    });

    it('a restricted key lacking the balance permission is valid: said so, and each check tries its own endpoint, naming what it lacks', async () => {
      healthy();
      api.keys.set(RESTRICTED, { livemode: true, permissions: ['rak_event_read', 'rak_payment_intent_read'] });
      const findings = await run({ apiKey: RESTRICTED });
      const auth = findingOf(findings, 'stripe.auth');
      expect(auth.status).toBe('ok');
      expect(auth.title).toBe('Live-mode restricted key is valid: it lacks rak_balance_read, so the balance was not read; each check tries its own endpoint');
      const endpoints = findingOf(findings, 'stripe.webhook_endpoints');
      expect(endpoints.status).toBe('unknown');
      expect(endpoints.title).toContain("GET /v1/webhook_endpoints answered HTTP 403 (invalid_request_error): The provided key 'rk_live_***' does not have the required permissions");
      expect(endpoints.fix).toContain('the restricted key lacks rak_webhook_endpoint_read');
      expect(findingOf(findings, 'stripe.payment_failures').status).toBe('ok');
      // Undelivered events are read; only which endpoints they were bound for is unknown.
      expect(findingOf(findings, 'stripe.undelivered_events').status).toBe('ok');
      expect(all(findings)).not.toContain('51FakeRestricted');
    });

    it('a restricted key refused for another reason than a named permission (an IP it may not be used from) is not called valid', async () => {
      healthy();
      api.overrides.set('/v1/balance', { status: 403, body: { error: { type: 'invalid_request_error', message: 'The provided key does not allow requests from your IP address 203.0.113.9.' } } });
      const auth = findingOf(await run({ apiKey: RESTRICTED }), 'stripe.auth');
      expect(auth.status).toBe('crit');
      expect(auth.title).toBe('Stripe refuses the live-mode restricted key (HTTP 403): The provided key does not allow requests from your IP address 203.0.113.9. (request req_fake500)');
    });

    it('a rate-limited key (429) is a warning, and the other checks still run', async () => {
      healthy();
      api.overrides.set('/v1/balance', { status: 429, body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } } });
      const findings = await run();
      expect(findingOf(findings, 'stripe.auth')).toMatchObject({ status: 'warn', title: 'The live-mode secret key is rate limited (HTTP 429): Too many requests hit the API too quickly. (request req_fake500)' });
      expect(findingOf(findings, 'stripe.webhook_endpoints').status).toBe('ok');
    });

    it('a 400 with code rate_limit is the SDK\'s StripeRateLimitError: a rate-limited key (warning), not a refused request', async () => {
      healthy();
      api.overrides.set('/v1/balance', { status: 400, body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'This object cannot be accessed right now because another API request or Stripe process is currently accessing it.' } } });
      const auth = findingOf(await run(), 'stripe.auth');
      expect(auth.status).toBe('warn');
      expect(auth.title).toMatch(/^The live-mode secret key is rate limited \(HTTP 400\): This object cannot be accessed right now/);
    });

    it('an error body\'s type and code are shown only when they are Stripe\'s snake_case words: no markup, lines or key forms from an answer', async () => {
      healthy();
      api.overrides.set('/v1/payment_intents', { status: 500, body: { error: { type: 'api_error\nDISABLED we_fake <!channel>', code: 'sk_live_****9999', message: 'An unknown error occurred' } } });
      const pf = findingOf(await run(), 'stripe.payment_failures');
      expect(pf.status).toBe('unknown');
      expect(pf.title).toBe('Payment failures: could not check (GET /v1/payment_intents answered HTTP 500: An unknown error occurred (request req_fake500))');
    });

    it('a connection closed without an answer is one request (no retry), the check unknown naming it', async () => {
      healthy();
      api.overrides.set('/v1/payment_intents', { reset: true });
      const findings = await run();
      expect(findingOf(findings, 'stripe.payment_failures')).toMatchObject({ status: 'unknown', title: expect.stringContaining('GET /v1/payment_intents failed') });
      expect(api.to('/v1/payment_intents')).toHaveLength(1);
    });

    it('a run cancelled while Stripe has not answered: unknown, saying so, never critical', async () => {
      healthy();
      api.overrides.set('/v1/balance', { delayMs: 10_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 200);
      const findings = await run({}, { signal: controller.signal, timeoutMs: 5_000 });
      expect(findingOf(findings, 'stripe.auth')).toMatchObject({ status: 'unknown', title: 'Not checked: the probe was cancelled before Stripe answered' });
      expect(findings.some((f) => f.status === 'crit')).toBe(false);
    });

    it('a key with a line break inside (which Node would quote in its header error) is the bot\'s configuration: nothing is sent, nothing of it shown', async () => {
      const key = 'sk_live_51FirstHalfOfKey\nSecondHalfOfTheKey0123';
      const findings = await run({ apiKey: key });
      expect(findingOf(findings, 'stripe.auth')).toMatchObject({ status: 'unknown', config: true, title: expect.stringContaining('line break') });
      expect(api.requests).toHaveLength(0);
      expect(all(findings)).not.toContain('SecondHalfOfTheKey');
      expect(all(findings)).not.toContain('FirstHalfOfKey');
    });

    it('a publishable key is the bot\'s configuration, and nothing is called', async () => {
      const findings = await run({ apiKey: 'pk_live_51Publishable0123456789' });
      expect(findingOf(findings, 'stripe.auth')).toMatchObject({ status: 'unknown', config: true, title: expect.stringContaining('publishable key') });
      expect(api.requests).toHaveLength(0);
    });

    it('a 500 from the API is critical for auth, with the status; a 500 on one list is that check\'s unknown', async () => {
      healthy();
      api.overrides.set('/v1/balance', { status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } });
      let findings = await run();
      expect(findingOf(findings, 'stripe.auth')).toMatchObject({ status: 'crit', title: 'The key could not be checked: GET /v1/balance answered HTTP 500 (api_error): An unknown error occurred (request req_fake500)' });
      expect(findingOf(findings, 'stripe.payment_failures').status).toBe('ok');

      api.overrides.clear();
      api.requests.length = 0;
      api.overrides.set('/v1/payment_intents', { status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } });
      findings = await run();
      expect(findingOf(findings, 'stripe.auth').status).toBe('ok');
      const pf = findingOf(findings, 'stripe.payment_failures');
      expect(pf).toMatchObject({ status: 'unknown', title: 'Payment failures: could not check (GET /v1/payment_intents answered HTTP 500 (api_error): An unknown error occurred (request req_fake500))' });
      expect(pf.fix).toContain('status.stripe.com');
      // One call each: no retries.
      expect(api.to('/v1/payment_intents')).toHaveLength(1);
    });

    it('an answer that is not JSON (a proxy\'s error page) is a finding with its status, not a crash', async () => {
      healthy();
      api.overrides.set('/v1/events', { status: 502, body: '<html><title>502 Bad Gateway</title></html>' });
      const findings = await run();
      const undelivered = findingOf(findings, 'stripe.undelivered_events');
      expect(undelivered.status).toBe('unknown');
      expect(undelivered.title).toBe("Undelivered events: could not check (GET /v1/events (delivery_success=false) answered HTTP 502 with something that is not Stripe's JSON (the answer is not JSON: <html><title>502 Bad Gateway</title></html>))");
      expect(undelivered.fix).toContain("check the target's url");

      api.overrides.set('/v1/events', { status: 200, body: { object: 'list', data: 'nope', has_more: false } });
      const shape = findingOf(await run(), 'stripe.undelivered_events');
      expect(shape.title).toContain('answered HTTP 200 with something that is not Stripe\'s JSON (unexpected shape at data');
    });

    it('an API that does not answer in time: auth critical naming the call; a slow list is its check\'s unknown naming it', async () => {
      healthy();
      api.overrides.set('/v1/balance', { delayMs: 10_000 });
      let findings = await run({}, { timeoutMs: 700 });
      expect(findingOf(findings, 'stripe.auth')).toMatchObject({ status: 'crit', title: 'Stripe API unreachable: GET /v1/balance did not answer: no answer within 700 ms' });
      expect(findingOf(findings, 'stripe.payment_failures')).toMatchObject({ status: 'unknown', title: expect.stringContaining('the Stripe API did not answer GET /v1/balance (timeout)') });

      api.overrides.clear();
      api.overrides.set('/v1/payment_intents', { delayMs: 10_000 });
      findings = await run({}, { timeoutMs: 700 });
      expect(findingOf(findings, 'stripe.auth').status).toBe('ok');
      expect(findingOf(findings, 'stripe.payment_failures')).toMatchObject({ status: 'unknown', title: 'Payment failures: could not check (GET /v1/payment_intents did not answer: no answer within 700 ms)' });
      expect(findingOf(findings, 'stripe.webhook_endpoints').status).toBe('ok');
    });
  });

  describe('webhook_endpoints', () => {
    it('a disabled endpoint is critical with its URL, events and a button to re-enable it', async () => {
      healthy();
      api.endpoints.push({ id: 'we_2Old', url: 'https://old.example.com/hooks?token=abcdef0123456789abcdef', status: 'disabled', enabled_events: ['invoice.paid', 'customer.subscription.deleted'] });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f.status).toBe('crit');
      expect(f.title).toBe('Live-mode webhook endpoint disabled: https://old.example.com/hooks (we_2Old); Stripe sends it nothing');
      expect(f.detail).toContain('DISABLED we_2Old https://old.example.com/hooks: listens to invoice.paid, customer.subscription.deleted');
      expect(f.detail).not.toContain('token=');
      expect(f.remedies).toEqual([{ action: 'stripe.enable_webhook_endpoint', label: 'Re-enable webhook endpoint', params: { endpoint: 'we_2Old' } }]);
      expect(f.fix).toContain('fix the receiver first');
      expect(f.metrics).toMatchObject({ endpoints: 2, disabled: 1 });
    });

    it('an enabled endpoint listening to none of the event types emitted in the last 30 days is a warning; one listening to * never is', async () => {
      healthy();
      api.endpoints.push({ id: 'we_3Deaf', url: 'https://crm.example.com/in', status: 'enabled', enabled_events: ['charge.dispute.created'] });
      api.endpoints.push({ id: 'we_4All', url: 'https://log.example.com/all', status: 'enabled', enabled_events: ['*'] });
      // Older than the 30 days Stripe lists: not seen.
      api.events.push({ id: 'evt_ancient', type: 'charge.dispute.created', ageS: 40 * 24 * 3600 });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f.status).toBe('warn');
      expect(f.title).toBe('1 of 3 live-mode webhook endpoints listen to none of the event types the account emitted in the last 30 days: https://crm.example.com/in');
      expect(f.detail).toContain('listens to none of the event types emitted in the last 30 days: we_3Deaf https://crm.example.com/in: charge.dispute.created');
      expect(f.metrics).toMatchObject({ endpoints: 3, disabled: 0, deaf: 1 });
      // Asked by type (types[0]=...), never about the * endpoint.
      const asked = api.to('/v1/events').map((r) => r.query.get('types[0]'));
      expect(asked).toContain('charge.dispute.created');
      expect(asked).not.toContain('*');
    });

    it('an endpoint whose types were emitted in the last 30 days is not deaf, whatever the last day held; asked with types[] as the SDK sends it', async () => {
      healthy();
      api.endpoints.push({ id: 'we_6Monthly', url: 'https://billing.example.com/in', status: 'enabled', enabled_events: ['invoice.upcoming', 'invoice.finalized'] });
      api.events.push({ id: 'evt_up', type: 'invoice.upcoming', ageS: 5 * 24 * 3600 });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f.status).toBe('ok');
      const asked = api.to('/v1/events').filter((r) => r.query.get('types[0]') !== null);
      expect(asked.map((r) => [r.query.get('types[0]'), r.query.get('types[1]'), r.query.get('limit')])).toContainEqual(['invoice.upcoming', 'invoice.finalized', '1']);
      expect(Number(asked[0]!.query.get('created[gte]'))).toBeLessThan(Date.now() / 1000 - 29 * 24 * 3600);
    });

    it('an endpoint with more than 20 types (Stripe\'s types[] limit) is asked in chunks of 20', async () => {
      healthy();
      const types = Array.from({ length: 25 }, (_, i) => `custom.type_${i}`);
      api.endpoints = [{ id: 'we_9Many', url: 'https://many.example.com/in', status: 'enabled', enabled_events: types }];
      api.events.push({ id: 'evt_t23', type: 'custom.type_23', ageS: 3 * 24 * 3600 });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f.status).toBe('ok');
      const asked = api.to('/v1/events').filter((r) => r.query.get('types[0]') !== null);
      expect(asked.map((r) => [...r.query.keys()].filter((k) => k.startsWith('types[')).length)).toEqual([20, 5]);
    });

    it('the deaf rule never stops at a bound: many events in the last day do not hide a type emitted earlier', async () => {
      healthy();
      for (let i = 0; i < 150; i++) api.events.push({ id: `evt_b${String(i).padStart(3, '0')}`, type: 'payment_intent.succeeded', ageS: 60 + i });
      api.events.push({ id: 'evt_inv', type: 'invoice.paid', ageS: 20 * 3600 });
      api.endpoints = [{ id: 'we_7Inv', url: 'https://billing.example.com/in', status: 'enabled', enabled_events: ['invoice.paid'] }];
      expect(findingOf(await run({ maxObjects: 100 }), 'stripe.webhook_endpoints').status).toBe('ok');
    });

    it('an event list that fails while asking what an endpoint hears: said so, and the endpoint is not called deaf', async () => {
      healthy();
      api.overrides.set('/v1/events', { status: 500, body: { error: { type: 'api_error', message: 'An unknown error occurred' } } });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f.status).toBe('ok');
      expect(f.metrics).toMatchObject({ deaf: 0 });
      expect(f.detail).toContain('Whether we_1Main listens to what the account emits is unknown: GET /v1/events (types payment_intent.succeeded, invoice.paid) answered HTTP 500 (api_error)');
    });

    it('a Connect endpoint (connected accounts\' events, not listed by the account\'s /v1/events) is never called deaf', async () => {
      healthy();
      api.endpoints.push({ id: 'we_8Connect', url: 'https://platform.example.com/connect', status: 'enabled', enabled_events: ['account.updated'], application: 'ca_1Platform' });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f.status).toBe('ok');
      expect(f.detail).toContain("we_8Connect https://platform.example.com/connect: account.updated (Connect: connected accounts' events, not judged)");
    });

    it('endpoint fields from the answer are shown on one line each, bounded: a description cannot forge a line', async () => {
      healthy();
      api.endpoints.push({ id: 'we_9Odd', url: 'https://odd.example.com/in', status: 'disabled', enabled_events: ['invoice.paid'], description: `ops\nDISABLED we_forged https://evil.example.com\u0007 ${'x'.repeat(5000)}` });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f.status).toBe('crit');
      expect(f.detail!.split('\n').filter((l) => l.startsWith('DISABLED'))).toHaveLength(1);
      expect(f.detail).not.toContain('\u0007');
      expect(f.detail!.length).toBeLessThan(2000);
    });

    it('no endpoints: ok, said plainly; a warning when a signing secret is configured', async () => {
      expect(findingOf(await run({ webhookSecret: undefined }), 'stripe.webhook_endpoints')).toMatchObject({ status: 'ok', title: 'No live-mode webhook endpoints on this account: Stripe delivers no events by webhook' });
      const f = findingOf(await run(), 'stripe.webhook_endpoints');
      expect(f).toMatchObject({ status: 'warn', title: 'No live-mode webhook endpoints on this account, yet a webhook signing secret is configured' });
    });

    it('endpoints over several pages are all read (starting_after), up to the bound, then "at least"', async () => {
      api.endpoints = Array.from({ length: 230 }, (_, i) => ({ id: `we_p${String(i).padStart(3, '0')}`, url: `https://h${i}.example.com/w`, status: 'enabled' as const, enabled_events: ['*'], created: 1_700_000_000 + i }));
      api.endpoints[5]!.status = 'disabled';
      const f = findingOf(await run({ maxObjects: 1000 }), 'stripe.webhook_endpoints');
      expect(f.metrics).toMatchObject({ endpoints: 230, disabled: 1 });
      const pages = api.to('/v1/webhook_endpoints');
      expect(pages.map((r) => r.query.get('starting_after'))).toEqual([null, 'we_p130', 'we_p030']);

      api.requests.length = 0;
      const bounded = findingOf(await run({ maxObjects: 150 }), 'stripe.webhook_endpoints');
      // The disabled one is past the bound: not seen, so "all enabled" cannot be said.
      expect(bounded.status).toBe('unknown');
      expect(bounded.title).toBe('At least 150 live-mode webhook endpoints: the 150 read are enabled, the rest were not read (maxObjects)');
      expect(bounded.fix).toContain('maxObjects');
      expect(api.to('/v1/webhook_endpoints').map((r) => r.query.get('limit'))).toEqual(['100', '50']);
    });
  });

  describe('undelivered_events', () => {
    it('undelivered events of the last hour: a warning with count, types, oldest, pending webhooks and the endpoints, inferred', async () => {
      healthy();
      api.endpoints.push({ id: 'we_5Crm', url: 'https://crm.example.com/in', status: 'enabled', enabled_events: ['customer.created'] });
      api.events.push(
        { id: 'evt_u1', type: 'invoice.paid', ageS: 420, undelivered: true, pending_webhooks: 1 },
        { id: 'evt_u2', type: 'invoice.paid', ageS: 1830, undelivered: true, pending_webhooks: 2 },
        { id: 'evt_u3', type: 'payment_intent.succeeded', ageS: 600, undelivered: true, pending_webhooks: 1 },
        // Older than the hour: left to Stripe's retries, not counted.
        { id: 'evt_old', type: 'invoice.paid', ageS: 7200, undelivered: true },
      );
      const f = findingOf(await run(), 'stripe.undelivered_events');
      expect(f.status).toBe('warn');
      expect(f.title).toBe('3 webhook events not delivered in the last hour: 2 × invoice.paid, 1 × payment_intent.succeeded');
      expect(f.detail).toContain('Oldest: evt_u2 (invoice.paid), created 30 min ago');
      expect(f.detail).toContain('Webhooks still pending for these events: 4');
      expect(f.detail).toContain('Bound for (inferred: the enabled endpoints listening to these types; an event does not name the endpoint that failed): we_1Main https://shop.example.com/stripe/webhook');
      expect(f.detail).not.toContain('we_5Crm');
      expect(f.detail).toContain('Stripe retries live-mode deliveries for up to 3 days');
      expect(f.metrics).toEqual({ undelivered: 3, pending_webhooks: 4 });
      expect(f.fix).toContain('bin/chatops stripe verify-signature');
    });

    it('events bound for a disabled endpoint name it as disabled; events no endpoint listens to say so', async () => {
      healthy();
      api.endpoints.push({ id: 'we_9Off', url: 'https://billing.example.com/hook', status: 'disabled', enabled_events: ['invoice.payment_failed'] });
      api.events.push({ id: 'evt_d1', type: 'invoice.payment_failed', ageS: 900, undelivered: true, pending_webhooks: 1 });
      const f = findingOf(await run(), 'stripe.undelivered_events');
      expect(f.status).toBe('warn');
      expect(f.detail).toContain('Disabled, sent nothing until re-enabled (stripe.webhook_endpoints): we_9Off https://billing.example.com/hook');
      expect(f.detail).not.toContain('Bound for');
      expect(f.detail).not.toContain('we_1Main');

      api.endpoints = api.endpoints.filter((e) => e.id !== 'we_9Off');
      const g = findingOf(await run(), 'stripe.undelivered_events');
      expect(g.detail).toContain('No endpoint listens to these types now');
      expect(g.detail).not.toContain('Disabled, sent nothing');
    });

    it('events of the last few minutes that Stripe is still delivering (delivery_success=false lists them too) are not counted', async () => {
      healthy();
      api.events.push({ id: 'evt_flight', type: 'invoice.paid', ageS: 20, undelivered: true, pending_webhooks: 1 });
      const f = findingOf(await run(), 'stripe.undelivered_events');
      expect(f).toMatchObject({ status: 'ok', metrics: { undelivered: 0 } });
      const asked = api.to('/v1/events').find((r) => r.query.get('delivery_success') === 'false')!;
      expect(Number(asked.query.get('created[lte]'))).toBeLessThanOrEqual(Date.now() / 1000 - 299);
    });

    it('many undelivered events are critical; pages are followed and the bound says "at least"', async () => {
      healthy();
      for (let i = 0; i < 260; i++) api.events.push({ id: `evt_m${String(i).padStart(3, '0')}`, type: 'invoice.paid', ageS: 400 + i, undelivered: true });
      let f = findingOf(await run(), 'stripe.undelivered_events');
      expect(f.status).toBe('crit');
      expect(f.metrics).toMatchObject({ undelivered: 260 });
      expect(api.to('/v1/events').filter((r) => r.query.get('delivery_success') === 'false')).toHaveLength(3);

      f = findingOf(await run({ maxObjects: 40 }), 'stripe.undelivered_events');
      expect(f.title).toMatch(/^at least 40 webhook events not delivered in the last hour/);
      expect(f.status).toBe('warn'); // 40 is under the default crit of 50: the bound keeps it honest, not louder
    });

    it('a page with more objects than asked for is cut at the bound ("at least"), never counted whole', async () => {
      healthy();
      const data = Array.from({ length: 3000 }, (_, i) => ({ id: `evt_h${i}`, object: 'event', created: Math.floor(Date.now() / 1000) - 60, pending_webhooks: 1, type: 'invoice.paid', livemode: true, data: { object: {} } }));
      api.overrides.set('/v1/events', { body: { object: 'list', data, has_more: false, url: '/v1/events' } });
      const f = findingOf(await run({ maxObjects: 40 }), 'stripe.undelivered_events');
      expect(f.title).toMatch(/^at least 40 webhook events not delivered/);
      expect(f.metrics).toMatchObject({ undelivered: 40 });
    });

    it('an answer larger than 32 MB is not read further: the check is unknown, saying so', async () => {
      healthy();
      api.overrides.set('/v1/events', { body: { object: 'list', data: [], has_more: false, url: '/v1/events', padding: 'x'.repeat(33 * 1024 * 1024) } });
      const f = findingOf(await run({}, { timeoutMs: 10_000 }), 'stripe.undelivered_events');
      expect(f).toMatchObject({ status: 'unknown', title: "Undelivered events: could not check (GET /v1/events (delivery_success=false) answered HTTP 200 with something that is not Stripe's JSON (larger than 32 MB, not read further))" });
    });

    it('a bound below the warning threshold is never an ok: "at least N" is unknown', async () => {
      healthy();
      for (let i = 0; i < 60; i++) api.events.push({ id: `evt_w${String(i).padStart(3, '0')}`, type: 'invoice.paid', ageS: 400 + i, undelivered: true });
      const f = findingOf(await run({ maxObjects: 40 }, { thresholds: { undelivered_events: { warn: 100, crit: 200 } } }), 'stripe.undelivered_events');
      expect(f.status).toBe('unknown');
      expect(f.title).toMatch(/^at least 40 webhook events not delivered in the last hour/);
      expect(f.fix).toContain('maxObjects');
    });

    it('numbers an answer cannot mean (negative pending webhooks) make the check unknown, not a count', async () => {
      healthy();
      api.events.push({ id: 'evt_neg', type: 'invoice.paid', ageS: 400, undelivered: true, pending_webhooks: -5 });
      const f = findingOf(await run(), 'stripe.undelivered_events');
      expect(f.status).toBe('unknown');
      expect(f.title).toContain('unexpected shape at data.0.pending_webhooks');
    });

    it('thresholds are counts of events, overridable', async () => {
      healthy();
      api.events.push({ id: 'evt_x', type: 'invoice.paid', ageS: 400, undelivered: true });
      expect(findingOf(await run({}, { thresholds: { undelivered_events: { warn: 5, crit: 10 } } }), 'stripe.undelivered_events').status).toBe('ok');
      expect(stripeKind.checks.find((c) => c.name === 'undelivered_events')!.thresholds).toEqual({ warn: 1, crit: 50, unit: 'events undelivered in the last hour' });
    });
  });

  describe('payment_failures', () => {
    const fail = (id: string, type: string, extra: { code?: string; decline_code?: string; message?: string } = {}, status = 'requires_payment_method', ageS = 100) =>
      ({ id, status, ageS, error: { type, ...extra } });

    it('card declines over the warning rate: grouped by decline code; failure_pct in percent', async () => {
      healthy();
      api.paymentIntents = [
        ...Array.from({ length: 16 }, (_, i) => ({ id: `pi_s${i}`, status: 'succeeded', ageS: 100 })),
        { id: 'pi_auth', status: 'requires_capture', ageS: 100 },
        ...Array.from({ length: 2 }, (_, i) => fail(`pi_d${i}`, 'card_error', { code: 'card_declined', decline_code: 'insufficient_funds' })),
        fail('pi_f1', 'card_error', { code: 'expired_card' }, 'canceled'),
        // In progress or never attempted: not counted either way.
        { id: 'pi_p1', status: 'requires_action', ageS: 50 },
        { id: 'pi_p2', status: 'requires_payment_method', ageS: 50 },
        // Created over an hour ago: outside the window.
        fail('pi_old', 'card_error', { decline_code: 'fraudulent' }),
      ];
      api.paymentIntents.at(-1)!.ageS = 4000;
      const f = findingOf(await run(), 'stripe.payment_failures');
      expect(f.status).toBe('warn');
      expect(f.title).toBe('3 of 20 payments failed in the last hour (15%)');
      expect(f.detail!.split('\n').slice(0, 2)).toEqual([
        '2 × card_error/insufficient_funds, e.g. pi_d1',
        '1 × card_error/expired_card, e.g. pi_f1',
      ]);
      expect(f.detail).toContain('2 more in progress or not attempted yet (not counted).');
      expect(f.metrics).toMatchObject({ failure_pct: 15, attempts: 20, failed: 3, succeeded: 17, integration_errors: 0 });
      expect(f.fix).toContain('decline codes');
    });

    it('failures of our integration (api_error, invalid_request_error) are called out as such', async () => {
      healthy();
      api.paymentIntents = [
        ...Array.from({ length: 12 }, (_, i) => ({ id: `pi_s${i}`, status: 'succeeded', ageS: 100 })),
        fail('pi_e1', 'invalid_request_error', { code: 'resource_missing', message: `No such PaymentMethod: 'pm_123'; a similar object exists in test mode, but a live mode key (${LIVE_KEY}) was used` }, 'requires_payment_method', 50),
        fail('pi_e2', 'invalid_request_error', { code: 'resource_missing' }),
        fail('pi_e3', 'api_error'),
        fail('pi_c1', 'card_error', { decline_code: 'generic_decline' }),
      ];
      const findings = await run();
      const f = findingOf(findings, 'stripe.payment_failures');
      expect(f.status).toBe('crit');
      expect(f.title).toBe("4 of 16 payments failed in the last hour (25%), mostly api_error/invalid_request_error: looks like our integration, not customers' cards");
      expect(f.detail).toContain("2 × invalid_request_error/resource_missing, e.g. pi_e1: No such PaymentMethod: 'pm_123'");
      expect(f.detail).toContain('1 × api_error, e.g. pi_e3');
      expect(f.detail).toContain("3 of the 4 failures are api_error/invalid_request_error: that looks like our integration, not customers' cards.");
      expect(f.fix).toContain('Developers > Logs');
      expect(all(findings)).not.toContain(LIVE_KEY);
    });

    it('integration failures that are not most of them are named in the detail, not the title', async () => {
      healthy();
      api.paymentIntents = [
        ...Array.from({ length: 12 }, (_, i) => ({ id: `pi_s${i}`, status: 'succeeded', ageS: 100 })),
        fail('pi_e1', 'api_error'),
        fail('pi_c1', 'card_error', { code: 'card_declined', decline_code: 'insufficient_funds' }),
      ];
      const f = findingOf(await run(), 'stripe.payment_failures');
      expect(f).toMatchObject({ status: 'warn', title: '2 of 14 payments failed in the last hour (14.3%)' });
      expect(f.detail).toContain("1 of the 2 failures is api_error/invalid_request_error: that looks like our integration, not customers' cards.");
    });

    it('few attempts are never judged: 1 failed of 1 is ok, "too few to judge", and no failure_pct for the chart', async () => {
      healthy();
      api.paymentIntents = [fail('pi_only', 'card_error', { decline_code: 'insufficient_funds' })];
      const f = findingOf(await run(), 'stripe.payment_failures');
      expect(f.status).toBe('ok');
      expect(f.title).toBe('1 of 1 payments failed in the last hour (100%): too few to judge (fewer than 10 attempts)');
      expect(f.metrics).toEqual({ attempts: 1, failed: 1, succeeded: 0, integration_errors: 0 });
      // With the minimum lowered, the same payments are judged.
      expect(findingOf(await run({ minPaymentAttempts: 1 }), 'stripe.payment_failures').status).toBe('crit');
    });

    it('a list cut at its bound with too few completed payments among those read is unknown, never ok', async () => {
      healthy();
      api.paymentIntents = [
        ...Array.from({ length: 15 }, (_, i) => ({ id: `pi_p${i}`, status: 'requires_action', ageS: 30 + i })),
        ...Array.from({ length: 20 }, (_, i) => fail(`pi_f${i}`, 'card_error', { decline_code: 'do_not_honor' }, 'requires_payment_method', 1000 + i)),
      ];
      const f = findingOf(await run({ maxObjects: 10 }), 'stripe.payment_failures');
      expect(f).toMatchObject({ status: 'unknown', title: 'No completed payment attempts in the last hour (at least 10 payment intents created)' });
      expect(f.fix).toContain('maxObjects');
    });

    it('payment intents over several pages are all read (starting_after, the hour kept on every page): failures on the last page count', async () => {
      healthy();
      api.paymentIntents = [
        ...Array.from({ length: 200 }, (_, i) => ({ id: `pi_s${String(i).padStart(3, '0')}`, status: 'succeeded', ageS: 60 + i })),
        // The oldest of the hour, on the third page.
        ...Array.from({ length: 50 }, (_, i) => fail(`pi_x${i}`, 'invalid_request_error', { code: 'resource_missing', message: 'No such PaymentMethod' }, 'requires_payment_method', 2000 + i)),
      ];
      const f = findingOf(await run(), 'stripe.payment_failures');
      expect(f).toMatchObject({ status: 'warn', title: '50 of 250 payments failed in the last hour (20%), mostly api_error/invalid_request_error: looks like our integration, not customers\' cards' });
      expect(f.metrics).toMatchObject({ attempts: 250, failed: 50, integration_errors: 50 });
      const pages = api.to('/v1/payment_intents');
      expect(pages.map((r) => r.query.get('starting_after'))).toEqual([null, 'pi_s099', 'pi_s199']);
      expect(new Set(pages.map((r) => r.query.get('created[gte]'))).size).toBe(1);
      expect(pages[0]!.query.get('created[gte]')).not.toBeNull();
    });

    it('no payments at all is ok, said so', async () => {
      healthy();
      api.paymentIntents = [];
      expect(findingOf(await run(), 'stripe.payment_failures')).toMatchObject({ status: 'ok', title: 'No completed payment attempts in the last hour (0 payment intents created)' });
    });
  });

  describe('webhook_secret', () => {
    it.each([
      [undefined, 'warn', 'No webhook signing secret configured (webhookSecret)'],
      [`${SECRET}\n`, 'warn', 'The webhook signing secret is malformed: whitespace (a space or newline) around it'],
      [`"${SECRET}"`, 'warn', 'The webhook signing secret is malformed: quotes around it'],
      ['sk_live_51NotASigningSecret0123', 'warn', 'The webhook signing secret is malformed: it does not start with whsec_ (it looks like an API key, not a signing secret)'],
      [SECRET, 'ok', 'Webhook signing secret configured and well formed (whsec_..., not shown)'],
    ])('%j: %s', async (secret, status, title) => {
      healthy();
      const findings = await run({ webhookSecret: secret });
      expect(findingOf(findings, 'stripe.webhook_secret')).toMatchObject({ status, title });
      if (secret) expect(all(findings)).not.toContain(secret.trim().replace(/"/g, ''));
    });
  });

  describe('configuration', () => {
    it('url takes scheme, host and port only: a path is an error naming the key and what is accepted', () => {
      const parsed = stripeKind.targetSchema.safeParse({ apiKey: LIVE_KEY, url: 'https://api.stripe.com/v1' });
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.message).toContain('url takes the Stripe API base: scheme (http or https), host and port only');
      expect(parsed.error!.issues[0]!.message).toContain('got path /v1');
      expect(stripeKind.targetSchema.parse({ apiKey: LIVE_KEY })).toMatchObject({ url: 'https://api.stripe.com', maxObjects: 1000, minPaymentAttempts: 10 });
    });

    it('declares its trend metrics, its secrets and its remedy', () => {
      expect(stripeKind.trends.map((t) => [t.check.name, t.metric, t.unit])).toEqual([['payment_failures', 'failure_pct', '%'], ['undelivered_events', 'undelivered', 'count']]);
      const target = { ...stripeKind.targetSchema.parse({ apiKey: LIVE_KEY, webhookSecret: SECRET }), name: 's', kind: 'stripe', timeoutMs: 1000, thresholds: {} };
      expect(stripeKind.secrets(target)).toEqual(expect.arrayContaining([LIVE_KEY, SECRET]));
      const action = stripeKind.actions[0]!;
      expect(action).toMatchObject({ id: 'stripe.enable_webhook_endpoint', destructive: true });
      const pattern = (action.params.endpoint as { pattern: RegExp }).pattern;
      expect(pattern.test('we_1Abc')).toBe(true);
      expect(pattern.test('we_1/../../v1/charges')).toBe(false);
    });
  });
});
