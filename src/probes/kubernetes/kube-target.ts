// A Kubernetes target in chatops.yml: how to reach the cluster (a kubeconfig context, the pod's
// own service account, or a bare API server URL), what to watch, and what buttons may change.
import { z } from 'zod';
import type { TargetBase } from '../probe-definition.ts';

export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A workload a button may restart or scale; no namespace = any of the target's namespaces. */
export interface RestartableWorkload {
  namespace?: string;
  kind: WorkloadKind;
  name: string;
}

export type KubeTarget = TargetBase & {
  /** Path of a kubeconfig file; default $KUBECONFIG, then ~/.kube/config. */
  kubeconfig?: string;
  /** Context in the kubeconfig; default its current-context. */
  context?: string;
  /** Use the service account the bot runs as inside the cluster. */
  inCluster: boolean;
  /** A bare API server URL (`chatops diag k8s --url`), with an optional bearer token. */
  server?: string;
  token?: string;
  /** Namespaces to diagnose, or every namespace. */
  namespaces: string[] | 'all';
  labelSelector?: string;
  /** Entries `deployment/api` or `prod/deployment/api`. */
  restartable: string[];
  /** Whether the Delete pod button is offered and honoured. */
  deletePods: boolean;
  /** How often a restart's rollout is polled. */
  rolloutPollMs: number;
  /** How far back warning events count. */
  eventWindowMinutes: number;
};

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const RESTARTABLE = /^(?:([a-z0-9][-a-z0-9]*)\/)?(deployment|statefulset|daemonset)\/([a-z0-9][-a-z0-9.]*)$/;

export const kubeTargetSchema = z
  .object({
    kubeconfig: z.string().min(1).optional(),
    context: z.string().min(1).optional(),
    inCluster: z.boolean().default(false),
    server: z.url({ protocol: /^https?$/, error: 'an http(s) URL of the API server, like https://10.0.0.1:6443' }).optional(),
    token: z.string().min(1).optional(),
    namespaces: z
      .union([z.literal('all'), z.array(z.string().regex(NAME, 'a namespace name (lower case letters, digits, -)')).min(1)])
      .default(['default']),
    labelSelector: z.string().min(1).optional(),
    restartable: z.array(z.string().regex(RESTARTABLE, 'deployment/<name>, statefulset/<name> or daemonset/<name>, optionally prefixed with <namespace>/')).default([]),
    deletePods: z.boolean().default(false),
    rolloutPollMs: z.number().int().min(10).max(60_000).default(2_000),
    eventWindowMinutes: z.number().int().min(1).max(24 * 60).default(60),
  })
  .refine((t) => [t.inCluster, t.server !== undefined, t.kubeconfig !== undefined || t.context !== undefined].filter(Boolean).length <= 1, {
    error: 'choose one way to reach the cluster: kubeconfig/context, inCluster: true, or server',
  });

export function parseRestartable(entry: string): RestartableWorkload | undefined {
  const m = RESTARTABLE.exec(entry);
  if (!m) return undefined;
  return { ...(m[1] !== undefined && { namespace: m[1] }), kind: m[2] as WorkloadKind, name: m[3]! };
}

export function watchesNamespace(target: Pick<KubeTarget, 'namespaces'>, namespace: string): boolean {
  return target.namespaces === 'all' || target.namespaces.includes(namespace);
}

/** Whether a button may restart or scale this workload: on the list, in a watched namespace. */
export function isRestartable(target: Pick<KubeTarget, 'namespaces' | 'restartable'>, namespace: string, kind: string, name: string): boolean {
  if (!watchesNamespace(target, namespace)) return false;
  return target.restartable.some((entry) => {
    const w = parseRestartable(entry);
    return w !== undefined && w.kind === kind && w.name === name && (w.namespace === undefined || w.namespace === namespace);
  });
}
