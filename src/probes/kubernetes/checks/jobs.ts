// Jobs (batch/v1) that failed within the window (24 h by default), grouped by the CronJob that
// created them. A failure a later successful run of the same CronJob has superseded is history
// and not reported. A failure is a warning: it does not hurt now, it says work was not done.
import { formatDuration } from '../../format.ts';
import { ageSeconds, finding, statusBelow, type KubeCheck } from '../check-context.ts';
import { objectLabel, perObject } from '../object-findings.ts';
import type { JobRecord } from '../resource-records.ts';

export const checkJobs: KubeCheck = (ctx, t) => {
  const r = ctx.snapshot.resources;
  const groups = new Map<string, JobRecord[]>();
  let superseded = 0;
  for (const j of r.failedJobs) {
    const minutes = (ageSeconds(ctx, j.failedAt) ?? 0) / 60;
    if (statusBelow(minutes, t) === 'ok') continue;
    const success = j.cronJob ? r.lastSuccess.get(`${j.namespace}/${j.cronJob}`) : undefined;
    if (success && success.getTime() > j.failedAt.getTime()) {
      superseded += 1;
      continue;
    }
    const key = j.cronJob ? `${j.namespace}/cronjob/${j.cronJob}` : `${j.namespace}/job/${j.name}`;
    const group = groups.get(key);
    if (group) group.push(j);
    else groups.set(key, [j]);
  }
  const window = formatDuration(t.warn * 60);
  if (groups.size === 0) {
    return [finding('jobs', 'ok', `No job failed in the last ${window}${superseded > 0 ? ` (${superseded} failures since followed by a successful run)` : ''}`)];
  }
  const bad = [...groups.values()].map((jobs) => {
    const newest = jobs.reduce((a, b) => (b.failedAt > a.failedAt ? b : a));
    const label = objectLabel('job', newest);
    const ago = formatDuration(ageSeconds(ctx, newest.failedAt) ?? 0);
    const owner = newest.cronJob ? ` (cronjob/${newest.cronJob}${jobs.length > 1 ? `, ${jobs.length} failed jobs in ${window}` : ''})` : '';
    return {
      label,
      ...finding('jobs', 'warn', `${label}: failed ${ago} ago, ${newest.reason}${owner}`, {
        detail: jobs.slice(0, 5).map((j) => `job/${j.name}: ${j.reason}${j.message ? `: ${j.message}` : ''} (${formatDuration(ageSeconds(ctx, j.failedAt) ?? 0)} ago)`).join('\n'),
        metrics: { failed_jobs: jobs.length },
        fix: `read why it failed (kubectl logs job/${newest.name} -n ${newest.namespace}; kubectl describe job ${newest.name} -n ${newest.namespace}), fix it, then ${newest.cronJob ? `run it again with kubectl create job --from=cronjob/${newest.cronJob} ${newest.cronJob}-manual -n ${newest.namespace}` : 'recreate the job'}`,
      }),
    };
  });
  return perObject('jobs', bad, 'failed jobs');
};
