// What one diagnosis learned about a cluster, reduced while the lists stream in: only the pods,
// containers, workloads and events that have something to say are kept, with counts for the rest,
// so a namespace of 5,000 healthy pods costs a page of objects at a time, not all of them.
import type { KubeProblem } from './describe-kube-error.ts';
import { emptyRecords, type ResourceRecords } from './resource-records.ts';
import type { RolloutHistory } from './rollout-history.ts';
import { emptyUsage, type UsageRecords } from './usage-records.ts';
import type { WorkloadRef } from './workload-of.ts';

export interface PodInfo {
  namespace: string;
  name: string;
  workload: WorkloadRef;
  phase: string;
  createdAt?: Date;
  nodeName?: string;
  /** When the pod's Ready condition last changed, if it is False. */
  notReadySince?: Date;
  /** PodScheduled=False: the scheduler's reason and words. */
  unscheduled?: { reason?: string; message?: string; since?: Date };
}

export interface TerminatedState {
  reason: string;
  exitCode: number;
  finishedAt?: Date;
}

export interface ContainerRecord {
  pod: PodInfo;
  name: string;
  init: boolean;
  image?: string;
  ready: boolean;
  restartCount: number;
  running: boolean;
  waiting?: { reason: string; message?: string };
  terminated?: TerminatedState;
  lastTerminated?: TerminatedState;
  memoryLimit?: string;
  memoryRequest?: string;
}

export interface WorkloadStatus {
  ref: WorkloadRef;
  desired: number;
  available: number;
  ready: number;
  updated: number;
  paused: boolean;
  /** Progressing=False reason ProgressDeadlineExceeded: the controller's message. */
  deadlineExceeded?: string;
  /** A rollout the controller has not picked up yet or not finished. */
  rolling: boolean;
  /** When a deployment's Available condition turned False (below its minimum availability). */
  unavailableSince?: Date;
}

export interface EventRecord {
  namespace: string;
  involvedKind: string;
  involvedName: string;
  reason: string;
  message: string;
  count: number;
  last?: Date;
}

export interface NodeStatus {
  name: string;
  ready: boolean;
  readyMessage?: string;
  /** Conditions that are True but should not be: MemoryPressure, DiskPressure, ... */
  pressures: string[];
  unschedulable: boolean;
}

/** A list or get the API refused or did not answer. */
export interface FailedRequest {
  /** `list pods in prod` */
  what: string;
  /** The resource asked for: `pods`, `events`, `nodes`, `namespaces`... */
  resource: string;
  problem: KubeProblem;
}

export interface ClusterSnapshot {
  server: string;
  /** The namespaces diagnosed (or all). */
  scope: string[] | 'all';
  missingNamespaces: string[];
  podCount: number;
  pageCount: number;
  /** Containers that are not ready, waiting, restarting or terminated. */
  containers: ContainerRecord[];
  pendingPods: PodInfo[];
  /** `<ns>/<pod>/<container>` -> restartCount, for containers that restarted at all. */
  restartCounts: Map<string, number>;
  workloadCount: number;
  /** `<ns>/<kind>/<name>` -> desired replicas, for every workload listed. */
  workloadReplicas: Map<string, number>;
  workloadProblems: WorkloadStatus[];
  /** Warning events within the window. */
  warningEvents: { total: number; byReason: Map<string, { count: number; objects: Set<string>; latest: EventRecord }> };
  /** The newest warning event per object and reason, for the reasons checks quote. */
  objectEvents: Map<string, EventRecord>;
  nodes?: { count: number; problems: NodeStatus[] };
  /** Services, ingresses, claims, autoscalers, jobs, budgets, certificates (resource-records.ts). */
  resources: ResourceRecords;
  /** Limits, allocatable and the metrics server's measurements (usage-records.ts). */
  usage: UsageRecords;
  /** `<ns>/<deployment>` -> its two newest revisions, from its ReplicaSets. */
  rollouts: RolloutHistory;
  /** Whether the ReplicaSets could be listed (else no deploy evidence and no rollback). */
  replicaSetsListed: boolean;
  failed: FailedRequest[];
}

export function emptySnapshot(server: string, scope: string[] | 'all'): ClusterSnapshot {
  return {
    server,
    scope,
    missingNamespaces: [],
    podCount: 0,
    pageCount: 0,
    containers: [],
    pendingPods: [],
    restartCounts: new Map(),
    workloadCount: 0,
    workloadReplicas: new Map(),
    workloadProblems: [],
    warningEvents: { total: 0, byReason: new Map() },
    objectEvents: new Map(),
    resources: emptyRecords(),
    usage: emptyUsage(),
    rollouts: new Map(),
    replicaSetsListed: false,
    failed: [],
  };
}

export function objectEventKey(namespace: string, kind: string, name: string, reason: string): string {
  return `${namespace}/${kind}/${name}/${reason}`;
}

/** The newest event of one of `reasons` about a pod. */
export function podEvent(snapshot: ClusterSnapshot, pod: { namespace: string; name: string }, reasons: readonly string[]): EventRecord | undefined {
  let best: EventRecord | undefined;
  for (const reason of reasons) {
    const e = snapshot.objectEvents.get(objectEventKey(pod.namespace, 'Pod', pod.name, reason));
    if (e && (!best || (e.last?.getTime() ?? 0) > (best.last?.getTime() ?? 0))) best = e;
  }
  return best;
}
