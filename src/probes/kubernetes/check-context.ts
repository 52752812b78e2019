// What every Kubernetes check receives: the snapshot of the cluster, the target (for which
// buttons it allows), thresholds and the clock. Checks are pure functions of this.
import type { Remembered } from '../probe-state.ts';
import type { Thresholds } from '../probe-definition.ts';
import type { Finding, Status } from '../../report.ts';
import { findingFor } from '../finding-for.ts';
import type { ClusterSnapshot } from './cluster-snapshot.ts';
import type { KubeTarget } from './kube-target.ts';
import { workloadKey, workloadLabel, type WorkloadRef } from './workload-of.ts';

export { statusAbove, statusBelow } from '../finding-for.ts';

export const KIND = 'k8s';

/** The names of the k8s checks: a finding naming another is a type error. */
export type KubeCheckName =
  | 'api' | 'crashloop' | 'oomkilled' | 'image_pull' | 'pending' | 'deployments' | 'restarts' | 'readiness' | 'nodes' | 'warning_events';

export const finding = findingFor<KubeCheckName>(KIND);

/** Workloads reported one finding each per check; the rest share one finding. */
export const MAX_WORKLOAD_FINDINGS = 8;
/** Pods listed in the detail of one workload's finding. */
export const MAX_DETAIL_PODS = 5;

export interface KubeCheckContext {
  snapshot: ClusterSnapshot;
  target: KubeTarget;
  /** Milliseconds since the epoch, the moment the lists were read. */
  now: number;
  /** Restart counts stored by the previous run of this target. */
  previousRestarts?: Remembered<Record<string, number>>;
}

/** A check of the snapshot, with its own thresholds (Infinity when it has none). */
export type KubeCheck = (ctx: KubeCheckContext, t: Thresholds) => Finding[];

/** Seconds from a date to now; undefined when the date is unknown. */
export function ageSeconds(ctx: KubeCheckContext, at: Date | undefined): number | undefined {
  return at ? Math.max(0, (ctx.now - at.getTime()) / 1000) : undefined;
}

export interface WorkloadGroup<T> {
  ref: WorkloadRef;
  items: T[];
}

export function groupByWorkload<T>(items: readonly T[], refOf: (item: T) => WorkloadRef): WorkloadGroup<T>[] {
  const groups = new Map<string, WorkloadGroup<T>>();
  for (const item of items) {
    const ref = refOf(item);
    const key = workloadKey(ref);
    const g = groups.get(key) ?? { ref, items: [] };
    g.items.push(item);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/**
 * One finding per workload, worst first, at most MAX_WORKLOAD_FINDINGS of them; the others are
 * named in one more finding with the worst status among them.
 */
export function perWorkload(check: KubeCheckName, findings: Array<Finding & { ref: WorkloadRef }>, noun: string): Finding[] {
  const rank: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };
  const sorted = [...findings].sort((a, b) => rank[b.status] - rank[a.status]);
  const shown = sorted.slice(0, MAX_WORKLOAD_FINDINGS).map(({ ref: _ref, ...f }) => f);
  const rest = sorted.slice(MAX_WORKLOAD_FINDINGS);
  if (rest.length > 0) {
    const status = rest.reduce<Status>((w, f) => (rank[f.status] > rank[w] ? f.status : w), 'ok');
    shown.push(finding(check, status, `${rest.length} more workloads with ${noun}`, { detail: rest.map((f) => workloadLabel(f.ref)).join('\n') }));
  }
  return shown;
}
