// Did the server answer at all? A failed request is classified (DNS, refused, timeout,
// certificate not trusted, ...) and is the one finding that matters: nothing else can be judged.
// A host name that does not resolve is the bot's configuration, not an outage.
import type { Finding } from '../../../report.ts';
import { finding, type RequestOutcome } from '../check-context.ts';
import { displayUrl } from '../secrets.ts';
import { unresolvedHost } from '../unresolved-host.ts';

/** `url` and `urlKey` (targets.<name>.url) name the host and the key to correct when the host does not resolve. */
export function checkReachable(outcome: RequestOutcome, url: string, urlKey: string): Finding {
  if (!outcome.ok) {
    const f = outcome.failure;
    if (f.cancelled) return finding('reachable', 'unknown', 'Not checked: the probe was cancelled before the server answered');
    const config = unresolvedHost(f, url, urlKey);
    if (config) return finding('reachable', 'unknown', config.title, config.extra);
    return finding('reachable', 'crit', `Unreachable: ${f.kind} (${f.message})`, { fix: f.fix });
  }
  const res = outcome.response;
  const redirected = res.redirected ? `: redirected to ${displayUrl(res.finalUrl)}` : '';
  return finding('reachable', 'ok', `Reachable${redirected}`, {
    metrics: { headers_ms: res.headersMs },
  });
}
