// The stripe kind: the API key works (and in which mode), webhook endpoints enabled and listening
// to what the account emits, events not delivered in the last hour, the payment failure rate of the
// last hour by decline code and error type, and the webhook signing secret. Read with the official
// SDK (loaded by stripe-session.ts on the first run, never here), within the target's timeout;
// one button: re-enable a disabled webhook endpoint.
import { z } from 'zod';
import type { ActionDefinition } from '../../actions/action-definition.ts';
import type { CheckDefinition, KindDefinition, KindTarget } from '../probe-definition.ts';
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';
import type { StripeCheckContext, StripeCheckName } from './check-context.ts';
import { checkPaymentFailures } from './checks/payment-failures.ts';
import { checkUndeliveredEvents } from './checks/undelivered-events.ts';
import { checkWebhookEndpoints, ENABLE_ACTION } from './checks/webhook-endpoints.ts';
import { checkWebhookSecret } from './checks/webhook-secret.ts';
import { WEBHOOK_ENDPOINT_ID } from './stripe-params.ts';
import { stripeSecrets } from './stripe-secrets.ts';
import { keyProblem } from './checks/auth.ts';
import { STRIPE_API_BASE, stripeUrlProblem } from './stripe-url.ts';

const targetSchema = z.object({
  apiKey: z.string().min(1).describe('a secret (sk_live_/sk_test_) or restricted (rk_...) key: use `${STRIPE_API_KEY}`; a restricted key needs read on balance, webhook endpoints, events and payment intents (write on webhook endpoints for the button)'),
  url: z
    .string()
    .superRefine((url, ctx) => {
      const problem = stripeUrlProblem(url);
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default(STRIPE_API_BASE)
    .describe('the API base, scheme, host and port only (default https://api.stripe.com); for a proxy or a test server'),
  webhookSecret: z.string().optional().describe('the webhook endpoint\'s signing secret (whsec_..., use `${STRIPE_WEBHOOK_SECRET}`): checked for presence and shape, never shown'),
  maxObjects: z.number().int().min(10).max(10_000).default(1000).describe('most objects read per list (webhook endpoints, events, payment intents), 10 to 10000 (default 1000); a finding says "at least" when it is reached'),
  minPaymentAttempts: z.number().int().min(1).max(100_000).default(10).describe('fewest completed payments in the last hour before the failure rate is judged (default 10)'),
});

export type StripeTarget = KindTarget<typeof targetSchema>;

type StripeCheck = CheckDefinition<StripeCheckContext> & { name: StripeCheckName };

const auth: StripeCheck = {
  name: 'auth',
  label: 'Authentication',
  description: 'GET /v1/balance with the key: live or test mode (key prefix and the answer\'s livemode); a refused key (401), a refusal (403) or an API that does not answer is critical. A restricted key refused the balance for a missing permission is valid: the permission is named and the other checks try their own endpoints.',
};
const webhookEndpoints: StripeCheck = {
  name: 'webhook_endpoints',
  label: 'Webhook endpoints',
  description: 'Every webhook endpoint (all pages): a disabled one is critical, with its URL, its events and a button to re-enable it; an enabled one listening to none of the event types the account emitted in the last 30 days (as far back as Stripe lists events) is a warning; a Connect endpoint or one listening to * never is.',
  needs: ['api'],
  run: checkWebhookEndpoints,
};
const undeliveredEvents: StripeCheck = {
  name: 'undelivered_events',
  label: 'Undelivered events',
  description: 'Events created in the last hour that are not delivered (delivery_success=false): count, types, the oldest, pending webhooks and the endpoints they were bound for (inferred). Older ones are left to Stripe\'s retries (3 days in live mode).',
  thresholds: { warn: 1, crit: 50, unit: 'events undelivered in the last hour' },
  needs: ['api'],
  run: checkUndeliveredEvents,
};
const paymentFailures: StripeCheck = {
  name: 'payment_failures',
  label: 'Payment failures',
  description: 'Payment intents created in the last hour: failed against succeeded, grouped by error type and decline code; api_error/invalid_request_error failures are called out as our integration. Judged only from minPaymentAttempts completed payments on.',
  thresholds: { warn: 10, crit: 25, unit: '% failed' },
  needs: ['api'],
  run: checkPaymentFailures,
};
const webhookSecret: StripeCheck = {
  name: 'webhook_secret',
  label: 'Webhook signing secret',
  description: 'webhookSecret configured (missing is a warning) and well formed: whsec_ with no whitespace or quotes around it. Never shown.',
  run: checkWebhookSecret,
};

/** Why the target's key cannot change webhook endpoints (none, publishable, whitespace around it), for the button's refusal. */
function keyRefusal(target: StripeTarget): string | undefined {
  if (!target.apiKey) return `${target.name} has no apiKey: set STRIPE_API_KEY to a secret key or a restricted key with write on webhook endpoints`;
  const problem = keyProblem(target.apiKey);
  return problem && `${problem.blocked} of ${target.name}, which cannot change webhook endpoints: ${problem.finding.fix ?? 'put a secret key or a restricted key with write on webhook endpoints in apiKey'}`;
}

const actions: readonly ActionDefinition<StripeTarget>[] = [
  {
    id: ENABLE_ACTION,
    title: 'Re-enable webhook endpoint',
    destructive: true,
    params: { endpoint: WEBHOOK_ENDPOINT_ID },
    describe: (p, target) => `Re-enable webhook endpoint ${p.endpoint} on ${target} (POST /v1/webhook_endpoints/${p.endpoint} disabled=false): Stripe starts sending it events again. Fix its receiver first, or Stripe disables it again.`,
    // A key that cannot write is the bot's configuration: refused at the press, before any call.
    refuse: (target) => keyRefusal(target),
    executor: async () => (await import('./stripe-actions.ts')).STRIPE_EXECUTORS[ENABLE_ACTION],
  },
];

export const stripeKind: KindDefinition<StripeTarget, StripeCheckContext> = {
  kind: 'stripe',
  aliases: [],
  description: 'Stripe: API key and mode, webhook endpoints, undelivered events, payment failure rate, webhook signing secret',
  targetSchema,
  fromUrl: (url) => ({ url, apiKey: '', maxObjects: 1000, minPaymentAttempts: 10 }),
  checks: [auth, webhookEndpoints, undeliveredEvents, paymentFailures, webhookSecret],
  actions,
  trends: [
    { check: paymentFailures, metric: 'failure_pct', label: 'payment failures %', unit: '%' },
    { check: undeliveredEvents, metric: 'undelivered', label: 'undelivered webhook events', unit: 'count' },
  ],
  secrets: stripeSecrets,
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  standalone: { defaultUrl: STRIPE_API_BASE, keyEnv: 'STRIPE_API_KEY', optionalEnv: { webhookSecret: 'STRIPE_WEBHOOK_SECRET' } },
  runtime: async () => (await import('./stripe-session.ts')).stripeSession,
};
