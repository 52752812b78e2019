// The parts of Stripe's objects the checks read, as zod schemas: an answer of another shape is a
// finding ("not the expected JSON at data.3.status"), never a crash. Only what the checks use is
// declared; every other field passes through unread. Every string a finding may show is read as
// one line of bounded length (control characters and line breaks flattened), so an answer cannot
// forge lines of a finding or flood it; numbers are read only within what they can mean.
import { z } from 'zod';
import { shownText } from '../shown-text.ts';

/** A string of the answer as a finding may show it: one line, at most `max` characters (empty stays empty). */
function oneLine(max: number) {
  return z.string().transform((s) => shownText(s, max));
}

const id = oneLine(80);
const word = oneLine(100);

/** GET /v1/balance: only the mode is read (the amounts are none of the probe's business). */
export const balanceSchema = z.object({ object: z.literal('balance'), livemode: z.boolean() });

/** A list envelope: { object: 'list', data: [...], has_more, url }. */
export const listSchema = z.object({ object: z.literal('list'), data: z.array(z.unknown()), has_more: z.boolean() });

export const webhookEndpointSchema = z.object({
  id,
  url: z.string(),
  status: word,
  enabled_events: z.array(word),
  livemode: z.boolean().optional(),
  description: oneLine(120).nullable().optional(),
  api_version: word.nullable().optional(),
  /** Set on a Connect application's endpoint: it receives connected accounts' events. */
  application: z.union([z.string(), z.object({ id: z.string() }).loose()]).nullable().optional(),
});
export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>;

export const eventSchema = z.object({
  id,
  type: word,
  created: z.number().int().nonnegative(),
  /** Stripe has at most a few endpoints per account: anything else is not a count it sends. */
  pending_webhooks: z.number().int().nonnegative().max(10_000),
  livemode: z.boolean().optional(),
});
export type StripeEvent = z.output<typeof eventSchema>;

const paymentErrorSchema = z.object({
  type: word,
  code: word.nullable().optional(),
  decline_code: word.nullable().optional(),
  message: z.string().nullable().optional(),
});

export const paymentIntentSchema = z.object({
  id,
  status: word,
  created: z.number().int().nonnegative(),
  last_payment_error: paymentErrorSchema.nullable().optional(),
});
export type PaymentIntent = z.output<typeof paymentIntentSchema>;
