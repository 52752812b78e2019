// stripe.webhook_endpoints: every webhook endpoint of the account (all pages, bounded). A disabled
// one is critical (Stripe stops sending to it; it disables an endpoint whose deliveries kept
// failing), shown with its URL and events and a button to re-enable it. An enabled endpoint that
// listens to none of the event types the account emitted is a warning (a subscription that drifted
// from what the code expects): asked per endpoint, GET /v1/events?types[]=its types&limit=1 over
// the 30 days Stripe lists events for, so neither a quiet day nor a busy one (a list cut at its
// bound) makes a false alarm. Endpoints listening to everything (*), and Connect endpoints (they
// receive connected accounts' events, which the account's own event list does not hold), are not
// judged. No endpoints at all is said plainly: a warning when a signing secret is configured
// (someone expects deliveries), else ok. Endpoints past the bound were not seen: without a
// disabled or deaf one among those read, the finding is unknown, never "all enabled".
import type { Finding, Remedy } from '../../../report.ts';
import { capLines } from '../../http/probe-support.ts';
import { invalidParams } from '../../../actions/validate-params.ts';
import { atLeast, capitalFirst, couldNotCheck, finding, modeWords, type StripeCheckContext } from '../check-context.ts';
import { describeStripeFailure, type StripeFailure } from '../stripe-failure.ts';
import type { WebhookEndpoint } from '../stripe-objects.ts';
import { WEBHOOK_ENDPOINT_ID } from '../stripe-params.ts';
import { endpointUrl, eventList } from './endpoint-lines.ts';

/** How far back Stripe lists events: the window that tells what the account emits. */
const EMITTED_WINDOW_S = 30 * 24 * 3600;
/** Stripe takes at most this many types in one `types[]` filter. */
const TYPES_PER_CALL = 20;
/** Endpoints asked about at most (Stripe allows 16 per account), this many at once (test mode allows 25 reads a second). */
const MAX_JUDGED = 16;
const AT_ONCE = 4;
/** Buttons offered at most (one per disabled endpoint). */
const MAX_BUTTONS = 5;
export const ENABLE_ACTION = 'stripe.enable_webhook_endpoint';

/** Whether the account emitted any event of these types since `sinceS`: one call of limit 1 per 20 types. */
async function emittedAny(ctx: StripeCheckContext, types: readonly string[], sinceS: number): Promise<boolean | StripeFailure> {
  for (let i = 0; i < types.length; i += TYPES_PER_CALL) {
    const res = await ctx.api.events({ sinceS, types: types.slice(i, i + TYPES_PER_CALL), max: 1 });
    if (!res.ok) return res.failure;
    if (res.data.items.length > 0) return true;
  }
  return false;
}

export async function checkWebhookEndpoints(ctx: StripeCheckContext): Promise<Finding[]> {
  const res = await ctx.api.webhookEndpoints();
  if (!res.ok) return [couldNotCheck('webhook_endpoints', 'Webhook endpoints', res.failure)];
  const { items: endpoints, capped } = res.data;
  const mode = modeWords(ctx.mode);
  if (endpoints.length === 0) {
    if (ctx.webhookSecret) {
      return [finding('webhook_endpoints', 'warn', `No ${mode}webhook endpoints on this account, yet a webhook signing secret is configured`, {
        detail: 'Stripe delivers no events anywhere. A test-mode key looks at test-mode endpoints only, and a live key at live ones.',
        fix: 'check that the key is of the same mode (and account) as the endpoint the receiver expects; if the endpoint was deleted, create it again (Developers > Webhooks > Add endpoint) and put its new signing secret in the receiver.',
      })];
    }
    return [finding('webhook_endpoints', 'ok', `No ${mode}webhook endpoints on this account: Stripe delivers no events by webhook`)];
  }
  const disabled = endpoints.filter((e) => e.status !== 'enabled');
  const enabled = endpoints.filter((e) => e.status === 'enabled');
  const count = `${atLeast(capped)}${endpoints.length}`;

  // What each enabled endpoint with a list of types hears: asked of the event list, type by type.
  const isConnect = (e: WebhookEndpoint) => e.application !== null && e.application !== undefined;
  const candidates = enabled.filter((e) => !isConnect(e) && !e.enabled_events.includes('*'));
  const sinceS = Math.floor(ctx.now.getTime() / 1000) - EMITTED_WINDOW_S;
  const judged = candidates.slice(0, MAX_JUDGED);
  const heard: Array<boolean | StripeFailure> = [];
  for (let i = 0; i < judged.length; i += AT_ONCE) {
    heard.push(...(await Promise.all(judged.slice(i, i + AT_ONCE).map((e) => emittedAny(ctx, e.enabled_events, sinceS)))));
  }
  const deaf = candidates.filter((_, i) => heard[i] === false);
  const notes: string[] = [];
  for (const [i, h] of heard.entries()) {
    if (typeof h === 'object') notes.push(`Whether ${candidates[i]!.id} listens to what the account emits is unknown: ${describeStripeFailure(h)}`);
  }
  if (candidates.length > MAX_JUDGED) notes.push(`${candidates.length - MAX_JUDGED} more endpoints with a list of types were not asked about (at most ${MAX_JUDGED}).`);

  const lines: string[] = [];
  for (const e of disabled) lines.push(`DISABLED ${e.id} ${endpointUrl(e)}: listens to ${eventList(e.enabled_events)}${e.description ? ` (${e.description})` : ''}`);
  for (const e of deaf) lines.push(`listens to none of the event types emitted in the last 30 days: ${e.id} ${endpointUrl(e)}: ${eventList(e.enabled_events)}`);
  for (const e of enabled) {
    if (!deaf.includes(e)) lines.push(`enabled ${e.id} ${endpointUrl(e)}: ${eventList(e.enabled_events)}${isConnect(e) ? " (Connect: connected accounts' events, not judged)" : ''}`);
  }
  if (capped) notes.push(`The list stopped at its bound (maxObjects, ${endpoints.length} endpoints): the others were not read.`);
  const detail = [...capLines(lines, 12, 'more endpoints'), ...notes].join('\n');
  const metrics = { endpoints: endpoints.length, disabled: disabled.length, deaf: deaf.length };

  if (disabled.length > 0) {
    const first = disabled[0]!;
    // A button only for an id the action accepts: any other would be refused when pressed.
    const remedies: Remedy[] = disabled.filter((e) => invalidParams({ endpoint: WEBHOOK_ENDPOINT_ID }, { endpoint: e.id }) === undefined).slice(0, MAX_BUTTONS).map((e) => ({
      action: ENABLE_ACTION,
      label: disabled.length === 1 ? 'Re-enable webhook endpoint' : `Re-enable ${endpointUrl(e)}`.slice(0, 75),
      params: { endpoint: e.id },
    }));
    const title = disabled.length === 1
      ? `${mode}webhook endpoint disabled: ${endpointUrl(first)} (${first.id}); Stripe sends it nothing`
      : `${disabled.length} of ${count} ${mode}webhook endpoints disabled: ${disabled.map(endpointUrl).slice(0, 3).join(', ')}`;
    return [finding('webhook_endpoints', 'crit', capitalFirst(title), {
      detail,
      metrics,
      remedies,
      fix: 'Stripe disables an endpoint whose deliveries kept failing for days (or someone disabled it): fix the receiver first (its log, and the endpoint\'s failed deliveries in Developers > Webhooks), then re-enable it (the button, or the dashboard). Stripe makes no retries to a disabled endpoint; re-enabled within the retry window (3 days in live mode), pending retries resume, and older events must be resent from the dashboard.',
    })];
  }
  if (deaf.length > 0) {
    return [finding('webhook_endpoints', 'warn', `${deaf.length} of ${count} ${mode}webhook endpoints listen to none of the event types the account emitted in the last 30 days: ${deaf.map(endpointUrl).slice(0, 3).join(', ')}`, {
      detail,
      metrics,
      fix: 'compare the endpoint\'s events (Developers > Webhooks > the endpoint > Listening to) with the ones its receiver handles; add the missing types, or delete an endpoint nobody uses any more.',
    })];
  }
  if (capped) {
    return [finding('webhook_endpoints', 'unknown', `At least ${endpoints.length} ${mode}webhook endpoints: the ${endpoints.length} read are enabled, the rest were not read (maxObjects)`, {
      detail,
      metrics,
      fix: 'raise maxObjects on the target so that every endpoint is read, or look at the list in the Stripe dashboard (Developers > Webhooks).',
    })];
  }
  return [finding('webhook_endpoints', 'ok', capitalFirst(`${endpoints.length} ${mode}webhook endpoint${endpoints.length === 1 ? '' : 's'}, all enabled`), { detail, metrics })];
}
