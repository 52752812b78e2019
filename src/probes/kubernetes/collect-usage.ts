// The lists behind resource usage and deploy evidence: the metrics server's PodMetrics (per
// namespace, like pods) and NodeMetrics (once, cluster-wide) from metrics.k8s.io/v1beta1, and the
// ReplicaSets of each namespace for the Deployments' revisions. Each is listed once per run, a page
// at a time. The metrics API missing (404: metrics-server not installed), refused (403) or not
// answering is the resources check's to say, not a failed list of the api check: it is recorded
// in the usage records and taken out of the failures.
import type * as k8s from '@kubernetes/client-node';
import type { ClusterSnapshot } from './cluster-snapshot.ts';
import type { Lister } from './collect-resources.ts';
import type { KubeRequestDescription } from './describe-kube-error.ts';
import type { KubeClient } from './kube-client.ts';
import { parseQuantity } from './quantity.ts';
import { foldReplicaSet } from './rollout-history.ts';
import type { Usage } from './usage-records.ts';

const METRICS = { group: 'metrics.k8s.io', version: 'v1beta1' };
/** Containers and nodes measured, whatever the cluster holds. */
const MAX_MEASURED = 50_000;

interface MetricsJson {
  metadata?: { namespace?: string; name?: string };
  containers?: Array<{ name?: string; usage?: Record<string, string> }>;
  usage?: Record<string, string>;
}

interface MetricsList {
  items?: MetricsJson[];
  metadata?: { continue?: string };
}

function usageOf(u: Record<string, string> | undefined): Usage {
  const cpu = parseQuantity(u?.cpu);
  const memory = parseQuantity(u?.memory);
  return { ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }) };
}

/** Takes the failure of `what` out of the api check's list and returns it. */
function takeFailure(lister: Lister, what: string) {
  const i = lister.failed.findIndex((f) => f.what === what);
  return i >= 0 ? lister.failed.splice(i, 1)[0]!.problem : undefined;
}

/** PodMetrics and ReplicaSets of one namespace (undefined: all at once), alongside the pod list. */
export function collectUsage(client: KubeClient, lister: Lister, snapshot: ClusterSnapshot, namespace: string | undefined, labelSelector: string | undefined): Array<Promise<void>> {
  const where = namespace ? ` in ${namespace}` : ' in all namespaces';
  const usage = snapshot.usage;
  const podMetrics = async () => {
    const what = `list pod metrics${where}`;
    const req: KubeRequestDescription = { verb: 'list', resource: 'pods', group: METRICS.group, ...(namespace && { namespace }) };
    await lister.listAll<MetricsJson>(req, what,
      async (cont, o) => {
        const q = { ...METRICS, plural: 'pods', limit: lister.paging(cont).limit, ...(cont && { _continue: cont }), ...(labelSelector && { labelSelector }) };
        const list = (namespace ? await client.custom.listNamespacedCustomObject({ ...q, namespace }, o) : await client.custom.listClusterCustomObject(q, o)) as MetricsList;
        return { items: list.items ?? [], metadata: { ...(list.metadata?.continue && { _continue: list.metadata.continue }) } };
      },
      (items) => {
        usage.podMetricsListed = true;
        for (const pod of items) {
          for (const c of pod.containers ?? []) {
            if (usage.containerUsage.size >= MAX_MEASURED) return;
            usage.containerUsage.set(`${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? '?'}/${c.name ?? '?'}`, usageOf(c.usage));
          }
        }
      });
    const problem = takeFailure(lister, what);
    if (problem) usage.podMetricsProblem ??= problem;
  };
  const replicaSets = lister.listAll<k8s.V1ReplicaSet>({ verb: 'list', resource: 'replicasets', group: 'apps', ...(namespace && { namespace }) }, `list replicasets${where}`,
    (cont, o) => (namespace ? client.apps.listNamespacedReplicaSet({ namespace, ...lister.paging(cont) }, o) : client.apps.listReplicaSetForAllNamespaces(lister.paging(cont), o)),
    (items) => {
      snapshot.replicaSetsListed = true;
      for (const rs of items) foldReplicaSet(snapshot.rollouts, rs);
    });
  return [podMetrics(), replicaSets];
}

/** NodeMetrics, cluster-wide: listed once per run. */
export async function collectNodeMetrics(client: KubeClient, lister: Lister, snapshot: ClusterSnapshot): Promise<void> {
  const usage = snapshot.usage;
  const what = 'list node metrics';
  await lister.listAll<MetricsJson>({ verb: 'list', resource: 'nodes', group: METRICS.group }, what,
    async (cont, o) => {
      const list = (await client.custom.listClusterCustomObject({ ...METRICS, plural: 'nodes', limit: lister.paging(cont).limit, ...(cont && { _continue: cont }) }, o)) as MetricsList;
      return { items: list.items ?? [], metadata: { ...(list.metadata?.continue && { _continue: list.metadata.continue }) } };
    },
    (items) => {
      usage.nodeMetricsListed = true;
      for (const n of items) if (usage.nodeUsage.size < MAX_MEASURED) usage.nodeUsage.set(n.metadata?.name ?? '?', usageOf(n.usage));
    });
  const problem = takeFailure(lister, what);
  if (problem) usage.nodeMetricsProblem = problem;
}
