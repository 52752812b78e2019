// The stripe kind (being built): its target keys and a placeholder check until its checks land.
import { z } from 'zod';
import type { KindDefinition, KindTarget } from '../probe-definition.ts';
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';

const targetSchema = z.object({
  apiKey: z.string().min(1).describe('the API key (use `${STRIPE_API_KEY}`)'),
  url: z.url({ protocol: /^https?$/ }).default('https://api.stripe.com').describe('API base URL'),
});

export type StripeTarget = KindTarget<typeof targetSchema>;

export const stripeKind: KindDefinition<StripeTarget, unknown> = {
  kind: 'stripe',
  aliases: [],
  description: 'Stripe (being built)',
  targetSchema,
  fromUrl: (url) => ({ url, apiKey: '' }),
  checks: [{ name: 'auth', label: 'Authentication', description: 'placeholder' }],
  actions: [],
  trends: [],
  secrets: (target) => [target.apiKey],
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  standalone: { defaultUrl: 'https://api.stripe.com', keyEnv: 'STRIPE_API_KEY' },
  runtime: async () => ({ open: async () => ({ stop: [] }) }),
};
