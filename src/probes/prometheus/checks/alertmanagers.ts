// Where Prometheus sends its alerts. No active Alertmanager means firing alerts notify nobody;
// within two minutes of a start, discovery may just not have found it yet (unknown).
import type { Finding } from '../../../report.ts';
import { failedCall, type ApiCheckContext } from '../../http/failed-call.ts';
import { capLines } from '../../http/probe-support.ts';
import { plural } from '../../format.ts';
import { alertmanagersSchema } from '../api-types.ts';
import { finding, KIND } from '../check-context.ts';
import { justStarted } from '../just-started.ts';

export async function checkAlertmanagers(ctx: ApiCheckContext): Promise<Finding[]> {
  const res = await ctx.api.getJson('api/v1/alertmanagers', alertmanagersSchema);
  if (!res.ok) return [failedCall(KIND, 'alertmanagers', 'Alertmanagers', res.failure)];
  const active = res.data.data.activeAlertmanagers.map((a) => a.url);
  const dropped = (res.data.data.droppedAlertmanagers ?? []).map((a) => a.url);
  const metrics = { active: active.length, dropped: dropped.length };
  if (active.length === 0) {
    const lines = dropped.length ? [`Dropped by relabeling: ${capLines(dropped, 5).join(', ')}`] : [];
    const started = await justStarted(ctx);
    if (started !== undefined) {
      lines.push('Discovery finds the Alertmanagers within the first minutes after a start; the next run judges it.');
      return [finding('alertmanagers', 'unknown', `Prometheus just started (${started}): no Alertmanager discovered yet`, { detail: lines.join('\n'), metrics })];
    }
    return [
      finding('alertmanagers', 'warn', 'No Alertmanager connected: alerts go nowhere', {
        detail: lines.join('\n') || undefined,
        metrics,
        fix: 'check the alerting.alertmanagers section of the Prometheus config (static targets or service discovery, relabeling) and that Alertmanager runs; until then firing alerts notify nobody.',
      }),
    ];
  }
  return [
    finding('alertmanagers', 'ok', `Sending alerts to ${plural(active.length, 'Alertmanager')}`, {
      detail: capLines(active, 5).join('\n'),
      metrics,
    }),
  ];
}
