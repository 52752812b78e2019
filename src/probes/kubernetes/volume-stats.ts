// How full the mounted volume claims are, from the kubelet's stats summary of the nodes their pods
// run on (GET nodes/<node>/proxy/stats/summary). Optional: it needs `get nodes/proxy`, which many
// clusters rightly do not grant. The first node that refuses stops the reading (the others would
// refuse alike) and the volumes check says fullness was not readable; nothing is guessed.
import { describeKubeError } from './describe-kube-error.ts';
import type { KubeClient } from './kube-client.ts';
import type { ResourceRecords } from './resource-records.ts';

/** Nodes asked per run, at most: the claims' nodes, in the order the pods were listed. */
export const MAX_STATS_NODES = 20;
/** Nodes asked at once after the first answered. */
const PARALLEL = 5;

interface StatsSummary {
  pods?: Array<{ volume?: Array<{ pvcRef?: { name?: string; namespace?: string }; usedBytes?: number; capacityBytes?: number }> }>;
}

export async function readVolumeStats(client: KubeClient, records: ResourceRecords, options: { signal: AbortSignal; timeoutMs: number }): Promise<void> {
  const bound = new Set(records.claims.filter((c) => c.phase === 'Bound').map((c) => `${c.namespace}/${c.name}`));
  const nodes = [...new Set([...records.claimsInUse].filter(([claim, node]) => node !== '' && bound.has(claim)).map(([, node]) => node))];
  if (nodes.length === 0) return;
  const wanted = nodes.slice(0, MAX_STATS_NODES);
  const read = async (node: string): Promise<boolean> => {
    if (records.volumeStatsProblem || options.signal.aborted) return false;
    try {
      const answer: unknown = await client.core.connectGetNodeProxyWithPath({ name: node, path: 'stats/summary' }, client.options(options.signal, options.timeoutMs));
      const summary = (typeof answer === 'string' ? JSON.parse(answer) : answer) as StatsSummary;
      for (const pod of summary.pods ?? []) {
        for (const v of pod.volume ?? []) {
          const key = v.pvcRef?.name ? `${v.pvcRef.namespace ?? 'default'}/${v.pvcRef.name}` : undefined;
          if (key && bound.has(key) && typeof v.usedBytes === 'number' && typeof v.capacityBytes === 'number' && v.capacityBytes > 0) {
            records.volumeUsage.set(key, { usedBytes: v.usedBytes, capacityBytes: v.capacityBytes });
          }
        }
      }
      return true;
    } catch (error) {
      const problem = error instanceof SyntaxError
        ? `the kubelet of ${node} answered its stats summary with something other than JSON`
        : describeKubeError(error, { verb: 'get', resource: 'nodes/proxy', name: node }, options.timeoutMs, client.server).text;
      records.volumeStatsProblem = problem;
      return false;
    }
  };
  if (!(await read(wanted[0]!))) return;
  for (let i = 1; i < wanted.length; i += PARALLEL) {
    await Promise.all(wanted.slice(i, i + PARALLEL).map(read));
    if (records.volumeStatsProblem) return;
  }
  if (nodes.length > wanted.length) records.volumeStatsProblem = `only ${wanted.length} of ${nodes.length} nodes were asked for their volume stats`;
}
