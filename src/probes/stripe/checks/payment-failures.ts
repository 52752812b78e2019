// stripe.payment_failures: of the payments (PaymentIntents) created in the last hour, how many
// failed against how many succeeded, grouped by error type and decline code.
//
// Why PaymentIntents and not charges or events: a PaymentIntent is one payment whatever the
// attempts; its status says where it ended and `last_payment_error` why its latest attempt failed,
// with Stripe's error type. A failure of ours (`api_error`, `invalid_request_error`: a bad
// parameter, a payment method that does not exist) often creates no charge at all, so charges
// alone miss exactly the failures that point at our code; `payment_intent.payment_failed` events
// count attempts, not payments (a customer who retries and succeeds would count as a failure).
// A PaymentIntent has failed when its latest attempt failed and it did not succeed afterwards:
// status requires_payment_method (waiting for another method) or canceled, with a
// last_payment_error. succeeded and requires_capture (authorized) are successes; one still in
// progress (requires_action, processing, requires_confirmation) or never attempted is not counted.
//
// Few attempts prove nothing (1 failed of 1 is not an outage): below minPaymentAttempts the rate
// is shown but not judged. A list cut at maxObjects is judged on the latest payments read when
// they are enough; when they are not, the ones past the bound could change it: unknown.
import type { Finding } from '../../../report.ts';
import { statusAbove } from '../../finding-for.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { capLines } from '../../http/probe-support.ts';
import { atLeast, couldNotCheck, finding, type StripeCheckContext } from '../check-context.ts';
import { cleanStripeText } from '../stripe-failure.ts';
import type { PaymentIntent } from '../stripe-objects.ts';

const PAYMENT_WINDOW_S = 3600;
/** Error types that mean our request was wrong or Stripe failed it, not the customer's card. */
const INTEGRATION_TYPES = new Set(['api_error', 'invalid_request_error']);

type Outcome = 'succeeded' | 'failed' | 'other';

function outcomeOf(pi: PaymentIntent): Outcome {
  if (pi.status === 'succeeded' || pi.status === 'requires_capture') return 'succeeded';
  if ((pi.status === 'requires_payment_method' || pi.status === 'canceled') && pi.last_payment_error) return 'failed';
  return 'other';
}

/** "card_error/insufficient_funds", "api_error", "invalid_request_error/resource_missing". */
function groupOf(pi: PaymentIntent): string {
  const e = pi.last_payment_error!;
  const reason = e.type === 'card_error' ? (e.decline_code ?? e.code) : e.code;
  return reason ? `${e.type}/${reason}` : e.type;
}

export async function checkPaymentFailures(ctx: StripeCheckContext, own: Thresholds): Promise<Finding[]> {
  const res = await ctx.api.paymentIntents(Math.floor(ctx.now.getTime() / 1000) - PAYMENT_WINDOW_S);
  if (!res.ok) return [couldNotCheck('payment_failures', 'Payment failures', res.failure)];
  const { items, capped } = res.data;
  const failed = items.filter((pi) => outcomeOf(pi) === 'failed');
  const succeeded = items.filter((pi) => outcomeOf(pi) === 'succeeded').length;
  const other = items.length - failed.length - succeeded;
  const attempts = failed.length + succeeded;
  const of = atLeast(capped);
  const inProgress = other > 0 ? `${other} more in progress or not attempted yet (not counted).` : undefined;
  const bound = capped ? `The list stopped at its bound (${items.length} payment intents, maxObjects): the counts are of the latest ones.` : undefined;
  // Too few completed payments among the latest ones read, with more past the bound: those could
  // be the failures, so this is not an ok.
  const unseen = capped ? 'unknown' : 'ok';
  const raise = 'raise maxObjects on the target so the hour\'s payments are read, or look at Payments in the Stripe dashboard.';
  if (attempts === 0) {
    return [finding('payment_failures', unseen, `No completed payment attempts in the last hour (${of}${items.length} payment intents created)`, {
      detail: [inProgress, bound].filter(Boolean).join('\n') || undefined,
      metrics: { attempts: 0, failed: 0 },
      ...(capped && { fix: raise }),
    })];
  }

  const groups = new Map<string, PaymentIntent[]>();
  for (const pi of failed) groups.set(groupOf(pi), [...(groups.get(groupOf(pi)) ?? []), pi]);
  const sorted = [...groups.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const integration = failed.filter((pi) => INTEGRATION_TYPES.has(pi.last_payment_error!.type));
  const lines = sorted.map(([group, pis]) => {
    const example = INTEGRATION_TYPES.has(pis[0]!.last_payment_error!.type) && pis[0]!.last_payment_error!.message
      ? `, e.g. ${pis[0]!.id}: ${cleanStripeText(pis[0]!.last_payment_error!.message, ctx.secrets, 140)}`
      : `, e.g. ${pis[0]!.id}`;
    return `${pis.length} × ${group}${example}`;
  });

  const pct = (failed.length / attempts) * 100;
  const rounded = Math.round(pct * 10) / 10;
  const judged = attempts >= ctx.minPaymentAttempts;
  const status = judged ? statusAbove(pct, own) : unseen;
  // More than half of the failures are ours: the title says so, and the fix points at our code.
  const ours = integration.length * 2 > failed.length;
  const callout = integration.length > 0
    ? `${integration.length} of the ${failed.length} failures ${integration.length === 1 ? 'is' : 'are'} api_error/invalid_request_error: that looks like our integration, not customers' cards.`
    : undefined;
  const head = capped
    ? `${failed.length} of ${attempts} payments failed (${rounded}%) among the latest ${items.length} created in the last hour (at least that many; the list stopped at its bound)`
    : `${failed.length} of ${attempts} payments failed in the last hour (${rounded}%)`;
  const title = !judged
    ? `${head}: too few to judge (fewer than ${ctx.minPaymentAttempts} attempts)${ours ? '; mostly api_error/invalid_request_error, our integration' : ''}`
    : ours && failed.length > 0
      ? `${head}, mostly api_error/invalid_request_error: looks like our integration, not customers' cards`
      : head;
  const ourFix = 'read the failing requests in the Stripe dashboard (Developers > Logs, filter on errors): a parameter our code sends wrong, a payment method or customer id from the other mode or account, or an API version change; compare with the last deploy of the payment code. See the stripe-payment-failures runbook.';
  const cardFix = 'look at the decline codes: a spread of card declines (insufficient_funds, do_not_honor) is customers\' cards; one code dominating, or one card brand or country, points at a processor or a fraud rule (Payments > filter Failed; Radar rules). See the stripe-payment-failures runbook.';
  let fix: string | undefined;
  if (status === 'unknown') fix = raise;
  else if (ours) fix = ourFix;
  else if (status !== 'ok') fix = cardFix;
  return [finding('payment_failures', status, title, {
    detail: [...capLines(lines, 8, 'more groups'), callout, inProgress, bound].filter(Boolean).join('\n'),
    metrics: { attempts, failed: failed.length, succeeded, integration_errors: integration.length, ...(judged && { failure_pct: rounded }) },
    ...(fix !== undefined && { fix }),
  })];
}
