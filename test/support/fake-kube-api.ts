// A local stand-in for the Kubernetes API server, reached by the official client through a
// kubeconfig. It speaks the real wire format: bearer-token auth, paged lists (`limit` + opaque
// `continue`), label and field selectors, `Status` errors worded as the API server words them,
// merge and strategic-merge patches, the scale subresource and pod logs. A small rollout
// controller moves deployments to a new pod-template-hash one pod per tick, so rollout and restart
// flows can be followed to the end (or to a progress-deadline stall). Besides pods and workloads it
// serves services, endpoint slices, ingresses, volume claims, storage classes, autoscalers, jobs,
// cronjobs and disruption budgets under their real API groups, cert-manager's Certificates only
// once its CRD is installed (404 on the group before, as on a cluster without it), and the
// kubelet's stats summary through the node proxy. The controller keeps each Deployment's
// ReplicaSets and their revision annotations as the real one does (a template seen before reuses
// its ReplicaSet under a new revision), JSON patches (RFC 6902) are applied as `kubectl rollout
// undo` sends them, and metrics.k8s.io/v1beta1 PodMetrics and NodeMetrics are served once
// metrics-server is "installed" (404 on the group before; 503 when it is installed but down).
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_TEMPLATE_HASH, kubeNamespace, kubePod, kubeTime, randomSuffix, templateHash, type ContainerSpec } from './kube-objects.ts';

/** Stored objects are JSON of several kinds; tests read them freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeJson = any;

export interface RecordedKubeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** Parsed JSON body (the raw text when it is not JSON). */
  body?: unknown;
}

/** One line of a container's log and how long before setLogLines it was written. */
export interface LogLine {
  agoS: number;
  text: string;
}

export interface FakeKubeApi {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The bearer token it accepts; others get 401 Status Unauthorized. */
  token: string;
  /** Writes a kubeconfig (cluster 'fake', context 'fake' unless named, current) into dir and returns its path. */
  writeKubeconfig(dir: string, options?: { token?: string; namespace?: string; context?: string }): string;
  /** Stores objects by kind; namespaces of namespaced objects are created implicitly. */
  add(...objects: object[]): void;
  addNamespace(name: string): void;
  remove(kind: string, namespace: string | undefined, name: string): void;
  /** The stored object (live: after patches and the controller), or undefined. */
  get(kind: string, namespace: string | undefined, name: string): KubeJson;
  list(kind: string, namespace?: string): KubeJson[];
  /** Logs as text; every line is taken as written when this is called (for sinceSeconds and timestamps). */
  setLogs(namespace: string, pod: string, container: string, logs: { current: string; previous?: string }): void;
  /**
   * Logs line by line, each written `agoS` seconds before this call: `sinceSeconds` keeps the lines
   * written within it, `timestamps=true` prefixes each with its RFC3339 time (9 fraction digits, as
   * the kubelet writes them), `tailLines` keeps the last lines, then `limitBytes` the FIRST bytes.
   */
  setLogLines(namespace: string, pod: string, container: string, logs: { current: LogLine[]; previous?: LogLine[] }): void;
  /** Serves cert-manager.io/v1 (Certificates) from now on, or stops serving it (false). */
  installCertManager(installed?: boolean): void;
  /**
   * metrics.k8s.io/v1beta1: 'installed' serves the PodMetrics and NodeMetrics added; 'absent' (the
   * default) answers 404 as a cluster without metrics-server; 'unavailable' answers 503 as the
   * aggregator does when its APIService is registered but metrics-server does not answer.
   */
  metricsServer(state: 'installed' | 'absent' | 'unavailable'): void;
  /** What the kubelet reports for a volume claim in its stats summary (GET nodes/<node>/proxy/stats/summary). */
  setVolumeStats(namespace: string, claim: string, stats: { usedBytes: number; capacityBytes: number }): void;
  /** Requests as received, in order (also the refused ones). */
  requests: RecordedKubeRequest[];
  /**
   * Matching requests get 403 Forbidden until cleared; resource may be a subresource ('pods/log',
   * 'deployments/scale'); with a group only that API group's resource ('pods' of 'metrics.k8s.io').
   */
  deny(verb: 'get' | 'list' | 'patch' | 'delete' | 'update', resource: string, namespace?: string, group?: string): void;
  clearDenials(): void;
  /** Every request waits this long before answering (0 = none); Infinity = never answers. */
  setDelay(ms: number): void;
  /** Called with each request just before it is answered (a change made here is seen by that request); undefined removes it. */
  beforeAnswer(hook: ((request: RecordedKubeRequest) => void) | undefined): void;
  /** Rollout controller settings: each tick, every changed deployment moves one pod. */
  rollout: { tickMs: number };
  /** Rollouts of this deployment to a template not yet rolled out successfully stop after `afterReady` new pods are ready. */
  stallRollout(namespace: string, name: string, options: { afterReady: number }): void;
  close(): Promise<void>;
}

interface ResourceType {
  kind: string;
  resource: string;
  singular: string;
  apiVersion: string;
  /** '' for the core group. */
  group: string;
  namespaced: boolean;
  /** Served only while its CRD is installed (cert-manager). */
  crd?: boolean;
  /** Served only while metrics-server is installed (an aggregated API, read-only). */
  metrics?: boolean;
  /** Has a status subresource: a patch of the main resource leaves status alone. */
  hasStatus: boolean;
}

const RESOURCES: ResourceType[] = [
  { kind: 'Namespace', resource: 'namespaces', singular: 'namespace', apiVersion: 'v1', group: '', namespaced: false, hasStatus: true },
  { kind: 'Node', resource: 'nodes', singular: 'node', apiVersion: 'v1', group: '', namespaced: false, hasStatus: true },
  { kind: 'Pod', resource: 'pods', singular: 'pod', apiVersion: 'v1', group: '', namespaced: true, hasStatus: true },
  { kind: 'Event', resource: 'events', singular: 'event', apiVersion: 'v1', group: '', namespaced: true, hasStatus: false },
  { kind: 'Deployment', resource: 'deployments', singular: 'deployment', apiVersion: 'apps/v1', group: 'apps', namespaced: true, hasStatus: true },
  { kind: 'StatefulSet', resource: 'statefulsets', singular: 'statefulset', apiVersion: 'apps/v1', group: 'apps', namespaced: true, hasStatus: true },
  { kind: 'ReplicaSet', resource: 'replicasets', singular: 'replicaset', apiVersion: 'apps/v1', group: 'apps', namespaced: true, hasStatus: true },
  { kind: 'DaemonSet', resource: 'daemonsets', singular: 'daemonset', apiVersion: 'apps/v1', group: 'apps', namespaced: true, hasStatus: true },
  { kind: 'Service', resource: 'services', singular: 'service', apiVersion: 'v1', group: '', namespaced: true, hasStatus: true },
  { kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', apiVersion: 'v1', group: '', namespaced: true, hasStatus: true },
  { kind: 'EndpointSlice', resource: 'endpointslices', singular: 'endpointslice', apiVersion: 'discovery.k8s.io/v1', group: 'discovery.k8s.io', namespaced: true, hasStatus: false },
  { kind: 'Ingress', resource: 'ingresses', singular: 'ingress', apiVersion: 'networking.k8s.io/v1', group: 'networking.k8s.io', namespaced: true, hasStatus: true },
  { kind: 'StorageClass', resource: 'storageclasses', singular: 'storageclass', apiVersion: 'storage.k8s.io/v1', group: 'storage.k8s.io', namespaced: false, hasStatus: false },
  { kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', singular: 'horizontalpodautoscaler', apiVersion: 'autoscaling/v2', group: 'autoscaling', namespaced: true, hasStatus: true },
  { kind: 'Job', resource: 'jobs', singular: 'job', apiVersion: 'batch/v1', group: 'batch', namespaced: true, hasStatus: true },
  { kind: 'CronJob', resource: 'cronjobs', singular: 'cronjob', apiVersion: 'batch/v1', group: 'batch', namespaced: true, hasStatus: true },
  { kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget', apiVersion: 'policy/v1', group: 'policy', namespaced: true, hasStatus: true },
  { kind: 'Certificate', resource: 'certificates', singular: 'certificate', apiVersion: 'cert-manager.io/v1', group: 'cert-manager.io', namespaced: true, hasStatus: true, crd: true },
  { kind: 'PodMetrics', resource: 'pods', singular: 'podmetrics', apiVersion: 'metrics.k8s.io/v1beta1', group: 'metrics.k8s.io', namespaced: true, hasStatus: false, metrics: true },
  { kind: 'NodeMetrics', resource: 'nodes', singular: 'nodemetrics', apiVersion: 'metrics.k8s.io/v1beta1', group: 'metrics.k8s.io', namespaced: false, hasStatus: false, metrics: true },
];

/** Where a type's objects are stored: PodMetrics apart from Pods though both are `pods`. */
const storeKey = (r: ResourceType) => (r.metrics ? r.singular : r.resource);

/** `apps/v1` -> `v1`; `v1` -> `v1`. */
const versionOf = (r: ResourceType) => r.apiVersion.split('/').pop()!;

function resourceType(kind: string): ResourceType {
  const k = kind.toLowerCase();
  const found = RESOURCES.find((r) => r.kind.toLowerCase() === k) ?? RESOURCES.find((r) => r.resource === k || r.singular === k);
  if (!found) throw new Error(`fake kube api: unsupported kind ${kind}`);
  return found;
}

/** Who the refused requests claim to be, as in a real RBAC denial. */
const DENIED_USER = 'system:serviceaccount:ops:chatops';
const VERSION = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.2',
  gitCommit: '5864a4677267e6adeae276ad85882a8714d69d9d',
  gitTreeState: 'clean',
  buildDate: '2024-10-22T20:28:14Z',
  goVersion: 'go1.22.8',
  compiler: 'gc',
  platform: 'linux/amd64',
};
const SMP = 'application/strategic-merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';
const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const MERGE = 'application/merge-patch+json';
/** List fields a strategic-merge patch merges element by element, and their merge keys. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  imagePullSecrets: 'name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  conditions: 'type',
  ownerReferences: 'uid',
};

type Getter = (o: KubeJson) => string;
const COMMON_FIELDS: Record<string, Getter> = {
  'metadata.name': (o) => o.metadata?.name ?? '',
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
};
/** Field selectors each resource supports, beyond metadata.name and metadata.namespace. */
const FIELDS: Record<string, Record<string, Getter>> = {
  pods: {
    'status.phase': (o) => o.status?.phase ?? '',
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec?.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName ?? '',
    'status.podIP': (o) => o.status?.podIP ?? '',
  },
  events: {
    type: (o) => o.type ?? '',
    reason: (o) => o.reason ?? '',
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    source: (o) => o.source?.component ?? '',
    reportingComponent: (o) => o.reportingComponent ?? '',
  },
  nodes: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
  namespaces: { 'status.phase': (o) => o.status?.phase ?? '' },
};

/** An answer that is a Kubernetes `Status` failure. */
class KubeFailure extends Error {
  code: number;
  body: object;
  constructor(code: number, reason: string, message: string, details?: object) {
    super(message);
    this.code = code;
    this.body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details && { details }), code };
  }
}

const badRequest = (message: string) => new KubeFailure(400, 'BadRequest', message);
const unknownPath = () => new KubeFailure(404, 'NotFound', 'the server could not find the requested resource', {});
const notAllowed = () => new KubeFailure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

/** `deployments.apps` for apps resources, `pods` for core ones: how the API server names a resource in messages. */
function qualified(r: ResourceType): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

function notFound(r: ResourceType, name: string): KubeFailure {
  return new KubeFailure(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, ...(r.group && { group: r.group }), kind: r.resource });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON with object keys sorted, so equal templates give equal text whatever their key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, val: unknown) => (isObject(val) ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : val));
}

/** RFC 7386 merge (null deletes, arrays replace); strategic adds merge-by-key lists and `$patch` directives. */
function applyPatch(target: unknown, patch: unknown, strategic: boolean): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  if (strategic && patch.$patch === 'replace') return stripDirectives(patch);
  const base: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (strategic && key.startsWith('$')) continue;
    if (value === null) delete base[key];
    else if (strategic && Array.isArray(value) && MERGE_KEYS[key] && Array.isArray(base[key]) && value.every(isObject)) {
      base[key] = mergeList(base[key] as unknown[], value as Array<Record<string, unknown>>, MERGE_KEYS[key]);
    } else base[key] = applyPatch(base[key], value, strategic);
  }
  return base;
}

function mergeList(base: unknown[], patch: Array<Record<string, unknown>>, key: string): unknown[] {
  const out = [...base];
  for (const item of patch) {
    const at = out.findIndex((e) => isObject(e) && e[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = applyPatch(out[at], item, true);
    else out.push(stripDirectives(item));
  }
  return out;
}

/** RFC 6902 (add, replace, remove, test) on a copy, failing as the API server does when a path does not apply. */
function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const doc = structuredClone(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw badRequest('invalid JSON patch operation');
    const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop();
    let parent: unknown = doc;
    for (const k of keys) parent = isObject(parent) ? parent[k] : Array.isArray(parent) ? parent[Number(k)] : undefined;
    const missing = () => new KubeFailure(422, 'Invalid', `the server rejected our request due to an error in our request: jsonpatch ${op.op} operation does not apply: doc is missing path: "${op.path}"`);
    if (last === undefined || (!isObject(parent) && !Array.isArray(parent))) throw missing();
    const container = parent as Record<string, unknown>;
    const exists = Object.hasOwn(container, last);
    if (op.op === 'add') container[last] = structuredClone(op.value);
    else if (op.op === 'replace') {
      if (!exists) throw missing();
      container[last] = structuredClone(op.value);
    } else if (op.op === 'remove') {
      if (!exists) throw missing();
      delete container[last];
    } else if (op.op === 'test') {
      if (canonical(container[last]) !== canonical(op.value)) throw new KubeFailure(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${op.path} failed`);
    } else throw badRequest(`Unexpected kind: ${op.op}`);
  }
  return doc;
}

function stripDirectives(v: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('$')).map(([k, x]) => [k, structuredClone(x)]));
}

type LabelTest = (labels: Record<string, string>) => boolean;

/** Equality (`k=v`, `k==v`, `k!=v`), existence (`k`, `!k`) and set (`k in (a,b)`, `k notin (a)`) requirements, comma-separated. */
function parseLabelSelector(selector: string): LabelTest {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  const tests: LabelTest[] = terms.map((raw) => {
    const term = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [, k, op, list] = m as unknown as [string, string, string, string];
      const values = new Set(list.split(',').map((s) => s.trim()));
      return op === 'in' ? (l) => l[k] !== undefined && values.has(l[k]) : (l) => l[k] === undefined || !values.has(l[k]);
    }
    if ((m = /^!\s*([\w./-]+)$/.exec(term))) {
      const k = m[1]!;
      return (l) => l[k] === undefined;
    }
    if ((m = /^([\w./-]+)\s*(==|!=|=)\s*([\w.-]*)$/.exec(term))) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v;
    }
    if ((m = /^([\w./-]+)$/.exec(term))) {
      const k = m[1]!;
      return (l) => l[k] !== undefined;
    }
    throw badRequest(`unable to parse requirement: found '${term}', expected: key, key=value, key!=value, key in (values) or !key`);
  });
  return (labels) => tests.every((t) => t(labels));
}

function parseFieldSelector(selector: string, r: ResourceType): (o: KubeJson) => boolean {
  const tests = selector.split(',').map((raw) => {
    const term = raw.trim();
    const m = /^([^!=]+?)\s*(==|!=|=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    const get = COMMON_FIELDS[field] ?? FIELDS[r.resource]?.[field];
    if (!get) throw badRequest(`field label not supported: ${field}`);
    return op === '!=' ? (o: KubeJson) => get(o) !== value : (o: KubeJson) => get(o) === value;
  });
  return (o) => tests.every((t) => t(o));
}

function encodeContinue(rv: number, start: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

function decodeContinue(token: string): number {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (isObject(parsed) && parsed.v === 'meta.k8s.io/v1' && Number.isInteger(parsed.start) && (parsed.start as number) >= 0) return parsed.start as number;
  } catch {
    // falls through to the refusal below
  }
  throw new KubeFailure(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
  );
}

/** The last `n` lines, scanning back from the end so long logs are not split whole. */
interface TimedLine {
  /** Milliseconds since the epoch. */
  at: number;
  text: string;
}

/** Text set without times: every line written at `at`. */
function splitTimed(text: string, at: number): TimedLine[] {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body === '' ? [] : body.split('\n').map((line) => ({ at, text: line }));
}

/** 2026-12-02T02:17:05.123000000Z: Go's RFC3339Nano with its fraction fixed at 9 digits, as the kubelet writes log times. */
function rfc3339NanoFixed(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function tailLines(text: string, n: number): string {
  if (n <= 0) return '';
  let i = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let count = 0; count < n; count++) {
    if (i <= 0) return text;
    const j = text.lastIndexOf('\n', i - 1);
    if (j < 0) return text;
    i = j;
  }
  return text.slice(i + 1);
}

function isReady(pod: KubeJson): boolean {
  return (pod.status?.conditions ?? []).some((c: KubeJson) => c.type === 'Ready' && c.status === 'True');
}

/** `25%` of 7 -> 1, `2` -> 2: the rolling-update budget, rounded down as for maxUnavailable. */
function budget(value: unknown, replicas: number): number {
  if (typeof value === 'number') return value;
  const pct = /^(\d+)%$/.exec(String(value ?? '25%'));
  return pct ? Math.floor((replicas * Number(pct[1])) / 100) : 0;
}

function selectorString(selector: KubeJson): string {
  return Object.entries((selector?.matchLabels ?? {}) as Record<string, string>)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function setCondition(obj: KubeJson, type: string, status: string, reason: string, message: string, now: number, progressed = false): void {
  const conditions: KubeJson[] = (obj.status.conditions ??= []);
  let c = conditions.find((x) => x.type === type);
  if (!c) {
    c = { type };
    conditions.push(c);
  }
  const at = kubeTime(0, now);
  if (c.status !== status) c.lastTransitionTime = at;
  if (progressed || c.status !== status || c.reason !== reason || c.message !== message) c.lastUpdateTime = at;
  c.status = status;
  c.reason = reason;
  c.message = message;
}

/** Replaces the counters of a status, leaving out zeros as the API server does. */
function setCounters(status: KubeJson, counters: Record<string, number>): void {
  for (const [k, v] of Object.entries(counters)) {
    if (v === 0) delete status[k];
    else status[k] = v;
  }
}

/** What the controller remembers of one deployment between ticks. */
interface RolloutState {
  /** Canonical JSON of the template the current hash belongs to. */
  templateKey: string;
  hash: string;
  /** Template -> hash, so going back to an earlier template reuses its hash (as its ReplicaSet would be reused). */
  hashes: Map<string, string>;
  /** Hashes that rolled out completely: a stall never applies to them. */
  good: Set<string>;
  active: boolean;
  lastProgressAt: number;
  exceeded: boolean;
}

export async function startFakeKubeApi(options: { token?: string } = {}): Promise<FakeKubeApi> {
  const token = options.token ?? 'test-token';
  /** resource -> namespace ('' for cluster-scoped) -> name -> object */
  const store = new Map<string, Map<string, Map<string, KubeJson>>>();
  /** Sorted views for paging, dropped whenever a resource's membership changes. */
  const sortedViews = new Map<string, KubeJson[]>();
  const logs = new Map<string, { current: string; previous?: string; at?: number; lines?: { current: TimedLine[]; previous?: TimedLine[] } }>();
  const requests: RecordedKubeRequest[] = [];
  let denials: Array<{ verb: string; resource: string; namespace?: string; group?: string }> = [];
  const rollouts = new Map<string, RolloutState>();
  const stalls = new Map<string, { afterReady: number }>();
  const pendingAnswers = new Set<NodeJS.Timeout>();
  const rollout = { tickMs: 25 };
  let resourceVersion = 1000;
  let delayMs = 0;
  let hook: ((request: RecordedKubeRequest) => void) | undefined;
  let kubeconfigSeq = 0;
  let closed = false;
  let tickTimer: NodeJS.Timeout | undefined;
  let certManager = false;
  let metricsState: 'installed' | 'absent' | 'unavailable' = 'absent';
  const volumeStats = new Map<string, { usedBytes: number; capacityBytes: number }>();

  const bucket = (resource: string, namespace: string, create: boolean): Map<string, KubeJson> | undefined => {
    let byNs = store.get(resource);
    if (!byNs) {
      if (!create) return undefined;
      store.set(resource, (byNs = new Map()));
    }
    let byName = byNs.get(namespace);
    if (!byName && create) byNs.set(namespace, (byName = new Map()));
    return byName;
  };
  const nsKey = (r: ResourceType, namespace: string | undefined) => (r.namespaced ? (namespace ?? 'default') : '');
  const invalidate = (resource: string) => {
    for (const key of sortedViews.keys()) if (key.startsWith(`${resource}|`)) sortedViews.delete(key);
  };
  const touch = (obj: KubeJson) => {
    obj.metadata.resourceVersion = String(++resourceVersion);
  };
  const put = (r: ResourceType, obj: KubeJson) => {
    touch(obj);
    const ns = nsKey(r, obj.metadata.namespace);
    if (r.namespaced) {
      obj.metadata.namespace = ns;
      ensureNamespace(ns);
    }
    const byName = bucket(storeKey(r), ns, true)!;
    byName.set(obj.metadata.name, obj);
    invalidate(storeKey(r));
  };
  const lookup = (r: ResourceType, namespace: string | undefined, name: string): KubeJson => bucket(storeKey(r), nsKey(r, namespace), false)?.get(name);
  const drop = (r: ResourceType, namespace: string | undefined, name: string): KubeJson => {
    const byName = bucket(storeKey(r), nsKey(r, namespace), false);
    const obj = byName?.get(name);
    if (obj) {
      byName!.delete(name);
      invalidate(storeKey(r));
      if (r.kind === 'Deployment') rollouts.delete(`${obj.metadata.namespace}/${name}`);
    }
    return obj;
  };
  const ensureNamespace = (name: string) => {
    if (!bucket('namespaces', '', false)?.has(name)) put(resourceType('Namespace'), kubeNamespace(name));
  };
  /** Objects of a resource ordered by namespace then name, as etcd keys order them. */
  const sorted = (r: ResourceType, namespace: string | undefined): KubeJson[] => {
    const key = `${storeKey(r)}|${r.namespaced ? (namespace ?? '*') : ''}`;
    let view = sortedViews.get(key);
    if (view) return view;
    const byNs = store.get(storeKey(r));
    const namespaces = r.namespaced && namespace !== undefined ? [namespace] : [...(byNs?.keys() ?? [])].sort();
    view = [];
    for (const ns of namespaces) {
      const byName = byNs?.get(ns);
      if (!byName) continue;
      const names = [...byName.keys()].sort();
      for (const n of names) view.push(byName.get(n));
    }
    sortedViews.set(key, view);
    return view;
  };
  function* all(resource: string): Generator<KubeJson> {
    for (const byName of store.get(resource)?.values() ?? []) yield* byName.values();
  }

  const add = (...objects: object[]) => {
    for (const o of objects) {
      const obj: KubeJson = structuredClone(o);
      const r = resourceType(String(obj.kind ?? ''));
      obj.apiVersion ??= r.apiVersion;
      obj.metadata ??= {};
      if (!obj.metadata.name) throw new Error('fake kube api: objects need metadata.name');
      obj.metadata.uid ??= randomUUID();
      obj.metadata.creationTimestamp ??= kubeTime(0);
      if (r.kind === 'Deployment') rollouts.delete(`${nsKey(r, obj.metadata.namespace)}/${obj.metadata.name}`);
      put(r, obj);
      if (r.kind === 'Deployment') {
        const st = rolloutState(obj);
        // Every deployment has the ReplicaSet of its current template.
        const rs = lookup(resourceType('ReplicaSet'), obj.metadata.namespace, `${obj.metadata.name}-${st.hash}`);
        // Created with the deployment: as old as it is.
        if (!rs) put(resourceType('ReplicaSet'), replicaSetOf(obj, st.hash, Number(obj.metadata.annotations?.[REVISION] ?? '1'), Date.parse(obj.metadata.creationTimestamp)));
      }
    }
  };

  // ---- ReplicaSets, as the deployment controller keeps them ----

  const replicaSetsOf = (dep: KubeJson): KubeJson[] =>
    [...(bucket('replicasets', dep.metadata.namespace, false)?.values() ?? [])].filter((rs) =>
      (rs.metadata.ownerReferences ?? []).some((o: KubeJson) => o.controller && o.kind === 'Deployment' && o.uid === dep.metadata.uid));

  /** A ReplicaSet's template as the deployment's would be: without its pod-template-hash label. */
  const templateKeyOf = (rs: KubeJson): string => {
    const t = structuredClone(rs.spec?.template ?? {});
    if (t.metadata?.labels) delete t.metadata.labels['pod-template-hash'];
    return canonical(t);
  };

  const replicaSetOf = (dep: KubeJson, hash: string, revision: number, now: number): KubeJson => {
    const template = structuredClone(dep.spec?.template ?? {});
    template.metadata ??= {};
    template.metadata.labels = { ...template.metadata.labels, 'pod-template-hash': hash };
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${dep.metadata.name}-${hash}`,
        namespace: dep.metadata.namespace,
        uid: randomUUID(),
        creationTimestamp: kubeTime(0, now),
        generation: 1,
        labels: { ...template.metadata.labels },
        annotations: { [REVISION]: String(revision), 'deployment.kubernetes.io/desired-replicas': String(dep.spec?.replicas ?? 1), 'deployment.kubernetes.io/max-replicas': String((dep.spec?.replicas ?? 1) + 1) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: dep.metadata.name, uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: dep.spec?.replicas ?? 1, selector: { matchLabels: { ...dep.spec?.selector?.matchLabels, 'pod-template-hash': hash } }, template },
      status: { replicas: 0, observedGeneration: 1 },
    };
  };

  /**
   * The deployment moved to `templateKey`: the ReplicaSet with that template is reused (its old
   * revision recorded in revision-history) or created, and gets the next revision, as does the deployment.
   */
  const switchReplicaSet = (dep: KubeJson, st: RolloutState, templateKey: string, now: number): string => {
    const owned = replicaSetsOf(dep);
    const next = Math.max(Number(dep.metadata.annotations?.[REVISION] ?? '1'), ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? '0'))) + 1;
    const reused = owned.find((rs) => templateKeyOf(rs) === templateKey);
    let hash: string;
    if (reused) {
      hash = String(reused.metadata.labels?.['pod-template-hash'] ?? reused.metadata.name.slice(dep.metadata.name.length + 1));
      const a = (reused.metadata.annotations ??= {});
      if (a[REVISION]) a[REVISION_HISTORY] = [a[REVISION_HISTORY], a[REVISION]].filter(Boolean).join(',');
      a[REVISION] = String(next);
      touch(reused);
    } else {
      hash = st.hashes.get(templateKey) ?? templateHash(templateKey);
      put(resourceType('ReplicaSet'), replicaSetOf(dep, hash, next, now));
    }
    for (const rs of replicaSetsOf(dep)) {
      rs.spec.replicas = rs.metadata.name === `${dep.metadata.name}-${hash}` ? (dep.spec?.replicas ?? 1) : 0;
    }
    (dep.metadata.annotations ??= {})[REVISION] = String(next);
    return hash;
  };

  // ---- the rollout controller ----

  const rolloutState = (dep: KubeJson): RolloutState => {
    const key = `${dep.metadata.namespace}/${dep.metadata.name}`;
    let st = rollouts.get(key);
    if (st) return st;
    const templateKey = canonical(dep.spec?.template);
    // The builder names the current ReplicaSet in the Progressing message; that is the pods' hash.
    const progressing = (dep.status?.conditions ?? []).find((c: KubeJson) => c.type === 'Progressing');
    const named = /ReplicaSet "(.+)"/.exec(String(progressing?.message ?? ''))?.[1];
    const prefix = `${dep.metadata.name}-`;
    const hash = named?.startsWith(prefix) ? named.slice(prefix.length) : progressing ? DEFAULT_TEMPLATE_HASH : templateHash(templateKey);
    st = { templateKey, hash, hashes: new Map([[templateKey, hash]]), good: new Set([hash]), active: false, lastProgressAt: 0, exceeded: false };
    rollouts.set(key, st);
    return st;
  };

  /** Pods of a deployment: owned by ReplicaSet `<deployment>-<their pod-template-hash>`. */
  const podsOf = (namespace: string, name: string): KubeJson[] => {
    const out: KubeJson[] = [];
    for (const pod of bucket('pods', namespace, false)?.values() ?? []) {
      const hash = pod.metadata.labels?.['pod-template-hash'];
      const owner = pod.metadata.ownerReferences?.[0];
      if (hash && owner?.kind === 'ReplicaSet' && owner.name === `${name}-${hash}`) out.push(pod);
    }
    return out;
  };

  const deploymentOfPod = (pod: KubeJson): KubeJson => {
    const hash = pod.metadata.labels?.['pod-template-hash'];
    const owner = pod.metadata.ownerReferences?.[0];
    if (!hash || owner?.kind !== 'ReplicaSet' || !owner.name.endsWith(`-${hash}`)) return undefined;
    return lookup(resourceType('Deployment'), pod.metadata.namespace, owner.name.slice(0, -hash.length - 1));
  };

  const createPod = (dep: KubeJson, hash: string, ready: boolean) => {
    const template = dep.spec?.template ?? {};
    const pods = resourceType('Pod');
    let name: string;
    do name = `${dep.metadata.name}-${hash}-${randomSuffix()}`;
    while (lookup(pods, dep.metadata.namespace, name));
    const specs: KubeJson[] = template.spec?.containers ?? [{ name: 'app' }];
    const containers: ContainerSpec[] = specs.map((c) => ({
      name: c.name,
      ...(c.image && { image: c.image }),
      ...(c.resources?.limits?.memory && { memoryLimit: String(c.resources.limits.memory) }),
      ...(c.resources?.requests?.memory && { memoryRequest: String(c.resources.requests.memory) }),
      ...(ready
        ? { state: { running: { startedAgoS: 0 } } }
        : {
            ready: false,
            restartCount: 1,
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${c.name} pod=${name}_${dep.metadata.namespace}` } },
            lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 0, startedAgoS: 1 } },
          }),
    }));
    const pod: KubeJson = kubePod({
      namespace: dep.metadata.namespace,
      name,
      owner: { kind: 'Deployment', name: dep.metadata.name, templateHash: hash },
      labels: template.metadata?.labels,
      createdAgoS: 0,
      containers,
    });
    if (template.spec?.containers) pod.spec.containers = structuredClone(template.spec.containers);
    if (template.metadata?.annotations) pod.metadata.annotations = structuredClone(template.metadata.annotations);
    put(pods, pod);
  };

  const reconcileDeployment = (dep: KubeJson, now: number) => {
    const st = rolloutState(dep);
    const status = (dep.status ??= {});
    const generation = dep.metadata.generation ?? 1;
    const ns: string = dep.metadata.namespace;
    const name: string = dep.metadata.name;
    if (generation > (status.observedGeneration ?? 0)) {
      status.observedGeneration = generation;
      if (dep.spec?.paused) {
        setCondition(dep, 'Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now);
        touch(dep);
        return;
      }
      const templateKey = canonical(dep.spec?.template);
      if (templateKey !== st.templateKey) {
        const hash = switchReplicaSet(dep, st, templateKey, now);
        st.hashes.set(templateKey, hash);
        st.templateKey = templateKey;
        st.hash = hash;
      }
      st.active = true;
      st.exceeded = false;
      st.lastProgressAt = now;
      setCondition(dep, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${name}-${st.hash}" is progressing.`, now, true);
      touch(dep);
    }
    if (!st.active || dep.spec?.paused) return;

    const before = JSON.stringify(status);
    const desired: number = dep.spec?.replicas ?? 1;
    const podType = resourceType('Pod');
    const split = () => {
      const pods = podsOf(ns, name);
      const fresh = pods.filter((p) => p.metadata.labels['pod-template-hash'] === st.hash);
      return { pods, fresh, old: pods.filter((p) => p.metadata.labels['pod-template-hash'] !== st.hash), freshReady: fresh.filter(isReady).length };
    };
    const { fresh, old, freshReady } = split();
    const stall = stalls.get(`${ns}/${name}`);
    const stalled = stall !== undefined && !st.good.has(st.hash) && freshReady >= stall.afterReady;
    let progressed = true;
    if (stalled) {
      // A broken version: one more new pod that never becomes ready, and no old pod goes.
      if (fresh.length === freshReady && fresh.length < desired) createPod(dep, st.hash, false);
      else progressed = false;
    } else if (fresh.length < desired) {
      createPod(dep, st.hash, true);
      if (old.length > 0) drop(podType, ns, old[0].metadata.name);
    } else if (old.length > 0) drop(podType, ns, old[0].metadata.name);
    else if (fresh.length > desired) drop(podType, ns, fresh[fresh.length - 1].metadata.name);
    else progressed = false;

    const now2 = split();
    const ready = now2.pods.filter(isReady).length;
    setCounters(status, {
      replicas: now2.pods.length,
      updatedReplicas: now2.fresh.length,
      readyReplicas: ready,
      availableReplicas: ready,
      unavailableReplicas: Math.max(0, Math.max(desired, now2.pods.length) - ready),
    });
    const minAvailable = desired - budget(dep.spec?.strategy?.rollingUpdate?.maxUnavailable, desired);
    if (ready >= minAvailable) setCondition(dep, 'Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now);
    else setCondition(dep, 'Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now);
    const rs = `${name}-${st.hash}`;
    if (now2.fresh.length === desired && now2.old.length === 0 && now2.freshReady === desired) {
      st.active = false;
      st.good.add(st.hash);
      setCondition(dep, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rs}" has successfully progressed.`, now);
    } else if (progressed) {
      st.lastProgressAt = now;
      setCondition(dep, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rs}" is progressing.`, now, true);
    } else if (!st.exceeded && now - st.lastProgressAt >= (dep.spec?.progressDeadlineSeconds ?? 600) * 1000) {
      st.exceeded = true;
      setCondition(dep, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs}" has timed out progressing.`, now);
    }
    if (JSON.stringify(status) !== before) touch(dep);
  };

  /** StatefulSets and DaemonSets complete a change at once. */
  const reconcileAtOnce = (obj: KubeJson) => {
    const status = (obj.status ??= {});
    const generation = obj.metadata.generation ?? 1;
    if (generation <= (status.observedGeneration ?? 0)) return;
    status.observedGeneration = generation;
    if (obj.kind === 'StatefulSet') {
      const replicas: number = obj.spec?.replicas ?? 1;
      const revision = `${obj.metadata.name}-${templateHash(canonical(obj.spec?.template))}`;
      setCounters(status, { readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas });
      Object.assign(status, { replicas, availableReplicas: replicas, currentRevision: revision, updateRevision: revision });
    } else {
      const desired: number = status.desiredNumberScheduled ?? 0;
      Object.assign(status, { currentNumberScheduled: desired, numberReady: desired });
      setCounters(status, { updatedNumberScheduled: desired, numberAvailable: desired, numberUnavailable: 0 });
      (obj.metadata.annotations ??= {})['deprecated.daemonset.template.generation'] = String(generation);
    }
    touch(obj);
  };

  const tick = () => {
    tickTimer = undefined;
    if (closed) return;
    try {
      const now = Date.now();
      for (const dep of [...all('deployments')]) reconcileDeployment(dep, now);
      for (const sts of all('statefulsets')) reconcileAtOnce(sts);
      for (const ds of all('daemonsets')) reconcileAtOnce(ds);
    } finally {
      scheduleTick();
    }
  };
  const scheduleTick = () => {
    if (closed) return;
    tickTimer = setTimeout(tick, rollout.tickMs);
    // Never the reason a test process stays alive.
    tickTimer.unref();
  };

  // ---- requests ----

  interface Route {
    r: ResourceType;
    namespace?: string;
    name?: string;
    sub?: string;
    /** nodes/<name>/proxy/<proxyPath> */
    proxyPath?: string;
  }

  const forbidden = (verb: string, route: Route, resource: string): KubeFailure => {
    const r = route.r;
    // A namespace is itself "in the namespace" it names.
    const ns = route.namespace ?? (r.kind === 'Namespace' ? route.name : undefined);
    const subject = route.name ? `${qualified(r)} "${route.name}"` : qualified(r);
    const scope = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
    return new KubeFailure(403, 'Forbidden', `${subject} is forbidden: User "${DENIED_USER}" cannot ${verb} resource "${resource}" in API group "${r.group}" ${scope}`, {
      ...(route.name && { name: route.name }),
      ...(r.group && { group: r.group }),
      kind: r.resource,
    });
  };

  /** The resources served now: a CRD's only while it is installed. */
  const served = () => RESOURCES.filter((r) => (!r.crd || certManager) && (!r.metrics || metricsState === 'installed'));

  const discovery = (segments: string[], base: string): object | undefined => {
    const p = segments.join('/');
    if (p === 'version') return VERSION;
    if (p === 'api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: base.replace(/^http:\/\//, '') }] };
    if (p === 'apis') {
      const groups = new Map<string, string>();
      for (const r of served()) if (r.group) groups.set(r.group, versionOf(r));
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups].map(([name, version]) => {
          const gv = { groupVersion: `${name}/${version}`, version };
          return { name, versions: [gv], preferredVersion: gv };
        }),
      };
    }
    const groupVersion = p === 'api/v1' ? 'v1' : p.startsWith('apis/') ? p.slice('apis/'.length) : undefined;
    const inGroup = served().filter((r) => r.apiVersion === groupVersion);
    if (groupVersion === undefined || inGroup.length === 0) return undefined;
    const resources: object[] = [];
    for (const r of inGroup) {
      const verbs = r.kind === 'Namespace' || r.metrics ? ['get', 'list'] : ['delete', 'get', 'list', 'patch'];
      resources.push({ name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs });
      if (r.kind === 'Pod') resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] });
      if (r.kind === 'Node') resources.push({ name: 'nodes/proxy', singularName: '', namespaced: false, kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] });
      if (r.kind === 'Deployment' || r.kind === 'StatefulSet') {
        resources.push({ name: `${r.resource}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
      }
    }
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
  };

  const parseRoute = (segments: string[]): Route => {
    let apiVersion: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1] === 'v1') {
      apiVersion = 'v1';
      rest = segments.slice(2);
    } else if (segments[0] === 'apis' && segments.length >= 3) {
      apiVersion = `${segments[1]}/${segments[2]}`;
      rest = segments.slice(3);
    } else throw unknownPath();
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    // nodes/<name>/proxy/<path...>: the path may arrive as one encoded segment or several.
    if (apiVersion === 'v1' && namespace === undefined && rest[0] === 'nodes' && rest[2] === 'proxy') {
      return { r: resourceType('Node'), name: rest[1]!, sub: 'proxy', proxyPath: rest.slice(3).join('/') };
    }
    if (rest.length > 3) throw unknownPath();
    const [resource, name, sub] = rest;
    const r = served().find((x) => x.resource === resource && x.apiVersion === apiVersion);
    if (!r || (namespace !== undefined && !r.namespaced) || (namespace === undefined && r.namespaced && name !== undefined)) throw unknownPath();
    return { r, ...(namespace !== undefined && { namespace }), ...(name !== undefined && { name }), ...(sub !== undefined && { sub }) };
  };

  const verbOf = (method: string, route: Route): string => {
    switch (method) {
      case 'GET':
        return route.name ? 'get' : 'list';
      case 'PATCH':
        return 'patch';
      case 'PUT':
        return 'update';
      case 'DELETE':
        return route.name ? 'delete' : 'deletecollection';
      case 'POST':
        return 'create';
      default:
        return method.toLowerCase();
    }
  };

  const listOf = (route: Route, query: URLSearchParams): object => {
    const r = route.r;
    let items = sorted(r, route.namespace);
    const labelSelector = query.get('labelSelector');
    if (labelSelector) {
      const test = parseLabelSelector(labelSelector);
      items = items.filter((o) => test(o.metadata.labels ?? {}));
    }
    const fieldSelector = query.get('fieldSelector');
    if (fieldSelector) items = items.filter(parseFieldSelector(fieldSelector, r));
    const token = query.get('continue');
    const offset = token ? decodeContinue(token) : 0;
    const limit = Number(query.get('limit') ?? 0);
    const end = Number.isInteger(limit) && limit > 0 ? Math.min(items.length, offset + limit) : items.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(resourceVersion) };
    if (end < items.length) {
      metadata.continue = encodeContinue(resourceVersion, end);
      metadata.remainingItemCount = items.length - end;
    }
    // List items carry no kind or apiVersion on the wire; the list does.
    const page = items.slice(offset, end).map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest);
    return { kind: `${r.kind}List`, apiVersion: r.apiVersion, metadata, items: page };
  };

  const found = (route: Route): KubeJson => {
    const obj = lookup(route.r, route.namespace, route.name!);
    if (!obj) throw notFound(route.r, route.name!);
    return obj;
  };

  const patchKind = (contentType: string | undefined): 'strategic' | 'merge' | 'json' => {
    const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (media === SMP) return 'strategic';
    if (media === MERGE) return 'merge';
    if (media === JSON_PATCH) return 'json';
    throw new KubeFailure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${JSON_PATCH}, ${MERGE}, ${SMP}`);
  };
  const patched = (target: unknown, contentType: string | undefined, body: unknown): unknown => {
    const how = patchKind(contentType);
    return how === 'json' ? applyJsonPatch(target, body) : applyPatch(target, objectBody(body), how === 'strategic');
  };

  const objectBody = (body: unknown): Record<string, unknown> => {
    if (!isObject(body)) throw badRequest('the request body must be a JSON object');
    return body;
  };

  const podLog = (route: Route, query: URLSearchParams): string => {
    const pod = found({ ...route, r: resourceType('Pod') });
    const name = route.name!;
    const containers: string[] = (pod.spec?.containers ?? []).map((c: KubeJson) => c.name);
    const inits: string[] = (pod.spec?.initContainers ?? []).map((c: KubeJson) => c.name);
    let container = query.get('container') ?? '';
    if (!container) {
      if (containers.length !== 1) {
        const initPart = inits.length > 0 ? ` or one of the init containers: [${inits.join(' ')}]` : '';
        throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`);
      }
      container = containers[0]!;
    } else if (!containers.includes(container) && !inits.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    const stored = logs.get(`${route.namespace}/${name}/${container}`);
    let text: string;
    if (query.get('previous') === 'true') {
      if (stored?.previous === undefined) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
      text = stored.previous;
    } else {
      const statuses: KubeJson[] = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
      const s = statuses.find((x) => x.name === container);
      if (!stored && s?.state?.waiting && !s.lastState?.terminated) {
        throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${s.state.waiting.reason ?? 'ContainerCreating'}`);
      }
      text = stored?.current ?? '';
    }
    const since = query.get('sinceSeconds');
    const stamped = query.get('timestamps') === 'true';
    for (const [key, value] of [['sinceSeconds', since], ['limitBytes', query.get('limitBytes')]] as const) {
      if (value !== null && !(/^\d+$/.test(value) && Number(value) > 0)) throw new KubeFailure(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${key}: Invalid value: ${value}: must be greater than 0`);
    }
    if (since !== null || stamped) {
      // Line by line: the times are needed.
      const timed = stored?.lines ? (query.get('previous') === 'true' ? stored.lines.previous : stored.lines.current) ?? [] : splitTimed(text, stored?.at ?? Date.now());
      const from = since === null ? -Infinity : Date.now() - Number(since) * 1000;
      text = timed.filter((l) => l.at >= from).map((l) => `${stamped ? `${rfc3339NanoFixed(l.at)} ` : ''}${l.text}\n`).join('');
    }
    const tail = query.get('tailLines');
    if (tail !== null && /^\d+$/.test(tail)) text = tailLines(text, Number(tail));
    const limitBytes = query.get('limitBytes');
    if (limitBytes !== null && /^\d+$/.test(limitBytes)) text = Buffer.from(text).subarray(0, Number(limitBytes)).toString('utf8');
    return text;
  };

  /** The kubelet's stats summary: the volume claims mounted by the node's pods, with what setVolumeStats said. */
  const nodeProxy = (route: Route): object => {
    found(route);
    if (route.proxyPath !== 'stats/summary') throw unknownPath();
    const pods: object[] = [];
    for (const pod of all('pods')) {
      if (pod.spec?.nodeName !== route.name) continue;
      const volume = (pod.spec?.volumes ?? []).flatMap((v: KubeJson) => {
        const claim = v.persistentVolumeClaim?.claimName;
        const stats = claim ? volumeStats.get(`${pod.metadata.namespace}/${claim}`) : undefined;
        if (!stats) return [];
        return [{
          time: kubeTime(0),
          availableBytes: stats.capacityBytes - stats.usedBytes,
          capacityBytes: stats.capacityBytes,
          usedBytes: stats.usedBytes,
          inodesFree: 1_000_000,
          inodes: 1_048_576,
          inodesUsed: 48_576,
          name: v.name,
          pvcRef: { name: claim, namespace: pod.metadata.namespace },
        }];
      });
      pods.push({ podRef: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid }, startTime: pod.metadata.creationTimestamp, containers: [], ...(volume.length > 0 && { volume }) });
    }
    return { node: { nodeName: route.name, startTime: kubeTime(86_400) }, pods };
  };

  const patchObject = (route: Route, contentType: string | undefined, body: unknown, dryRun: boolean): KubeJson => {
    const original = found(route);
    if (route.r.kind === 'Deployment') rolloutState(original);
    const out: unknown = patched(original, contentType, body);
    if (!isObject(out)) throw badRequest('the patched object is not a JSON object');
    const result: KubeJson = out;
    const m = original.metadata;
    result.apiVersion = original.apiVersion;
    result.kind = original.kind;
    result.metadata = {
      ...(isObject(result.metadata) ? result.metadata : {}),
      name: m.name,
      ...(m.namespace !== undefined && { namespace: m.namespace }),
      uid: m.uid,
      creationTimestamp: m.creationTimestamp,
      resourceVersion: m.resourceVersion,
      ...(m.generation !== undefined && { generation: m.generation }),
    };
    if (route.r.hasStatus) result.status = original.status;
    if (route.r.group === 'apps' && JSON.stringify(result.spec) !== JSON.stringify(original.spec)) result.metadata.generation = (m.generation ?? 1) + 1;
    if (route.r.group === 'apps') validReplicas(route.r.kind, 'apps', m.name, result.spec?.replicas, true);
    if (!dryRun) put(route.r, result);
    return result;
  };

  const validReplicas = (kind: string, group: string, name: string, replicas: unknown, optional: boolean): number | undefined => {
    if (replicas === undefined && optional) return undefined;
    if (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0) return replicas;
    const message = `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`;
    throw new KubeFailure(422, 'Invalid', `${kind}.${group} "${name}" is invalid: spec.replicas: ${message}`, {
      name,
      group,
      kind,
      causes: [{ reason: 'FieldValueInvalid', message, field: 'spec.replicas' }],
    });
  };

  const scaleOf = (obj: KubeJson): object => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 1 },
    status: { replicas: obj.status?.replicas ?? 0, selector: selectorString(obj.spec?.selector) },
  });

  const scale = (method: string, route: Route, contentType: string | undefined, body: unknown, dryRun: boolean): object => {
    const obj = found(route);
    if (method === 'GET') return scaleOf(obj);
    let replicas: unknown;
    if (method === 'PATCH') {
      replicas = (patched(scaleOf(obj), contentType, body) as KubeJson).spec?.replicas;
    } else replicas = (objectBody(body).spec as KubeJson)?.replicas;
    const wanted = validReplicas('Scale', 'autoscaling', obj.metadata.name, replicas, false)!;
    if (wanted === (obj.spec?.replicas ?? 1) || dryRun) return { ...scaleOf(obj), spec: { replicas: wanted } };
    if (obj.kind === 'Deployment') rolloutState(obj);
    obj.spec.replicas = wanted;
    obj.metadata.generation = (obj.metadata.generation ?? 1) + 1;
    touch(obj);
    return scaleOf(obj);
  };

  const deleteObject = (route: Route): KubeJson => {
    const r = route.r;
    const obj = found(route);
    drop(r, route.namespace, route.name!);
    if (r.kind === 'Pod') {
      const dep = deploymentOfPod(obj);
      // The ReplicaSet notices the missing pod and replaces it on the next tick.
      if (dep) rolloutState(dep).active = true;
      obj.metadata.deletionTimestamp = kubeTime(-30);
      obj.metadata.deletionGracePeriodSeconds = 30;
    } else if (r.group === 'apps') {
      // Garbage collection of the workload's pods.
      const pods = resourceType('Pod');
      if (r.kind === 'Deployment') for (const rs of replicaSetsOf(obj)) drop(resourceType('ReplicaSet'), rs.metadata.namespace, rs.metadata.name);
      const owned = r.kind === 'Deployment' ? podsOf(obj.metadata.namespace, obj.metadata.name) : [...(bucket('pods', obj.metadata.namespace, false)?.values() ?? [])].filter((p) => p.metadata.ownerReferences?.some((o: KubeJson) => o.kind === r.kind && o.name === obj.metadata.name));
      for (const p of owned) drop(pods, p.metadata.namespace, p.metadata.name);
    }
    return obj;
  };

  /** Answers one request: status, content type and body text. */
  const answer = (method: string, url: URL, authorization: string | undefined, contentType: string | undefined, body: unknown, base: string): [number, string, string] => {
    try {
      const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
      if (bearer !== token) throw new KubeFailure(401, 'Unauthorized', 'Unauthorized');
      let segments: string[];
      try {
        segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      } catch {
        throw unknownPath();
      }
      if (metricsState === 'unavailable' && segments[0] === 'apis' && segments[1] === 'metrics.k8s.io') {
        // The aggregator's answer when the APIService is registered and its backend does not answer.
        throw new KubeFailure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request', { causes: [{ reason: 'UnexpectedServerResponse', message: 'service unavailable' }] });
      }
      const info = discovery(segments, base);
      if (info) {
        if (method !== 'GET') throw notAllowed();
        return [200, 'application/json', JSON.stringify(info)];
      }
      const route = parseRoute(segments);
      const verb = verbOf(method, route);
      const resource = route.sub ? `${route.r.resource}/${route.sub}` : route.r.resource;
      const ns = route.namespace ?? (route.r.kind === 'Namespace' ? route.name : undefined);
      if (denials.some((d) => d.verb === verb && d.resource === resource && (d.namespace === undefined || d.namespace === ns) && (d.group === undefined || d.group === route.r.group))) {
        throw forbidden(verb, route, resource);
      }
      if (route.r.metrics && verb !== 'get' && verb !== 'list') throw notAllowed();
      const query = url.searchParams;
      const dryRun = query.get('dryRun') === 'All';
      const json = (status: number, obj: unknown): [number, string, string] => [status, 'application/json', JSON.stringify(obj)];
      if (route.sub === 'proxy' && route.r.kind === 'Node') {
        if (method !== 'GET') throw notAllowed();
        return json(200, nodeProxy(route));
      }
      if (route.sub === 'log' && route.r.kind === 'Pod') {
        if (method !== 'GET') throw notAllowed();
        return [200, 'text/plain', podLog(route, query)];
      }
      if (route.sub === 'scale' && (route.r.kind === 'Deployment' || route.r.kind === 'StatefulSet')) {
        if (!['GET', 'PATCH', 'PUT'].includes(method)) throw notAllowed();
        return json(200, scale(method, route, contentType, body, dryRun));
      }
      if (route.sub) throw unknownPath();
      if (verb === 'list') {
        if (query.get('watch') === 'true' || query.get('watch') === '1') throw badRequest('watch is not supported by this server');
        return json(200, listOf(route, query));
      }
      if (verb === 'get') return json(200, found(route));
      if (verb === 'patch' && route.name) return json(200, patchObject(route, contentType, body, dryRun));
      if (verb === 'delete' && route.r.kind !== 'Namespace') return json(200, deleteObject(route));
      throw notAllowed();
    } catch (error) {
      if (error instanceof KubeFailure) return [error.code, 'application/json', JSON.stringify(error.body)];
      const message = error instanceof Error ? error.message : String(error);
      return [500, 'application/json', JSON.stringify(new KubeFailure(500, 'InternalError', `Internal error occurred: ${message}`).body)];
    }
  };

  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = req.method ?? 'GET';
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      if (raw) {
        try {
          body = JSON.parse(raw);
        } catch {
          body = raw;
        }
      }
      const contentType = req.headers['content-type'];
      const recorded: RecordedKubeRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), ...(contentType && { contentType }), ...(raw && { body }) };
      requests.push(recorded);
      const reply = () => {
        if (res.destroyed || res.writableEnded) return;
        hook?.(recorded);
        const [status, type, text] = answer(method, url, req.headers.authorization, contentType, body, base);
        res.writeHead(status, { 'content-type': type, 'audit-id': randomUUID(), 'cache-control': 'no-cache, private' });
        res.end(text);
      };
      if (delayMs === Infinity) return;
      if (delayMs > 0) {
        const t = setTimeout(() => {
          pendingAnswers.delete(t);
          reply();
        }, delayMs);
        t.unref();
        pendingAnswers.add(t);
      } else reply();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  scheduleTick();

  return {
    url: base,
    token,
    requests,
    rollout,
    writeKubeconfig(dir, o = {}) {
      mkdirSync(dir, { recursive: true });
      const q = (s: string) => JSON.stringify(s);
      const context = o.context ?? 'fake';
      const lines = [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: ${q(base)}`,
        // The client refuses plain http unless TLS verification is explicitly off.
        '    insecure-skip-tls-verify: true',
        'users:',
        '- name: fake-user',
        '  user:',
        `    token: ${q(o.token ?? token)}`,
        'contexts:',
        `- name: ${q(context)}`,
        '  context:',
        '    cluster: fake',
        '    user: fake-user',
        ...(o.namespace ? [`    namespace: ${q(o.namespace)}`] : []),
        `current-context: ${q(context)}`,
        'preferences: {}',
        '',
      ];
      const file = path.join(dir, `kubeconfig-${++kubeconfigSeq}.yaml`);
      writeFileSync(file, lines.join('\n'));
      return file;
    },
    add,
    addNamespace: (name) => ensureNamespace(name),
    remove(kind, namespace, name) {
      drop(resourceType(kind), namespace, name);
    },
    get: (kind, namespace, name) => lookup(resourceType(kind), namespace, name),
    list: (kind, namespace) => [...sorted(resourceType(kind), namespace)],
    setLogs(namespace, pod, container, l) {
      logs.set(`${namespace}/${pod}/${container}`, { ...l, at: Date.now() });
    },
    setLogLines(namespace, pod, container, l) {
      const now = Date.now();
      const timed = (lines: LogLine[]): TimedLine[] => [...lines].sort((a, b) => b.agoS - a.agoS).map((x) => ({ at: now - x.agoS * 1000, text: x.text }));
      const text = (lines: TimedLine[]) => lines.map((x) => `${x.text}\n`).join('');
      const current = timed(l.current);
      const previous = l.previous && timed(l.previous);
      logs.set(`${namespace}/${pod}/${container}`, { current: text(current), ...(previous && { previous: text(previous) }), lines: { current, ...(previous && { previous }) } });
    },
    installCertManager(installed = true) {
      certManager = installed;
    },
    metricsServer(state) {
      metricsState = state;
    },
    setVolumeStats(namespace, claim, stats) {
      volumeStats.set(`${namespace}/${claim}`, { ...stats });
    },
    deny(verb, resource, namespace, group) {
      denials.push({ verb, resource, ...(namespace !== undefined && { namespace }), ...(group !== undefined && { group }) });
    },
    clearDenials() {
      denials = [];
    },
    setDelay(ms) {
      delayMs = ms;
    },
    beforeAnswer(fn) {
      hook = fn;
    },
    stallRollout(namespace, name, o) {
      stalls.set(`${namespace}/${name}`, { afterReady: o.afterReady });
    },
    async close() {
      if (closed) return;
      closed = true;
      if (tickTimer) clearTimeout(tickTimer);
      for (const t of pendingAnswers) clearTimeout(t);
      pendingAnswers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
