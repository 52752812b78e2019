// Pods that stay Pending: the scheduler's reason (insufficient cpu or memory, taints, a missing
// volume claim) or, once scheduled, what keeps the containers from being created.
import { formatDuration } from '../../format.ts';
import { ageSeconds, finding, groupByWorkload, MAX_DETAIL_PODS, perWorkload, podsOfWorkload, statusAbove, type KubeCheck } from '../check-context.ts';
import { podEvent, type PodInfo } from '../cluster-snapshot.ts';
import { deletePodRemedy, restartRemedies } from '../workload-remedies.ts';
import { workloadLabel } from '../workload-of.ts';

function classifySchedulingFailure(message: string): string | undefined {
  const reasons: string[] = [];
  if (/Insufficient cpu/i.test(message)) reasons.push('insufficient cpu');
  if (/Insufficient memory/i.test(message)) reasons.push('insufficient memory');
  if (/untolerated taint|had taint/i.test(message)) reasons.push('node taints not tolerated');
  if (/persistentvolumeclaim .* not found/i.test(message)) reasons.push('volume claim not found');
  else if (/unbound .*PersistentVolumeClaims|volume node affinity conflict/i.test(message)) reasons.push('volume claim not bound');
  if (/node affinity|node selector|didn't match Pod's node/i.test(message)) reasons.push('no node matches the affinity/selector');
  if (/Too many pods/i.test(message)) reasons.push('nodes at their pod limit');
  return reasons.length ? reasons.join(', ') : undefined;
}

export const checkPending: KubeCheck = (ctx, t) => {
  // A pod waiting on its image is the image_pull check's business.
  const pulling = new Set(ctx.snapshot.containers.filter((c) => /Image|RegistryUnavailable/.test(c.waiting?.reason ?? '')).map((c) => `${c.pod.namespace}/${c.pod.name}`));
  // `<ns>/<pod>` -> the reason its first waiting container gives: one pass, not one per pending pod.
  const waitingReason = new Map<string, string>();
  for (const c of ctx.snapshot.containers) {
    const key = `${c.pod.namespace}/${c.pod.name}`;
    if (c.waiting && !waitingReason.has(key)) waitingReason.set(key, c.waiting.reason);
  }
  const stuck = ctx.snapshot.pendingPods
    .filter((p) => !pulling.has(`${p.namespace}/${p.name}`))
    .map((pod) => ({ pod, age: ageSeconds(ctx, pod.createdAt) ?? 0 }))
    .filter((p) => statusAbove(p.age, t) !== 'ok');
  if (stuck.length === 0) return [finding('pending', 'ok', `No pod pending longer than ${formatDuration(t.warn)}`)];
  return perWorkload('pending', groupByWorkload(stuck, (p) => p.pod.workload).map(({ ref, items }) => {
    const oldest = items.reduce((a, b) => (b.age > a.age ? b : a));
    const why = reasonOf(ctx, oldest.pod, waitingReason);
    const title = `${workloadLabel(ref)}: ${items.length === 1 ? `pod ${oldest.pod.name}` : `${items.length} pods`} Pending for ${formatDuration(oldest.age)}${why.short ? ` (${why.short})` : ''}`;
    const detail = [why.text, ...items.slice(0, MAX_DETAIL_PODS).map((p) => `${p.pod.name}: pending ${formatDuration(p.age)}`)].filter(Boolean);
    return {
      ...finding('pending', statusAbove(oldest.age, t), title, {
        detail: detail.join('\n'),
        metrics: { pods: items.length, seconds: Math.round(oldest.age) },
        remedies: [...restartRemedies(ctx, ref, { scale: true }).filter((r) => r.action === 'k8s.scale'), ...(items.length === 1 ? deletePodRemedy(ctx.target, oldest.pod) : [])],
      }),
      ref,
      story: { cause: `${podsOfWorkload(ctx, ref, new Set(items.map((p) => p.pod.name)))} Pending for ${formatDuration(oldest.age)}${why.short ? ` (${why.short})` : ''}` },
    };
  }), 'pending pods');
};

function reasonOf(ctx: Parameters<KubeCheck>[0], pod: PodInfo, waitingReason: ReadonlyMap<string, string>): { short?: string; text?: string } {
  if (pod.unscheduled) {
    const message = pod.unscheduled.message ?? podEvent(ctx.snapshot, pod, ['FailedScheduling'])?.message ?? pod.unscheduled.reason ?? 'not scheduled';
    return { short: classifySchedulingFailure(message) ?? 'not scheduled', text: `scheduler: ${message}` };
  }
  const event = podEvent(ctx.snapshot, pod, ['FailedMount', 'FailedAttachVolume', 'FailedCreatePodSandBox']);
  const short = waitingReason.get(`${pod.namespace}/${pod.name}`) ?? 'scheduled, containers not started';
  return { short, ...(event && { text: `${event.reason}: ${event.message}` }) };
}
