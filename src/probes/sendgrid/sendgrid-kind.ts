// The sendgrid kind: can the application's API key send, are its sending domains authenticated,
// how much of the last day's mail bounced or was reported as spam, and the account's sender
// reputation, read from SendGrid's v3 API within the target's timeout (sendgrid-session.ts).
// Nothing here can be remedied by a button: every fix is DNS, the lists, or the key's scopes.
import { z } from 'zod';
import type { CheckDefinition, KindDefinition, KindTarget } from '../probe-definition.ts';
import { describeHttpEndpoint } from '../http/describe-endpoint.ts';
import { KIND, type SendgridCheckName, type SendgridContext } from './check-context.ts';
import { checkDelivery } from './checks/delivery.ts';
import { checkDomainAuth } from './checks/domain-auth.ts';
import { checkReputation } from './checks/reputation.ts';
import { checkSpamReports } from './checks/spam-reports.ts';

const DEFAULT_URL = 'https://api.sendgrid.com';

/** Scheme, host and port only: the probe adds /v3/... itself. */
function isApiBase(url: string): boolean {
  try {
    const u = new URL(url);
    return u.pathname === '/' && u.search === '' && u.hash === '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

const targetSchema = z.object({
  apiKey: z
    .string({ error: 'expected the SendGrid API key (SG....), written as ${SENDGRID_API_KEY} so it comes from the environment' })
    .trim()
    .min(1, 'the API key is empty: expected the SendGrid API key (SG....), written as ${SENDGRID_API_KEY}')
    .describe('the API key (use `${SENDGRID_API_KEY}`)'),
  url: z
    .url({ protocol: /^https?$/, error: 'expected an https:// API base like https://api.sendgrid.com' })
    .refine(isApiBase, 'the API base takes scheme, host and port only, like https://api.sendgrid.com or https://api.eu.sendgrid.com (no path such as /v3, no query, no user): the probe adds /v3/... itself')
    .default(DEFAULT_URL)
    .describe('API base: scheme, host and port only (default https://api.sendgrid.com; https://api.eu.sendgrid.com for EU subusers)'),
  sendingDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/, 'expected the domain the application sends from, like example.com (no @, no scheme)')
    .transform((d) => d.replace(/\.$/, ''))
    .optional()
    .describe('the domain the application sends from (example.com): its domain authentication failing is critical'),
  minRequests: z
    .number({ error: 'expected a whole number of requests, like 100' })
    .int('expected a whole number of requests, like 100')
    .min(1, 'expected at least 1 request')
    .optional()
    .describe('requests over the last day below which bounce and spam rates are not judged (default 100)'),
});

export type SendgridTarget = KindTarget<typeof targetSchema>;

type SendgridCheck = CheckDefinition<SendgridContext> & { name: SendgridCheckName };

const delivery: SendgridCheck = {
  name: 'delivery',
  label: 'Delivery',
  description: 'Bounce rate over the last day (bounces / requests, yesterday and today UTC, /v3/stats): warn above 5%, critical above 10% (a warning when today alone, with enough requests, is below critical); fewer requests than minRequests (100) are not judged unless 3 or more bounces are over a threshold even against minRequests. Needs stats.read.',
  thresholds: { warn: 5, crit: 10, unit: '%' },
  run: checkDelivery,
};

const spamReports: SendgridCheck = {
  name: 'spam_reports',
  label: 'Spam reports',
  description: 'Spam reports over the last day (reports / delivered, /v3/stats): warn above 0.1%, critical above 0.3% (a warning when today alone is below critical); fewer delivered than minRequests are not judged unless 3 or more reports are over a threshold even against minRequests. Needs stats.read.',
  thresholds: { warn: 0.1, crit: 0.3, unit: '%' },
  run: checkSpamReports,
};

const checks: readonly SendgridCheck[] = [
  {
    name: 'auth',
    label: 'API key',
    description: '/v3/scopes: a key SendGrid rejects (401, 403) is critical, and so is a key without mail.send (it cannot send); read scopes the other checks lack are named (those checks are unknown).',
  },
  {
    name: 'domain_auth',
    label: 'Domain authentication',
    description: '/v3/whitelabel/domains (paged, at most 500 domains): a domain failing validation is a warning naming its failing DNS records, critical for sendingDomain (also when it is not authenticated); no authenticated domain at all is a warning. Needs whitelabel.read.',
    run: checkDomainAuth,
  },
  delivery,
  spamReports,
  {
    name: 'reputation',
    label: 'Sender reputation',
    description: '/v3/user/account: the account\'s sender reputation, warn below 95%, critical below 80%. Needs user.account.read.',
    thresholds: { warn: 95, crit: 80, unit: '%' },
    run: checkReputation,
  },
];

export const sendgridKind: KindDefinition<SendgridTarget, SendgridContext> = {
  kind: KIND,
  aliases: [],
  description: 'SendGrid: the API key can send, sending domains authenticated, bounce and spam-report rates, sender reputation',
  targetSchema,
  fromUrl: (url) => ({ url, apiKey: '' }),
  checks,
  actions: [],
  trends: [
    { check: delivery, metric: 'bounce_pct', label: 'SendGrid bounce rate', unit: '%' },
    { check: spamReports, metric: 'spam_pct', label: 'SendGrid spam-report rate', unit: '%' },
  ],
  secrets: (target) => [target.apiKey],
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  standalone: { defaultUrl: DEFAULT_URL, keyEnv: 'SENDGRID_API_KEY' },
  runtime: async () => (await import('./sendgrid-session.ts')).sendgridSession,
};
