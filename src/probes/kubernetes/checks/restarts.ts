// Restart growth since the previous run, per workload, as restarts per 10 minutes. A pod that is
// new since then brings all its restarts into the window, which is right: they happened in it.
import { formatDuration } from '../../format.ts';
import { finding, groupByWorkload, MAX_DETAIL_PODS, perWorkload, statusAbove, type KubeCheck } from '../check-context.ts';
import { logsRemedy } from '../workload-remedies.ts';
import { workloadLabel, type WorkloadRef } from '../workload-of.ts';

export const RESTARTS_STATE_KEY = 'k8s.restart_counts';
const WINDOW_S = 600;

export const checkRestarts: KubeCheck = (ctx, t) => {
  const previous = ctx.previousRestarts;
  if (!previous) {
    return [finding('restarts', 'ok', `Restart counts recorded for ${ctx.snapshot.restartCounts.size} containers; growth is measured from the next run`)];
  }
  const windowS = Math.max(1, (ctx.now - previous.at.getTime()) / 1000);
  const scale = windowS <= WINDOW_S ? 1 : WINDOW_S / windowS;
  const owners = new Map<string, { ref: WorkloadRef; pod: { namespace: string; name: string } }>();
  for (const c of ctx.snapshot.containers) owners.set(`${c.pod.namespace}/${c.pod.name}/${c.name}`, { ref: c.pod.workload, pod: c.pod });
  const grown: Array<{ key: string; growth: number; ref: WorkloadRef; pod: { namespace: string; name: string }; container: string }> = [];
  for (const [key, count] of ctx.snapshot.restartCounts) {
    const before = previous.value[key] ?? 0;
    const growth = count >= before ? count - before : count;
    const owner = owners.get(key);
    if (growth > 0 && owner) grown.push({ key, growth, ref: owner.ref, pod: owner.pod, container: key.split('/')[2]! });
  }
  const per10 = (n: number) => Math.round(n * scale * 10) / 10;
  const bad = groupByWorkload(grown, (g) => g.ref).filter((g) => statusAbove(per10(sum(g.items.map((i) => i.growth))), t) !== 'ok');
  if (bad.length === 0) return [finding('restarts', 'ok', `No workload restarting more than ${t.warn - 1} times per 10 min (window ${formatDuration(windowS)})`)];
  return perWorkload('restarts', bad.map(({ ref, items }) => {
    const total = sum(items.map((i) => i.growth));
    const top = items.reduce((a, b) => (b.growth > a.growth ? b : a));
    const rate = per10(total);
    const window = windowS <= WINDOW_S ? `in the last ${formatDuration(windowS)}` : `(${rate} per 10 min over ${formatDuration(windowS)})`;
    return {
      ...finding('restarts', statusAbove(rate, t), `${workloadLabel(ref)}: ${total} restarts ${window}`, {
        detail: items.slice(0, MAX_DETAIL_PODS).map((i) => `${i.pod.name}/${i.container}: +${i.growth}`).join('\n'),
        metrics: { restarts: total, per_10_min: rate },
        remedies: [logsRemedy(top.pod, top.container, true)],
      }),
      ref,
      story: {
        cause: `${total} restarts ${window}`,
        effect: `restarts: ${total} restarts ${window}`,
        culprit: { namespace: top.pod.namespace, pod: top.pod.name, container: top.container },
      },
    };
  }), 'growing restart counts');
};

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
