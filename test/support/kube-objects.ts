// Builders of Kubernetes objects shaped as the API server returns them (core/v1 and apps/v1 JSON),
// so code under test meets the same fields, omissions and wording as against a real cluster.
// Times are given as "seconds ago" and rendered as RFC 3339 with second precision.
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export interface ContainerSpec {
  name: string;
  /** Default `registry.example/${name}:1.0`. */
  image?: string;
  /** Default true when running. */
  ready?: boolean;
  /** Default 0. */
  restartCount?: number;
  /** e.g. '256Mi': spec.containers[].resources.limits.memory. */
  memoryLimit?: string;
  memoryRequest?: string;
  /** Default: running, started when the pod was created. */
  state?: {
    running?: { startedAgoS: number };
    waiting?: { reason: string; message?: string };
    terminated?: { reason: string; exitCode: number; finishedAgoS: number };
  };
  lastState?: { terminated?: { reason: string; exitCode: number; finishedAgoS: number; startedAgoS?: number } };
}

export interface PodOptions {
  /** Default 'prod'. */
  namespace?: string;
  name: string;
  labels?: Record<string, string>;
  /** Owning workload: for a Deployment the pod gets ownerReferences to ReplicaSet `${name}-${templateHash}` and label pod-template-hash=templateHash (default hash '5d4f8c7b9'); StatefulSet/DaemonSet own the pod directly. */
  owner?: { kind: 'Deployment' | 'StatefulSet' | 'DaemonSet'; name: string; templateHash?: string };
  /** Default Running. */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** Default 3600. */
  createdAgoS?: number;
  /** Default 'node-1' unless unschedulable. */
  nodeName?: string;
  /** PodScheduled=False with this reason/message (the scheduler's words), phase Pending, no nodeName. */
  unschedulable?: { reason?: string; message: string };
  /** Default one container 'app'. */
  containers?: ContainerSpec[];
  initContainers?: ContainerSpec[];
}

export const DEFAULT_TEMPLATE_HASH = '5d4f8c7b9';
const DEFAULT_NAMESPACE = 'prod';
/** The alphabet Kubernetes uses for generated name suffixes and template hashes (no vowels, no look-alikes). */
const SAFE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** RFC 3339 with second precision, as the API server writes timestamps. */
export function kubeTime(agoS = 0, now = Date.now()): string {
  return new Date(now - agoS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A UUID derived from `seed`, so an owner reference and its owner agree without coordination. */
export function stableUid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Random characters from the alphabet of generated names, like the `x7k2q` in `api-5d4f8c7b9-x7k2q`. */
export function randomSuffix(length = 5): string {
  return [...randomBytes(length)].map((b) => SAFE_CHARS[b % SAFE_CHARS.length]).join('');
}

/** A template hash like the deployment controller's, stable for the same input. */
export function templateHash(input: string): string {
  return [...createHash('sha1').update(input).digest().subarray(0, 9)].map((b) => SAFE_CHARS[b % SAFE_CHARS.length]).join('');
}

function hex(bytes: number, seed?: string): string {
  return seed === undefined ? randomBytes(bytes).toString('hex') : createHash('sha256').update(seed).digest('hex').slice(0, bytes * 2);
}

function octet(seed: string, index: number): number {
  return createHash('md5').update(seed).digest()[index]! % 250 + 2;
}

type Json = Record<string, unknown>;

/** Drops zero counters, as the API server does for its omitempty status fields. */
function counters(fields: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== 0)) as Record<string, number>;
}

function condition(type: string, status: 'True' | 'False' | 'Unknown', at: string, reason?: string, message?: string): Json {
  return { type, status, lastProbeTime: null, lastTransitionTime: at, ...(reason && { reason }), ...(message && { message }) };
}

interface ContainerParts {
  spec: Json;
  status: Json;
  ready: boolean;
  running: boolean;
  /** Ran to completion with exit code 0 (what an init container should do). */
  completed: boolean;
}

function container(c: ContainerSpec, podName: string, createdAgoS: number, phase: string, init: boolean, now: number): ContainerParts {
  const image = c.image ?? `registry.example/${c.name}:1.0`;
  const repo = image.replace(/:[^/:@]+$/, '').replace(/@.*$/, '');
  const seed = `${podName}/${c.name}`;
  const resources: Json = {};
  if (c.memoryLimit) resources.limits = { memory: c.memoryLimit };
  if (c.memoryRequest) resources.requests = { memory: c.memoryRequest };
  const spec: Json = {
    name: c.name,
    image,
    resources,
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    imagePullPolicy: 'IfNotPresent',
  };
  let state = c.state;
  if (!state) {
    if (init) state = { terminated: { reason: 'Completed', exitCode: 0, finishedAgoS: Math.max(0, createdAgoS - 5) } };
    else if (phase === 'Succeeded') state = { terminated: { reason: 'Completed', exitCode: 0, finishedAgoS: Math.max(0, createdAgoS - 30) } };
    else if (phase === 'Failed') state = { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: Math.max(0, createdAgoS - 30) } };
    else if (phase === 'Pending') state = { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } };
    else state = { running: { startedAgoS: createdAgoS } };
  }
  const restartCount = c.restartCount ?? 0;
  const everStarted = !state.waiting || restartCount > 0 || c.lastState?.terminated !== undefined;
  const containerID = `containerd://${hex(32, `${seed}/${restartCount}`)}`;
  const stateJson: Json = {};
  if (state.running) stateJson.running = { startedAt: kubeTime(state.running.startedAgoS, now) };
  else if (state.terminated) {
    const t = state.terminated;
    stateJson.terminated = { exitCode: t.exitCode, reason: t.reason, startedAt: kubeTime(t.finishedAgoS + 30, now), finishedAt: kubeTime(t.finishedAgoS, now), containerID };
  } else if (state.waiting) stateJson.waiting = { reason: state.waiting.reason, ...(state.waiting.message && { message: state.waiting.message }) };
  const lastStateJson: Json = {};
  const lt = c.lastState?.terminated;
  if (lt) {
    lastStateJson.terminated = {
      exitCode: lt.exitCode,
      reason: lt.reason,
      startedAt: kubeTime(lt.startedAgoS ?? lt.finishedAgoS + 60, now),
      finishedAt: kubeTime(lt.finishedAgoS, now),
      containerID: `containerd://${hex(32, `${seed}/${restartCount - 1}`)}`,
    };
  }
  const running = state.running !== undefined;
  const completed = state.terminated?.exitCode === 0;
  const ready = c.ready ?? (init ? completed : running);
  const status: Json = {
    name: c.name,
    state: stateJson,
    lastState: lastStateJson,
    ready,
    restartCount,
    image,
    // A container that never started has no resolved image yet.
    imageID: everStarted ? `${repo}@sha256:${hex(32, image)}` : '',
    ...(everStarted && !state.waiting && { containerID }),
    started: running,
  };
  return { spec, status, ready, running, completed };
}

export function kubePod(o: PodOptions): Json {
  const now = Date.now();
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const createdAgoS = o.createdAgoS ?? 3600;
  const created = kubeTime(createdAgoS, now);
  const phase = o.unschedulable ? 'Pending' : (o.phase ?? 'Running');
  const labels: Record<string, string> = {};
  let ownerReferences: Json[] | undefined;
  if (o.owner) {
    labels.app = o.owner.name;
    let ownerKind: string = o.owner.kind;
    let ownerName = o.owner.name;
    if (o.owner.kind === 'Deployment') {
      const hash = o.owner.templateHash ?? DEFAULT_TEMPLATE_HASH;
      labels['pod-template-hash'] = hash;
      ownerKind = 'ReplicaSet';
      ownerName = `${o.owner.name}-${hash}`;
    } else if (o.owner.kind === 'StatefulSet') {
      labels['controller-revision-hash'] = `${o.owner.name}-${templateHash(o.owner.name).slice(0, 9)}`;
      labels['statefulset.kubernetes.io/pod-name'] = o.name;
    } else {
      labels['controller-revision-hash'] = templateHash(o.owner.name).slice(0, 9);
      labels['pod-template-generation'] = '1';
    }
    ownerReferences = [{ apiVersion: 'apps/v1', kind: ownerKind, name: ownerName, uid: stableUid(`${ownerKind}/${namespace}/${ownerName}`), controller: true, blockOwnerDeletion: true }];
  }
  Object.assign(labels, o.labels);

  const scheduled = !o.unschedulable;
  const nodeName = scheduled ? (o.nodeName ?? 'node-1') : undefined;
  const mains = (o.containers ?? [{ name: 'app' }]).map((c) => container(c, o.name, createdAgoS, scheduled ? phase : 'Pending', false, now));
  const inits = (o.initContainers ?? []).map((c) => container(c, o.name, createdAgoS, scheduled ? phase : 'Pending', true, now));

  const startedAt = kubeTime(Math.max(0, createdAgoS - 1), now);
  const conditions: Json[] = [];
  if (scheduled) {
    const initialized = inits.every((c) => c.completed || c.ready);
    const allReady = mains.every((c) => c.ready);
    const finished = phase === 'Succeeded' || phase === 'Failed';
    const anyRunning = mains.some((c) => c.running);
    const unready = mains.filter((c) => !c.ready).map((c) => c.spec.name).join(' ');
    const notInitialized = inits.filter((c) => !c.completed && !c.ready).map((c) => c.spec.name).join(' ');
    conditions.push(condition('PodReadyToStartContainers', phase === 'Pending' && !anyRunning && !inits.some((c) => c.running || c.completed) ? 'False' : finished ? 'False' : 'True', startedAt));
    conditions.push(
      initialized
        ? condition('Initialized', 'True', startedAt)
        : condition('Initialized', 'False', startedAt, 'ContainersNotInitialized', `containers with incomplete status: [${notInitialized}]`),
    );
    if (finished) {
      conditions.push(condition('Ready', 'False', startedAt, 'PodCompleted'));
      conditions.push(condition('ContainersReady', 'False', startedAt, 'PodCompleted'));
    } else if (allReady) {
      conditions.push(condition('Ready', 'True', startedAt));
      conditions.push(condition('ContainersReady', 'True', startedAt));
    } else {
      conditions.push(condition('Ready', 'False', startedAt, 'ContainersNotReady', `containers with unready status: [${unready}]`));
      conditions.push(condition('ContainersReady', 'False', startedAt, 'ContainersNotReady', `containers with unready status: [${unready}]`));
    }
    conditions.push(condition('PodScheduled', 'True', created));
  } else {
    conditions.push(condition('PodScheduled', 'False', created, o.unschedulable!.reason ?? 'Unschedulable', o.unschedulable!.message));
  }

  const hasResources = [...mains, ...inits].some((c) => Object.keys(c.spec.resources as Json).length > 0);
  const status: Json = { phase, conditions };
  if (scheduled) {
    status.hostIP = `10.0.0.${octet(nodeName!, 0)}`;
    status.hostIPs = [{ ip: status.hostIP }];
    status.podIP = `10.244.${octet(o.name, 1)}.${octet(o.name, 2)}`;
    status.podIPs = [{ ip: status.podIP }];
    status.startTime = startedAt;
    if (inits.length > 0) status.initContainerStatuses = inits.map((c) => c.status);
    status.containerStatuses = mains.map((c) => c.status);
  }
  status.qosClass = hasResources ? 'Burstable' : 'BestEffort';

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      ...(o.owner && { generateName: `${(ownerReferences![0] as { name: string }).name}-` }),
      namespace,
      uid: randomUUID(),
      creationTimestamp: created,
      labels,
      ...(ownerReferences && { ownerReferences }),
    },
    spec: {
      ...(inits.length > 0 && { initContainers: inits.map((c) => c.spec) }),
      containers: mains.map((c) => c.spec),
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      ...(nodeName && { nodeName }),
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status,
  };
}

function podTemplate(app: string): Json {
  return {
    metadata: { labels: { app } },
    spec: {
      containers: [{ name: 'app', image: 'registry.example/app:1.0', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
}

function workloadMeta(kind: string, namespace: string, name: string, labels: Record<string, string> | undefined, now: number, annotations?: Record<string, string>): Json {
  return {
    name,
    namespace,
    uid: stableUid(`${kind}/${namespace}/${name}`),
    generation: 1,
    creationTimestamp: kubeTime(86_400, now),
    labels: { app: name, ...labels },
    ...(annotations && { annotations }),
  };
}

export function kubeDeployment(o: {
  namespace?: string;
  name: string;
  replicas: number;
  /** Default replicas. */
  available?: number;
  ready?: number;
  updated?: number;
  paused?: boolean;
  /** Progressing=False reason ProgressDeadlineExceeded. */
  progressDeadlineExceeded?: boolean;
  /** Default 600. */
  progressDeadlineSeconds?: number;
  labels?: Record<string, string>;
  templateHash?: string;
}): Json {
  const now = Date.now();
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const hash = o.templateHash ?? DEFAULT_TEMPLATE_HASH;
  const rs = `${o.name}-${hash}`;
  const available = o.available ?? o.replicas;
  const ready = o.ready ?? available;
  const updated = o.updated ?? o.replicas;
  // maxUnavailable 25%, rounded down, as in the default RollingUpdate strategy.
  const minAvailable = o.replicas - Math.floor(o.replicas * 0.25);
  const at = kubeTime(3600, now);
  const availableCond =
    available >= minAvailable
      ? { type: 'Available', status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', lastUpdateTime: at, lastTransitionTime: at, reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
  let progressing: Json;
  if (o.progressDeadlineExceeded) {
    progressing = { type: 'Progressing', status: 'False', lastUpdateTime: at, lastTransitionTime: at, reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rs}" has timed out progressing.` };
  } else if (o.paused) {
    progressing = { type: 'Progressing', status: 'Unknown', lastUpdateTime: at, lastTransitionTime: at, reason: 'DeploymentPaused', message: 'Deployment is paused' };
  } else if (updated < o.replicas) {
    progressing = { type: 'Progressing', status: 'True', lastUpdateTime: at, lastTransitionTime: at, reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rs}" is progressing.` };
  } else {
    progressing = { type: 'Progressing', status: 'True', lastUpdateTime: at, lastTransitionTime: kubeTime(86_400, now), reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rs}" has successfully progressed.` };
  }
  const total = Math.max(o.replicas, updated);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: workloadMeta('Deployment', namespace, o.name, o.labels, now, { 'deployment.kubernetes.io/revision': '1' }),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: o.name } },
      template: podTemplate(o.name),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      ...(o.paused && { paused: true }),
    },
    status: {
      observedGeneration: 1,
      ...counters({ replicas: total, updatedReplicas: updated, readyReplicas: ready, availableReplicas: available, unavailableReplicas: Math.max(0, total - available) }),
      conditions: [availableCond, progressing],
    },
  };
}

export function kubeStatefulSet(o: { namespace?: string; name: string; replicas: number; ready?: number; available?: number; updated?: number }): Json {
  const now = Date.now();
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const ready = o.ready ?? o.replicas;
  const revision = `${o.name}-${templateHash(o.name).slice(0, 9)}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: workloadMeta('StatefulSet', namespace, o.name, undefined, now),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: o.name } },
      template: podTemplate(o.name),
      serviceName: o.name,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    },
    status: {
      observedGeneration: 1,
      replicas: o.replicas,
      ...counters({ readyReplicas: ready, currentReplicas: o.updated ?? o.replicas, updatedReplicas: o.updated ?? o.replicas }),
      availableReplicas: o.available ?? ready,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
    },
  };
}

export function kubeDaemonSet(o: { namespace?: string; name: string; desired: number; ready?: number; available?: number; updated?: number }): Json {
  const now = Date.now();
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const ready = o.ready ?? o.desired;
  const available = o.available ?? ready;
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { ...workloadMeta('DaemonSet', namespace, o.name, undefined, now), annotations: { 'deprecated.daemonset.template.generation': '1' } },
    spec: {
      selector: { matchLabels: { app: o.name } },
      template: podTemplate(o.name),
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: 10,
    },
    status: {
      currentNumberScheduled: o.desired,
      numberMisscheduled: 0,
      desiredNumberScheduled: o.desired,
      numberReady: ready,
      observedGeneration: 1,
      ...counters({ updatedNumberScheduled: o.updated ?? o.desired, numberAvailable: available, numberUnavailable: Math.max(0, o.desired - available) }),
    },
  };
}

const API_VERSIONS: Record<string, string> = { Deployment: 'apps/v1', ReplicaSet: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', Job: 'batch/v1', CronJob: 'batch/v1' };

/** Which component reports an event with this reason about this kind. */
function eventSource(kind: string, reason: string): string {
  if (reason === 'FailedScheduling' || reason === 'Scheduled') return 'default-scheduler';
  if (kind === 'Deployment') return 'deployment-controller';
  if (kind === 'ReplicaSet') return 'replicaset-controller';
  if (kind === 'StatefulSet') return 'statefulset-controller';
  if (kind === 'DaemonSet') return 'daemonset-controller';
  return 'kubelet';
}

export function kubeEvent(o: {
  namespace?: string;
  name?: string;
  /** Default Warning. */
  type?: 'Warning' | 'Normal';
  reason: string;
  message: string;
  involved: { kind: string; name: string; namespace?: string };
  count?: number;
  /** Default 60. */
  lastAgoS?: number;
  firstAgoS?: number;
}): Json {
  const now = Date.now();
  const namespace = o.namespace ?? o.involved.namespace ?? DEFAULT_NAMESPACE;
  const count = o.count ?? 1;
  const lastAgoS = o.lastAgoS ?? 60;
  const firstAgoS = o.firstAgoS ?? (count > 1 ? lastAgoS + 600 : lastAgoS);
  const component = eventSource(o.involved.kind, o.reason);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: o.name ?? `${o.involved.name}.${hex(8)}`,
      namespace,
      uid: randomUUID(),
      creationTimestamp: kubeTime(firstAgoS, now),
    },
    involvedObject: {
      kind: o.involved.kind,
      namespace: o.involved.namespace ?? namespace,
      name: o.involved.name,
      uid: o.involved.kind === 'Pod' ? randomUUID() : stableUid(`${o.involved.kind}/${o.involved.namespace ?? namespace}/${o.involved.name}`),
      apiVersion: API_VERSIONS[o.involved.kind] ?? 'v1',
      ...(o.involved.kind === 'Pod' && component === 'kubelet' && { fieldPath: 'spec.containers{app}' }),
    },
    reason: o.reason,
    message: o.message,
    source: { component, ...(component === 'kubelet' && { host: 'node-1' }) },
    firstTimestamp: kubeTime(firstAgoS, now),
    lastTimestamp: kubeTime(lastAgoS, now),
    count,
    type: o.type ?? 'Warning',
    eventTime: null,
    reportingComponent: component,
    reportingInstance: component === 'kubelet' ? 'node-1' : '',
  };
}

const NODE_CONDITIONS = {
  NetworkUnavailable: { ok: ['RouteCreated', 'RouteController created a route'], bad: ['NoRouteCreated', 'Node created without a route'] },
  MemoryPressure: { ok: ['KubeletHasSufficientMemory', 'kubelet has sufficient memory available'], bad: ['KubeletHasInsufficientMemory', 'kubelet has insufficient memory available'] },
  DiskPressure: { ok: ['KubeletHasNoDiskPressure', 'kubelet has no disk pressure'], bad: ['KubeletHasDiskPressure', 'kubelet has disk pressure'] },
  PIDPressure: { ok: ['KubeletHasSufficientPID', 'kubelet has sufficient PID available'], bad: ['KubeletHasInsufficientPID', 'kubelet has insufficient PID available'] },
} as const;

const PRESSURE_TAINTS: Record<string, string> = {
  MemoryPressure: 'node.kubernetes.io/memory-pressure',
  DiskPressure: 'node.kubernetes.io/disk-pressure',
  PIDPressure: 'node.kubernetes.io/pid-pressure',
  NetworkUnavailable: 'node.kubernetes.io/network-unavailable',
};

export function kubeNode(o: {
  name: string;
  /** Default true. */
  ready?: boolean;
  pressure?: Array<'MemoryPressure' | 'DiskPressure' | 'PIDPressure' | 'NetworkUnavailable'>;
  unschedulable?: boolean;
  readyMessage?: string;
}): Json {
  const now = Date.now();
  const ready = o.ready ?? true;
  const pressure = new Set(o.pressure ?? []);
  const heartbeat = kubeTime(20, now);
  const since = kubeTime(30 * 86_400, now);
  const recent = kubeTime(600, now);
  const conditions: Json[] = Object.entries(NODE_CONDITIONS).map(([type, words]) => {
    const bad = pressure.has(type as 'MemoryPressure');
    const [reason, message] = bad ? words.bad : words.ok;
    return { type, status: bad ? 'True' : 'False', lastHeartbeatTime: type === 'NetworkUnavailable' ? since : heartbeat, lastTransitionTime: bad ? recent : since, reason, message };
  });
  conditions.push(
    ready
      ? { type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: since, reason: 'KubeletReady', message: o.readyMessage ?? 'kubelet is posting ready status' }
      : {
          type: 'Ready',
          status: 'False',
          lastHeartbeatTime: heartbeat,
          lastTransitionTime: recent,
          reason: 'KubeletNotReady',
          message: o.readyMessage ?? 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
        },
  );
  const taints: Json[] = [];
  if (o.unschedulable) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: recent });
  if (!ready) taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: recent });
  for (const p of pressure) taints.push({ key: PRESSURE_TAINTS[p]!, effect: 'NoSchedule', timeAdded: recent });
  const ip = `10.0.0.${octet(o.name, 0)}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: o.name,
      uid: randomUUID(),
      creationTimestamp: since,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': o.name,
        'kubernetes.io/os': 'linux',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {
      podCIDR: `10.244.${octet(o.name, 1)}.0/24`,
      podCIDRs: [`10.244.${octet(o.name, 1)}.0/24`],
      ...(o.unschedulable && { unschedulable: true }),
      ...(taints.length > 0 && { taints }),
    },
    status: {
      capacity: { cpu: '4', 'ephemeral-storage': '101430960Ki', 'hugepages-2Mi': '0', memory: '16374584Ki', pods: '110' },
      allocatable: { cpu: '3920m', 'ephemeral-storage': '93478772582', 'hugepages-2Mi': '0', memory: '15223608Ki', pods: '110' },
      conditions,
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: o.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hex(16, `${o.name}/machine`),
        systemUUID: stableUid(`${o.name}/system`),
        bootID: stableUid(`${o.name}/boot`),
        kernelVersion: '6.8.0-1015-aws',
        osImage: 'Ubuntu 24.04.1 LTS',
        containerRuntimeVersion: 'containerd://1.7.22',
        kubeletVersion: 'v1.31.2',
        kubeProxyVersion: '',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

/** A core/v1 Namespace as the API server returns it. */
export function kubeNamespace(name: string, createdAgoS = 30 * 86_400): Json {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid: stableUid(`Namespace/${name}`), creationTimestamp: kubeTime(createdAgoS), labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}
