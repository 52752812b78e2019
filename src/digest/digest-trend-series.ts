// The series a digest's trend chart draws: per target, each trend metric of its kind over the last
// days up to the end of this run, the run's own points included (they are stamped when its probes
// started, after the slot the digest stands for), with the check's thresholds for that target.
import type { Target } from '../config/config.ts';
import { findProbe, TREND_METRICS } from '../probes/probe-registry.ts';
import { resolveThresholds } from '../probes/probe-definition.ts';
import { findingOfCheck, type ReportSet } from '../report.ts';
import type { ReportHistory } from '../store/report-history.ts';
import type { TrendSeries } from './render-trend-chart.ts';

export interface DigestTrendSeries {
  series: TrendSeries[];
  from: Date;
  /** The end of this run (or the slot, if later): the current run's points are in [from, to]. */
  to: Date;
}

export async function digestTrendSeries(
  targets: readonly Target[],
  history: Pick<ReportHistory, 'metricSeries'>,
  current: ReportSet,
  slot: Date,
  days: number,
): Promise<DigestTrendSeries> {
  const runEnd = Math.max(
    Date.parse(current.startedAt) + current.durationMs,
    ...current.reports.map((r) => Date.parse(r.startedAt) + r.durationMs),
  );
  const to = new Date(Math.max(slot.getTime(), Number.isFinite(runEnd) ? runEnd : 0));
  const from = new Date(to.getTime() - days * 86_400_000);
  const series: TrendSeries[] = [];
  for (const t of targets) {
    const kind = findProbe(t.kind);
    const thresholds = kind ? resolveThresholds(kind, t.thresholds) : {};
    for (const m of TREND_METRICS.filter((m) => m.check.startsWith(`${t.kind}.`))) {
      const byTime = new Map<number, number>();
      for (const p of await history.metricSeries(t.name, m.check, m.metric, from)) byTime.set(p.at.getTime(), p.value);
      // This run's own values, whether or not the store returned them.
      for (const r of current.reports.filter((r) => r.target === t.name)) {
        const value = findingOfCheck(r, m.check)?.metrics?.[m.metric];
        if (value !== undefined && Number.isFinite(value)) byTime.set(Date.parse(r.startedAt), value);
      }
      const points = [...byTime].sort((a, b) => a[0] - b[0]).map(([at, value]) => ({ at: new Date(at), value }));
      // A metric the target never reported (an http target without rate-limit headers) has no panel.
      if (points.length === 0) continue;
      const own = thresholds[m.check.slice(t.kind.length + 1)];
      series.push({
        target: t.name,
        // "cache hit %" -> "cache hit": the panel writes the unit.
        metric: m.label.replace(/\s*%$/, ''),
        unit: m.unit,
        points,
        ...(own && { thresholds: own }),
      });
    }
  }
  return { series, from, to };
}
