// The two newest revisions of each Deployment, from its ReplicaSets (apps/v1), folded a page at a
// time: per revision what a deploy changes (images, env names, config references, pod-template
// annotations) with fingerprints instead of values, so a secret in an env value is never kept.
// The fingerprints are keyed with a random key of this process (they are only compared, within a
// run): a plain hash of a short password could be reversed by guessing. At most MAX_DEPLOYMENTS
// deployments are kept, whatever the cluster sends.
import type * as k8s from '@kubernetes/client-node';
import { createHmac, randomBytes } from 'node:crypto';

export interface RevisionRecord {
  /** The ReplicaSet's name. */
  replicaSet: string;
  /** deployment.kubernetes.io/revision. */
  revision: number;
  createdAt?: Date;
  /** Container name -> image (init containers prefixed `init:`). */
  images: Map<string, string>;
  /** `<container>/<ENV>` -> a hash of its value or valueFrom: compared, never shown. */
  env: Map<string, string>;
  /** `configmap/<name>` and `secret/<name>` the template reads (envFrom, valueFrom, volumes). */
  configRefs: Set<string>;
  /** Pod template annotations (kubectl.kubernetes.io/restartedAt, checksum/config...) -> a hash of the value. */
  annotations: Map<string, string>;
}

export interface DeploymentHistory {
  current?: RevisionRecord;
  previous?: RevisionRecord;
}

/** `<ns>/<deployment>` -> its two newest revisions. */
export type RolloutHistory = Map<string, DeploymentHistory>;

/** Deployments whose history is kept per run. */
export const MAX_DEPLOYMENTS = 20_000;
/** Containers, and env entries per container, read from one template: far beyond real ones, a bound for a hostile one. */
export const MAX_TEMPLATE_ITEMS = 200;
const FINGERPRINT_KEY = randomBytes(32);
const fingerprint = (v: unknown) => createHmac('sha256', FINGERPRINT_KEY).update(JSON.stringify(v ?? null)).digest('hex').slice(0, 16);
const revisionOf = (rs: k8s.V1ReplicaSet) => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision']);

/** The Deployment that controls a ReplicaSet, or undefined for a bare one. */
function ownerOf(rs: k8s.V1ReplicaSet): string | undefined {
  const owner = rs.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
  return owner?.name;
}

export function revisionRecord(rs: k8s.V1ReplicaSet): RevisionRecord | undefined {
  const revision = revisionOf(rs);
  if (!Number.isInteger(revision) || revision < 1) return undefined;
  const spec = rs.spec?.template?.spec;
  const images = new Map<string, string>();
  const env = new Map<string, string>();
  const configRefs = new Set<string>();
  const containers: Array<[string, k8s.V1Container]> = [
    ...(spec?.initContainers ?? []).map((c): [string, k8s.V1Container] => [`init:${c.name}`, c]),
    ...(spec?.containers ?? []).map((c): [string, k8s.V1Container] => [c.name, c]),
  ].slice(0, MAX_TEMPLATE_ITEMS);
  for (const [name, c] of containers) {
    if (c.image) images.set(name, c.image);
    for (const e of (c.env ?? []).slice(0, MAX_TEMPLATE_ITEMS)) {
      env.set(`${name}/${e.name}`, fingerprint(e.value ?? e.valueFrom));
      if (e.valueFrom?.configMapKeyRef?.name) configRefs.add(`configmap/${e.valueFrom.configMapKeyRef.name}`);
      if (e.valueFrom?.secretKeyRef?.name) configRefs.add(`secret/${e.valueFrom.secretKeyRef.name}`);
    }
    for (const f of (c.envFrom ?? []).slice(0, MAX_TEMPLATE_ITEMS)) {
      if (f.configMapRef?.name) configRefs.add(`configmap/${f.configMapRef.name}`);
      if (f.secretRef?.name) configRefs.add(`secret/${f.secretRef.name}`);
    }
  }
  for (const v of (spec?.volumes ?? []).slice(0, MAX_TEMPLATE_ITEMS)) {
    if (v.configMap?.name) configRefs.add(`configmap/${v.configMap.name}`);
    if (v.secret?.secretName) configRefs.add(`secret/${v.secret.secretName}`);
    for (const s of (v.projected?.sources ?? []).slice(0, MAX_TEMPLATE_ITEMS)) {
      if (s.configMap?.name) configRefs.add(`configmap/${s.configMap.name}`);
      if (s.secret?.name) configRefs.add(`secret/${s.secret.name}`);
    }
  }
  const annotations = new Map(Object.entries(rs.spec?.template?.metadata?.annotations ?? {}).slice(0, MAX_TEMPLATE_ITEMS).map(([k, v]) => [k, fingerprint(v)]));
  return {
    replicaSet: rs.metadata?.name ?? '?',
    revision,
    ...(rs.metadata?.creationTimestamp && { createdAt: new Date(rs.metadata.creationTimestamp) }),
    images,
    env,
    configRefs,
    annotations,
  };
}

/** Keeps the ReplicaSet when it is one of the two newest revisions of its Deployment. */
export function foldReplicaSet(history: RolloutHistory, rs: k8s.V1ReplicaSet): void {
  const deployment = ownerOf(rs);
  if (!deployment) return;
  const key = `${rs.metadata?.namespace ?? 'default'}/${deployment}`;
  const h = history.get(key) ?? {};
  if (!history.has(key) && history.size >= MAX_DEPLOYMENTS) return;
  // An older revision than the two kept is not read at all.
  const revision = revisionOf(rs);
  if (h.previous && revision <= h.previous.revision) return;
  const record = revisionRecord(rs);
  if (!record) return;
  if (!h.current || record.revision > h.current.revision) {
    if (h.current) h.previous = h.current;
    h.current = record;
  } else if (record.revision < h.current.revision && (!h.previous || record.revision > h.previous.revision)) h.previous = record;
  history.set(key, h);
}

/** What changed from `from` to `to`, in words with names only: "env API_URL changed", "configmap/api-v2 added". */
export function describeChange(from: RevisionRecord, to: RevisionRecord): { images: string[]; other: string[] } {
  const images: string[] = [];
  const single = from.images.size === 1 && to.images.size === 1;
  for (const [name, image] of to.images) {
    const before = from.images.get(name);
    if (before === undefined) images.push(`${name}: added ${image}`);
    else if (before !== image) images.push(single ? `${before} → ${image}` : `${name}: ${before} → ${image}`);
  }
  for (const name of from.images.keys()) if (!to.images.has(name)) images.push(`${name}: removed`);
  const envWords = (verb: string, keys: string[]) => keys.map((k) => `env ${k.split('/').slice(1).join('/')} ${verb}`);
  const changed = [...to.env].filter(([k, v]) => from.env.has(k) && from.env.get(k) !== v).map(([k]) => k);
  const added = [...to.env.keys()].filter((k) => !from.env.has(k));
  const removed = [...from.env.keys()].filter((k) => !to.env.has(k));
  const other = [...envWords('changed', changed), ...envWords('added', added), ...envWords('removed', removed)];
  for (const ref of to.configRefs) if (!from.configRefs.has(ref)) other.push(`${ref} now referenced`);
  for (const ref of from.configRefs) if (!to.configRefs.has(ref)) other.push(`${ref} no longer referenced`);
  for (const [k, v] of to.annotations) if (from.annotations.get(k) !== v) other.push(`annotation ${k} ${from.annotations.has(k) ? 'changed' : 'added'}`);
  for (const k of from.annotations.keys()) if (!to.annotations.has(k)) other.push(`annotation ${k} removed`);
  return { images, other };
}
