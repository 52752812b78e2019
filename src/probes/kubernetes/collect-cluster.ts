// Lists what the checks need, a page at a time (`limit` + `continue`), and folds each page into
// the snapshot before asking for the next. Every request is bounded by the target's timeout; a
// refused or failed list is recorded for the checks that needed it, never thrown.
import type * as k8s from '@kubernetes/client-node';
import {
  emptySnapshot,
  objectEventKey,
  type ClusterSnapshot,
  type ContainerRecord,
  type PodInfo,
  type NodeStatus,
  type TerminatedState,
  type WorkloadStatus,
} from './cluster-snapshot.ts';
import { collectResources, collectStorageClasses, type Lister } from './collect-resources.ts';
import { collectNodeMetrics, collectUsage } from './collect-usage.ts';
import { describeKubeError, type KubeRequestDescription } from './describe-kube-error.ts';
import type { KubeClient } from './kube-client.ts';
import type { KubeTarget } from './kube-target.ts';
import { parseQuantity } from './quantity.ts';
import { readVolumeStats } from './volume-stats.ts';
import { workloadKey, workloadOf, type WorkloadRef } from './workload-of.ts';

/** Objects per page: big enough for few round trips, small enough to bound memory. */
export const PAGE_SIZE = 500;
/** Events quoted per object and reason are capped, whatever the cluster throws at us. */
const MAX_OBJECT_EVENTS = 20_000;
/** Event reasons checks quote for a pod (scheduling, image pulls, probes) or a volume claim (provisioning). */
const QUOTED_REASONS = new Set(['FailedScheduling', 'Failed', 'Unhealthy', 'ProbeError', 'BackOff', 'ErrImageNeverPull', 'InspectFailed', 'ProvisioningFailed', 'FailedBinding']);
/** Below this many milliseconds left, the kubelets' volume stats are not asked for. */
const MIN_STATS_MS = 100;
/** How far back a failed Job counts when the target does not say (the jobs check's warn, in minutes). */
const DEFAULT_JOB_WINDOW_MIN = 1440;

interface ListResult<T> {
  items: T[];
  metadata?: { _continue?: string };
}

export interface CollectOptions {
  signal: AbortSignal;
  timeoutMs: number;
  now: number;
  /** Lists only these namespaces (a `/diag k8s <target> <namespace>` run). */
  namespaces: string[] | 'all';
}

export async function collectCluster(client: KubeClient, target: KubeTarget, options: CollectOptions): Promise<ClusterSnapshot> {
  const snapshot = emptySnapshot(client.server, options.namespaces);
  const call = async <T>(request: KubeRequestDescription, what: string, fn: (o: k8s.ConfigurationOptions) => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn(client.options(options.signal, options.timeoutMs));
    } catch (error) {
      snapshot.failed.push({ what, resource: request.resource, problem: describeKubeError(error, request, options.timeoutMs, client.server) });
      return undefined;
    }
  };
  const listAll = async <T>(request: KubeRequestDescription, what: string, page: (cont: string | undefined, o: k8s.ConfigurationOptions) => Promise<ListResult<T>>, fold: (items: T[]) => void) => {
    let cont: string | undefined;
    do {
      const result = await call(request, what, (o) => page(cont, o));
      if (!result) return;
      snapshot.pageCount += 1;
      fold(result.items);
      cont = result.metadata?._continue || undefined;
    } while (cont && !options.signal.aborted);
  };

  const labelSelector = target.labelSelector;
  const paging = (cont: string | undefined) => ({ limit: PAGE_SIZE, ...(cont && { _continue: cont }), ...(labelSelector && { labelSelector }) });
  const eventPaging = (cont: string | undefined) => ({ limit: PAGE_SIZE, fieldSelector: 'type=Warning', ...(cont && { _continue: cont }) });
  const since = options.now - target.eventWindowMinutes * 60_000;
  const lister: Lister = { listAll, paging: (cont) => ({ limit: PAGE_SIZE, ...(cont && { _continue: cont }) }), failed: snapshot.failed };
  const jobWindowMin = target.thresholds?.jobs?.warn;
  const resourceOptions = { now: options.now, jobWindowMs: (Number.isFinite(jobWindowMin) ? jobWindowMin! : DEFAULT_JOB_WINDOW_MIN) * 60_000 };

  const scopes: Array<string | undefined> = options.namespaces === 'all' ? [undefined] : options.namespaces;
  // Nodes are cluster-wide: listed once, alongside the namespaces.
  let nodeCount = 0;
  let nodesListed = false;
  const nodeProblems: NodeStatus[] = [];
  const nodes = listAll<k8s.V1Node>({ verb: 'list', resource: 'nodes' }, 'list nodes', (cont, o) => client.core.listNode({ limit: PAGE_SIZE, ...(cont && { _continue: cont }) }, o), (items) => {
    nodesListed = true;
    nodeCount += items.length;
    for (const n of items.map(nodeStatus)) if (!n.ready || n.pressures.length > 0 || n.unschedulable) nodeProblems.push(n);
    for (const n of items) foldAllocatable(snapshot, n);
  });
  const storageClasses = collectStorageClasses(client, lister, snapshot.resources);
  const nodeMetrics = collectNodeMetrics(client, lister, snapshot);
  for (const namespace of scopes) {
    const where = namespace ? ` in ${namespace}` : ' in all namespaces';
    const req = (verb: 'list', resource: string): KubeRequestDescription => ({ verb, resource, ...(namespace && { namespace }) });
    await Promise.all([
      namespace
        ? call({ verb: 'get', resource: 'namespaces', name: namespace }, `get namespace ${namespace}`, (o) => client.core.readNamespace({ name: namespace }, o)).then(() => {
            // A namespace that is not there is its own finding, not a failed request; other lists
            // may have recorded failures meanwhile, so it is looked up by name, not taken as the last.
            const i = snapshot.failed.findIndex((f) => f.what === `get namespace ${namespace}` && f.problem.kind === 'not_found');
            if (i >= 0) {
              snapshot.failed.splice(i, 1);
              snapshot.missingNamespaces.push(namespace);
            }
          })
        : undefined,
      listAll<k8s.V1Pod>(req('list', 'pods'), `list pods${where}`,
        (cont, o) => (namespace ? client.core.listNamespacedPod({ namespace, ...paging(cont) }, o) : client.core.listPodForAllNamespaces(paging(cont), o)),
        (pods) => pods.forEach((p) => foldPod(snapshot, p))),
      listAll<k8s.CoreV1Event>(req('list', 'events'), `list events${where}`,
        (cont, o) => (namespace ? client.core.listNamespacedEvent({ namespace, ...eventPaging(cont) }, o) : client.core.listEventForAllNamespaces(eventPaging(cont), o)),
        (events) => events.forEach((e) => foldEvent(snapshot, e, since))),
      listAll<k8s.V1Deployment>(req('list', 'deployments'), `list deployments${where}`,
        (cont, o) => (namespace ? client.apps.listNamespacedDeployment({ namespace, ...paging(cont) }, o) : client.apps.listDeploymentForAllNamespaces(paging(cont), o)),
        (items) => items.forEach((d) => foldWorkload(snapshot, deploymentStatus(d)))),
      listAll<k8s.V1StatefulSet>(req('list', 'statefulsets'), `list statefulsets${where}`,
        (cont, o) => (namespace ? client.apps.listNamespacedStatefulSet({ namespace, ...paging(cont) }, o) : client.apps.listStatefulSetForAllNamespaces(paging(cont), o)),
        (items) => items.forEach((s) => foldWorkload(snapshot, statefulSetStatus(s)))),
      listAll<k8s.V1DaemonSet>(req('list', 'daemonsets'), `list daemonsets${where}`,
        (cont, o) => (namespace ? client.apps.listNamespacedDaemonSet({ namespace, ...paging(cont) }, o) : client.apps.listDaemonSetForAllNamespaces(paging(cont), o)),
        (items) => items.forEach((d) => foldWorkload(snapshot, daemonSetStatus(d)))),
      ...collectResources(client, lister, snapshot.resources, namespace, resourceOptions),
      ...collectUsage(client, lister, snapshot, namespace, labelSelector),
    ]);
  }
  await Promise.all([nodes, storageClasses, nodeMetrics]);
  // The kubelets are asked only within what is left of the lists' time, so a run stays bounded.
  const left = options.now + options.timeoutMs - Date.now();
  if (left >= MIN_STATS_MS) await readVolumeStats(client, snapshot.resources, { signal: options.signal, timeoutMs: left });
  else snapshot.resources.volumeStatsProblem = `no time left within ${options.timeoutMs} ms to ask the kubelets`;
  if (nodesListed) snapshot.nodes = { count: nodeCount, problems: nodeProblems };
  return snapshot;
}

function foldPod(snapshot: ClusterSnapshot, pod: k8s.V1Pod): void {
  snapshot.podCount += 1;
  const phase = pod.status?.phase ?? 'Unknown';
  // A finished Job pod is history, not a problem.
  if (phase === 'Succeeded') return;
  for (const v of pod.spec?.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (!claim) continue;
    const key = `${pod.metadata?.namespace ?? 'default'}/${claim}`;
    // A claim mounted by several pods: any node that runs one of them has its stats.
    if (!snapshot.resources.claimsInUse.get(key)) snapshot.resources.claimsInUse.set(key, pod.spec?.nodeName ?? '');
  }
  const conditions = pod.status?.conditions ?? [];
  const readyCond = conditions.find((c) => c.type === 'Ready');
  const scheduled = conditions.find((c) => c.type === 'PodScheduled');
  const info: PodInfo = {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '?',
    workload: workloadOf(pod),
    phase,
    ...(pod.metadata?.creationTimestamp && { createdAt: new Date(pod.metadata.creationTimestamp) }),
    ...(pod.spec?.nodeName && { nodeName: pod.spec.nodeName }),
    ...(readyCond?.status === 'False' && readyCond.lastTransitionTime && { notReadySince: new Date(readyCond.lastTransitionTime) }),
    ...(scheduled?.status === 'False' && {
      unscheduled: {
        ...(scheduled.reason && { reason: scheduled.reason }),
        ...(scheduled.message && { message: scheduled.message }),
        ...(scheduled.lastTransitionTime && { since: new Date(scheduled.lastTransitionTime) }),
      },
    }),
  };
  if (phase === 'Pending') snapshot.pendingPods.push(info);
  if (phase === 'Running') foldLimits(snapshot, info, pod);
  const specs = new Map([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => [c.name, c]));
  const statuses: Array<[k8s.V1ContainerStatus, boolean]> = [
    ...(pod.status?.initContainerStatuses ?? []).map((s): [k8s.V1ContainerStatus, boolean] => [s, true]),
    ...(pod.status?.containerStatuses ?? []).map((s): [k8s.V1ContainerStatus, boolean] => [s, false]),
  ];
  for (const [s, init] of statuses) {
    if (s.restartCount > 0) snapshot.restartCounts.set(`${info.namespace}/${info.name}/${s.name}`, s.restartCount);
    const terminated = terminatedOf(s.state?.terminated);
    // An init container that ran to completion is how it should be.
    if (init && terminated?.exitCode === 0) continue;
    const lastTerminated = terminatedOf(s.lastState?.terminated);
    if (s.ready && s.restartCount === 0 && !lastTerminated) continue;
    const spec = specs.get(s.name);
    const record: ContainerRecord = {
      pod: info,
      name: s.name,
      init,
      image: s.image,
      ready: s.ready,
      restartCount: s.restartCount,
      running: s.state?.running !== undefined,
      ...(s.state?.waiting && { waiting: { reason: s.state.waiting.reason ?? 'Waiting', ...(s.state.waiting.message && { message: s.state.waiting.message }) } }),
      ...(terminated && { terminated }),
      ...(lastTerminated && { lastTerminated }),
      ...(spec?.resources?.limits?.memory && { memoryLimit: String(spec.resources.limits.memory) }),
      ...(spec?.resources?.requests?.memory && { memoryRequest: String(spec.resources.requests.memory) }),
    };
    snapshot.containers.push(record);
  }
}

function terminatedOf(t: k8s.V1ContainerStateTerminated | undefined): TerminatedState | undefined {
  if (!t) return undefined;
  return { reason: t.reason ?? `exit code ${t.exitCode}`, exitCode: t.exitCode, ...(t.finishedAt && { finishedAt: new Date(t.finishedAt) }) };
}

function foldEvent(snapshot: ClusterSnapshot, event: k8s.CoreV1Event, since: number): void {
  const last = event.lastTimestamp ?? event.series?.lastObservedTime ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  const lastMs = last ? new Date(last).getTime() : undefined;
  if (lastMs !== undefined && lastMs < since) return;
  const record = {
    namespace: event.involvedObject.namespace ?? event.metadata?.namespace ?? 'default',
    involvedKind: event.involvedObject.kind ?? '?',
    involvedName: event.involvedObject.name ?? '?',
    reason: event.reason ?? 'Unknown',
    message: (event.message ?? '').slice(0, 500),
    count: event.series?.count ?? event.count ?? 1,
    ...(lastMs !== undefined && { last: new Date(lastMs) }),
  };
  const w = snapshot.warningEvents;
  w.total += record.count;
  const group = w.byReason.get(record.reason) ?? { count: 0, objects: new Set<string>(), latest: record };
  group.count += record.count;
  if (group.objects.size < 1_000) group.objects.add(`${record.involvedKind}/${record.namespace}/${record.involvedName}`);
  if ((record.last?.getTime() ?? 0) >= (group.latest.last?.getTime() ?? 0)) group.latest = record;
  w.byReason.set(record.reason, group);
  if (QUOTED_REASONS.has(record.reason) && snapshot.objectEvents.size < MAX_OBJECT_EVENTS) {
    const key = objectEventKey(record.namespace, record.involvedKind, record.involvedName, record.reason);
    const known = snapshot.objectEvents.get(key);
    if (!known || (record.last?.getTime() ?? 0) >= (known.last?.getTime() ?? 0)) snapshot.objectEvents.set(key, record);
  }
}

function foldWorkload(snapshot: ClusterSnapshot, status: WorkloadStatus): void {
  snapshot.workloadCount += 1;
  snapshot.workloadReplicas.set(workloadKey(status.ref), status.desired);
  if (status.paused || status.deadlineExceeded || status.available < status.desired || status.rolling) snapshot.workloadProblems.push(status);
}

function ref(kind: string, meta: k8s.V1ObjectMeta | undefined): WorkloadRef {
  return { namespace: meta?.namespace ?? 'default', kind, name: meta?.name ?? '?' };
}

function deploymentStatus(d: k8s.V1Deployment): WorkloadStatus {
  const desired = d.spec?.replicas ?? 1;
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  const available = d.status?.conditions?.find((c) => c.type === 'Available');
  const updated = d.status?.updatedReplicas ?? 0;
  return {
    ref: ref('deployment', d.metadata),
    desired,
    available: d.status?.availableReplicas ?? 0,
    ready: d.status?.readyReplicas ?? 0,
    updated,
    paused: d.spec?.paused === true,
    ...(progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded' && { deadlineExceeded: progressing.message ?? 'progress deadline exceeded' }),
    ...(available?.status === 'False' && available.lastTransitionTime && { unavailableSince: new Date(available.lastTransitionTime) }),
    rolling: (d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0) || updated < desired || (d.status?.replicas ?? 0) > updated,
  };
}

function statefulSetStatus(s: k8s.V1StatefulSet): WorkloadStatus {
  const desired = s.spec?.replicas ?? 1;
  return {
    ref: ref('statefulset', s.metadata),
    desired,
    available: s.status?.availableReplicas ?? s.status?.readyReplicas ?? 0,
    ready: s.status?.readyReplicas ?? 0,
    updated: s.status?.updatedReplicas ?? 0,
    paused: false,
    rolling: (s.status?.observedGeneration ?? 0) < (s.metadata?.generation ?? 0) || (s.status?.updateRevision !== undefined && s.status.currentRevision !== s.status.updateRevision),
  };
}

function daemonSetStatus(d: k8s.V1DaemonSet): WorkloadStatus {
  const desired = d.status?.desiredNumberScheduled ?? 0;
  return {
    ref: ref('daemonset', d.metadata),
    desired,
    available: d.status?.numberAvailable ?? 0,
    ready: d.status?.numberReady ?? 0,
    updated: d.status?.updatedNumberScheduled ?? 0,
    paused: false,
    rolling: (d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0) || (d.status?.updatedNumberScheduled ?? desired) < desired,
  };
}

const PRESSURES = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

function nodeStatus(n: k8s.V1Node): NodeStatus {
  const conditions = n.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  return {
    name: n.metadata?.name ?? '?',
    ready: ready?.status === 'True',
    ...(ready && ready.status !== 'True' && { readyMessage: ready.message ?? ready.reason ?? `Ready=${ready.status}` }),
    pressures: conditions.filter((c) => PRESSURES.includes(c.type) && c.status === 'True').map((c) => c.type),
    unschedulable: n.spec?.unschedulable === true,
  };
}

/** Containers per run whose limits are kept for the resources check. */
const MAX_LIMITS = 50_000;

/** The limits of a running pod's containers, and whether it runs without a memory limit or requests. */
function foldLimits(snapshot: ClusterSnapshot, info: PodInfo, pod: k8s.V1Pod): void {
  const usage = snapshot.usage;
  let unbounded = false;
  for (const c of pod.spec?.containers ?? []) {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    const memoryLimit = parseQuantity(limits.memory);
    const cpuLimit = parseQuantity(limits.cpu);
    if (memoryLimit === undefined || Object.keys(requests).length === 0) unbounded = true;
    if ((memoryLimit !== undefined || cpuLimit !== undefined) && usage.limits.size < MAX_LIMITS) {
      usage.limits.set(`${info.namespace}/${info.name}/${c.name}`, {
        namespace: info.namespace,
        pod: info.name,
        container: c.name,
        workload: info.workload,
        ...(memoryLimit !== undefined && { memoryLimit }),
        ...(cpuLimit !== undefined && { cpuLimit }),
      });
    }
  }
  if (!unbounded) return;
  usage.unboundedPods += 1;
  const key = workloadKey(info.workload);
  const group = usage.unbounded.get(key);
  if (group) group.pods += 1;
  else if (usage.unbounded.size < MAX_LIMITS) usage.unbounded.set(key, { ref: info.workload, pods: 1 });
}

function foldAllocatable(snapshot: ClusterSnapshot, n: k8s.V1Node): void {
  const a = n.status?.allocatable ?? {};
  const cpu = parseQuantity(a.cpu);
  const memory = parseQuantity(a.memory);
  snapshot.usage.allocatable.set(n.metadata?.name ?? '?', { ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }) });
}
