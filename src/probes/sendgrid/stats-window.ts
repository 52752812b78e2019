// The global email stats of yesterday and today (UTC) from GET /v3/stats, summed: what the
// delivery and spam-report checks judge. Read once per run and shared by both.
import { z } from 'zod';
import type { SendgridApi, SendgridFailure } from './sendgrid-api.ts';

const metricsSchema = z.object({
  requests: z.number().optional(),
  processed: z.number().optional(),
  delivered: z.number().optional(),
  bounces: z.number().optional(),
  bounce_drops: z.number().optional(),
  blocks: z.number().optional(),
  deferred: z.number().optional(),
  invalid_emails: z.number().optional(),
  spam_reports: z.number().optional(),
  spam_report_drops: z.number().optional(),
});

/** GET /v3/stats: one entry per day, each with the stats of the account (one element, no name). */
const statsSchema = z.array(
  z.object({
    date: z.string(),
    stats: z.array(z.object({ metrics: metricsSchema })),
  }),
);

export type StatsTotals = Required<z.output<typeof metricsSchema>>;

export type StatsWindow =
  | { ok: true; totals: StatsTotals; from: string; to: string; days: number }
  | { ok: false; failure: SendgridFailure };

const FIELDS = Object.keys(metricsSchema.shape) as Array<keyof StatsTotals>;

export function statsRoute(now: Date): { route: string; from: string; to: string } {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  return { route: `v3/stats?start_date=${from}&end_date=${to}&aggregated_by=day`, from, to };
}

export async function readStatsWindow(api: SendgridApi, now: Date): Promise<StatsWindow> {
  const { route, from, to } = statsRoute(now);
  const res = await api.getJson(route, statsSchema);
  if (!res.ok) return res;
  const totals = Object.fromEntries(FIELDS.map((f) => [f, 0])) as StatsTotals;
  for (const day of res.data) {
    for (const s of day.stats) {
      for (const f of FIELDS) totals[f] += s.metrics[f] ?? 0;
    }
  }
  return { ok: true, totals, from, to, days: res.data.length };
}
