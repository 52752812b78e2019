// Alerts Prometheus is firing, counted by their severity label: a firing critical alert is
// critical, a firing warning a warning; pending alerts (waiting out their `for:`) are listed.
import type { Finding } from '../../../report.ts';
import { failedCall, type ApiCheckContext } from '../../http/failed-call.ts';
import { alertsSchema } from '../api-types.ts';
import { alertCount, summarizeAlerts, type AlertItem } from '../alert-summary.ts';
import { finding, KIND } from '../check-context.ts';

export async function checkAlerts(ctx: ApiCheckContext): Promise<Finding[]> {
  const res = await ctx.api.getJson('api/v1/alerts', alertsSchema);
  if (!res.ok) return [failedCall(KIND, 'alerts', 'Alerts', res.failure)];
  const items: AlertItem[] = res.data.data.alerts
    .filter((a) => a.state === 'firing' || a.state === 'pending')
    .map((a) => ({ labels: a.labels, annotations: a.annotations, state: a.state as 'firing' | 'pending', since: a.activeAt }));
  const s = summarizeAlerts(items, ctx.now);
  const pending = s.pending ? `; ${s.pending} pending` : '';
  const title = s.firing === 0 ? `No alerts firing${pending}` : `${alertCount(s.firing)} firing: ${s.bySeverity}${pending}`;
  const fix = s.status !== 'ok'
    ? 'work the critical ones first, from their runbook annotation; an alert that fires often without anyone acting on it needs its threshold, `for:` or routing tuned.'
    : undefined;
  return [finding('alerts', s.status, title, { detail: s.lines.join('\n') || undefined, metrics: s.metrics, ...(fix !== undefined && { fix }) })];
}
