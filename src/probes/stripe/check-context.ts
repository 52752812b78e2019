// Shared by the stripe checks: the kind's finding helper typed by its check names, what every
// check receives (the run's API client, the target's settings, what the auth call learned), and
// what their findings share (the unknown of a failed call, the mode, "at least").
import type { Finding } from '../../report.ts';
import { findingFor } from '../finding-for.ts';
import { describeStripeFailure, stripeFailureFix, type StripeFailure } from './stripe-failure.ts';
import type { PaymentIntent, StripeEvent, WebhookEndpoint } from './stripe-objects.ts';

const KIND = 'stripe';

/** The names of the stripe checks: a finding naming another is a type error. */
export type StripeCheckName = 'auth' | 'webhook_endpoints' | 'undelivered_events' | 'payment_failures' | 'webhook_secret';

export const finding = findingFor<StripeCheckName>(KIND);

/** Live or test, as the key's prefix (and the API's answer) tell; unknown for a key of another shape. */
export type StripeMode = 'live' | 'test' | 'unknown';

export interface StripeCheckContext {
  /** The run's client: every call within the run's deadline, failures as values. */
  api: StripeApi;
  /** Set when no call can succeed (the key refused, the API not answering): why, for the API checks' `unknown`. */
  blocked?: string;
  mode: StripeMode;
  /** The configured webhook signing secret, as written (never shown). */
  webhookSecret?: string;
  /** Fewer succeeded plus failed payments than this: too few to judge a failure rate. */
  minPaymentAttempts: number;
  now: Date;
  /** Masked in any text the checks quote from an answer. */
  secrets: readonly string[];
}

/** A check's `unknown` for the call it could not make: "Payment failures: could not check (GET ... answered HTTP 500 ...)", with what to do. */
export function couldNotCheck(check: StripeCheckName, label: string, failure: StripeFailure): Finding {
  const fix = stripeFailureFix(failure);
  return finding(check, 'unknown', `${label}: could not check (${describeStripeFailure(failure)})`, fix !== undefined ? { fix } : {});
}

/** "live-mode", "test-mode", or "" when the mode is not known. */
export function modeWords(mode: StripeMode): string {
  return mode === 'unknown' ? '' : `${mode}-mode `;
}

/** "at least " when a list stopped at its bound. */
export function atLeast(capped: boolean): string {
  return capped ? 'at least ' : '';
}

/** A title that may start with a lower-case word ("live-mode ..."), capitalised. */
export function capitalFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export type StripeResult<T> = { ok: true; data: T } | { ok: false; failure: StripeFailure };

/** Objects of a list, read page by page up to a bound. */
export interface StripeList<T> {
  items: T[];
  /** More objects matched than were read: counts are "at least". */
  capped: boolean;
}

/** Which events to list: created since `sinceS` (and until `untilS`, epoch seconds), only those not delivered when `undelivered`, of these `types` (at most 20, Stripe's limit) when given, at most `max` of them (default: the target's maxObjects). */
export interface EventQuery {
  sinceS: number;
  untilS?: number;
  undelivered?: boolean;
  types?: readonly string[];
  max?: number;
}

/** The calls the checks make (stripe-client.ts), each within the run's deadline; failures are values. */
export interface StripeApi {
  /** GET /v1/webhook_endpoints, every page up to the bound; asked once per run however many checks need it. */
  webhookEndpoints(): Promise<StripeResult<StripeList<WebhookEndpoint>>>;
  /** GET /v1/events as `query` asks, every page up to its bound. */
  events(query: EventQuery): Promise<StripeResult<StripeList<StripeEvent>>>;
  /** GET /v1/payment_intents created since `sinceS`. */
  paymentIntents(sinceS: number): Promise<StripeResult<StripeList<PaymentIntent>>>;
}
