// The stripe remedy: re-enable a disabled webhook endpoint (POST /v1/webhook_endpoints/{id} with
// disabled=false, through the SDK), checked by what Stripe answers. One line says what happened;
// an endpoint already enabled is not an error (it is read first and left alone), nor one that no
// longer exists (nothing to do). Every line it returns or throws is masked with the target's
// secrets: the runner shows it as is in the report's thread and the audit.
// Loaded on the first press: it holds the SDK.
import type { Target } from '../../config/config.ts';
import { DEFAULT_TIMEOUT_MS } from '../../config/config.ts';
import type { ActionContext, ActionExecutor, ActionParams } from '../../actions/action-executor.ts';
import { assertParams } from '../../actions/validate-params.ts';
import { UserError } from '../../user-error.ts';
import { StripeClient } from './stripe-client.ts';
import { cleanStripeText, describeStripeFailure, stripeFailureFix, type StripeFailure } from './stripe-failure.ts';
import { webhookEndpointSchema } from './stripe-objects.ts';
import { WEBHOOK_ENDPOINT_ID } from './stripe-params.ts';
import { stripeSecrets } from './stripe-secrets.ts';
import { STRIPE_API_BASE } from './stripe-url.ts';
import { endpointUrl } from './checks/endpoint-lines.ts';

async function enableWebhookEndpoint(target: Target, params: ActionParams, io: ActionContext): Promise<string> {
  assertParams(params, { endpoint: WEBHOOK_ENDPOINT_ID });
  const id = String(params.endpoint);
  const apiKey = typeof target.apiKey === 'string' ? target.apiKey : '';
  if (!apiKey) throw new UserError(`target ${target.name} has no apiKey: nothing was sent`);
  const secrets = stripeSecrets({ apiKey: target.apiKey, webhookSecret: target.webhookSecret });
  const said = (line: string) => cleanStripeText(line, secrets, 500);
  const timeoutMs = target.timeoutMs > 0 ? target.timeoutMs : DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  const signal = AbortSignal.any([io.signal, AbortSignal.timeout(timeoutMs)]);
  const client = new StripeClient(apiKey, typeof target.url === 'string' ? target.url : STRIPE_API_BASE, {
    timeoutMs,
    signal,
    cancelled: () => io.signal.aborted,
    remainingMs: () => timeoutMs - (performance.now() - started),
    secrets,
  });
  const gone = said(`webhook endpoint ${id} no longer exists (HTTP 404): nothing to re-enable`);
  const fail = (f: StripeFailure): never => {
    const fix = f.kind === 'permission' && f.permission === undefined ? 'a restricted key needs write permission on webhook endpoints for this button.' : stripeFailureFix(f);
    throw new UserError(said(`${describeStripeFailure(f)}${fix ? `; ${fix}` : ''}`));
  };
  const now = await client.call(`GET /v1/webhook_endpoints/${id}`, (sdk, options) => sdk.webhookEndpoints.retrieve(id, {}, options), webhookEndpointSchema);
  if (!now.ok) return now.failure.kind === 'not_found' ? gone : fail(now.failure);
  if (now.data.status === 'enabled') return said(`webhook endpoint ${id} (${endpointUrl(now.data)}) was already enabled: nothing changed`);
  await io.note(`POST /v1/webhook_endpoints/${id} disabled=false was sent; whether it took effect is unknown: look at the endpoint in the Stripe dashboard (Developers > Webhooks)`);
  const res = await client.call(`POST /v1/webhook_endpoints/${id}`, (sdk, options) => sdk.webhookEndpoints.update(id, { disabled: false }, options), webhookEndpointSchema);
  if (!res.ok) return res.failure.kind === 'not_found' ? gone : fail(res.failure);
  const e = res.data;
  if (e.status !== 'enabled') throw new UserError(said(`Stripe answered but webhook endpoint ${id} (${endpointUrl(e)}) is still ${e.status}: try again in the dashboard (Developers > Webhooks)`));
  return said(`webhook endpoint ${id} (${endpointUrl(e)}) is enabled`);
}

const executors = {
  'stripe.enable_webhook_endpoint': { run: enableWebhookEndpoint },
} satisfies Record<string, ActionExecutor>;

/** The executors of the stripe actions, by action id; loaded on the first press. */
export const STRIPE_EXECUTORS: typeof executors & Readonly<Record<string, ActionExecutor>> = executors;
