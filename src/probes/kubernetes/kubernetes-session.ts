// A run of the k8s kind: the client from the target's credentials, every list read a page at a
// time into a snapshot (collect-cluster.ts), the api check judged from it, and the restart counts
// of the previous run to compare with; this run's are stored when the pods could be listed.
import type { KindRuntime } from '../probe-definition.ts';
import type { Remembered } from '../probe-state.ts';
import { untilDeadline } from '../until-deadline.ts';
import { finding, type KubeCheckContext } from './check-context.ts';
import { collectCluster } from './collect-cluster.ts';
import { createKubeClient, loadKubeConfig, type KubeClient } from './kube-client.ts';
import type { KubeTarget } from './kube-target.ts';
import { checkApi } from './checks/api.ts';
import { RESTARTS_STATE_KEY } from './checks/restarts.ts';

/** Failures after which nothing else can be learned from the cluster. */
const FATAL = new Set(['unauthorized', 'unreachable', 'timeout', 'tls']);

export const kubernetesSession: KindRuntime<KubeTarget, KubeCheckContext> = {
  async open(target, run) {
    const { timeoutMs, signal, state } = run;
    let client: KubeClient;
    try {
      client = createKubeClient(loadKubeConfig(target));
    } catch (e) {
      return {
        stop: [finding('api', 'crit', `Cannot load the cluster credentials: ${e instanceof Error ? e.message : String(e)}`, {
          detail: 'Set kubeconfig (and context) or inCluster: true for this target; kubectl config get-contexts lists the contexts.',
        })],
      };
    }
    const stateKey = `${RESTARTS_STATE_KEY}:${target.namespaces === 'all' ? '*' : [...target.namespaces].sort().join(',')}`;
    const previous = untilDeadline(state.get<Record<string, number>>(stateKey).catch(() => undefined), timeoutMs, signal);
    const now = Date.now();
    const snapshot = await collectCluster(client, target, { signal, timeoutMs, now, namespaces: target.namespaces });
    const api = checkApi({ snapshot });
    const podsFailed = snapshot.failed.find((f) => f.resource === 'pods');
    if (podsFailed && FATAL.has(podsFailed.problem.kind)) return { stop: api };
    const remembered = (await previous) as Remembered<Record<string, number>> | undefined;
    return {
      lead: api,
      ctx: { snapshot, target, now, ...(remembered && { previousRestarts: remembered }) },
      describeError: (e) => (e instanceof Error ? e.message : String(e)),
      missing: (resource) => snapshot.failed.find((f) => f.resource === resource)?.problem.text,
      async finish(findings) {
        if (!podsFailed && !signal.aborted) {
          await untilDeadline(state.set(stateKey, Object.fromEntries(snapshot.restartCounts)).catch(() => undefined), 1_000, signal);
        }
        return findings;
      },
    };
  },
};
