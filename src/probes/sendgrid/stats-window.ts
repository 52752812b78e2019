// The global email stats of yesterday and today (UTC) from GET /v3/stats, summed: what the
// delivery and spam-report checks judge. Read once per run and shared by both. Only the asked
// days count (once each, whatever the server repeats, and only the day's one element); counts must be whole numbers >= 0 (zod's
// int() keeps them below 2^53, so the sums stay exact); an answer without any asked day is a
// failure, not a quiet zero.
import { z } from 'zod';
import type { SendgridApi } from './sendgrid-api.ts';
import type { SendgridFailure } from './sendgrid-failure.ts';

const count = z.number().int().min(0).optional();

const metricsSchema = z.object({
  requests: count,
  processed: count,
  delivered: count,
  bounces: count,
  bounce_drops: count,
  blocks: count,
  deferred: count,
  invalid_emails: count,
  spam_reports: count,
  spam_report_drops: count,
});

/** GET /v3/stats: one entry per day, each with the stats of the account (one element, no name). */
const statsSchema = z.array(
  z.object({
    date: z.string(),
    stats: z.array(z.object({ metrics: metricsSchema })),
  }),
);

export type StatsTotals = Required<z.output<typeof metricsSchema>>;

/**
 * `totals`: both days summed; `today`: today's alone (undefined when the answer left it out);
 * `from`: the first asked day the answer held (yesterday, or today when yesterday was left out).
 */
export type StatsWindow = { ok: true; totals: StatsTotals; today: StatsTotals | undefined; from: string } | { ok: false; failure: SendgridFailure };

const FIELDS = Object.keys(metricsSchema.shape) as Array<keyof StatsTotals>;

export async function readStatsWindow(api: SendgridApi, now: Date): Promise<StatsWindow> {
  const to = now.toISOString().slice(0, 10);
  const from = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  const route = `v3/stats?start_date=${from}&end_date=${to}&aggregated_by=day`;
  const res = await api.getJson(route, statsSchema);
  if (!res.ok) return res;
  const byDate = new Map<string, StatsTotals>();
  for (const day of res.data) {
    if ((day.date !== from && day.date !== to) || byDate.has(day.date)) continue;
    // The global stats hold one element per day; more would be counted more than once.
    byDate.set(day.date, totalsOf([day.stats[0]?.metrics ?? {}]));
  }
  if (byDate.size === 0) {
    return { ok: false, failure: { type: 'malformed', path: `/${route}`, status: 200, reason: `no day from ${from} to ${to} in the answer`, body: '' } };
  }
  return { ok: true, totals: totalsOf([...byDate.values()]), today: byDate.get(to), from: byDate.has(from) ? from : to };
}

function totalsOf(days: ReadonlyArray<Partial<StatsTotals>>): StatsTotals {
  const totals = Object.fromEntries(FIELDS.map((f) => [f, 0])) as StatsTotals;
  for (const metrics of days) {
    for (const f of FIELDS) totals[f] += metrics[f] ?? 0;
  }
  return totals;
}
