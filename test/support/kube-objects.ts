// Builders of Kubernetes objects shaped as the API server returns them (core/v1, apps/v1,
// discovery.k8s.io/v1, networking.k8s.io/v1, storage.k8s.io/v1, autoscaling/v2, batch/v1, policy/v1
// and cert-manager.io/v1 JSON),
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
  /** e.g. '500m': spec.containers[].resources.limits.cpu. */
  cpuLimit?: string;
  cpuRequest?: string;
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
  /** PersistentVolumeClaims mounted, by claim name (volumes named after them). */
  claims?: string[];
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
  if (c.memoryLimit || c.cpuLimit) resources.limits = { ...(c.cpuLimit && { cpu: c.cpuLimit }), ...(c.memoryLimit && { memory: c.memoryLimit }) };
  if (c.memoryRequest || c.cpuRequest) resources.requests = { ...(c.cpuRequest && { cpu: c.cpuRequest }), ...(c.memoryRequest && { memory: c.memoryRequest }) };
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
      ...(o.claims?.length && { volumes: o.claims.map((claimName) => ({ name: claimName, persistentVolumeClaim: { claimName } })) }),
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
  /** status.allocatable; default cpu '3920m', memory '15223608Ki'. */
  allocatable?: { cpu?: string; memory?: string };
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
      allocatable: { cpu: o.allocatable?.cpu ?? '3920m', 'ephemeral-storage': '93478772582', 'hugepages-2Mi': '0', memory: o.allocatable?.memory ?? '15223608Ki', pods: '110' },
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

/** The metadata every object below shares: uid, creation time, namespace when namespaced. */
function objectMeta(kind: string, namespace: string | undefined, name: string, createdAgoS: number, extra: Json = {}): Json {
  return {
    name,
    ...(namespace !== undefined && { namespace }),
    uid: stableUid(`${kind}/${namespace ?? ''}/${name}`),
    resourceVersion: '1',
    creationTimestamp: kubeTime(createdAgoS),
    ...extra,
  };
}

/** A Service; `selector: undefined` with `selectorless: true` makes one whose endpoints are managed by hand. */
export function kubeService(o: {
  namespace?: string;
  name: string;
  /** Default { app: name } unless selectorless or ExternalName. */
  selector?: Record<string, string>;
  selectorless?: boolean;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  externalName?: string;
  /** Default [{ name: 'http', port: 80, targetPort: 8080 }]. */
  ports?: Array<{ name?: string; port: number; targetPort?: number | string }>;
}): Json {
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const type = o.type ?? 'ClusterIP';
  const selector = o.selectorless || type === 'ExternalName' ? o.selector : (o.selector ?? { app: o.name });
  const ports = (o.ports ?? (type === 'ExternalName' ? [] : [{ name: 'http', port: 80, targetPort: 8080 }])).map((p) => ({
    ...(p.name && { name: p.name }),
    protocol: 'TCP',
    port: p.port,
    targetPort: p.targetPort ?? p.port,
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: objectMeta('Service', namespace, o.name, 86_400, { labels: { app: o.name } }),
    spec: {
      ...(ports.length > 0 && { ports }),
      ...(selector && { selector }),
      type,
      ...(type === 'ExternalName' ? { externalName: o.externalName ?? 'db.example.com' } : { clusterIP: `10.96.0.${octet(o.name, 10)}`, clusterIPs: [`10.96.0.${octet(o.name, 10)}`] }),
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

/** The EndpointSlice the controller keeps for a service: `ready` and `notReady` endpoints (notReady: conditions.ready false). */
export function kubeEndpointSlice(o: { namespace?: string; service: string; ready: number; notReady?: number; port?: number; suffix?: string }): Json {
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const endpoint = (i: number, ready: boolean) => ({
    addresses: [`10.244.${i % 250}.${octet(`${o.service}-${i}`, 2)}`],
    conditions: { ready, serving: ready, terminating: false },
    targetRef: { kind: 'Pod', namespace, name: `${o.service}-${DEFAULT_TEMPLATE_HASH}-${i}` },
    nodeName: 'node-1',
  });
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: objectMeta('EndpointSlice', namespace, `${o.service}-${o.suffix ?? 'abcde'}`, 3600, {
      generateName: `${o.service}-`,
      labels: { 'kubernetes.io/service-name': o.service, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: o.service, uid: stableUid(`Service/${namespace}/${o.service}`), controller: true, blockOwnerDeletion: true }],
    }),
    addressType: 'IPv4',
    // The controller writes null, not [], for a service without endpoints.
    endpoints: o.ready + (o.notReady ?? 0) === 0 ? null : [
      ...Array.from({ length: o.ready }, (_, i) => endpoint(i, true)),
      ...Array.from({ length: o.notReady ?? 0 }, (_, i) => endpoint(o.ready + i, false)),
    ],
    ports: [{ name: 'http', protocol: 'TCP', port: o.port ?? 8080 }],
  };
}

/** An Ingress: each rule path routes to a service by port number or port name; `defaultBackend` likewise. */
export function kubeIngress(o: {
  namespace?: string;
  name: string;
  rules?: Array<{ host?: string; path?: string; service: string; port: number | string }>;
  defaultBackend?: { service: string; port: number | string };
}): Json {
  const backend = (b: { service: string; port: number | string }) => ({ service: { name: b.service, port: typeof b.port === 'number' ? { number: b.port } : { name: b.port } } });
  const byHost = new Map<string | undefined, Json[]>();
  for (const r of o.rules ?? []) byHost.set(r.host, [...(byHost.get(r.host) ?? []), { path: r.path ?? '/', pathType: 'Prefix', backend: backend(r) }]);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: objectMeta('Ingress', o.namespace ?? DEFAULT_NAMESPACE, o.name, 86_400),
    spec: {
      ingressClassName: 'nginx',
      ...(o.defaultBackend && { defaultBackend: backend(o.defaultBackend) }),
      ...(byHost.size > 0 && { rules: [...byHost].map(([host, paths]) => ({ ...(host && { host }), http: { paths } })) }),
    },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
  };
}

/** A PersistentVolumeClaim, Bound (default) or Pending/Lost; storageClass null = spec.storageClassName omitted (the default class). */
export function kubePvc(o: { namespace?: string; name: string; phase?: 'Pending' | 'Bound' | 'Lost'; storageClass?: string | null; size?: string; createdAgoS?: number }): Json {
  const phase = o.phase ?? 'Bound';
  const size = o.size ?? '10Gi';
  const storageClass = o.storageClass === undefined ? 'standard' : o.storageClass;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: objectMeta('PersistentVolumeClaim', o.namespace ?? DEFAULT_NAMESPACE, o.name, o.createdAgoS ?? 86_400, {
      finalizers: ['kubernetes.io/pvc-protection'],
      ...(phase === 'Bound' && { annotations: { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } }),
    }),
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(storageClass !== null && { storageClassName: storageClass }),
      volumeMode: 'Filesystem',
      ...(phase === 'Bound' && { volumeName: `pvc-${stableUid(o.name)}` }),
    },
    status: { phase, ...(phase === 'Bound' && { accessModes: ['ReadWriteOnce'], capacity: { storage: size } }) },
  };
}

export function kubeStorageClass(o: { name: string; bindingMode?: 'Immediate' | 'WaitForFirstConsumer'; isDefault?: boolean; provisioner?: string }): Json {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: objectMeta('StorageClass', undefined, o.name, 30 * 86_400, o.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
    provisioner: o.provisioner ?? 'ebs.csi.aws.com',
    reclaimPolicy: 'Delete',
    volumeBindingMode: o.bindingMode ?? 'Immediate',
    allowVolumeExpansion: true,
  };
}

/** An autoscaling/v2 HPA on a deployment with its controller's conditions. */
export function kubeHpa(o: {
  namespace?: string;
  name: string;
  target?: string;
  min?: number;
  max: number;
  current: number;
  /** ScalingLimited=True TooManyReplicas (only meaningful at max). */
  limitedAtMax?: boolean;
  /** ScalingActive=False with FailedGetResourceMetric and this message. */
  metricsFailing?: string;
}): Json {
  const at = kubeTime(600);
  const conditions: Json[] = [
    { type: 'AbleToScale', status: 'True', lastTransitionTime: at, reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
    o.metricsFailing
      ? { type: 'ScalingActive', status: 'False', lastTransitionTime: at, reason: 'FailedGetResourceMetric', message: o.metricsFailing }
      : { type: 'ScalingActive', status: 'True', lastTransitionTime: at, reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' },
    o.limitedAtMax
      ? { type: 'ScalingLimited', status: 'True', lastTransitionTime: at, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' }
      : o.current <= (o.min ?? 1)
        ? { type: 'ScalingLimited', status: 'True', lastTransitionTime: at, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' }
        : { type: 'ScalingLimited', status: 'False', lastTransitionTime: at, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
  ];
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMeta('HorizontalPodAutoscaler', o.namespace ?? DEFAULT_NAMESPACE, o.name, 86_400),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.target ?? o.name },
      minReplicas: o.min ?? 1,
      maxReplicas: o.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
    status: { currentReplicas: o.current, desiredReplicas: o.current, ...(!o.metricsFailing && { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 65, averageValue: '130m' } } }] }), conditions },
  };
}

/** A Job that completed or failed `finishedAgoS` ago (or is still running), optionally created by a CronJob. */
export function kubeJob(o: { namespace?: string; name: string; outcome: 'Complete' | 'Failed' | 'Running'; finishedAgoS?: number; cronJob?: string }): Json {
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const finished = kubeTime(o.finishedAgoS ?? 60);
  const started = kubeTime((o.finishedAgoS ?? 60) + 120);
  const conditions = o.outcome === 'Complete'
    ? [{ type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: finished, lastTransitionTime: finished, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
        { type: 'Complete', status: 'True', lastProbeTime: finished, lastTransitionTime: finished, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' }]
    : o.outcome === 'Failed'
      ? [{ type: 'FailureTarget', status: 'True', lastProbeTime: finished, lastTransitionTime: finished, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
          { type: 'Failed', status: 'True', lastProbeTime: finished, lastTransitionTime: finished, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }]
      : [];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: objectMeta('Job', namespace, o.name, (o.finishedAgoS ?? 60) + 125, {
      labels: { 'batch.kubernetes.io/job-name': o.name, 'job-name': o.name },
      ...(o.cronJob && { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: o.cronJob, uid: stableUid(`CronJob/${namespace}/${o.cronJob}`), controller: true, blockOwnerDeletion: true }] }),
    }),
    spec: { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, template: podTemplate(o.cronJob ?? o.name) },
    status: {
      startTime: started,
      ...(o.outcome === 'Complete' && { completionTime: finished, succeeded: 1 }),
      ...(o.outcome === 'Failed' && { failed: 7 }),
      ...(o.outcome === 'Running' && { active: 1 }),
      ...(conditions.length > 0 && { conditions }),
      terminating: 0,
      ...(o.outcome !== 'Running' && { ready: 0 }),
      uncountedTerminatedPods: {},
    },
  };
}

/** A CronJob: lastScheduleAgoS undefined = never scheduled yet. */
export function kubeCronJob(o: {
  namespace?: string;
  name: string;
  schedule: string;
  timeZone?: string;
  suspend?: boolean;
  lastScheduleAgoS?: number;
  lastSuccessAgoS?: number;
  startingDeadlineSeconds?: number;
  concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  createdAgoS?: number;
  activeJobs?: string[];
}): Json {
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: objectMeta('CronJob', namespace, o.name, o.createdAgoS ?? 30 * 86_400),
    spec: {
      schedule: o.schedule,
      ...(o.timeZone && { timeZone: o.timeZone }),
      ...(o.startingDeadlineSeconds !== undefined && { startingDeadlineSeconds: o.startingDeadlineSeconds }),
      concurrencyPolicy: o.concurrencyPolicy ?? 'Allow',
      suspend: o.suspend ?? false,
      jobTemplate: { metadata: {}, spec: { template: podTemplate(o.name) } },
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
    },
    status: {
      ...(o.activeJobs?.length && { active: o.activeJobs.map((name) => ({ kind: 'Job', namespace, name, apiVersion: 'batch/v1', uid: stableUid(`Job/${namespace}/${name}`) })) }),
      ...(o.lastScheduleAgoS !== undefined && { lastScheduleTime: kubeTime(o.lastScheduleAgoS) }),
      ...(o.lastSuccessAgoS !== undefined && { lastSuccessfulTime: kubeTime(o.lastSuccessAgoS) }),
    },
  };
}

export function kubePdb(o: { namespace?: string; name: string; minAvailable?: number | string; maxUnavailable?: number | string; expectedPods: number; currentHealthy: number; disruptionsAllowed: number }): Json {
  const at = kubeTime(3600);
  const sufficient = o.currentHealthy >= o.expectedPods - o.disruptionsAllowed && o.expectedPods > 0;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: objectMeta('PodDisruptionBudget', o.namespace ?? DEFAULT_NAMESPACE, o.name, 86_400, { generation: 1 }),
    spec: {
      ...(o.minAvailable !== undefined && { minAvailable: o.minAvailable }),
      ...(o.maxUnavailable !== undefined && { maxUnavailable: o.maxUnavailable }),
      selector: { matchLabels: { app: o.name } },
    },
    status: {
      observedGeneration: 1,
      disruptionsAllowed: o.disruptionsAllowed,
      currentHealthy: o.currentHealthy,
      desiredHealthy: o.expectedPods - o.disruptionsAllowed,
      expectedPods: o.expectedPods,
      conditions: [o.disruptionsAllowed > 0
        ? { type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: at, reason: 'SufficientPods', message: '' }
        : { type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: at, reason: sufficient ? 'SufficientPods' : 'InsufficientPods', message: '' }],
    },
  };
}

/** A cert-manager Certificate: Ready True/False, notAfter in `expiresInS`, Issuing=True `issuingForS` (an issuance under way). */
export function kubeCertificate(o: { namespace?: string; name: string; ready: boolean; reason?: string; message?: string; expiresInS?: number; issuingForS?: number; dnsNames?: string[] }): Json {
  const at = kubeTime(o.issuingForS ?? 86_400);
  const conditions: Json[] = [
    o.ready
      ? { type: 'Ready', status: 'True', lastTransitionTime: at, observedGeneration: 1, reason: 'Ready', message: 'Certificate is up to date and has not expired' }
      : { type: 'Ready', status: 'False', lastTransitionTime: at, observedGeneration: 1, reason: o.reason ?? 'DoesNotExist', message: o.message ?? 'Issuing certificate as Secret does not exist' },
    ...(o.issuingForS !== undefined ? [{ type: 'Issuing', status: 'True', lastTransitionTime: at, observedGeneration: 1, reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist' }] : []),
  ];
  const expires = o.expiresInS !== undefined ? new Date(Date.now() + o.expiresInS * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined;
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: objectMeta('Certificate', o.namespace ?? DEFAULT_NAMESPACE, o.name, 90 * 86_400, { generation: 1 }),
    spec: { secretName: `${o.name}-tls`, dnsNames: o.dnsNames ?? [`${o.name}.example.com`], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' }, privateKey: { rotationPolicy: 'Always' } },
    status: {
      conditions,
      ...(expires && { notAfter: expires, notBefore: kubeTime(90 * 86_400 - (o.expiresInS ?? 0)), renewalTime: expires }),
      revision: 1,
    },
  };
}

/**
 * A metrics.k8s.io/v1beta1 PodMetrics as metrics-server returns it: per container the cpu in
 * nanocores ("123456n") and the memory working set in Ki ("55200Ki"), unless given otherwise.
 */
export function kubePodMetrics(o: { namespace?: string; pod: string; labels?: Record<string, string>; containers: Array<{ name: string; cpu: string; memory: string }> }): Json {
  return {
    kind: 'PodMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: o.pod, namespace: o.namespace ?? DEFAULT_NAMESPACE, creationTimestamp: kubeTime(0), labels: o.labels ?? {} },
    timestamp: kubeTime(12),
    window: '15.007s',
    containers: o.containers.map((c) => ({ name: c.name, usage: { cpu: c.cpu, memory: c.memory } })),
  };
}

/** A metrics.k8s.io/v1beta1 NodeMetrics as metrics-server returns it. */
export function kubeNodeMetrics(o: { name: string; cpu: string; memory: string }): Json {
  return {
    kind: 'NodeMetrics',
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: o.name, creationTimestamp: kubeTime(0), labels: { 'kubernetes.io/hostname': o.name, 'kubernetes.io/os': 'linux' } },
    timestamp: kubeTime(10),
    window: '20.041s',
    usage: { cpu: o.cpu, memory: o.memory },
  };
}

export interface RevisionSpec {
  /** The container 'app''s image. */
  image: string;
  /** Env of container 'app' (plain values). */
  env?: Record<string, string>;
  /** Pod template annotations (kubectl.kubernetes.io/restartedAt...). */
  annotations?: Record<string, string>;
  /** A ConfigMap the container reads through envFrom. */
  configMap?: string;
  /** When the revision's ReplicaSet was created. */
  createdAgoS: number;
}

function revisionTemplate(app: string, r: RevisionSpec, hash?: string): Json {
  const t = podTemplate(app) as { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: Json[] } };
  if (hash) t.metadata.labels['pod-template-hash'] = hash;
  if (r.annotations) t.metadata.annotations = { ...r.annotations };
  const c = t.spec.containers[0]!;
  c.image = r.image;
  if (r.env) c.env = Object.entries(r.env).map(([name, value]) => ({ name, value }));
  if (r.configMap) c.envFrom = [{ configMapRef: { name: r.configMap } }];
  return t;
}

/**
 * A Deployment with its ReplicaSet history, oldest revision first: revision i+1 is revisions[i];
 * the last is current (its ReplicaSet `<name>-5d4f8c7b9`, so kubePod's default owner matches), the
 * deployment's template is the last one's and its revision annotation the last number.
 */
export function kubeDeploymentHistory(o: { namespace?: string; name: string; replicas: number; revisions: RevisionSpec[]; available?: number }): Json[] {
  const namespace = o.namespace ?? DEFAULT_NAMESPACE;
  const dep = kubeDeployment({ namespace, name: o.name, replicas: o.replicas, ...(o.available !== undefined && { available: o.available }) }) as { metadata: Json & { annotations: Record<string, string>; uid: string }; spec: Json };
  const n = o.revisions.length;
  dep.metadata.annotations['deployment.kubernetes.io/revision'] = String(n);
  dep.spec.template = revisionTemplate(o.name, o.revisions[n - 1]!);
  const now = Date.now();
  const sets = o.revisions.map((r, i) => {
    const hash = i === n - 1 ? DEFAULT_TEMPLATE_HASH : templateHash(`${o.name}/${i}`).slice(0, 10);
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${o.name}-${hash}`,
        namespace,
        uid: stableUid(`ReplicaSet/${namespace}/${o.name}-${hash}`),
        generation: 1,
        creationTimestamp: kubeTime(r.createdAgoS, now),
        labels: { app: o.name, 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/revision': String(i + 1), 'deployment.kubernetes.io/desired-replicas': String(o.replicas), 'deployment.kubernetes.io/max-replicas': String(o.replicas + 1) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: o.name, uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: i === n - 1 ? o.replicas : 0, selector: { matchLabels: { app: o.name, 'pod-template-hash': hash } }, template: revisionTemplate(o.name, r, hash) },
      status: { replicas: i === n - 1 ? o.replicas : 0, observedGeneration: 1 },
    };
  });
  return [dep, ...sets];
}
