// stripe.undelivered_events: events created in the last hour that Stripe has not delivered to
// every endpoint (GET /v1/events?delivery_success=false, all pages, bounded): how many, of which
// types, the oldest, the webhooks still pending, and the endpoints they were bound for, inferred
// (an event does not name the endpoint that failed: the enabled endpoints listening to its type,
// and apart the disabled ones listening to it, which Stripe sends nothing).
// delivery_success=false also lists events Stripe is still delivering: those of the last few
// minutes are left out, so a busy account's events in flight are not an alarm.
// Only the last hour counts: Stripe retries live-mode deliveries for up to 3 days, so older
// undelivered events are being retried or are history, not what hurts now. A list that stopped at
// maxObjects is a lower bound: judged when it already reaches a threshold, unknown when it does not
// (the rest could reach one), never ok.
import type { Finding } from '../../../report.ts';
import { formatDuration } from '../../format.ts';
import { statusAbove } from '../../finding-for.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { capLines } from '../../http/probe-support.ts';
import { atLeast, couldNotCheck, finding, type StripeCheckContext } from '../check-context.ts';
import { describeStripeFailure } from '../stripe-failure.ts';
import type { WebhookEndpoint } from '../stripe-objects.ts';
import { endpointUrl, listensTo } from './endpoint-lines.ts';

const UNDELIVERED_WINDOW_S = 3600;
/** Events younger than this may still be on their way: not counted. */
const IN_FLIGHT_S = 300;

/** Up to five endpoints as "we_... https://host/path", then "+N more". */
function namedEndpoints(list: readonly WebhookEndpoint[]): string {
  return `${list.map((e) => `${e.id} ${endpointUrl(e)}`).slice(0, 5).join(', ')}${list.length > 5 ? ` +${list.length - 5} more` : ''}`;
}

export async function checkUndeliveredEvents(ctx: StripeCheckContext, own: Thresholds): Promise<Finding[]> {
  const nowS = Math.floor(ctx.now.getTime() / 1000);
  const res = await ctx.api.events({ sinceS: nowS - UNDELIVERED_WINDOW_S, untilS: nowS - IN_FLIGHT_S, undelivered: true });
  if (!res.ok) return [couldNotCheck('undelivered_events', 'Undelivered events', res.failure)];
  const { items, capped } = res.data;
  const count = items.length;
  if (count === 0) {
    return [finding('undelivered_events', 'ok', 'No undelivered webhook events in the last hour', { metrics: { undelivered: 0, pending_webhooks: 0 } })];
  }
  const byType = new Map<string, number>();
  for (const ev of items) byType.set(ev.type, (byType.get(ev.type) ?? 0) + 1);
  const types = [...byType.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const oldest = items.reduce((a, b) => (b.created < a.created ? b : a));
  const pending = items.reduce((sum, ev) => sum + ev.pending_webhooks, 0);
  const typeWords = types.slice(0, 3).map(([t, n]) => `${n} × ${t}`).join(', ') + (types.length > 3 ? `, +${types.length - 3} more types` : '');

  const lines = [
    ...capLines(types.map(([t, n]) => `${n} × ${t}`), 8, 'more types'),
    `Oldest: ${oldest.id} (${oldest.type}), created ${formatDuration(Math.max(0, nowS - oldest.created))} ago`,
    `Webhooks still pending for these events: ${pending}`,
  ];
  const endpoints = await ctx.api.webhookEndpoints();
  if (endpoints.ok) {
    const listening = endpoints.data.items.filter((e) => types.some(([t]) => listensTo(e, t)));
    const bound = listening.filter((e) => e.status === 'enabled');
    const disabled = listening.filter((e) => e.status !== 'enabled');
    if (bound.length > 0) lines.push(`Bound for (inferred: the enabled endpoints listening to these types; an event does not name the endpoint that failed): ${namedEndpoints(bound)}`);
    if (disabled.length > 0) lines.push(`Disabled, sent nothing until re-enabled (stripe.webhook_endpoints): ${namedEndpoints(disabled)}`);
    if (listening.length === 0) lines.push('No endpoint listens to these types now (inferred from the endpoint list): a deleted endpoint, or one whose events were changed, was their destination.');
  } else {
    lines.push(`Which endpoints they were bound for is unknown: ${describeStripeFailure(endpoints.failure)}`);
  }
  // Each line under 160 characters: Slack cuts longer detail lines.
  lines.push(`Counted: events created in the last hour, over ${IN_FLIGHT_S / 60} minutes ago (newer ones may still be on their way).`);
  lines.push(`Stripe retries ${ctx.mode === 'test' ? 'test-mode deliveries a few times over a few hours' : 'live-mode deliveries for up to 3 days'}: older ones are history, not this alarm.`);

  const judged = statusAbove(count, own);
  const unjudged = capped && judged === 'ok';
  if (capped) lines.push(`The list stopped at its bound (maxObjects, ${count} events): there are more.${unjudged ? ` That many is under the warning threshold (${own.warn}), so whether the rest reach it is unknown.` : ''}`);
  return [
    finding('undelivered_events', unjudged ? 'unknown' : judged, `${atLeast(capped)}${count} webhook event${count === 1 && !capped ? '' : 's'} not delivered in the last hour: ${typeWords}`, {
      detail: lines.join('\n'),
      metrics: { undelivered: count, pending_webhooks: pending },
      fix: `${unjudged ? 'raise maxObjects on the target above the warning threshold so the count can be judged; meanwhile ' : ''}open the endpoint's failed deliveries (Developers > Webhooks > the endpoint > Event deliveries): a timeout or 5xx is the receiver (its log, its deploys); a 400 or 401 on signature is the signing secret or a parsed body (see the stripe-webhook-delivery runbook and \`bin/chatops stripe verify-signature\`). Stripe retries on its own; once fixed, resend what matters (dashboard, or \`stripe events resend evt_... --webhook-endpoint we_...\`).`,
    }),
  ];
}
