// CronJobs (batch/v1), not suspended, that missed runs: counted from their last schedule time along
// their own schedule (cron-schedule.ts, in their time zone), a run counting as missed once its
// startingDeadlineSeconds and a minute of grace have passed. Two missed runs warn by default.
import { formatDuration } from '../../format.ts';
import { ageSeconds, finding, statusAbove, type KubeCheck } from '../check-context.ts';
import { apiText } from '../api-text.ts';
import { CronScheduleError, parseCronSchedule } from '../cron-schedule.ts';
import { objectLabel, perObject } from '../object-findings.ts';
import type { CronJobRecord } from '../resource-records.ts';
import type { Finding } from '../../../report.ts';

/** The controller creates a Job within seconds of its time; a minute is late. */
const GRACE_MS = 60_000;
/** Missed runs counted at most ("more than 100"): the controller itself gives up at 100. */
export const MAX_MISSED = 100;

/** Runs missed since the last schedule, and when the first of them was due. */
export function missedRuns(c: Pick<CronJobRecord, 'schedule' | 'timeZone' | 'since' | 'startingDeadlineSeconds'>, now: number): { missed: number; firstDue?: number; nextDue?: number } {
  const schedule = parseCronSchedule(c.schedule, c.timeZone);
  const late = (c.startingDeadlineSeconds ?? 0) * 1000 + GRACE_MS;
  let at = c.since?.getTime() ?? now;
  let missed = 0;
  let firstDue: number | undefined;
  for (;;) {
    const due = schedule.next(at);
    if (due === undefined || due + late >= now) return { missed, ...(firstDue !== undefined && { firstDue }), ...(due !== undefined && { nextDue: due }) };
    missed += 1;
    firstDue ??= due;
    if (missed > MAX_MISSED) return { missed, firstDue };
    at = due;
  }
}

export const checkCronJobs: KubeCheck = (ctx, t) => {
  const r = ctx.snapshot.resources;
  const bad: Array<Finding & { label: string }> = [];
  for (const c of r.cronJobs) {
    const label = objectLabel('cronjob', c);
    let result: ReturnType<typeof missedRuns>;
    try {
      result = missedRuns(c, ctx.now);
    } catch (e) {
      if (!(e instanceof CronScheduleError)) throw e;
      bad.push({ label, ...finding('cronjobs', 'unknown', `${label}: schedule "${apiText(c.schedule, 100)}" could not be read (${apiText(e.message, 200)})`) });
      continue;
    }
    const status = statusAbove(result.missed, t);
    if (status === 'ok') continue;
    const count = result.missed > MAX_MISSED ? `more than ${MAX_MISSED}` : String(result.missed);
    const last = c.neverScheduled ? `never scheduled since it was created ${formatDuration(ageSeconds(ctx, c.since) ?? 0)} ago` : `last scheduled ${formatDuration(ageSeconds(ctx, c.since) ?? 0)} ago`;
    const running = c.active > 0 && c.concurrencyPolicy === 'Forbid'
      ? `${c.active} job still running and concurrencyPolicy Forbid skips the runs due meanwhile: the job runs longer than its period`
      : c.active > 0 ? `${c.active} job still running` : undefined;
    bad.push({
      label,
      ...finding('cronjobs', status, `${label}: missed ${count} runs of "${apiText(c.schedule, 100)}"${c.timeZone ? ` (${apiText(c.timeZone, 100)})` : ''}, ${last}`, {
        detail: [
          ...(result.firstDue !== undefined ? [`first missed run was due ${formatDuration((ctx.now - result.firstDue) / 1000)} ago`] : []),
          ...(c.startingDeadlineSeconds !== undefined ? [`startingDeadlineSeconds ${c.startingDeadlineSeconds}`] : []),
          ...(c.lastSuccessfulTime ? [`last successful run ${formatDuration(ageSeconds(ctx, c.lastSuccessfulTime) ?? 0)} ago`] : []),
          ...(running ? [running] : []),
          `kubectl describe cronjob ${c.name} -n ${c.namespace}`,
        ].join('\n'),
        metrics: { missed_runs: Math.min(result.missed, MAX_MISSED + 1) },
        fix: running
          ? `find why job of cronjob ${c.name} does not finish (kubectl get jobs -n ${c.namespace}), set activeDeadlineSeconds on its job template`
          : `check the CronJob's events (kubectl describe cronjob ${c.name} -n ${c.namespace}: FailedCreate, too many missed start times) and that kube-controller-manager is healthy; kubectl create job --from=cronjob/${c.name} ${c.name}-manual -n ${c.namespace} runs it now`,
      }),
    });
  }
  const unseen = r.cronJobCount - r.cronJobsSuspended - r.cronJobs.length;
  const more = unseen > 0 ? `; ${unseen} more not checked: more than are read per run` : '';
  if (bad.length === 0) return [finding('cronjobs', 'ok', `All ${r.cronJobs.length} active cronjobs ran on schedule (${r.cronJobsSuspended} suspended${more})`)];
  const listed = perObject('cronjobs', bad, 'cronjobs behind schedule');
  if (more) listed[0]!.detail = [listed[0]!.detail, `${unseen} active cronjobs not checked: more than are read per run`].filter(Boolean).join('\n');
  return listed;
};
