// Active scrape targets that are not up, grouped by job, with their last scrape error. Some
// targets of a job down is a warning; every target of a job down is critical: that job's
// metrics and the alerts built on them are gone. A Prometheus that started within the last two
// minutes and has no targets yet, or has not scraped them yet, is "just started" (unknown).
import type { Finding } from '../../../report.ts';
import { failedCall, type ApiCheckContext } from '../../http/failed-call.ts';
import { formatDuration, plural } from '../../format.ts';
import { targetsSchema, type ActiveTarget } from '../api-types.ts';
import { finding, KIND } from '../check-context.ts';
import { justStarted } from '../just-started.ts';

const MAX_JOBS = 8;
const MAX_TARGETS_PER_JOB = 3;

interface Job {
  name: string;
  targets: ActiveTarget[];
  notUp: ActiveTarget[];
}

export async function checkTargets(ctx: ApiCheckContext): Promise<Finding[]> {
  const res = await ctx.api.getJson('api/v1/targets?state=active', targetsSchema);
  if (!res.ok) return [failedCall(KIND, 'targets', 'Scrape targets', res.failure)];
  const targets = res.data.data.activeTargets;
  if (targets.length === 0) {
    const metrics = { targets: 0, up: 0, down: 0, jobs_down: 0 };
    const started = await justStarted(ctx);
    if (started !== undefined) {
      return [
        finding('targets', 'unknown', `Prometheus just started (${started}): no scrape targets discovered yet`, {
          detail: 'Service discovery fills the target list within the first minutes after a start; the next run judges it.',
          metrics,
        }),
      ];
    }
    return [
      finding('targets', 'warn', 'No active scrape targets: Prometheus collects nothing', {
        fix: 'check scrape_configs and service discovery (for Kubernetes: the ServiceMonitor/PodMonitor selectors and the labels of the services).',
        metrics,
      }),
    ];
  }
  const jobs = new Map<string, Job>();
  for (const t of targets) {
    const name = t.labels?.job ?? t.scrapePool ?? t.discoveredLabels?.job ?? '(no job)';
    let job = jobs.get(name);
    if (!job) jobs.set(name, (job = { name, targets: [], notUp: [] }));
    job.targets.push(t);
    if (t.health !== 'up') job.notUp.push(t);
  }
  const affected = [...jobs.values()].filter((j) => j.notUp.length > 0);
  const down = affected.reduce((n, j) => n + j.notUp.length, 0);
  // A job whose targets are all not up, and at least one really failed (not just never scraped yet).
  const wholeJobs = affected.filter((j) => j.notUp.length === j.targets.length && j.notUp.some((t) => t.health === 'down'));
  const metrics = { targets: targets.length, up: targets.length - down, down, jobs: jobs.size, jobs_down: wholeJobs.length };
  if (down === 0) {
    return [finding('targets', 'ok', `All ${plural(targets.length, 'target')} up in ${plural(jobs.size, 'job')}`, { metrics })];
  }
  if (wholeJobs.length === 0 && affected.every((j) => j.notUp.every((t) => t.health === 'unknown'))) {
    const started = await justStarted(ctx);
    if (started !== undefined) {
      return [
        finding('targets', 'unknown', `Prometheus just started (${started}): ${down}/${targets.length} targets not scraped yet`, {
          detail: 'The first scrape of each target comes within one scrape interval of the start; the next run judges them.',
          metrics,
        }),
      ];
    }
  }
  const status = wholeJobs.length > 0 ? 'crit' : 'warn';
  const title = wholeJobs.length > 0
    ? `${plural(wholeJobs.length, 'job')} entirely down (${wholeJobs.map((j) => j.name).slice(0, 3).join(', ')}${wholeJobs.length > 3 ? ', ...' : ''}); ${down}/${targets.length} targets not up`
    : `${down}/${targets.length} targets not up in ${plural(affected.length, 'job')} (${affected.map((j) => j.name).slice(0, 3).join(', ')}${affected.length > 3 ? ', ...' : ''})`;
  const ordered = [...wholeJobs, ...affected.filter((j) => !wholeJobs.includes(j))];
  const lines: string[] = [];
  for (const job of ordered.slice(0, MAX_JOBS)) {
    lines.push(`job ${job.name}: ${job.notUp.length}/${job.targets.length} not up${wholeJobs.includes(job) ? ' (whole job)' : ''}`);
    const shown = job.notUp.slice(0, MAX_TARGETS_PER_JOB).map((t) => `  ${describeTarget(t, ctx.now)}`);
    lines.push(...shown);
    if (job.notUp.length > MAX_TARGETS_PER_JOB) lines.push(`  ... ${job.notUp.length - MAX_TARGETS_PER_JOB} more`);
  }
  if (ordered.length > MAX_JOBS) lines.push(`... ${ordered.length - MAX_JOBS} more jobs`);
  return [
    finding('targets', status, title, {
      detail: lines.join('\n'),
      metrics,
      fix: 'open the scrape URL from the Prometheus host (curl it): a refused or timed out scrape means the exporter or service is down or a network policy blocks it; a 401/404 means auth or metrics path; then check service discovery and scrape annotations.',
    }),
  ];
}

function describeTarget(t: ActiveTarget, now: Date): string {
  const instance = t.labels?.instance ?? t.discoveredLabels?.__address__ ?? t.scrapeUrl ?? '(unknown instance)';
  const parts = [instance];
  if (t.scrapeUrl && !t.scrapeUrl.includes(instance)) parts.push(`(${t.scrapeUrl})`);
  parts.push(t.health === 'unknown' ? 'not scraped yet' : t.health);
  const last = t.lastScrape ? Date.parse(t.lastScrape) : NaN;
  // Go's zero time (0001-01-01) means never scraped.
  if (Number.isFinite(last) && last > 0) parts.push(`last scrape ${formatDuration((now.getTime() - last) / 1000)} ago`);
  else if (t.health !== 'unknown') parts.push('never scraped');
  return `${parts.join(', ')}${t.lastError ? `: ${t.lastError}` : ''}`;
}
