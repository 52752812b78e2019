// A Kubernetes target in chatops.yml: how to reach the cluster (a kubeconfig context, the pod's
// own service account, or a bare API server URL), what to watch, and what buttons may change.
import { z } from 'zod';
import type { KindTarget } from '../probe-definition.ts';

export const WORKLOAD_KINDS = ['deployment', 'statefulset', 'daemonset'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** A workload a button may restart, scale or roll back; no namespace = any of the target's namespaces. */
export interface RestartableWorkload {
  namespace?: string;
  kind: WorkloadKind;
  name: string;
}


const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const RESTARTABLE = /^(?:([a-z0-9][-a-z0-9]*)\/)?(deployment|statefulset|daemonset)\/([a-z0-9][-a-z0-9.]*)$/;

export const kubeTargetSchema = z
  .object({
    kubeconfig: z.string().min(1).optional()
      .describe('path of a kubeconfig file (default `$KUBECONFIG`, then `~/.kube/config`); the cluster is reached one way: `kubeconfig` and/or `context`, or `inCluster: true`, or `server` + `token`'),
    context: z.string().min(1).optional().describe('the kubeconfig context (default its current-context)'),
    inCluster: z.boolean().default(false).describe('`true`: the pod\'s service account'),
    server: z.url({ protocol: /^https?$/, error: 'an http(s) URL of the API server, like https://10.0.0.1:6443' }).optional().describe('a bare API server URL, with `token`'),
    token: z.string().min(1).optional().describe('bearer token for `server`'),
    namespaces: z
      .union([z.literal('all'), z.array(z.string().regex(NAME, 'a namespace name (lower case letters, digits, -)')).min(1)])
      .default(['default'])
      .describe('list, or `all` (default `[default]`)'),
    labelSelector: z.string().min(1).optional().describe('only pods and workloads with these labels'),
    restartable: z.array(z.string().regex(RESTARTABLE, 'deployment/<name>, statefulset/<name> or daemonset/<name>, optionally prefixed with <namespace>/')).default([])
      .describe('workloads the Restart, Scale and Roll back (deployments only) buttons may change: `deployment/<name>`, `statefulset/<name>`, `daemonset/<name>`, optionally prefixed `<namespace>/`'),
    deletePods: z.boolean().default(false).describe('offer and honour the Delete pod button (default false)'),
    rolloutPollMs: z.number().int().min(10).max(60_000).default(2_000).describe('how often a restart\'s rollout is polled (default 2000)'),
    eventWindowMinutes: z.number().int().min(1).max(24 * 60).default(60).describe('how far back warning events count (default 60)'),
    volumeFullPct: z.object({ warn: z.number().min(1).max(100), crit: z.number().min(1).max(100) })
      .refine((t) => t.warn <= t.crit, { error: 'warn must not be above crit' })
      .default({ warn: 80, crit: 90 })
      .describe('how full a mounted volume claim may get, in % of its capacity, when the kubelet\'s stats are readable (default warn 80, crit 90)'),
    resourceUsagePct: z.object({
      cpu: z.object({ warn: z.number().min(1).max(1000) }).default({ warn: 90 }),
      nodeMemory: z.object({ warn: z.number().min(1).max(100), crit: z.number().min(1).max(100) })
        .refine((t) => t.warn <= t.crit, { error: 'warn must not be above crit' }).default({ warn: 90, crit: 97 }),
      nodeCpu: z.object({ warn: z.number().min(1).max(100) }).default({ warn: 90 }),
    }).default({ cpu: { warn: 90 }, nodeMemory: { warn: 90, crit: 97 }, nodeCpu: { warn: 90 } })
      .describe('k8s.resources beyond the memory limit (thresholds.resources, default warn 90, crit 97 % of the limit): a container\'s cpu in % of its cpu limit (default warn 90: throttled), a node\'s memory (default warn 90, crit 97) and cpu (default warn 90) in % of its allocatable'),
    certificateIssuingGraceMinutes: z.number().min(0).max(24 * 60).default(10)
      .describe('a cert-manager Certificate not Ready while it is being issued is a warning, not crit, for this many minutes (default 10)'),
  })
  .refine((t) => [t.inCluster, t.server !== undefined, t.kubeconfig !== undefined || t.context !== undefined].filter(Boolean).length <= 1, {
    error: 'choose one way to reach the cluster: kubeconfig/context, inCluster: true, or server',
  });

/** A Kubernetes target in chatops.yml, as its schema parses it. */
export type KubeTarget = KindTarget<typeof kubeTargetSchema>;

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
