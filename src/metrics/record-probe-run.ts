// A probe run, counted: its duration by kind, and the findings gauge of its kind set again from
// the latest findings of every target of that kind this process has probed.
import type { Finding } from '../report.ts';
import { metrics } from './metrics.ts';

/** Check ids as the probes write them (`postgres.connections`); anything else is `other`, keeping the label bounded. */
const CHECK = /^[a-z0-9_-]+(\.[a-z0-9_-]+){1,3}$/i;
const MAX_CHECK_CHARS = 80;

/** kind -> target -> "check\u0000status" -> how many findings (a target's latest run). */
const latest = new Map<string, Map<string, Map<string, number>>>();
/** Every (check, status) pair a kind's gauge has shown, so a pair gone from every target reads 0. */
const shown = new Map<string, Set<string>>();

export function recordProbeRun(kind: string, target: string, seconds: number, findings: readonly Finding[]): void {
  metrics.probeDuration.observe({ kind }, seconds);
  const counts = new Map<string, number>();
  for (const f of findings) {
    const key = `${checkLabel(f.check)}\u0000${f.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const targets = latest.get(kind) ?? new Map<string, Map<string, number>>();
  latest.set(kind, targets);
  targets.set(target, counts);
  const pairs = shown.get(kind) ?? new Set<string>();
  shown.set(kind, pairs);
  for (const key of counts.keys()) pairs.add(key);
  for (const key of pairs) {
    const [check, status] = key.split('\u0000') as [string, string];
    let n = 0;
    for (const t of targets.values()) n += t.has(key) ? 1 : 0;
    metrics.findings.set({ kind, check, status }, n);
  }
}

function checkLabel(check: string): string {
  return check.length <= MAX_CHECK_CHARS && CHECK.test(check) ? check : 'other';
}
