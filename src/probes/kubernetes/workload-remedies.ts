// The buttons a finding about a workload or pod may offer. Restart and Scale only for workloads
// on the target's `restartable` list, Delete pod only when the target allows it; Logs always
// (reading is not changing). The action runner checks the same rules again at press time.
import type { Remedy } from '../../report.ts';
import { isRestartable, type KubeTarget } from './kube-target.ts';
import { workloadKey, type WorkloadRef } from './workload-of.ts';
import type { ClusterSnapshot } from './cluster-snapshot.ts';

const SCALABLE = new Set(['deployment', 'statefulset']);

/** Restart (and Scale) of a workload; `replicas` is how many pods a restart replaces, for its confirmation. */
export function restartRemedies(ctx: { target: KubeTarget; snapshot: ClusterSnapshot }, w: WorkloadRef, options: { scale?: boolean } = {}): Remedy[] {
  if (!isRestartable(ctx.target, w.namespace, w.kind, w.name)) return [];
  const params = { namespace: w.namespace, workload: w.kind, name: w.name };
  const out: Remedy[] = [{ action: 'k8s.restart', label: `Restart ${w.name}`, params: { ...params, replicas: ctx.snapshot.workloadReplicas.get(workloadKey(w)) ?? 0 } }];
  // The replica count is chosen in a dialog when the button is pressed.
  if (options.scale && SCALABLE.has(w.kind)) out.push({ action: 'k8s.scale', label: `Scale ${w.name}…`, params });
  return out;
}

export function logsRemedy(pod: { namespace: string; name: string }, container: string, previous: boolean): Remedy {
  return {
    action: 'k8s.logs',
    label: previous ? `Logs (previous) ${pod.name}` : `Logs ${pod.name}`,
    params: { namespace: pod.namespace, pod: pod.name, container, previous: previous ? 'yes' : 'no' },
  };
}

export function deletePodRemedy(target: KubeTarget, pod: { namespace: string; name: string }): Remedy[] {
  if (!target.deletePods) return [];
  return [{ action: 'k8s.delete_pod', label: `Delete pod ${pod.name}`, params: { namespace: pod.namespace, pod: pod.name } }];
}
