// Running containers that have not been ready for a while: the readiness probe fails, usually
// because a dependency is down. The newest Unhealthy event says what the probe saw.
import { scrubText } from '../../scrub-findings.ts';
import { formatDuration } from '../../format.ts';
import { ageSeconds, finding, groupByWorkload, MAX_DETAIL_PODS, perWorkload, plural, podsOfWorkload, statusAbove, type KubeCheck } from '../check-context.ts';
import { podEvent } from '../cluster-snapshot.ts';
import { logsRemedy, restartRemedies } from '../workload-remedies.ts';
import { workloadLabel } from '../workload-of.ts';

/** How much of the kubelet's words a root cause quotes. */
const MAX_CAUSE_QUOTE = 160;

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const checkReadiness: KubeCheck = (ctx, t) => {
  const notReady = ctx.snapshot.containers
    .filter((c) => !c.ready && c.running && !c.init && c.pod.phase === 'Running')
    .map((c) => ({ c, age: ageSeconds(ctx, c.pod.notReadySince) ?? 0 }))
    .filter((x) => statusAbove(x.age, t) !== 'ok');
  if (notReady.length === 0) return [finding('readiness', 'ok', 'All running containers are ready')];
  return perWorkload('readiness', groupByWorkload(notReady, (x) => x.c.pod.workload).map(({ ref, items }) => {
    const first = items[0]!;
    const event = podEvent(ctx.snapshot, first.c.pod, ['Unhealthy', 'ProbeError']);
    const pods = new Set(items.map((x) => x.c.pod.name));
    const longest = formatDuration(Math.max(...items.map((x) => x.age)));
    const title = `${workloadLabel(ref)}: ${pods.size === 1 ? `pod ${first.c.pod.name}` : `${pods.size} pods`} not ready for ${formatDuration(Math.max(...items.map((x) => x.age)))}`;
    const detail = [
      ...(event ? [`${event.reason}: ${event.message}`] : []),
      ...items.slice(0, MAX_DETAIL_PODS).map((x) => `${x.c.pod.name}/${x.c.name}: not ready ${formatDuration(x.age)}`),
    ];
    return {
      ...finding('readiness', statusAbove(Math.max(...items.map((x) => x.age)), t), title, {
        detail: detail.join('\n'),
        metrics: { pods: pods.size },
        remedies: [logsRemedy(first.c.pod, first.c.name, false), ...restartRemedies(ctx, ref)],
      }),
      ref,
      story: {
        cause: `${podsOfWorkload(ctx, ref, pods)} not ready for ${longest}${event ? ` (${cut(scrubText(event.message, ctx.secrets ?? []), MAX_CAUSE_QUOTE)})` : ''}`,
        effect: `readiness: ${plural(pods.size, 'pod')} not ready for ${longest}`,
      },
    };
  }), 'containers not ready');
};
