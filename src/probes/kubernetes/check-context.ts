// What every Kubernetes check receives: the snapshot of the cluster, the target (for which
// buttons it allows), thresholds and the clock. Checks are pure functions of this.
import type { Remembered } from '../probe-state.ts';
import type { Thresholds } from '../probe-definition.ts';
import type { Finding, Status } from '../../report.ts';
import { findingFor, type FindingExtra } from '../finding-for.ts';
import type { ClusterSnapshot } from './cluster-snapshot.ts';
import type { KubeTarget } from './kube-target.ts';
import { workloadKey, workloadLabel, type WorkloadRef } from './workload-of.ts';
import { tagWorkload, type WorkloadStory } from './workload-story.ts';

export { statusAbove, statusBelow } from '../finding-for.ts';

export const KIND = 'k8s';

/** The names of the k8s checks: a finding naming another is a type error. */
export type KubeCheckName =
  | 'api' | 'crashloop' | 'oomkilled' | 'image_pull' | 'pending' | 'deployments' | 'restarts' | 'readiness' | 'nodes' | 'warning_events'
  | 'services' | 'ingresses' | 'volumes' | 'hpa' | 'jobs' | 'cronjobs' | 'pdb' | 'certificates' | 'resources' | 'log_patterns';

const baseFinding = findingFor<KubeCheckName>(KIND);

/** A k8s finding; besides detail, metrics and remedies it keeps `fix` and `config`. */
export function finding(check: KubeCheckName, status: Status, title: string, extra: FindingExtra = {}): Finding {
  const f = baseFinding(check, status, title, extra);
  if (extra.fix) f.fix = extra.fix;
  if (extra.config) f.config = true;
  return f;
}

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
  /** Every configured secret: masked in text a check quotes from the cluster before it is cut. */
  secrets?: readonly string[];
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
 * named in one more finding with the worst status among them. Each finding shown is tagged with
 * its workload and its words for a root cause (workload-story.ts), for the session's merge.
 */
export function perWorkload(check: KubeCheckName, findings: Array<Finding & { ref: WorkloadRef; story?: Omit<WorkloadStory, 'ref'> }>, noun: string): Finding[] {
  const rank: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };
  const sorted = [...findings].sort((a, b) => rank[b.status] - rank[a.status]);
  const shown = sorted.slice(0, MAX_WORKLOAD_FINDINGS).map(({ ref, story, ...f }) => tagWorkload(f, { ref, ...story }));
  const rest = sorted.slice(MAX_WORKLOAD_FINDINGS);
  if (rest.length > 0) {
    const status = rest.reduce<Status>((w, f) => (rank[f.status] > rank[w] ? f.status : w), 'ok');
    shown.push(finding(check, status, `${rest.length} more workloads with ${noun}`, { detail: rest.map((f) => workloadLabel(f.ref)).join('\n') }));
  }
  return shown;
}

/** "3 of 4 pods" when the workload's desired replicas are known, else "pod <name>" or "3 pods". */
export function podsOfWorkload(ctx: Pick<KubeCheckContext, 'snapshot'>, ref: WorkloadRef, pods: ReadonlySet<string>): string {
  const desired = ctx.snapshot.workloadReplicas.get(workloadKey(ref));
  if (desired !== undefined && desired > 0 && ref.kind !== 'pod') return `${pods.size} of ${desired} ${desired === 1 ? 'pod' : 'pods'}`;
  return pods.size === 1 ? `pod ${[...pods][0]}` : `${pods.size} pods`;
}

/** "1 pod", "3 pods". */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
