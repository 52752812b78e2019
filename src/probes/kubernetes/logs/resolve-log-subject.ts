// What `/diag logs` reads: `<name>`, `<namespace>/<name>`, `deployment/<name>` (statefulset,
// daemonset, pod; `<namespace>/<kind>/<name>` too). A bare name is looked up as a workload first,
// then as a pod, in the target's namespaces; found in several, the answer asks for the namespace;
// found nowhere, it says where it looked and suggests close names. The pods of a workload are those
// its selector matches (as `kubectl logs deployment/<name>` picks them), at most one page.
import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import { UserError } from '../../../user-error.ts';
import type { KubeClient } from '../kube-client.ts';
import { watchesNamespace, type KubeTarget } from '../kube-target.ts';

export type SubjectKind = 'deployment' | 'statefulset' | 'daemonset' | 'pod';

const KIND_WORDS: Record<string, SubjectKind> = {
  deployment: 'deployment', deployments: 'deployment', deploy: 'deployment',
  statefulset: 'statefulset', statefulsets: 'statefulset', sts: 'statefulset',
  daemonset: 'daemonset', daemonsets: 'daemonset', ds: 'daemonset',
  pod: 'pod', pods: 'pod', po: 'pod',
};
const LOOKUP_ORDER: readonly SubjectKind[] = ['deployment', 'statefulset', 'daemonset', 'pod'];
/** Objects listed per kind and namespace to suggest names from, and pods of a workload read. */
const LIST_LIMIT = 500;
/** Close names suggested. */
const MAX_SUGGESTIONS = 5;

export interface LogSubject {
  kind: SubjectKind;
  namespace: string;
  name: string;
  /** The pods to read (newest first), at most `limit`; `total` counts them all. */
  pods: V1Pod[];
  total: number;
}

export interface SubjectWords {
  kind?: SubjectKind;
  namespace?: string;
  name: string;
}

const NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

/** `web`, `shop/web`, `deployment/web`, `shop/deployment/web`; a word that cannot be a name is a UserError. */
export function parseSubject(word: string): SubjectWords {
  const accepted = 'accepted: <name>, <namespace>/<name>, deployment/<name>, statefulset/<name>, daemonset/<name> or pod/<name> (optionally after <namespace>/)';
  const parts = word.split('/');
  let out: SubjectWords | undefined;
  if (parts.length === 1) out = { name: parts[0]! };
  else if (parts.length === 2) {
    const kind = Object.hasOwn(KIND_WORDS, parts[0]!.toLowerCase()) ? KIND_WORDS[parts[0]!.toLowerCase()] : undefined;
    out = kind ? { kind, name: parts[1]! } : { namespace: parts[0]!, name: parts[1]! };
  } else if (parts.length === 3) {
    const kind = Object.hasOwn(KIND_WORDS, parts[1]!.toLowerCase()) ? KIND_WORDS[parts[1]!.toLowerCase()] : undefined;
    if (kind) out = { namespace: parts[0]!, kind, name: parts[2]! };
  }
  if (!out || !NAME.test(out.name) || (out.namespace !== undefined && !NAME.test(out.namespace))) {
    throw new UserError(`"${word}" does not name a workload or pod; ${accepted}`);
  }
  return out;
}

interface Found {
  kind: SubjectKind;
  namespace: string;
  name: string;
  selector?: V1LabelSelector;
  pod?: V1Pod;
}

export interface ResolveOptions {
  /** Options for one request (signal and timeout). */
  request: () => ReturnType<KubeClient['options']>;
  maxPods: number;
}

/** The subject found in the cluster with its pods, or a UserError saying where it was looked for. */
export async function resolveLogSubject(client: KubeClient, target: KubeTarget, words: SubjectWords, options: ResolveOptions): Promise<LogSubject> {
  if (words.namespace !== undefined && !watchesNamespace(target, words.namespace)) {
    throw new UserError(`${target.name} does not watch namespace "${words.namespace}"; its namespaces: ${(target.namespaces as string[]).join(', ')}`);
  }
  const namespaces: readonly string[] | undefined = words.namespace !== undefined ? [words.namespace] : target.namespaces === 'all' ? undefined : target.namespaces;
  const kinds = words.kind ? [words.kind] : LOOKUP_ORDER;
  for (const kind of kinds) {
    const found = (await listKind(client, kind, namespaces, `metadata.name=${words.name}`, options)).filter((o) => o.name === words.name);
    if (found.length > 1) {
      throw new UserError(`${kind} ${words.name} is in ${found.length} namespaces (${found.map((f) => f.namespace).join(', ')}); say which: ${found.map((f) => `${f.namespace}/${words.name}`).join(' or ')}`);
    }
    if (found.length === 1) return await withPods(client, found[0]!, options);
  }
  // Not found: every name of those kinds, for suggestions.
  const names = new Set<string>();
  for (const kind of kinds) for (const o of await listKind(client, kind, namespaces, undefined, options)) names.add(o.namespace === words.namespace || namespaces?.length === 1 ? o.name : `${o.namespace}/${o.name}`);
  const close = suggest(words.name, [...names]);
  const where = namespaces === undefined ? 'all namespaces' : `${namespaces.length === 1 ? 'namespace' : 'namespaces'} ${namespaces.join(', ')}`;
  const what = words.kind ?? 'workload (deployment, statefulset, daemonset) or pod';
  throw new UserError(`no ${what} named ${words.name} in ${where} of ${target.name}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}`);
}

async function listKind(client: KubeClient, kind: SubjectKind, namespaces: readonly string[] | undefined, fieldSelector: string | undefined, options: ResolveOptions): Promise<Found[]> {
  const q = { limit: LIST_LIMIT, ...(fieldSelector && { fieldSelector }) };
  const lists = await Promise.all((namespaces ?? [undefined]).map(async (namespace) => {
    const o = options.request();
    switch (kind) {
      case 'deployment':
        return (namespace ? await client.apps.listNamespacedDeployment({ namespace, ...q }, o) : await client.apps.listDeploymentForAllNamespaces(q, o)).items;
      case 'statefulset':
        return (namespace ? await client.apps.listNamespacedStatefulSet({ namespace, ...q }, o) : await client.apps.listStatefulSetForAllNamespaces(q, o)).items;
      case 'daemonset':
        return (namespace ? await client.apps.listNamespacedDaemonSet({ namespace, ...q }, o) : await client.apps.listDaemonSetForAllNamespaces(q, o)).items;
      case 'pod':
        return (namespace ? await client.core.listNamespacedPod({ namespace, ...q }, o) : await client.core.listPodForAllNamespaces(q, o)).items;
    }
  }));
  return lists.flat().map((obj) => ({
    kind,
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    ...(kind === 'pod' ? { pod: obj as V1Pod } : { selector: (obj.spec as { selector?: V1LabelSelector } | undefined)?.selector }),
  }));
}

async function withPods(client: KubeClient, found: Found, options: ResolveOptions): Promise<LogSubject> {
  const base = { kind: found.kind, namespace: found.namespace, name: found.name };
  if (found.pod) return { ...base, pods: [found.pod], total: 1 };
  const labelSelector = selectorText(found.selector);
  if (labelSelector === undefined) return { ...base, pods: [], total: 0 };
  const list = await client.core.listNamespacedPod({ namespace: found.namespace, labelSelector, limit: LIST_LIMIT }, options.request());
  const all = list.items;
  const total = all.length + (list.metadata?.remainingItemCount ?? 0);
  // Newest first: the pods running now, then the ones being replaced.
  const sorted = [...all].sort((a, b) => (b.metadata?.creationTimestamp?.getTime() ?? 0) - (a.metadata?.creationTimestamp?.getTime() ?? 0));
  return { ...base, pods: sorted.slice(0, options.maxPods), total };
}

/** A label selector as the API's text; undefined for an empty one (it would select every pod). */
export function selectorText(selector: V1LabelSelector | undefined): string | undefined {
  const terms = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector?.matchExpressions ?? []).map((e) => {
      switch (e.operator) {
        case 'In': return `${e.key} in (${(e.values ?? []).join(',')})`;
        case 'NotIn': return `${e.key} notin (${(e.values ?? []).join(',')})`;
        case 'Exists': return e.key;
        default: return `!${e.key}`;
      }
    }),
  ];
  return terms.length > 0 ? terms.join(',') : undefined;
}

/** Names close to `name`: containing it or it containing them, or within a small edit distance. */
export function suggest(name: string, names: readonly string[]): string[] {
  const bare = (n: string) => n.slice(n.lastIndexOf('/') + 1);
  const scored = names
    .map((n) => ({ n, d: bare(n).includes(name) || name.includes(bare(n)) ? 0 : editDistance(name, bare(n)) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n));
  return scored.slice(0, MAX_SUGGESTIONS).map((x) => x.n);
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 10) return Infinity;
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
