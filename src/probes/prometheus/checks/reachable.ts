// /-/healthy says whether Prometheus is up; /api/v1/status/buildinfo gives its version and,
// where a proxy exposes only the API, stands in for the health endpoint.
import type { Finding } from '../../../report.ts';
import type { ApiCheckContext } from '../../http/failed-call.ts';
import { apiFailureFix, describeApiFailure } from '../../http/json-api.ts';
import { snippet } from '../../http/probe-support.ts';
import { unresolvedHost } from '../../http/unresolved-host.ts';
import { formatMs } from '../../format.ts';
import { buildInfoSchema } from '../api-types.ts';
import { finding } from '../check-context.ts';

export async function checkReachable(ctx: ApiCheckContext): Promise<Finding[]> {
  const [healthy, build] = await Promise.all([ctx.api.get('-/healthy'), ctx.api.getJson('api/v1/status/buildinfo', buildInfoSchema)]);
  const version = build.ok ? ` ${build.data.data.version}` : '';
  if (!healthy.ok) {
    const f = healthy.failure;
    if (f.type === 'request' && f.failure.cancelled) return [finding('reachable', 'unknown', 'Not checked: the probe was cancelled before Prometheus answered')];
    const config = f.type === 'request' ? unresolvedHost(f.failure, ctx.url, ctx.urlKey) : undefined;
    if (config) return [finding('reachable', 'unknown', config.title, config.extra)];
    return [finding('reachable', 'crit', `Unreachable: ${describeApiFailure(f)}`, { fix: apiFailureFix(f) })];
  }
  const res = healthy.response;
  const metrics = { latency_ms: res.totalMs };
  if (res.status === 200) return [finding('reachable', 'ok', `Prometheus${version} healthy, answered in ${formatMs(res.totalMs)}`, { metrics })];
  if (build.ok && (res.status === 404 || res.status === 405)) {
    return [finding('reachable', 'ok', `Prometheus${version} answers its API (/-/healthy not exposed here: HTTP ${res.status})`, { metrics })];
  }
  const failure = { type: 'status' as const, path: '/-/healthy', status: res.status, statusText: res.statusText, body: res.body };
  return [
    finding('reachable', 'crit', `Not healthy: /-/healthy answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: ${snippet(res.body, 120)}`, {
      fix: apiFailureFix(failure),
      metrics,
    }),
  ];
}
