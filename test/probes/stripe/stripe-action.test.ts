// The stripe remedy's executor against the local Stripe API, as the bot runs it after a press:
// a disabled endpoint is re-enabled (one form-encoded POST), an enabled one left alone, a deleted
// one said to be gone, a refused key reported without the key, a forged id refused unsent; a key
// that cannot write refused at the press (the target's config); the calls bounded by the target's
// timeout; no secret in any line it returns or throws.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SILENT_IO } from '../../../src/actions/action-executor.ts';
import type { Target } from '../../../src/config/config.ts';
import { stripeKind } from '../../../src/probes/stripe/stripe-kind.ts';
import { FakeStripeApi } from './fake-stripe-api.ts';

const KEY = 'sk_live_51ActionKeyAbcdef0123456789';
let api: FakeStripeApi;
beforeEach(async () => {
  api = await FakeStripeApi.start();
  api.keys.set(KEY, { livemode: true });
  api.endpoints = [{ id: 'we_1Off', url: 'https://shop.example.com/stripe/webhook', status: 'disabled', enabled_events: ['invoice.paid'] }];
});
afterEach(async () => {
  await api.close();
});

const target = (apiKey = KEY, extra: Partial<Target> = {}): Target => ({ name: 'payments', kind: 'stripe', timeoutMs: 3000, thresholds: {}, apiKey, url: api.url, ...extra });
const action = () => stripeKind.actions.find((a) => a.id === 'stripe.enable_webhook_endpoint')!;
async function enable(endpoint: string, apiKey?: string, extra: Partial<Target> = {}): Promise<string> {
  return await (await action().executor()).run(target(apiKey, extra), { endpoint }, SILENT_IO);
}

describe('stripe.enable_webhook_endpoint', () => {
  it('re-enables a disabled endpoint with one form-encoded POST disabled=false, and says so in one line', async () => {
    expect(await enable('we_1Off')).toBe('webhook endpoint we_1Off (https://shop.example.com/stripe/webhook) is enabled');
    expect(api.endpoints[0]!.status).toBe('enabled');
    const posts = api.to('/v1/webhook_endpoints/we_1Off', 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.contentType).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(posts[0]!.body).get('disabled')).toBe('false');
    expect(posts[0]!.authorization).toBe(`Bearer ${KEY}`);
  });

  it('an endpoint already enabled is not an error, and is not written to', async () => {
    api.endpoints[0]!.status = 'enabled';
    expect(await enable('we_1Off')).toBe('webhook endpoint we_1Off (https://shop.example.com/stripe/webhook) was already enabled: nothing changed');
    expect(api.to('/v1/webhook_endpoints/we_1Off', 'POST')).toHaveLength(0);
  });

  it('an endpoint that no longer exists (404) is said to be gone', async () => {
    expect(await enable('we_1Gone')).toBe('webhook endpoint we_1Gone no longer exists (HTTP 404): nothing to re-enable');
  });

  it('a refused key fails the action without showing the key; a forged id is refused before any request', async () => {
    api.echoKey = true;
    const wrong = 'sk_live_51WrongActionKey0123456789';
    const error = await enable('we_1Off', wrong).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toContain('GET /v1/webhook_endpoints/we_1Off answered HTTP 401');
    expect(error?.message).not.toContain(wrong);
    await expect(enable('we_1Off/../../v1/charges')).rejects.toThrow(/we_ followed by 1 to 64 letters or digits/);
    expect(api.to('/v1/webhook_endpoints/we_1Off', 'POST')).toHaveLength(0);
    expect(api.requests.every((r) => r.path === '/v1/webhook_endpoints/we_1Off')).toBe(true);
  });

  it('a restricted key that may read but not write: the action fails naming the write permission, the endpoint untouched', async () => {
    const restricted = 'rk_live_51ReadOnlyKey0123456789abcdef';
    api.keys.set(restricted, { livemode: true, permissions: ['rak_webhook_endpoint_read'] });
    const error = await enable('we_1Off', restricted).then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toContain('POST /v1/webhook_endpoints/we_1Off answered HTTP 403');
    expect(error?.message).toContain('the restricted key lacks rak_webhook_endpoint_write: add that permission to the key');
    expect(error?.message).not.toContain('read is enough');
    expect(error?.message).not.toContain('51ReadOnlyKey');
    expect(api.endpoints[0]!.status).toBe('disabled');
  });

  it('a key that cannot write is refused at the press, naming the key and what is accepted; a usable key is not', () => {
    const parsed = (apiKey: string) => ({ ...stripeKind.targetSchema.parse({ apiKey: 'sk_live_x', url: api.url }), apiKey, name: 'payments', kind: 'stripe', timeoutMs: 3000, thresholds: {} });
    const refuse = action().refuse!;
    expect(refuse(parsed('pk_live_51Publishable0123456789'), { endpoint: 'we_1Off' })).toMatch(/^the configured key is a publishable key of payments, which cannot change webhook endpoints: put a secret key \(sk_\.\.\.\) or a restricted key/);
    expect(refuse(parsed(`${KEY}\n`), { endpoint: 'we_1Off' })).toContain('whitespace or quotes around it');
    expect(refuse(parsed(''), { endpoint: 'we_1Off' })).toContain('payments has no apiKey');
    const broken = refuse(parsed('sk_live_51FirstHalf\nSecondHalf0123'), { endpoint: 'we_1Off' });
    expect(broken).toContain('line break');
    expect(broken).not.toContain('SecondHalf');
    expect(refuse(parsed(KEY), { endpoint: 'we_1Off' })).toBeUndefined();
  });

  it('every line it returns is masked with the target\'s secrets (the webhook secret too, with or without the quotes around it)', async () => {
    api.endpoints[0]!.url = 'https://shop.example.com/hook/whsec_Zz9';
    const line = await enable('we_1Off', KEY, { webhookSecret: '"whsec_Zz9"' });
    expect(line).toBe('webhook endpoint we_1Off (https://shop.example.com/hook/***) is enabled');
  });

  it('a Stripe that does not answer within the target\'s timeout fails the action saying so, and nothing is written', async () => {
    api.overrides.set('/v1/webhook_endpoints/we_1Off', { delayMs: 10_000 });
    await expect(enable('we_1Off', KEY, { timeoutMs: 400 })).rejects.toThrow('GET /v1/webhook_endpoints/we_1Off did not answer: no answer within 400 ms');
    expect(api.to('/v1/webhook_endpoints/we_1Off', 'POST')).toHaveLength(0);
  });
});
