// The lists beyond pods and workloads, one of each resource per namespace per run (storage
// classes once, cluster-wide), a page at a time with the same limit as the pod list, each page
// folded into small records (resource-records.ts) before the next is asked for. A refused list
// is recorded for the checks that need it; a 404 on cert-manager's group means it is not installed.
import type * as k8s from '@kubernetes/client-node';
import type { FailedRequest } from './cluster-snapshot.ts';
import type { KubeRequestDescription } from './describe-kube-error.ts';
import type { KubeClient } from './kube-client.ts';
import { apiText } from './api-text.ts';
import type { CertificateRecord, ClaimRecord, CronJobRecord, HpaRecord, IngressBackend, ResourceRecords, ServiceRecord } from './resource-records.ts';

interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string };
}

/** What collect-cluster.ts lends: bounded calls that record their failure, and its paging. */
export interface Lister {
  listAll<T>(request: KubeRequestDescription, what: string, page: (cont: string | undefined, o: k8s.ConfigurationOptions) => Promise<ListPage<T>>, fold: (items: T[]) => void): Promise<void>;
  /** `limit` and `continue` (no label selector: services, slices and claims are not labelled like pods). */
  paging(cont: string | undefined): { limit: number; _continue?: string };
  failed: FailedRequest[];
}

export interface ResourceOptions {
  now: number;
  /** Failed Jobs older than this are history: not kept. */
  jobWindowMs: number;
}

/** Records kept per resource, whatever the cluster holds (the counts stay exact). */
const MAX_RECORDS = 5_000;
/** Object names are at most 253 characters; a condition message is quoted up to this. */
const NAME_CHARS = 253;
const MESSAGE_CHARS = 300;
/** Backends of one Ingress kept (default backend and rule paths); more are counted. */
const MAX_INGRESS_BACKENDS = 100;
/** A schedule longer than this is not read (the cronjobs check says it cannot be). */
const SCHEDULE_CHARS = 1_000;
const CERT_MANAGER = { group: 'cert-manager.io', version: 'v1', plural: 'certificates' };

/** A timestamp, or undefined when absent or not a date (a malformed custom resource). */
function date(v: unknown): Date | undefined {
  if (!(v instanceof Date) && typeof v !== 'string') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
const nameText = (v: unknown) => apiText(v, NAME_CHARS);
const messageText = (v: unknown) => apiText(v, MESSAGE_CHARS);

function push<T>(list: T[], item: T): void {
  if (list.length < MAX_RECORDS) list.push(item);
}

/** The lists of one namespace (undefined: all namespaces at once), to run alongside the pod list. */
export function collectResources(client: KubeClient, lister: Lister, records: ResourceRecords, namespace: string | undefined, options: ResourceOptions): Array<Promise<void>> {
  const where = namespace ? ` in ${namespace}` : ' in all namespaces';
  const req = (resource: string, group: string): KubeRequestDescription => ({ verb: 'list', resource, ...(group && { group }), ...(namespace && { namespace }) });
  const p = (cont: string | undefined) => lister.paging(cont);
  const jobsSince = options.now - options.jobWindowMs;
  const certificates = async () => {
    await lister.listAll<Record<string, unknown>>(req('certificates', CERT_MANAGER.group), `list certificates${where}`,
      async (cont, o) => {
        const q = { ...CERT_MANAGER, limit: p(cont).limit, ...(cont && { _continue: cont }) };
        const list = (namespace ? await client.custom.listNamespacedCustomObject({ ...q, namespace }, o) : await client.custom.listClusterCustomObject(q, o)) as {
          items?: Array<Record<string, unknown>>;
          metadata?: { continue?: string };
        };
        return { items: list.items ?? [], metadata: { ...(list.metadata?.continue && { _continue: list.metadata.continue }) } };
      },
      (items) => items.forEach((c) => foldCertificate(records, c)));
    // No cert-manager.io/v1 on the server: not installed, which is nobody's fault.
    const i = lister.failed.findIndex((f) => f.resource === 'certificates' && f.problem.kind === 'not_found');
    if (i >= 0) {
      lister.failed.splice(i, 1);
      records.certManagerAbsent = true;
    }
  };
  return [
    lister.listAll<k8s.V1Service>(req('services', ''), `list services${where}`,
      (cont, o) => (namespace ? client.core.listNamespacedService({ namespace, ...p(cont) }, o) : client.core.listServiceForAllNamespaces(p(cont), o)),
      (items) => items.forEach((s) => foldService(records, s))),
    lister.listAll<k8s.V1EndpointSlice>(req('endpointslices', 'discovery.k8s.io'), `list endpointslices${where}`,
      (cont, o) => (namespace ? client.discovery.listNamespacedEndpointSlice({ namespace, ...p(cont) }, o) : client.discovery.listEndpointSliceForAllNamespaces(p(cont), o)),
      (items) => items.forEach((s) => foldEndpointSlice(records, s))),
    lister.listAll<k8s.V1Ingress>(req('ingresses', 'networking.k8s.io'), `list ingresses${where}`,
      (cont, o) => (namespace ? client.networking.listNamespacedIngress({ namespace, ...p(cont) }, o) : client.networking.listIngressForAllNamespaces(p(cont), o)),
      (items) => items.forEach((i) => foldIngress(records, i))),
    lister.listAll<k8s.V1PersistentVolumeClaim>(req('persistentvolumeclaims', ''), `list persistentvolumeclaims${where}`,
      (cont, o) => (namespace ? client.core.listNamespacedPersistentVolumeClaim({ namespace, ...p(cont) }, o) : client.core.listPersistentVolumeClaimForAllNamespaces(p(cont), o)),
      (items) => items.forEach((c) => foldClaim(records, c))),
    lister.listAll<k8s.V2HorizontalPodAutoscaler>(req('horizontalpodautoscalers', 'autoscaling'), `list horizontalpodautoscalers${where}`,
      (cont, o) => (namespace ? client.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace, ...p(cont) }, o) : client.autoscaling.listHorizontalPodAutoscalerForAllNamespaces(p(cont), o)),
      (items) => items.forEach((h) => foldHpa(records, h))),
    lister.listAll<k8s.V1Job>(req('jobs', 'batch'), `list jobs${where}`,
      (cont, o) => (namespace ? client.batch.listNamespacedJob({ namespace, ...p(cont) }, o) : client.batch.listJobForAllNamespaces(p(cont), o)),
      (items) => items.forEach((j) => foldJob(records, j, jobsSince))),
    lister.listAll<k8s.V1CronJob>(req('cronjobs', 'batch'), `list cronjobs${where}`,
      (cont, o) => (namespace ? client.batch.listNamespacedCronJob({ namespace, ...p(cont) }, o) : client.batch.listCronJobForAllNamespaces(p(cont), o)),
      (items) => items.forEach((c) => foldCronJob(records, c))),
    lister.listAll<k8s.V1PodDisruptionBudget>(req('poddisruptionbudgets', 'policy'), `list poddisruptionbudgets${where}`,
      (cont, o) => (namespace ? client.policy.listNamespacedPodDisruptionBudget({ namespace, ...p(cont) }, o) : client.policy.listPodDisruptionBudgetForAllNamespaces(p(cont), o)),
      (items) => items.forEach((b) => foldPdb(records, b))),
    certificates(),
  ];
}

/** Storage classes are cluster-wide: listed once per run, for their volumeBindingMode. */
export function collectStorageClasses(client: KubeClient, lister: Lister, records: ResourceRecords): Promise<void> {
  return lister.listAll<k8s.V1StorageClass>({ verb: 'list', resource: 'storageclasses', group: 'storage.k8s.io' }, 'list storageclasses',
    (cont, o) => client.storage.listStorageClass(lister.paging(cont), o),
    (items) => {
      for (const sc of items) {
        const name = sc.metadata?.name ?? '?';
        records.storageClasses.set(name, sc.volumeBindingMode ?? 'Immediate');
        const a = sc.metadata?.annotations ?? {};
        if (a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true') records.defaultStorageClass = name;
      }
    });
}

function meta(m: { namespace?: unknown; name?: unknown } | undefined): { namespace: string; name: string } {
  return { namespace: nameText(m?.namespace) || 'default', name: nameText(m?.name) || '?' };
}

function foldService(records: ResourceRecords, s: k8s.V1Service): void {
  const selector = s.spec?.selector && Object.keys(s.spec.selector).length > 0
    ? apiText(Object.entries(s.spec.selector).map(([k, v]) => `${k}=${v}`).join(','), MESSAGE_CHARS)
    : undefined;
  const record: ServiceRecord = {
    ...meta(s.metadata),
    type: s.spec?.type ?? 'ClusterIP',
    ...(selector && { selector }),
    ports: (s.spec?.ports ?? []).slice(0, 100).map((port) => ({ port: port.port, ...(port.name && { name: nameText(port.name) }) })),
  };
  if (records.services.size < MAX_RECORDS * 4) records.services.set(`${record.namespace}/${record.name}`, record);
  else records.servicesDropped += 1;
}

function foldEndpointSlice(records: ResourceRecords, slice: k8s.V1EndpointSlice): void {
  const service = nameText(slice.metadata?.labels?.['kubernetes.io/service-name']);
  if (!service) return;
  const key = `${meta(slice.metadata).namespace}/${service}`;
  const before = records.readyEndpoints.get(key);
  if (before === undefined && records.readyEndpoints.size >= MAX_RECORDS * 4) {
    records.slicesDropped += 1;
    return;
  }
  // A nil ready condition means ready (discovery.k8s.io/v1).
  const ready = (slice.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
  records.readyEndpoints.set(key, (before ?? 0) + ready);
}

function backendOf(b: k8s.V1IngressBackend | undefined, route: string): IngressBackend | undefined {
  const svc = b?.service;
  if (!svc?.name) return undefined;
  const port = svc.port?.number ?? (svc.port?.name !== undefined ? nameText(svc.port.name) : undefined);
  return { service: nameText(svc.name), ...(port !== undefined && { port }), route: apiText(route, MESSAGE_CHARS) };
}

function foldIngress(records: ResourceRecords, ing: k8s.V1Ingress): void {
  records.ingressCount += 1;
  const backends: IngressBackend[] = [];
  let unchecked = 0;
  const keep = (b: IngressBackend | undefined) => {
    if (!b) return;
    if (backends.length < MAX_INGRESS_BACKENDS) backends.push(b);
    else unchecked += 1;
  };
  keep(backendOf(ing.spec?.defaultBackend, 'default backend'));
  for (const rule of ing.spec?.rules ?? []) {
    for (const path of rule.http?.paths ?? []) keep(backendOf(path.backend, `${rule.host ?? '*'}${path.path ?? '/'}`));
  }
  if (backends.length > 0) push(records.ingresses, { ...meta(ing.metadata), backends, unchecked });
}

function foldClaim(records: ResourceRecords, c: k8s.V1PersistentVolumeClaim): void {
  records.claimCount += 1;
  const phase = c.status?.phase ?? 'Pending';
  const record: ClaimRecord = {
    ...meta(c.metadata),
    phase,
    ...(c.metadata?.creationTimestamp && { createdAt: new Date(c.metadata.creationTimestamp) }),
    ...(c.spec?.storageClassName && { storageClass: nameText(c.spec.storageClassName) }),
    noClass: c.spec?.storageClassName === '',
    ...(c.status?.capacity?.storage !== undefined && { capacity: apiText(String(c.status.capacity.storage), 40) }),
  };
  // Bound claims are kept for the kubelet's fullness numbers; there is one per volume, not per pod.
  push(records.claims, record);
}

function foldHpa(records: ResourceRecords, h: k8s.V2HorizontalPodAutoscaler): void {
  records.hpaCount += 1;
  const conditions = h.status?.conditions ?? [];
  const limited = conditions.find((c) => c.type === 'ScalingLimited' && c.status === 'True' && c.reason === 'TooManyReplicas');
  const active = conditions.find((c) => c.type === 'ScalingActive' && c.status === 'False' && c.reason !== 'ScalingDisabled');
  const current = h.status?.currentReplicas ?? 0;
  const max = h.spec?.maxReplicas ?? 0;
  const atMax = limited !== undefined && current >= max;
  if (!atMax && !active) return;
  const record: HpaRecord = {
    ...meta(h.metadata),
    target: `${nameText(h.spec?.scaleTargetRef.kind ?? 'deployment').toLowerCase()}/${nameText(h.spec?.scaleTargetRef.name) || '?'}`,
    current,
    min: h.spec?.minReplicas ?? 1,
    max,
    ...(atMax && { limitedTooMany: messageText(limited.message) || 'the desired replica count is more than the maximum replica count' }),
    ...(active && { inactive: { reason: nameText(active.reason) || 'ScalingActive=False', message: messageText(active.message) } }),
  };
  push(records.hpas, record);
}

function foldJob(records: ResourceRecords, j: k8s.V1Job, since: number): void {
  records.jobCount += 1;
  const conditions = j.status?.conditions ?? [];
  const owner = j.metadata?.ownerReferences?.find((o) => o.kind === 'CronJob');
  const { namespace, name } = meta(j.metadata);
  const complete = conditions.find((c) => c.type === 'Complete' && c.status === 'True');
  if (complete && owner) {
    const at = date(j.status?.completionTime ?? complete.lastTransitionTime);
    const key = `${namespace}/${owner.name}`;
    if (at && at.getTime() > (records.lastSuccess.get(key)?.getTime() ?? 0) && records.lastSuccess.size < MAX_RECORDS * 4) records.lastSuccess.set(key, at);
  }
  const failed = conditions.find((c) => c.type === 'Failed' && c.status === 'True');
  if (!failed) return;
  const failedAt = date(failed.lastTransitionTime ?? j.status?.startTime ?? j.metadata?.creationTimestamp);
  if (!failedAt || failedAt.getTime() < since) return;
  push(records.failedJobs, {
    namespace,
    name,
    ...(owner && { cronJob: nameText(owner.name) }),
    failedAt,
    reason: nameText(failed.reason) || 'Failed',
    message: messageText(failed.message),
  });
}

function foldCronJob(records: ResourceRecords, c: k8s.V1CronJob): void {
  records.cronJobCount += 1;
  const { namespace, name } = meta(c.metadata);
  const lastSuccessful = date(c.status?.lastSuccessfulTime);
  if (lastSuccessful) {
    const key = `${namespace}/${name}`;
    if (lastSuccessful.getTime() > (records.lastSuccess.get(key)?.getTime() ?? 0) && records.lastSuccess.size < MAX_RECORDS * 4) records.lastSuccess.set(key, lastSuccessful);
  }
  if (c.spec?.suspend === true) {
    records.cronJobsSuspended += 1;
    return;
  }
  const last = date(c.status?.lastScheduleTime);
  const record: CronJobRecord = {
    namespace,
    name,
    // Kept as sent (the parser refuses what the controller would); shown through apiText.
    schedule: (c.spec?.schedule ?? '').slice(0, SCHEDULE_CHARS),
    ...(c.spec?.timeZone && { timeZone: c.spec.timeZone.slice(0, 100) }),
    ...((last ?? c.metadata?.creationTimestamp) && { since: last ?? new Date(c.metadata!.creationTimestamp!) }),
    neverScheduled: last === undefined,
    ...(c.spec?.startingDeadlineSeconds !== undefined && { startingDeadlineSeconds: c.spec.startingDeadlineSeconds }),
    concurrencyPolicy: c.spec?.concurrencyPolicy ?? 'Allow',
    active: c.status?.active?.length ?? 0,
    ...(lastSuccessful && { lastSuccessfulTime: lastSuccessful }),
  };
  push(records.cronJobs, record);
}

function foldPdb(records: ResourceRecords, b: k8s.V1PodDisruptionBudget): void {
  records.pdbCount += 1;
  const s = b.status;
  const allowed = s?.disruptionsAllowed ?? 0;
  const healthy = s?.currentHealthy ?? 0;
  const expected = s?.expectedPods ?? 0;
  // Blocks every eviction although nothing is unhealthy: a drain can never proceed.
  if (!s || allowed > 0 || expected === 0 || healthy < expected) return;
  const rule = apiText(b.spec?.minAvailable !== undefined ? `minAvailable ${b.spec.minAvailable}` : b.spec?.maxUnavailable !== undefined ? `maxUnavailable ${b.spec.maxUnavailable}` : 'no minAvailable or maxUnavailable', 60);
  push(records.pdbs, { ...meta(b.metadata), currentHealthy: healthy, expectedPods: expected, rule });
}

/** A cert-manager Certificate as served: a custom resource, so every field is checked before use. */
interface CertificateJson {
  metadata?: { namespace?: unknown; name?: unknown };
  spec?: { secretName?: unknown; dnsNames?: unknown; commonName?: unknown };
  status?: { notAfter?: unknown; conditions?: unknown };
}

interface ConditionJson {
  type?: unknown;
  status?: unknown;
  reason?: unknown;
  message?: unknown;
  lastTransitionTime?: unknown;
}

function foldCertificate(records: ResourceRecords, raw: Record<string, unknown>): void {
  records.certificateCount += 1;
  const c = raw as CertificateJson;
  const spec = c.spec && typeof c.spec === 'object' ? c.spec : {};
  const status = c.status && typeof c.status === 'object' ? c.status : {};
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []).filter((x): x is ConditionJson => x !== null && typeof x === 'object');
  const ready = conditions.find((x) => x.type === 'Ready');
  const issuing = conditions.find((x) => x.type === 'Issuing' && x.status === 'True');
  const names = [...(Array.isArray(spec.dnsNames) ? spec.dnsNames.slice(0, 10) : []), spec.commonName].map(nameText).filter(Boolean);
  const readySince = date(ready?.lastTransitionTime);
  const issuingSince = date(issuing?.lastTransitionTime);
  const notAfter = date(status.notAfter);
  const secretName = nameText(spec.secretName);
  const record: CertificateRecord = {
    ...meta(c.metadata),
    ...(secretName && { secretName }),
    dnsNames: [...new Set(names)].slice(0, 3),
    ...(ready && {
      ready: {
        status: nameText(ready.status),
        ...(nameText(ready.reason) && { reason: nameText(ready.reason) }),
        ...(messageText(ready.message) && { message: messageText(ready.message) }),
        ...(readySince && { since: readySince }),
      },
    }),
    ...(issuingSince && { issuingSince }),
    ...(notAfter && { notAfter }),
  };
  push(records.certificates, record);
}
