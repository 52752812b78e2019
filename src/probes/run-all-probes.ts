// `/diag all`: every target at once, a few at a time. Each target is bounded by runProbe's own
// time limit, so the whole run takes about as long as the slowest target, not the sum.
import type { Target } from '../config/config.ts';
import { buildReportSet, type Report, type ReportSet } from '../report.ts';
import { runProbe, type RunProbeOptions } from './run-probe.ts';

/** Targets probed at the same time; each holds a few connections to its own system only. */
export const DEFAULT_CONCURRENCY = 8;

export interface RunAllOptions extends RunProbeOptions {
  concurrency?: number;
  /** Called after each target finishes, for progress messages. */
  onProgress?: (done: number, total: number, report: Report) => void;
  /** The single-target runner; replaceable in tests. */
  runOne?: (target: Target, options: RunProbeOptions) => Promise<Report>;
}

export async function runAllProbes(targets: readonly Target[], options: RunAllOptions): Promise<ReportSet> {
  const startedAt = new Date();
  const runOne = options.runOne ?? runProbe;
  const limit = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const reports: Report[] = new Array(targets.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      reports[i] = await runOne(targets[i]!, options);
      options.onProgress?.(++done, targets.length, reports[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, targets.length) }, worker));
  return buildReportSet(startedAt, reports);
}
