// stripe.webhook_endpoints: every webhook endpoint of the account (all pages, bounded). A disabled
// one is critical (Stripe stops sending to it; it disables an endpoint whose deliveries kept
// failing), shown with its URL and events and a button to re-enable it. An enabled endpoint that
// listens to none of the event types the account emitted over the last day is a warning (a
// subscription that drifted from what the code expects). No endpoints at all is said plainly: a
// warning when a signing secret is configured (someone expects deliveries), else ok.
import type { Finding, Remedy } from '../../../report.ts';
import { capLines } from '../../http/probe-support.ts';
import { finding, modeWords, type StripeCheckContext } from '../check-context.ts';
import { describeStripeFailure, stripeFailureFix } from '../stripe-failure.ts';
import type { WebhookEndpoint } from '../stripe-objects.ts';
import { atLeast, endpointUrl, eventList, listensTo } from './endpoint-lines.ts';

/** The window of events whose types tell what the account emits. */
export const EMITTED_WINDOW_S = 24 * 3600;
/** Buttons offered at most (one per disabled endpoint). */
const MAX_BUTTONS = 5;
export const ENABLE_ACTION = 'stripe.enable_webhook_endpoint';

export async function checkWebhookEndpoints(ctx: StripeCheckContext): Promise<Finding[]> {
  const res = await ctx.api.webhookEndpoints();
  if (!res.ok) {
    const fix = stripeFailureFix(res.failure);
    return [finding('webhook_endpoints', 'unknown', `Webhook endpoints: could not check (${describeStripeFailure(res.failure)})`, fix !== undefined ? { fix } : {})];
  }
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
  const lines: string[] = [];
  const count = `${atLeast(capped)}${endpoints.length}`;

  // What the account emits: only asked when an enabled endpoint listens to a list of types.
  const deaf: Array<{ e: WebhookEndpoint }> = [];
  let emittedNote: string | undefined;
  if (enabled.some((e) => !e.enabled_events.includes('*'))) {
    const since = Math.floor(ctx.now.getTime() / 1000) - EMITTED_WINDOW_S;
    const events = await ctx.api.events(since, false);
    if (!events.ok) {
      emittedNote = `Whether the enabled endpoints listen to what the account emits is unknown: ${describeStripeFailure(events.failure)}`;
    } else if (events.data.items.length === 0) {
      emittedNote = 'The account emitted no events in the last 24 h: whether the endpoints listen to the right types cannot be told.';
    } else {
      const types = new Set(events.data.items.map((ev) => ev.type));
      const seen = events.data.capped ? `the latest ${events.data.items.length} events (the bound)` : 'the last 24 h';
      for (const e of enabled) if (![...types].some((t) => listensTo(e, t))) deaf.push({ e });
      emittedNote = `Event types the account emitted in ${seen}: ${eventList([...types].sort())}.`;
    }
  }

  for (const e of disabled) lines.push(`DISABLED ${e.id} ${endpointUrl(e)}: listens to ${eventList(e.enabled_events)}${e.description ? ` (${e.description})` : ''}`);
  for (const { e } of deaf) lines.push(`listens to none of the emitted types: ${e.id} ${endpointUrl(e)}: ${eventList(e.enabled_events)}`);
  for (const e of enabled) if (!deaf.some((d) => d.e === e)) lines.push(`enabled ${e.id} ${endpointUrl(e)}: ${eventList(e.enabled_events)}`);
  const detail = [...capLines(lines, 12, 'more endpoints'), ...(emittedNote !== undefined ? [emittedNote] : [])].join('\n');
  const metrics = { endpoints: endpoints.length, disabled: disabled.length, deaf: deaf.length };

  if (disabled.length > 0) {
    const first = disabled[0]!;
    const remedies: Remedy[] = disabled.slice(0, MAX_BUTTONS).map((e) => ({
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
    return [finding('webhook_endpoints', 'warn', `${deaf.length} of ${count} ${mode}webhook endpoints listen to none of the event types the account emits: ${deaf.map((d) => endpointUrl(d.e)).slice(0, 3).join(', ')}`, {
      detail,
      metrics,
      fix: 'compare the endpoint\'s events (Developers > Webhooks > the endpoint > Listening to) with the ones its receiver handles; add the missing types, or delete an endpoint nobody uses any more.',
    })];
  }
  return [finding('webhook_endpoints', 'ok', capitalFirst(`${count} ${mode}webhook endpoint${endpoints.length === 1 ? '' : 's'}, all enabled`), { detail, metrics })];
}

function capitalFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
