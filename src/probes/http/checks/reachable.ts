// Did the server answer at all? A failed request is classified (DNS, refused, timeout,
// certificate not trusted, ...) and is the one finding that matters: nothing else can be judged.
import type { Finding } from '../../../report.ts';
import { finding, type RequestOutcome } from '../check-context.ts';
import { displayUrl } from '../secrets.ts';

export function checkReachable(outcome: RequestOutcome): Finding {
  if (!outcome.ok) {
    const f = outcome.failure;
    if (f.cancelled) return finding('reachable', 'unknown', 'Not checked: the probe was cancelled before the server answered');
    return finding('reachable', 'crit', `Unreachable: ${f.kind} (${f.message})`, { detail: f.fix });
  }
  const res = outcome.response;
  const redirected = res.redirected ? `: redirected to ${displayUrl(res.finalUrl)}` : '';
  return finding('reachable', 'ok', `Reachable${redirected}`, {
    metrics: { headers_ms: res.headersMs },
  });
}
