// One digest run: probe the digest's targets (the /diag all machinery), store the reports, compare
// with the previous run of the same digest, and post one message with what changed and a
// "Details" button per target that needs attention (the stored report, in the thread), then a
// 7-day trend chart in its thread, this run included; no chart when there is nothing to draw.
import type { AppServices } from '../app-services.ts';
import type { ChannelPoster } from '../channel-poster.ts';
import type { DigestConfig, Target } from '../config/config.ts';
import { runAllProbes } from '../probes/run-all-probes.ts';
import type { ReportSet } from '../report.ts';
import type { ReportHistory } from '../store/report-history.ts';
import { digestChanges } from './digest-changes.ts';
import { digestMessage } from './digest-message.ts';
import { digestTrendSeries } from './digest-trend-series.ts';
import { renderTrendChart } from './render-trend-chart.ts';
import type { AlertStore, NoisyAlert } from '../alerts/alert-store.ts';
import { NOISY_ALERT_DAYS, NOISY_ALERTS_SHOWN } from './noisy-alerts-section.ts';

const TREND_DAYS = 7;

export interface DigestRunOptions {
  /** The scheduled time this run stands for (now for `/digest now`). */
  slot: Date;
  /** Posted after its time (the bot was down when it was due). */
  late?: boolean;
  /** Mention the digest's mentionOnCrit group when a target is critical; default true (a scheduled run). */
  notify?: boolean;
}

export interface DigestRunResult {
  set: ReportSet;
  posted: boolean;
  changes: number;
}

export interface DigestServices extends Pick<AppServices, 'config' | 'runbooks' | 'probeState' | 'log'> {
  history: ReportHistory;
  poster: ChannelPoster;
  /** Configured secrets (configSecrets), masked in every finding; none in tests that configure none. */
  secrets?: readonly string[];
  /** The alert groups' episodes and votes: the "Noisiest alerts" section (none without). */
  alertHistory?: Pick<AlertStore, 'noisiest'>;
}

export async function runDigest(digest: DigestConfig, services: DigestServices, options: DigestRunOptions): Promise<DigestRunResult> {
  const targets = digestTargets(digest, services.config.targets);
  const source = `digest:${digest.name}`;
  const set = await runAllProbes(targets, { log: services.log, runbookForCheck: services.runbooks.byCheck, state: services.probeState, targets: services.config.targets, ...(services.secrets && { secrets: services.secrets }) });
  const previous = await services.history.previousRun(source, options.slot);
  const storedIds = await services.history.record(set.reports, source, { runAt: options.slot });
  const changes = digestChanges(previous?.reports, set.reports);
  if (digest.onlyWhenNotOk && set.status === 'ok') return { set, posted: false, changes: changes.changes.length };

  const noisyAlerts = await noisiest(services, options.slot);
  const message = digestMessage(digest, set, changes, { budget: services.poster.budget, late: options.late ?? false, notify: options.notify ?? true, slot: options.slot, storedIds, noisyAlerts });
  const parent = await services.poster.post(digest.channel, message);
  const chart = await trendChart(targets, services.history, set, options.slot).catch((err: unknown) => {
    services.log.warn({ err, digest: digest.name }, 'while drawing the digest trend chart');
    return undefined;
  });
  if (chart) {
    // The digest is in the channel already: a chart that cannot be uploaded (Slack failing, the
    // pacer stopped at shutdown) is a warning, not a failed run.
    await services.poster.uploadPng(digest.channel, chart, { filename: `${digest.name}-trends.png`, title: `${digest.name}: last ${TREND_DAYS} days`, parent }).catch((err: unknown) => {
      services.log.warn({ err, digest: digest.name }, 'digest posted without its trend chart: the upload failed');
    });
  }
  return { set, posted: true, changes: changes.changes.length };
}

/**
 * Every digest gets the section, whatever its schedule: it always counts the last 7 days before the
 * slot, and shows only when alerts fired in them. A failure to read it leaves it out, not the digest.
 */
async function noisiest(services: DigestServices, slot: Date): Promise<NoisyAlert[]> {
  if (!services.alertHistory) return [];
  return await services.alertHistory.noisiest(new Date(slot.getTime() - NOISY_ALERT_DAYS * 86_400_000), NOISY_ALERTS_SHOWN).catch((err: unknown) => {
    services.log.warn({ err }, 'while reading the noisiest alerts for a digest');
    return [];
  });
}

export function digestTargets(digest: DigestConfig, all: readonly Target[]): Target[] {
  return digest.targets === 'all' ? [...all] : all.filter((t) => (digest.targets as string[]).includes(t.name));
}

/** The PNG of the last days' trends, this run included; undefined when there is no point to draw. */
async function trendChart(targets: readonly Target[], history: ReportHistory, set: ReportSet, slot: Date): Promise<Buffer | undefined> {
  const { series, from, to } = await digestTrendSeries(targets, history, set, slot, TREND_DAYS);
  return await renderTrendChart(series, { from, to, title: `Last ${TREND_DAYS} days` });
}
