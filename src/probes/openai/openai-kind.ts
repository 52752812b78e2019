// The openai kind: an OpenAI or OpenAI-compatible API (Azure OpenAI, OpenRouter, a local server)
// seen through one key: it answers (GET /models, no tokens spent), the key is accepted, tokens can
// be spent (one 1-token completion when a model is configured), how much of the rate limit is left,
// and server errors. The SDK is loaded only by the runtime (openai-session.ts).
import { z } from 'zod';
import type { CheckDefinition, KindDefinition, KindTarget } from '../probe-definition.ts';
import { describeOpenaiEndpoint } from './describe-openai-endpoint.ts';
import { KIND, type OpenaiCheckContext, type OpenaiCheckName } from './check-context.ts';
import { checkAuth } from './checks/auth.ts';
import { checkConnectivity } from './checks/connectivity.ts';
import { checkHeadroom } from './checks/headroom.ts';
import { checkQuota } from './checks/quota.ts';
import { checkServer } from './checks/server.ts';

export const OPENAI_DEFAULT_URL = 'https://api.openai.com/v1';

/**
 * A value sent as a header (the key, the organization, the project): one line without control
 * characters once the surrounding white space (a secret file's last newline) is trimmed, as fetch
 * trims it. Anything else fails every request, with the value in the error.
 */
const headerValue = (what: string) =>
  z
    .string()
    .min(1)
    // eslint-disable-next-line no-control-regex
    .refine((v) => !/[\u0000-\u0008\u000a-\u001f\u007f]|[^\u0000-\u00ff]/.test(v.trim()), `${what} must be one line of printable characters (it is sent as an HTTP header); check the secret or variable behind it for a line break inside`);

const targetSchema = z.object({
  apiKey: headerValue('the API key').describe('the API key (use `${OPENAI_API_KEY}`); never shown in a finding'),
  url: z
    .url({ protocol: /^https?$/ })
    .default(OPENAI_DEFAULT_URL)
    .describe('base URL of an OpenAI-compatible API, with its version path: https://api.openai.com/v1 (default), https://<resource>.openai.azure.com/openai/v1, https://openrouter.ai/api/v1, http://localhost:8000/v1'),
  organization: headerValue('the organization id').optional().describe('organization id (org-...), sent as OpenAI-Organization; leave out to use the key\'s default'),
  project: headerValue('the project id').optional().describe('project id (proj_...), sent as OpenAI-Project'),
  model: z
    .string()
    .min(1)
    .optional()
    .describe('the model the application uses (gpt-4o-mini): checked against the model list, and used for one 1-token chat completion per run that shows the quota and the rate-limit headroom; without it those two are unknown'),
});

export type OpenaiTarget = KindTarget<typeof targetSchema>;

type OpenaiCheck = CheckDefinition<OpenaiCheckContext> & { name: OpenaiCheckName };

const headroom: OpenaiCheck = {
  name: 'headroom',
  label: 'Rate-limit headroom',
  description:
    'x-ratelimit-remaining-requests/-tokens against x-ratelimit-limit-requests/-tokens of the completion\'s answer, with the reset durations (6m0s): the tighter of the two in % left. A provider that sends -1, no such headers, or values that cannot be true (more left than the limit) is unknown, saying so; never ok while one of the two cannot be read. Needs `model`.',
  thresholds: { warn: 20, crit: 5, unit: '% left (below)' },
  run: (ctx, t) => checkHeadroom(ctx, t),
};

const checks: readonly OpenaiCheck[] = [
  {
    name: 'connectivity',
    label: 'Connectivity',
    description: 'GET /models (spends no tokens): latency and request id; no answer, a refused connection or a proxy\'s page instead of JSON is critical (a warning when only the list is slow and the completion answered). A configured `model` the list does not offer to the key is a warning.',
    run: checkConnectivity,
  },
  {
    name: 'auth',
    label: 'Authentication',
    description: '401 (bad or revoked key, wrong organization or project, IP not allowed) and 403 (unsupported country or region, missing permission), classified from the error code, then the message: critical, never retried. Ok only on an answer of the API that checked the key.',
    run: checkAuth,
  },
  {
    name: 'quota',
    label: 'Quota',
    description: '429 `insufficient_quota` (credits or budget used up: retrying will not help) is critical; `rate_limit_exceeded` a warning (back off), with the reset time. Needs `model`: one chat completion of 1 output token per run.',
    run: checkQuota,
  },
  headroom,
  {
    name: 'server',
    label: 'Server errors',
    description: '5xx and overloaded answers (503 "overloaded", 529), or a completion that does not answer while the model list does: a warning naming the status and the request id.',
    run: checkServer,
  },
];

export const openaiKind: KindDefinition<OpenaiTarget, OpenaiCheckContext> = {
  kind: KIND,
  aliases: [],
  description: 'OpenAI or a compatible API: reachable, key accepted, quota vs rate limits, rate-limit headroom, server errors',
  targetSchema,
  fromUrl: (url) => ({ url, apiKey: '' }),
  checks,
  actions: [],
  trends: [{ check: headroom, metric: 'headroom_pct', label: 'OpenAI rate-limit headroom', unit: '%' }],
  secrets: (target) => [target.apiKey],
  describeEndpoint: (target) => describeOpenaiEndpoint(target.url),
  standalone: { defaultUrl: OPENAI_DEFAULT_URL, keyEnv: 'OPENAI_API_KEY', optionalEnv: { model: 'OPENAI_MODEL', organization: 'OPENAI_ORG_ID', project: 'OPENAI_PROJECT_ID' } },
  runtime: async () => (await import('./openai-session.ts')).openaiSession,
};
