// The http kind: one request to a health URL (status, body match, latency) and, for https, the
// certificate read on a connection of its own, both at once within the target's timeout. The
// checks are pure functions of what that one round trip found (http-session.ts).
import { z } from 'zod';
import type { CheckDefinition, KindDefinition, KindTarget } from '../probe-definition.ts';
import type { HttpCheckName, HttpRun } from './check-context.ts';
import { describeHttpEndpoint } from './describe-endpoint.ts';
import { targetSecrets } from './secrets.ts';
import { workloadRefSchema } from '../kubernetes/logs/workload-ref.ts';
import { checkBody, invalidBodyMatch } from './checks/body.ts';
import { checkCertificate } from './checks/certificate.ts';
import { checkLatency } from './checks/latency.ts';
import { checkRateLimit, rateLimitApplies } from './checks/rate-limit.ts';
import { checkReachable } from './checks/reachable.ts';
import { checkStatus } from './checks/status.ts';

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const targetSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).describe('http or https'),
    method: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS)).optional().describe('default GET'),
    headers: z
      .record(z.string().regex(HEADER_NAME, 'not a valid header name'), z.string().regex(/^[^\r\n]*$/, 'a header value is one line'))
      .optional()
      .describe('a map of header names and values (use `${VAR}` for tokens)'),
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional().describe('list, default any 2xx'),
    bodyMatch: z
      .string()
      .min(1)
      .superRefine((value, ctx) => {
        const invalid = invalidBodyMatch(value);
        if (invalid) ctx.addIssue({ code: 'custom', message: `not a valid /regex/: ${invalid}`, input: value });
      })
      .optional()
      .describe('substring or `/regex/flags`'),
    tlsInsecure: z.boolean().optional().describe('accept an untrusted certificate, still report its expiry'),
    workload: workloadRefSchema
      .optional()
      .describe('the Kubernetes workload serving this URL: `{ target: <k8s target>, name: shop/deployment/web }` (target may be left out with one k8s target); a 5xx then quotes its top error log patterns'),
  })
  .refine((t) => !(t.method === 'HEAD' && t.bodyMatch !== undefined), {
    message: 'bodyMatch needs a body: it cannot be used with method HEAD',
    path: ['bodyMatch'],
  });

export type HttpTarget = KindTarget<typeof targetSchema>;

type HttpCheck = CheckDefinition<HttpRun> & { name: HttpCheckName };

const rateLimit: HttpCheck = {
  name: 'rate_limit',
  label: 'Rate limit',
  description:
    'Headroom the answer\'s rate-limit headers state, in percent of the limit (the tightest quota when there are several): X-RateLimit-Limit/-Remaining/-Reset (reset in seconds or as a unix epoch) and GitHub\'s X-RateLimit-Used, the IETF RateLimit/RateLimit-Policy fields and the older RateLimit-Limit/-Remaining/-Reset. A 429 is critical, with Retry-After in words; a value that cannot be read is unknown, naming the header. Only when the answer carries such headers.',
  thresholds: { warn: 20, crit: 5, unit: '% left (below)' },
  applies: (r) => r.response !== undefined && rateLimitApplies(r.response),
  run: (r, t) => [checkRateLimit(r.response!, r.input, t)],
};

const checks: readonly HttpCheck[] = [
  {
    name: 'reachable',
    label: 'Reachability',
    description:
      'The request gets an answer within the timeout; otherwise the error class (refused, timeout, connection closed, certificate not trusted, TLS). A host name that does not resolve is the bot\'s configuration (unknown), not an outage.',
    run: (r) => [checkReachable(r.reached, r.url, r.urlKey)],
  },
  {
    name: 'status',
    label: 'Status',
    description: 'The status code is expected (expectStatus, or any 2xx); an unexpected one is critical and shows the start of the body. Redirects are followed within the origin only; one to another origin is reported, not followed (the target\'s headers never leave its origin).',
    applies: (r) => r.response !== undefined,
    run: (r) => [checkStatus(r.response!, r.input)],
  },
  {
    name: 'body',
    label: 'Body',
    description: 'The body (first 64 KiB) contains bodyMatch, a substring or /regex/ (stopped after 250 ms: unknown); only when bodyMatch is configured.',
    // The body of a redirect that was not followed is not the endpoint's: the status says it all.
    applies: (r) => r.response !== undefined && r.input.bodyMatch !== undefined && r.response.offOriginRedirect === undefined,
    run: (r) => [checkBody(r.response!, r.input.bodyMatch!, r.input, r.bodyMatchKey)],
  },
  {
    name: 'latency',
    label: 'Latency',
    description: 'Time until the last byte of the (bounded) body was read.',
    thresholds: { warn: 1000, crit: 5000, unit: 'ms' },
    applies: (r) => r.response !== undefined,
    run: (r, t) => [checkLatency(r.response!, t)],
  },
  {
    name: 'certificate',
    label: 'Certificate',
    description: 'https only: days until the certificate expires (expired is critical), its subject, issuer and whether this host trusts it.',
    thresholds: { warn: 20, crit: 3, unit: 'days left (below)' },
    // Worth reporting even when the request failed on it (expired, untrusted); when the server
    // could not be reached at all, the reachable finding says everything.
    applies: (r) => r.https && (r.reached.ok || r.certificate?.ok === true),
    run: (r, t) => [checkCertificate(r.certificate, r.input, t)],
  },
  rateLimit,
];

export const httpKind: KindDefinition<HttpTarget, HttpRun> = {
  kind: 'http',
  aliases: ['health'],
  description: 'HTTP(S) endpoint: reachable, status, body match, latency, certificate expiry, rate-limit headroom',
  targetSchema,
  fromUrl: (url) => ({ url }),
  checks,
  actions: [],
  trends: [{ check: rateLimit, metric: 'headroom_pct', label: 'rate-limit headroom %' }],
  secrets: (target) => targetSecrets(target.url, target.headers),
  describeEndpoint: (target) => describeHttpEndpoint(target.url),
  runtime: async () => (await import('./http-session.ts')).httpSession,
  evidence: async (target, findings, context) =>
    target.workload ? (await import('../kubernetes/logs/workload-evidence.ts')).withWorkloadLogs(findings, context, (f) => (f.check === 'http.status' && f.status === 'crit' && (f.metrics?.status ?? 0) >= 500 ? target.workload : undefined)) : [...findings],
};
