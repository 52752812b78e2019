// /-/healthy (the process is alive) and /-/ready (configuration loaded, cluster settled: it can
// take and send alerts). Not healthy or not reachable is critical; alive but not ready a warning.
import type { Finding } from '../../../report.ts';
import type { ApiCheckContext } from '../../http/failed-call.ts';
import { apiFailureFix, describeApiFailure, type RawResult } from '../../http/json-api.ts';
import { snippet } from '../../http/probe-support.ts';
import { unresolvedHost } from '../../http/unresolved-host.ts';
import { formatMs } from '../../format.ts';
import { finding } from '../check-context.ts';

export async function checkReachable(ctx: ApiCheckContext): Promise<Finding[]> {
  const [healthy, ready] = await Promise.all([ctx.api.get('-/healthy'), ctx.api.get('-/ready')]);
  if (!healthy.ok) {
    const f = healthy.failure;
    if (f.type === 'request' && f.failure.cancelled) return [finding('reachable', 'unknown', 'Not checked: the probe was cancelled before Alertmanager answered')];
    const config = f.type === 'request' ? unresolvedHost(f.failure, ctx.url, ctx.urlKey) : undefined;
    if (config) return [finding('reachable', 'unknown', config.title, config.extra)];
    return [finding('reachable', 'crit', `Unreachable: ${describeApiFailure(f)}`, { fix: apiFailureFix(f) })];
  }
  const h = healthy.response;
  const metrics = { latency_ms: h.totalMs };
  if (h.status !== 200) {
    const failure = { type: 'status' as const, path: '/-/healthy', status: h.status, statusText: h.statusText, body: h.body };
    return [
      finding('reachable', 'crit', `Not healthy: /-/healthy answered HTTP ${h.status}${h.statusText ? ` ${h.statusText}` : ''}: ${snippet(h.body, 120)}`, {
        detail: readiness(ready),
        fix: apiFailureFix(failure),
        metrics,
      }),
    ];
  }
  if (!ready.ok || ready.response.status !== 200) {
    return [
      finding('reachable', 'warn', `Healthy but not ready (${readiness(ready)})`, {
        detail: 'A starting Alertmanager is not ready until its configuration is loaded and its cluster has settled.',
        fix: 'if it stays not ready, read its log (configuration errors, peers it cannot reach on the cluster port).',
        metrics,
      }),
    ];
  }
  return [finding('reachable', 'ok', `Alertmanager healthy and ready, answered in ${formatMs(h.totalMs)}`, { metrics })];
}

function readiness(ready: RawResult): string {
  if (!ready.ok) return `/-/ready: ${describeApiFailure(ready.failure)}`;
  const r = ready.response;
  return `/-/ready answered HTTP ${r.status}${r.status === 200 ? '' : `: ${snippet(r.body, 80)}`}`;
}
