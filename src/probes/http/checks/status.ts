// The status code against the expected set (any 2xx unless expectStatus says otherwise). An
// unexpected one is critical and shows the start of the body: error pages usually say why.
import type { Finding } from '../../../report.ts';
import { finding, type HttpCheckInput } from '../check-context.ts';
import type { HttpResult } from '../http-request.ts';
import { snippet } from '../probe-support.ts';
import { displayUrl } from '../secrets.ts';

export function checkStatus(res: HttpResult, input: HttpCheckInput): Finding {
  const expected = input.expectStatus;
  const ok = expected?.length ? expected.includes(res.status) : res.status >= 200 && res.status < 300;
  const label = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (ok) return finding('status', 'ok', label, { metrics: { status: res.status } });
  const wanted = expected?.length ? expected.join(', ') : '2xx';
  if (res.offOriginRedirect !== undefined) {
    // Not followed: the target's headers (API keys, tokens) must never reach another origin.
    return finding('status', 'crit', `${label}: redirects to another origin, ${displayUrl(res.offOriginRedirect)} (not followed)`, {
      detail: 'The probe follows redirects only within the origin of the configured URL, so that the target\'s headers are never sent to another server.',
      fix: `point the target at the final URL if that server is the one to check, or list ${res.status} in expectStatus if this redirect is the expected answer.`,
      metrics: { status: res.status },
    });
  }
  const fix = statusFix(res);
  return finding('status', 'crit', `${label}, expected ${wanted}`, {
    detail: `Body: ${snippet(res.body, 200, input.secrets)}`,
    metrics: { status: res.status },
    ...(fix !== undefined && { fix }),
  });
}

function statusFix(res: HttpResult): string | undefined {
  const s = res.status;
  if (s === 401 || s === 403) return 'the server refuses the probe\'s credentials: check the headers of the target (the secret they reference) and that the token has not expired or been rotated.';
  if (s === 404) return 'the path does not exist here: check the URL (a moved health route, a missing prefix behind a proxy).';
  if (s === 429) return `rate limited${res.headers['retry-after'] ? ` (Retry-After ${res.headers['retry-after']})` : ''}: probe less often or exempt the health route.`;
  if (s === 502 || s === 504) return 'a proxy or load balancer got no good answer from the service behind it: check that service\'s pods or processes and its logs.';
  if (s === 503) return 'the service reports itself unavailable (overloaded, starting, or a dependency down): read what the body says and check its dependencies.';
  if (s >= 500) return 'the service failed while answering: read its logs around now and check recent deploys.';
  if (s >= 300 && s < 400) return `a redirect that was not followed${res.headers.location ? ` (Location: ${displayUrl(URL.parse(res.headers.location, res.finalUrl)?.toString() ?? '')})` : ''}: point the target at the final URL or list ${s} in expectStatus.`;
  return undefined;
}
