// Deployments, statefulsets and daemonsets that do not have the replicas they want, whose
// rollout ran past its progress deadline, or that are paused.
import { formatDuration, formatPct } from '../../format.ts';
import { ageSeconds, finding, perWorkload, statusAbove, type KubeCheck, type KubeCheckContext } from '../check-context.ts';
import type { WorkloadStatus } from '../cluster-snapshot.ts';
import { restartRemedies } from '../workload-remedies.ts';
import { workloadLabel, workloadName } from '../workload-of.ts';
import type { Status } from '../../../report.ts';

export const checkDeployments: KubeCheck = (ctx, t) => {
  const judged = ctx.snapshot.workloadProblems.map((w) => ({ w, ...judge(w, t) })).filter((j) => j.status !== 'ok');
  if (judged.length === 0) return [finding('deployments', 'ok', `All ${ctx.snapshot.workloadCount} workloads have their replicas available`)];
  return perWorkload('deployments', judged.map(({ w, status, what }) => {
    const fixes = [
      ...(w.deadlineExceeded ? [`kubectl rollout undo ${w.ref.kind}/${w.ref.name} -n ${w.ref.namespace} goes back to the previous version`] : []),
      ...(w.paused ? [`kubectl rollout resume ${w.ref.kind}/${w.ref.name} -n ${w.ref.namespace} resumes it`] : []),
    ];
    return {
      ...finding('deployments', status, `${workloadLabel(w.ref)}: ${what}`, {
        detail: `desired ${w.desired}, available ${w.available}, ready ${w.ready}, up to date ${w.updated}${w.paused ? ', paused' : ''}` +
          (w.deadlineExceeded ? `\nrollout stalled: ${w.deadlineExceeded}` : ''),
        metrics: { desired: w.desired, available: w.available, unavailable_pct: unavailablePct(w) },
        // A paused deployment cannot be restarted; scaling still works.
        remedies: restartRemedies(ctx, w.ref, { scale: true }).filter((r) => !w.paused || r.action !== 'k8s.restart'),
        ...(fixes.length > 0 && { fix: fixes.join('; ') }),
      }),
      ref: w.ref,
      story: { effect: effectLine(ctx, w), ...(w.paused && { refuses: ['k8s.restart'] }) },
    };
  }), 'unavailable replicas');
};

/** "deployment prod/api: 0 of 3 replicas available for 12 min, rollout stalled (ProgressDeadlineExceeded)" */
function effectLine(ctx: KubeCheckContext, w: WorkloadStatus): string {
  const parts: string[] = [];
  if (w.desired > 0 && w.available < w.desired) {
    const since = ageSeconds(ctx, w.unavailableSince);
    parts.push(`${w.available} of ${w.desired} ${w.desired === 1 ? 'replica' : 'replicas'} available${since !== undefined ? ` for ${formatDuration(since)}` : ''}`);
  }
  if (w.deadlineExceeded) parts.push('rollout stalled (ProgressDeadlineExceeded)');
  if (w.paused) parts.push('paused');
  return `${workloadName(w.ref)}: ${parts.join(', ')}`;
}

function unavailablePct(w: WorkloadStatus): number {
  return w.desired > 0 ? Math.round((Math.max(0, w.desired - w.available) / w.desired) * 1000) / 10 : 0;
}

function judge(w: WorkloadStatus, t: { warn: number; crit: number }): { status: Status; what: string } {
  const parts: string[] = [];
  let status: Status = 'ok';
  const raise = (s: Status) => {
    if (s === 'crit' || (s === 'warn' && status === 'ok')) status = s;
  };
  if (w.desired > 0 && w.available < w.desired) {
    const pct = unavailablePct(w);
    parts.push(`${w.available}/${w.desired} available (${formatPct(pct)} unavailable)`);
    raise(w.available === 0 ? 'crit' : statusAbove(pct, t) === 'ok' ? 'warn' : statusAbove(pct, t));
  }
  if (w.deadlineExceeded) {
    parts.push('rollout stalled (ProgressDeadlineExceeded)');
    raise('crit');
  }
  if (w.paused) {
    parts.push('paused');
    raise('warn');
  }
  return { status, what: parts.join(', ') };
}
