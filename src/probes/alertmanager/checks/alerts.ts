// Alerts Alertmanager holds as active and neither silenced nor inhibited: what people are being
// notified about. Listed by severity and alertname with their receivers; a critical one is critical.
import { z } from 'zod';
import type { Finding } from '../../../report.ts';
import { failedCall, type ApiCheckContext } from '../../http/failed-call.ts';
import { alertCount, summarizeAlerts, type AlertItem } from '../../prometheus/alert-summary.ts';
import { finding, KIND } from '../check-context.ts';

/** GET /api/v2/alerts: an array of gettableAlert. */
const alertsSchema = z.array(
  z.object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()).optional(),
    startsAt: z.string().optional(),
    receivers: z.array(z.object({ name: z.string() })).optional(),
    status: z.object({ state: z.string() }).optional(),
  }),
);

export const ALERTS_PATH = 'api/v2/alerts?active=true&silenced=false&inhibited=false';

export async function checkAlerts(ctx: ApiCheckContext): Promise<Finding[]> {
  const res = await ctx.api.getJson(ALERTS_PATH, alertsSchema);
  if (!res.ok) return [failedCall(KIND, 'alerts', 'Active alerts', res.failure)];
  // The filter leaves active alerts; "suppressed" would be a server ignoring it, so they are left out.
  const items: AlertItem[] = res.data
    .filter((a) => (a.status?.state ?? 'active') === 'active')
    .map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      state: 'firing' as const,
      since: a.startsAt,
      receivers: a.receivers?.map((r) => r.name),
    }));
  const s = summarizeAlerts(items, ctx.now);
  const title = s.firing === 0 ? 'No active alerts (unsilenced, uninhibited)' : `${alertCount(s.firing)} active: ${s.bySeverity}`;
  const fix = s.status !== 'ok'
    ? 'work the critical ones first; silence only what someone is working on, with a comment and an end time (amtool silence add ...), so the list stays a list of open problems.'
    : undefined;
  return [finding('alerts', s.status, title, { detail: s.lines.join('\n') || undefined, metrics: s.metrics, ...(fix !== undefined && { fix }) })];
}
