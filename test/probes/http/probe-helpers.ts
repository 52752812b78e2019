// Runs one of the HTTP-based kinds the way the bot does (thresholds resolved, a fresh signal)
// and picks findings out of the result.
import type { Finding } from '../../../src/report.ts';
import { resolveThresholds, type KindDefinition, type TargetBase, type Thresholds } from '../../../src/probes/probe-definition.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import { silentLogger } from '../../../src/logger.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';

export interface RunOptions {
  timeoutMs?: number;
  thresholds?: Record<string, Partial<Thresholds>>;
  signal?: AbortSignal;
}

export async function runKind<T extends TargetBase, C>(
  kind: KindDefinition<T, C>,
  keys: Omit<T, keyof TargetBase>,
  options: RunOptions = {},
): Promise<Finding[]> {
  const target = {
    ...keys,
    name: 'test-target',
    kind: kind.kind,
    timeoutMs: options.timeoutMs ?? 3_000,
    thresholds: resolveThresholds(kind, options.thresholds),
  } as T;
  return await runKindChecks(kind, target, {
    signal: options.signal ?? new AbortController().signal,
    log: silentLogger(),
    state: new MemoryProbeStateStore().forTarget('test-target'),
  });
}

export function findingOf(findings: readonly Finding[], id: string): Finding {
  const f = findings.find((x) => x.check === id);
  if (!f) throw new Error(`no ${id} finding in: ${findings.map((x) => `${x.check}=${x.status}`).join(', ')}`);
  return f;
}

export function statuses(findings: readonly Finding[]): Record<string, string> {
  return Object.fromEntries(findings.map((f) => [f.check, f.status]));
}
