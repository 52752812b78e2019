// The HTTP probe: one request to a health URL (status, body match, latency) and, for https, the
// certificate read on a connection of its own, both at once and within the target's timeout.
// A failed request is a classified `reachable` finding; nothing is thrown to the caller, and no
// finding carries a header value or URL credential.
import { z } from 'zod';
import type { Finding } from '../../report.ts';
import { resolveThresholds, type CheckSpec, type ProbeContext, type ProbeDefinition, type TargetBase } from '../probe-definition.ts';
import { finding, MAX_BODY_BYTES, type CertificateOutcome, type HttpCheckInput, type RequestOutcome } from './check-context.ts';
import { classifyRequestError, failureMessage } from './classify-error.ts';
import { httpRequest } from './http-request.ts';
import { readPeerCertificate } from './peer-certificate.ts';
import { Deadline } from './probe-support.ts';
import { scrubFindings, sortedSecrets, targetSecrets } from './secrets.ts';
import { checkBody, invalidBodyMatch } from './checks/body.ts';
import { checkCertificate } from './checks/certificate.ts';
import { checkLatency } from './checks/latency.ts';
import { checkReachable } from './checks/reachable.ts';
import { checkStatus } from './checks/status.ts';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export type HttpTarget = TargetBase & {
  url: string;
  method?: (typeof HTTP_METHODS)[number];
  headers?: Record<string, string>;
  expectStatus?: number[];
  bodyMatch?: string;
  tlsInsecure?: boolean;
};

const CHECKS: readonly CheckSpec[] = [
  {
    name: 'reachable',
    description: 'The request gets an answer within the timeout; otherwise the error class (DNS, refused, timeout, connection closed, certificate not trusted, TLS).',
  },
  { name: 'status', description: 'The status code is expected (expectStatus, or any 2xx); an unexpected one is critical and shows the start of the body. Redirects are followed within the origin only; one to another origin is reported, not followed (the target\'s headers never leave its origin).' },
  { name: 'body', description: 'The body (first 64 KiB) contains bodyMatch, a substring or /regex/ (stopped after 250 ms: unknown); only when bodyMatch is configured.' },
  {
    name: 'latency',
    description: 'Time until the last byte of the (bounded) body was read.',
    thresholds: { warn: 1000, crit: 5000, unit: 'ms' },
  },
  {
    name: 'certificate',
    description: 'https only: days until the certificate expires (expired is critical), its subject, issuer and whether this host trusts it.',
    thresholds: { warn: 20, crit: 3, unit: 'days left (below)' },
  },
];

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const targetSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
    method: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS)).optional(),
    headers: z.record(z.string().regex(HEADER_NAME, 'not a valid header name'), z.string().regex(/^[^\r\n]*$/, 'a header value is one line')).optional(),
    expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
    bodyMatch: z
      .string()
      .min(1)
      .superRefine((value, ctx) => {
        const invalid = invalidBodyMatch(value);
        if (invalid) ctx.addIssue({ code: 'custom', message: `not a valid /regex/: ${invalid}`, input: value });
      })
      .optional(),
    tlsInsecure: z.boolean().optional(),
  })
  .refine((t) => !(t.method === 'HEAD' && t.bodyMatch !== undefined), {
    message: 'bodyMatch needs a body: it cannot be used with method HEAD',
    path: ['bodyMatch'],
  });

export const httpProbe: ProbeDefinition<HttpTarget> = {
  kind: 'http',
  aliases: ['health'],
  description: 'HTTP(S) endpoint: reachable, status, body match, latency, certificate expiry',
  checks: CHECKS,
  targetSchema,
  fromUrl: (url) => ({ url }),
  run: runHttpProbe,
};

async function runHttpProbe(target: HttpTarget, ctx: ProbeContext): Promise<Finding[]> {
  const secrets = sortedSecrets([...targetSecrets(target.url, target.headers), ...(ctx.secrets ?? [])]);
  try {
    return scrubFindings(await probe(target, ctx, secrets), secrets);
  } catch (e) {
    // Every step is guarded; this is the net under the net, so the caller still gets a finding.
    ctx.log.error({ err: e }, 'http probe failed');
    return scrubFindings([finding('reachable', 'unknown', `Probe failed: ${failureMessage(e)}`)], secrets);
  }
}

async function probe(target: HttpTarget, ctx: ProbeContext, secrets: readonly string[]): Promise<Finding[]> {
  if (ctx.signal.aborted) return [finding('reachable', 'unknown', 'Not checked: the probe was cancelled before it started')];
  let url: URL;
  try {
    url = new URL(target.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`scheme ${url.protocol} is not http: or https:`);
  } catch (e) {
    return [finding('reachable', 'crit', `Unreachable: invalid URL (${failureMessage(e)})`, { detail: 'Expected a URL like https://api.example.com/health.' })];
  }
  const deadline = new Deadline(ctx.signal, target.timeoutMs);
  const thresholds = resolveThresholds({ checks: CHECKS }, target.thresholds);
  const input: HttpCheckInput = {
    timeoutMs: deadline.timeoutMs,
    thresholds: (check) => thresholds[check] ?? { warn: Infinity, crit: Infinity },
    expectStatus: target.expectStatus,
    bodyMatch: target.bodyMatch,
    tlsInsecure: target.tlsInsecure === true,
    secrets,
  };

  const request: Promise<RequestOutcome> = httpRequest({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers,
    insecure: input.tlsInsecure,
    signal: deadline.signal,
    maxBytes: MAX_BODY_BYTES,
  }).then(
    (response) => ({ ok: true as const, response }),
    (e: unknown) => ({ ok: false as const, failure: classifyRequestError(e, deadline.timeoutMs, deadline.timedOut) }),
  );
  const https = url.protocol === 'https:';
  const certificate: Promise<CertificateOutcome> = https
    ? readPeerCertificate(url, deadline.signal).then(
        (c) => ({ ok: true as const, certificate: c }),
        (e: unknown) => ({ ok: false as const, message: classifyRequestError(e, deadline.timeoutMs, deadline.timedOut).message }),
      )
    : Promise.resolve(undefined);
  const [outcome, cert] = await Promise.all([
    deadline.race(request),
    deadline.race(certificate),
  ]);

  const reached: RequestOutcome = outcome ?? {
    ok: false,
    failure: deadline.cancelled
      ? { kind: 'cancelled', message: 'cancelled', fix: '', cancelled: true }
      : classifyRequestError(new DOMException('timed out', 'TimeoutError'), deadline.timeoutMs, true),
  };
  const findings: Finding[] = [checkReachable(reached)];
  if (reached.ok) {
    const res = reached.response;
    findings.push(checkStatus(res, input));
    // The body of a redirect that was not followed is not the endpoint's: the status says it all.
    if (target.bodyMatch !== undefined && res.offOriginRedirect === undefined) {
      findings.push(checkBody(res, target.bodyMatch, input, `targets.${target.name}.bodyMatch`));
    }
    findings.push(checkLatency(res, input));
  }
  // The certificate is worth reporting even when the request failed on it (expired, untrusted);
  // when the server could not be reached at all, the reachable finding says everything.
  if (https && (reached.ok || cert?.ok)) findings.push(checkCertificate(cert, input));
  return findings;
}
