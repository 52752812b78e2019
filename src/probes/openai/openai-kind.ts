// The openai kind (being built): its target keys and a placeholder check until its checks land.
import { z } from 'zod';
import type { KindDefinition, KindTarget } from '../probe-definition.ts';
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';

const targetSchema = z.object({
  apiKey: z.string().min(1).describe('the API key (use `${OPENAI_API_KEY}`)'),
  url: z.url({ protocol: /^https?$/ }).default('https://api.openai.com/v1').describe('API base URL'),
});

export type OpenaiTarget = KindTarget<typeof targetSchema>;

export const openaiKind: KindDefinition<OpenaiTarget, unknown> = {
  kind: 'openai',
  aliases: [],
  description: 'Openai (being built)',
  targetSchema,
  fromUrl: (url) => ({ url, apiKey: '' }),
  checks: [{ name: 'auth', label: 'Authentication', description: 'placeholder' }],
  actions: [],
  trends: [],
  secrets: (target) => [target.apiKey],
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  standalone: { defaultUrl: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY' },
  runtime: async () => ({ open: async () => ({ stop: [] }) }),
};
