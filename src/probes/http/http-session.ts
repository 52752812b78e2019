// A run of the http kind: the request and, for https, the certificate on a connection of its
// own, both at once and within the target's timeout. A failed request is classified for the
// reachable check; the other checks judge the answer.
import type { Finding } from '../../report.ts';
import type { KindRuntime } from '../probe-definition.ts';
import { finding, MAX_BODY_BYTES, type CertificateOutcome, type HttpCheckInput, type HttpRun, type RequestOutcome } from './check-context.ts';
import { classifyRequestError, failureMessage } from './classify-error.ts';
import { httpRequest } from './http-request.ts';
import type { HttpTarget } from './http-kind.ts';
import { readPeerCertificate } from './peer-certificate.ts';
import { Deadline } from './probe-support.ts';

export const httpSession: KindRuntime<HttpTarget, HttpRun> = {
  async open(target, run) {
    let url: URL;
    try {
      url = new URL(target.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`scheme ${url.protocol} is not http: or https:`);
    } catch (e) {
      return { stop: [finding('reachable', 'crit', `Unreachable: invalid URL (${failureMessage(e)})`, { fix: 'write the URL as https://api.example.com/health (http or https).' })] };
    }
    const deadline = new Deadline(run.signal, run.timeoutMs);
    const input: HttpCheckInput = {
      timeoutMs: deadline.timeoutMs,
      expectStatus: target.expectStatus,
      bodyMatch: target.bodyMatch,
      tlsInsecure: target.tlsInsecure === true,
      secrets: run.secrets,
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
    const [outcome, cert] = await Promise.all([deadline.race(request), deadline.race(certificate)]);
    const reached: RequestOutcome = outcome ?? {
      ok: false,
      failure: deadline.cancelled
        ? { kind: 'cancelled', message: 'cancelled', fix: '', cancelled: true }
        : classifyRequestError(new DOMException('timed out', 'TimeoutError'), deadline.timeoutMs, true),
    };
    return {
      ctx: {
        reached,
        response: reached.ok ? reached.response : undefined,
        certificate: cert,
        https,
        input,
        bodyMatchKey: `targets.${target.name}.bodyMatch`,
        url: target.url,
        urlKey: `targets.${target.name}.url`,
      },
      describeError: failureMessage,
      finish: oneStoryFor429,
    };
  },
};

/**
 * A 429 is one story: the rate limit's finding (when to retry, the quota) speaks for it, and the
 * status check's "HTTP 429" is taken into it rather than said twice.
 */
function oneStoryFor429(findings: Finding[]): Finding[] {
  const limited = findings.find((f) => f.check === 'http.rate_limit' && f.status === 'crit' && f.metrics?.status === 429);
  const status = findings.find((f) => f.check === 'http.status' && f.metrics?.status === 429);
  if (!limited || !status) return findings;
  return findings.filter((f) => f !== status).map((f) => (f === limited ? { ...f, rootCause: true, merged: [...(f.merged ?? []), status.check] } : f));
}
