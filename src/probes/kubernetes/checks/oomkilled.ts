// Containers the kernel killed for exceeding their memory limit. A recent kill is crit; one
// within the last day is a warning; the limit and request are shown because raising the limit
// (or fixing the leak) is the fix.
import { formatDuration } from '../../format.ts';
import { ageSeconds, finding, groupByWorkload, MAX_DETAIL_PODS, perWorkload, statusBelow, type KubeCheck } from '../check-context.ts';
import { logsRemedy, restartRemedies } from '../workload-remedies.ts';
import { workloadLabel } from '../workload-of.ts';

export const checkOomKilled: KubeCheck = (ctx, t) => {
  const killed = ctx.snapshot.containers
    .map((c) => {
      const kill = [c.terminated, c.lastTerminated].find((s) => s?.reason === 'OOMKilled');
      const ageMin = kill ? (ageSeconds(ctx, kill.finishedAt) ?? 0) / 60 : undefined;
      return { c, ageMin };
    })
    .filter((x): x is { c: (typeof x)['c']; ageMin: number } => x.ageMin !== undefined && statusBelow(x.ageMin, t) !== 'ok');
  if (killed.length === 0) return [finding('oomkilled', 'ok', `No container OOMKilled in the last ${formatDuration(t.warn * 60)}`)];
  return perWorkload('oomkilled', groupByWorkload(killed, (k) => k.c.pod.workload).map(({ ref, items }) => {
    const newest = items.reduce((a, b) => (b.ageMin < a.ageMin ? b : a));
    const limit = newest.c.memoryLimit ? `memory limit ${newest.c.memoryLimit}` : 'no memory limit set (killed at the node\'s limit)';
    const title = `${workloadLabel(ref)}: ${newest.c.name} OOMKilled ${formatDuration(newest.ageMin * 60)} ago (${limit})`;
    const detail = items.slice(0, MAX_DETAIL_PODS).map(({ c, ageMin }) =>
      `${c.pod.name}/${c.name}: killed ${formatDuration(ageMin * 60)} ago, limit ${c.memoryLimit ?? 'none'}, request ${c.memoryRequest ?? 'none'}, ${c.restartCount} restarts`);
    return {
      ...finding('oomkilled', statusBelow(newest.ageMin, t), title, {
        detail: detail.join('\n'),
        metrics: { containers: items.length, minutes_since_kill: Math.round(newest.ageMin) },
        remedies: [logsRemedy(newest.c.pod, newest.c.name, true), ...restartRemedies(ctx, ref)],
        fix: newest.c.memoryLimit
          ? `raise the memory limit of ${newest.c.name} (now ${newest.c.memoryLimit}) in the workload's spec, or find what makes it grow`
          : `set a memory request and limit for ${newest.c.name} that fit what it uses, or find what makes it grow`,
      }),
      ref,
      story: {
        cause: `${newest.c.name} OOMKilled ${formatDuration(newest.ageMin * 60)} ago (${limit})`,
        effect: `oomkilled: ${newest.c.name} OOMKilled ${formatDuration(newest.ageMin * 60)} ago`,
        culprit: { namespace: newest.c.pod.namespace, pod: newest.c.pod.name, container: newest.c.name },
      },
    };
  }), 'OOMKilled containers');
};
