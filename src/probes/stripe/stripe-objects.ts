// The parts of Stripe's objects the checks read, as zod schemas: an answer of another shape is a
// finding ("not the expected JSON at data.3.status"), never a crash. Only what the checks use is
// declared; every other field passes through unread.
import { z } from 'zod';

/** GET /v1/balance: only the mode is read (the amounts are none of the probe's business). */
export const balanceSchema = z.object({ object: z.literal('balance'), livemode: z.boolean() });

/** A list envelope: { object: 'list', data: [...], has_more, url }. */
export const listSchema = z.object({ object: z.literal('list'), data: z.array(z.unknown()), has_more: z.boolean() });

export const webhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  status: z.string(),
  enabled_events: z.array(z.string()),
  livemode: z.boolean().optional(),
  description: z.string().nullable().optional(),
  api_version: z.string().nullable().optional(),
});
export type WebhookEndpoint = z.output<typeof webhookEndpointSchema>;

export const eventSchema = z.object({
  id: z.string(),
  type: z.string(),
  created: z.number(),
  pending_webhooks: z.number(),
  livemode: z.boolean().optional(),
});
export type StripeEvent = z.output<typeof eventSchema>;

const paymentErrorSchema = z.object({
  type: z.string(),
  code: z.string().nullable().optional(),
  decline_code: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
});

export const paymentIntentSchema = z.object({
  id: z.string(),
  status: z.string(),
  created: z.number(),
  last_payment_error: paymentErrorSchema.nullable().optional(),
});
export type PaymentIntent = z.output<typeof paymentIntentSchema>;
