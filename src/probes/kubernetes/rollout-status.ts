// Where a rollout stands, from the workload object alone: the same rules `kubectl rollout status`
// applies (generation observed, all replicas updated, old ones gone, new ones available).
import type * as k8s from '@kubernetes/client-node';

export type RolloutStatus =
  | { state: 'progressing'; text: string }
  | { state: 'complete'; text: string }
  | { state: 'stalled'; text: string };

export function deploymentRolloutStatus(d: k8s.V1Deployment): RolloutStatus {
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return { state: 'progressing', text: 'waiting for the controller to pick up the change' };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return { state: 'stalled', text: progressing.message ?? 'progress deadline exceeded' };
  }
  const updated = s.updatedReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const total = s.replicas ?? 0;
  if (updated < desired) return { state: 'progressing', text: `${Math.min(updated, available)}/${desired} new pods ready` };
  if (total > updated) return { state: 'progressing', text: `${desired}/${desired} new pods ready, ${total - updated} old pods terminating` };
  if (available < updated) return { state: 'progressing', text: `${available}/${desired} new pods ready` };
  return { state: 'complete', text: `${desired}/${desired} new pods ready` };
}

export function statefulSetRolloutStatus(s: k8s.V1StatefulSet): RolloutStatus {
  const desired = s.spec?.replicas ?? 1;
  const st = s.status ?? { replicas: 0 };
  if ((st.observedGeneration ?? 0) < (s.metadata?.generation ?? 0)) return { state: 'progressing', text: 'waiting for the controller to pick up the change' };
  const ready = st.readyReplicas ?? 0;
  const updated = st.updatedReplicas ?? 0;
  if (ready < desired) return { state: 'progressing', text: `${ready}/${desired} pods ready` };
  if (st.updateRevision !== undefined && st.currentRevision !== st.updateRevision) return { state: 'progressing', text: `${updated}/${desired} pods updated` };
  return { state: 'complete', text: `${desired}/${desired} pods updated and ready` };
}

export function daemonSetRolloutStatus(d: k8s.V1DaemonSet): RolloutStatus {
  const st = d.status;
  const desired = st?.desiredNumberScheduled ?? 0;
  if ((st?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return { state: 'progressing', text: 'waiting for the controller to pick up the change' };
  const updated = st?.updatedNumberScheduled ?? 0;
  const available = st?.numberAvailable ?? 0;
  if (updated < desired) return { state: 'progressing', text: `${updated}/${desired} pods updated` };
  if (available < desired) return { state: 'progressing', text: `${available}/${desired} updated pods available` };
  return { state: 'complete', text: `${desired}/${desired} pods updated and available` };
}
