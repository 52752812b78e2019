// A probe run, counted: its duration by kind, and the findings gauge of its kind set again from
// the latest findings of every target of that kind this process has probed within the last hour.
// Probes run on demand (/diag, alert diagnoses), so a target not probed again would otherwise
// keep its old counts for ever: a cleared critical, or a target removed from the config, would
// still be reported. At each scrape, targets whose latest run is older than FINDINGS_MAX_AGE_MS
// drop out of the counts.
import type { Finding } from '../report.ts';
import { metrics } from './metrics.ts';

/** A target's latest run counts in the gauge for this long. */
export const FINDINGS_MAX_AGE_MS = 60 * 60_000;

/** Check ids as the probes write them (`postgres.connections`); anything else is `other`, keeping the label bounded. */
const CHECK = /^[a-z0-9_-]+(\.[a-z0-9_-]+){1,3}$/i;
const MAX_CHECK_CHARS = 80;

interface TargetRun {
  /** "check\u0000status" -> how many findings. */
  counts: Map<string, number>;
  /** Date.now() of the run. */
  probedAt: number;
}

/** kind -> target -> its latest run. */
const latest = new Map<string, Map<string, TargetRun>>();
/** Every (check, status) pair a kind's gauge has shown, so a pair gone from every target reads 0. */
const shown = new Map<string, Set<string>>();

// prom-client calls a gauge's collect before each scrape: the counts are set again there, leaving
// out the targets whose latest run has grown too old.
Object.assign(metrics.findings, {
  collect(): void {
    for (const kind of latest.keys()) setKind(kind, Date.now());
  },
});

export function recordProbeRun(kind: string, target: string, seconds: number, findings: readonly Finding[]): void {
  metrics.probeDuration.observe({ kind }, seconds);
  const counts = new Map<string, number>();
  for (const f of findings) {
    const key = `${checkLabel(f.check)}\u0000${f.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const targets = latest.get(kind) ?? new Map<string, TargetRun>();
  latest.set(kind, targets);
  const now = Date.now();
  targets.set(target, { counts, probedAt: now });
  const pairs = shown.get(kind) ?? new Set<string>();
  shown.set(kind, pairs);
  for (const key of counts.keys()) pairs.add(key);
  setKind(kind, now);
}

/** Sets a kind's gauge from its targets probed within FINDINGS_MAX_AGE_MS of now, forgetting older ones. */
function setKind(kind: string, now: number): void {
  const targets = latest.get(kind)!;
  for (const [name, run] of targets) if (now - run.probedAt > FINDINGS_MAX_AGE_MS) targets.delete(name);
  for (const key of shown.get(kind) ?? []) {
    const [check, status] = key.split('\u0000') as [string, string];
    let n = 0;
    for (const t of targets.values()) n += t.counts.has(key) ? 1 : 0;
    metrics.findings.set({ kind, check, status }, n);
  }
}

function checkLabel(check: string): string {
  return check.length <= MAX_CHECK_CHARS && CHECK.test(check) ? check : 'other';
}
