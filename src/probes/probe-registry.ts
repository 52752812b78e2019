// Every probe kind the bot knows. Adding a kind = one line here; config validation, `/diag help`
// and the CLI all read this list.
import type { ProbeDefinition, TargetBase } from './probe-definition.ts';
import { postgresProbe } from './postgres/postgres-probe.ts';
import { redisProbe } from './redis/redis-probe.ts';
import { httpProbe } from './http/http-probe.ts';
import { prometheusProbe } from './prometheus/prometheus-probe.ts';
import { alertmanagerProbe } from './alertmanager/alertmanager-probe.ts';
import { kubernetesProbe } from './kubernetes/kubernetes-probe.ts';

export const PROBES: readonly ProbeDefinition<TargetBase>[] = registerProbes([
  postgresProbe as unknown as ProbeDefinition<TargetBase>,
  redisProbe as unknown as ProbeDefinition<TargetBase>,
  httpProbe as unknown as ProbeDefinition<TargetBase>,
  prometheusProbe as unknown as ProbeDefinition<TargetBase>,
  alertmanagerProbe as unknown as ProbeDefinition<TargetBase>,
  kubernetesProbe as unknown as ProbeDefinition<TargetBase>,
]);

function registerProbes(probes: ProbeDefinition<TargetBase>[]): ProbeDefinition<TargetBase>[] {
  const seen = new Map<string, string>();
  for (const p of probes) {
    for (const word of [p.kind, ...p.aliases]) {
      const owner = seen.get(word);
      if (owner) throw new Error(`probe word "${word}" is claimed by both ${owner} and ${p.kind}`);
      seen.set(word, p.kind);
    }
  }
  return probes;
}

/** The probe for a kind name or one of its aliases (`db` -> postgres). */
export function findProbe(word: string): ProbeDefinition<TargetBase> | undefined {
  const w = word.toLowerCase();
  return PROBES.find((p) => p.kind === w || p.aliases.includes(w));
}

export function kindNames(): string[] {
  return PROBES.map((p) => p.kind);
}

/** Every finding id any probe can produce, for validating runbooks. */
export function allCheckIds(): Set<string> {
  return new Set(PROBES.flatMap((p) => p.checks.map((c) => `${p.kind}.${c.name}`)));
}

/** Closes what probes keep between runs (warm connections), at shutdown. */
export async function closeProbes(): Promise<void> {
  await Promise.all(PROBES.map((p) => p.close?.()));
}
