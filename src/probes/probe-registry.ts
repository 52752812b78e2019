// Every probe kind the bot knows: adding a kind is its folder and one line here. Config
// validation, `/diag help`, runbook validation, the action registry, the digest's trend metrics
// and the README's reference all read this list. The definitions are light: a kind's client
// library is loaded only when a target of that kind runs (kind-runtimes.ts).
import type { KindDefinition, TargetBase } from './probe-definition.ts';
import { checkKinds } from './check-kinds.ts';
import { postgresKind } from './postgres/postgres-kind.ts';
import { redisKind } from './redis/redis-kind.ts';
import { httpKind } from './http/http-kind.ts';
import { prometheusKind } from './prometheus/prometheus-kind.ts';
import { alertmanagerKind } from './alertmanager/alertmanager-kind.ts';
import { kubernetesKind } from './kubernetes/kubernetes-kind.ts';
import { stripeKind } from './stripe/stripe-kind.ts';
import { openaiKind } from './openai/openai-kind.ts';
import { sendgridKind } from './sendgrid/sendgrid-kind.ts';
import { kindRuntimes } from './kind-runtimes.ts';

export const PROBES: readonly KindDefinition<TargetBase>[] = registerKinds([
  postgresKind,
  redisKind,
  httpKind,
  prometheusKind,
  alertmanagerKind,
  kubernetesKind,
  stripeKind,
  openaiKind,
  sendgridKind,
]);

function registerKinds(kinds: readonly KindDefinition<TargetBase>[]): readonly KindDefinition<TargetBase>[] {
  const problems = checkKinds(kinds);
  if (problems.length > 0) throw new Error(`the probe kinds do not register: ${problems.join('; ')}`);
  return kinds;
}

/** The kind for a kind name or one of its aliases (`db` -> postgres). */
export function findProbe(word: string): KindDefinition<TargetBase> | undefined {
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

/** The metrics drawn on the digest's trend chart: check id, metric, label. */
export const TREND_METRICS: ReadonlyArray<{ check: string; metric: string; label: string; unit: '%' | 'count' }> = PROBES.flatMap((p) =>
  p.trends.map((t) => ({ check: `${p.kind}.${t.check.name}`, metric: t.metric, label: t.label, unit: t.unit ?? '%' })),
);

/** Closes what probes keep between runs (warm connections), at shutdown; loads nothing. */
export async function closeProbes(): Promise<void> {
  await kindRuntimes.closeAll();
}
