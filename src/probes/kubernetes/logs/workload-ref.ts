// How a target names the Kubernetes workload behind it (an http target's URL, a PromQL query's
// series): the k8s target (may be left out when one is configured) and the workload as
// /diag logs takes it. Light: no Kubernetes client is loaded to check the words.
import { z } from 'zod';

/** `web`, `shop/web`, `deployment/web`, `shop/deployment/web` (statefulset, daemonset too). */
const WORKLOAD_WORD = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\/)?(?:(?:deployment|statefulset|daemonset)\/)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/;

export const workloadRefSchema = z.strictObject(
  {
    target: z.string().min(1).optional(),
    name: z.string().regex(WORKLOAD_WORD, 'expected <name>, <namespace>/<name>, deployment/<name> or <namespace>/deployment/<name> (statefulset, daemonset too)'),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; accepted keys: target, name` : undefined) },
);

export type WorkloadRefWords = z.output<typeof workloadRefSchema>;
