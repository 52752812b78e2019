// Deadlocks and rollbacks from pg_stat_database. The counters only grow, so "new" needs the
// previous reading: it is kept in the probe state of the target, per database, so it survives a
// restart of the bot.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { formatDuration, formatPct, plural } from '../../format.ts';

interface Row {
  datname: string;
  deadlocks: number;
  commits: number;
  rollbacks: number;
  stats_reset_s: number | null;
}

interface Reading {
  deadlocks: number;
  commits: number;
  rollbacks: number;
  at: number;
}

const STATE_KEY = 'postgres.deadlocks';
/** A baseline older than this is stale (the target was not probed for a week). */
const BASELINE_TTL_MS = 7 * 86_400_000;
/** Below this many transactions a rollback ratio is noise. */
const MIN_XACTS_DELTA = 100;
const MIN_XACTS_TOTAL = 1_000;
/**
 * Databases read (and remembered) per run. Those that ever had a deadlock come first, then the
 * busiest: on a server with many databases, a deadlock in a quiet one is still seen, where
 * ordering by traffic alone left it out of the reading.
 */
const MAX_DATABASES = 200;

export async function checkDeadlocks(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(`
    select datname, deadlocks::float8 as deadlocks, xact_commit::float8 as commits, xact_rollback::float8 as rollbacks,
           extract(epoch from now() - stats_reset)::float8 as stats_reset_s
    from pg_stat_database
    where datname is not null
    order by deadlocks > 0 desc, xact_commit + xact_rollback desc
    limit ${MAX_DATABASES}`);
  const now = Date.now();
  // No state store at hand (or it failed): this run is a new baseline.
  const remembered = await ctx.state.get<Record<string, Reading>>(STATE_KEY).catch(() => undefined);
  const previous = new Map(Object.entries(remembered?.value ?? {}).filter(([, r]) => now - r.at <= BASELINE_TTL_MS));
  const readings: Record<string, Reading> = {};

  const statuses: Status[] = ['ok'];
  const lines: string[] = [];
  let newDeadlocks = 0;
  let worstRatio = 0;
  let worstRatioDb = '';
  let baseline = false;
  let since = 0;
  for (const r of rows) {
    const prev = previous.get(r.datname);
    readings[r.datname] = { deadlocks: r.deadlocks, commits: r.commits, rollbacks: r.rollbacks, at: now };
    // Counters going down mean the statistics were reset: start over.
    const usable = prev && r.deadlocks >= prev.deadlocks && r.commits >= prev.commits && r.rollbacks >= prev.rollbacks;
    if (!usable) baseline = true;
    const dl = usable ? r.deadlocks - prev.deadlocks : 0;
    if (usable) since = Math.max(since, (now - prev.at) / 1000);
    if (dl > 0) {
      newDeadlocks += dl;
      statuses.push('warn');
      lines.push(`${r.datname}: ${plural(dl, 'new deadlock')} (${r.deadlocks} since stats reset)`);
    }
    // The ratio over the last interval when there was enough traffic, else over all history.
    const commits = usable ? r.commits - prev.commits : r.commits;
    const rollbacks = usable ? r.rollbacks - prev.rollbacks : r.rollbacks;
    const enough = usable ? commits + rollbacks >= MIN_XACTS_DELTA : commits + rollbacks >= MIN_XACTS_TOTAL;
    if (enough) {
      const ratio = (rollbacks / (commits + rollbacks)) * 100;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worstRatioDb = r.datname;
      }
      // A ratio over all history may describe last week: at most a warning.
      const judged = statusAbove(ratio, t);
      const s = !usable && judged === 'crit' ? 'warn' : judged;
      statuses.push(s);
      if (s !== 'ok') lines.push(`${r.datname}: ${formatPct(ratio)} of ${Math.round(commits + rollbacks)} transactions rolled back ${usable ? `in the last ${formatDuration((now - prev.at) / 1000)}` : 'since stats reset'}`);
    }
  }
  await ctx.state.set(STATE_KEY, readings).catch(() => undefined);
  const status = worstStatus(statuses);
  const total = rows.reduce((sum, r) => sum + r.deadlocks, 0);
  const deadlockPart =
    newDeadlocks > 0
      ? `${plural(newDeadlocks, 'new deadlock')} in the last ${formatDuration(since)}`
      : baseline && since === 0
        ? `${plural(total, 'deadlock')} since stats reset`
        : 'No new deadlocks';
  const title = `${deadlockPart}; rollbacks ${worstRatioDb ? `${formatPct(worstRatio)} (${worstRatioDb})` : 'too few transactions to judge'}`;
  return [
    finding('deadlocks', status, title, {
      detail: lines.length ? lines.join('\n') : undefined,
      fix: status !== 'ok' ? 'deadlocks: make transactions take locks in the same order (see the server log for the statements); rollbacks: look for application errors.' : undefined,
      metrics: { new_deadlocks: newDeadlocks, deadlocks_total: total, rollback_pct: Math.round(worstRatio * 10) / 10 },
    }),
  ];
}
