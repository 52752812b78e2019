// Containers in CrashLoopBackOff, per workload: the restart count and how the last run ended,
// with the previous instance's logs one press away.
import { formatDuration } from '../../format.ts';
import { ageSeconds, finding, groupByWorkload, MAX_DETAIL_PODS, perWorkload, plural, podsOfWorkload, type KubeCheck } from '../check-context.ts';
import type { ContainerRecord } from '../cluster-snapshot.ts';
import { deletePodRemedy, logsRemedy, restartRemedies } from '../workload-remedies.ts';
import { workloadLabel } from '../workload-of.ts';

export const checkCrashloop: KubeCheck = (ctx) => {
  const looping = ctx.snapshot.containers.filter((c) => c.waiting?.reason === 'CrashLoopBackOff');
  if (looping.length === 0) return [finding('crashloop', 'ok', `No container in CrashLoopBackOff (${ctx.snapshot.podCount} pods)`)];
  const groups = groupByWorkload(looping, (c) => c.pod.workload);
  return perWorkload('crashloop', groups.map(({ ref, items }) => {
    const worst = items.reduce((a, b) => (b.restartCount > a.restartCount ? b : a));
    const pods = new Set(items.map((c) => c.pod.name));
    const status = worst.restartCount >= 2 ? 'crit' : 'warn';
    const title = `${workloadLabel(ref)}: ${pods.size === 1 ? `pod ${worst.pod.name}` : `${pods.size} pods`} in CrashLoopBackOff (${worst.name} restarted ${worst.restartCount}×${lastExit(worst, ctx)})`;
    const detail = items.slice(0, MAX_DETAIL_PODS).map((c) => `${c.pod.name}/${c.name}${c.init ? ' (init)' : ''}: ${c.restartCount} restarts${lastExit(c, ctx)}`);
    if (items.length > MAX_DETAIL_PODS) detail.push(`… and ${items.length - MAX_DETAIL_PODS} more containers`);
    const exit = worst.lastTerminated ?? worst.terminated;
    return {
      ...finding('crashloop', status, title, {
        detail: detail.join('\n'),
        metrics: { pods: pods.size, restarts: worst.restartCount },
        remedies: [logsRemedy(worst.pod, worst.name, true), ...restartRemedies(ctx, ref), ...(pods.size === 1 ? deletePodRemedy(ctx.target, worst.pod) : [])],
      }),
      ref,
      story: {
        cause: `${podsOfWorkload(ctx, ref, pods)} crashlooping${exit ? `, exit code ${exit.exitCode}${exitReason(exit.reason)}` : ''}`,
        effect: `crashloop: ${plural(pods.size, 'pod')} in CrashLoopBackOff`,
        culprit: { namespace: worst.pod.namespace, pod: worst.pod.name, container: worst.name },
      },
    };
  }), 'crashlooping containers');
};

/** " (OOMKilled)" for a reason that says more than the exit code; "" for a plain Error. */
function exitReason(reason: string): string {
  return reason === 'Error' || reason.startsWith('exit code') ? '' : ` (${reason})`;
}

function lastExit(c: ContainerRecord, ctx: Parameters<KubeCheck>[0]): string {
  const t = c.lastTerminated ?? c.terminated;
  if (!t) return '';
  const age = ageSeconds(ctx, t.finishedAt);
  return `, last exit ${t.reason} (code ${t.exitCode})${age !== undefined ? ` ${formatDuration(age)} ago` : ''}`;
}
