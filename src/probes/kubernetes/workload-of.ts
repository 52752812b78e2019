// Which workload a pod belongs to, from its owner references alone: a Deployment's pods are owned
// by a ReplicaSet named `<deployment>-<pod-template-hash>`, so no ReplicaSet needs listing.
import type { V1Pod } from '@kubernetes/client-node';

export interface WorkloadRef {
  namespace: string;
  /** deployment, statefulset, daemonset, replicaset, job, or pod for a bare pod. */
  kind: string;
  name: string;
}

export function workloadOf(pod: V1Pod): WorkloadRef {
  const namespace = pod.metadata?.namespace ?? 'default';
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!owner) return { namespace, kind: 'pod', name: pod.metadata?.name ?? '?' };
  if (owner.kind === 'ReplicaSet') {
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return { namespace, kind: 'deployment', name: owner.name.slice(0, -hash.length - 1) };
    return { namespace, kind: 'replicaset', name: owner.name };
  }
  return { namespace, kind: owner.kind.toLowerCase(), name: owner.name };
}

export function workloadKey(w: WorkloadRef): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

/** "deployment/api in prod" */
export function workloadLabel(w: WorkloadRef): string {
  return `${w.kind}/${w.name} in ${w.namespace}`;
}

/** "deployment prod/api": how a root cause names its workload. */
export function workloadName(w: WorkloadRef): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}
