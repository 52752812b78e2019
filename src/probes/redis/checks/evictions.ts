// evicted_keys counts from server start, so "how fast is it evicting now?" needs the previous
// run's value: the growth since then over the time in between is the eviction rate. On a first
// run (or after a restart) the rate is the average since server start, said so; an average over
// the server's whole life warns at most, never crit. A cache under an
// eviction policy is meant to evict at its limit: only a rate above the threshold is a warning;
// whether the evictions cost reads is the hit rate's to say.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, round, statusAbove, type CheckContext } from '../check-context.ts';
import { lifetimeCap } from '../counters.ts';
import { num } from '../info.ts';
import { counted, formatCount, formatPct } from '../../format.ts';

/** A window shorter than this counts as this long: a burst within a second is not a rate. */
const MIN_WINDOW_S = 1;

export const EVICTIONS_FIX =
  'evicted keys are cache misses to come: give the instance more memory (maxmemory, if the host has room) or store less (shorter TTLs, smaller values); ' +
  'check whether one key pattern dominates (redis-cli --bigkeys off-peak).';

/** "120 keys/s", "0.4 keys/s". */
export function formatRate(perSecond: number): string {
  return `${perSecond < 10 ? round(perSecond, 1).toString() : formatCount(perSecond)} keys/s`;
}

export async function checkEvictions(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { info, counters } = ctx;
  const policy = info.get('maxmemory_policy') ?? 'unknown';
  const maxmemory = num(info, 'maxmemory') ?? 0;
  const used = Math.max(0, (num(info, 'used_memory') ?? 0) - (num(info, 'mem_not_counted_for_evict') ?? 0));
  const pct = maxmemory > 0 ? (used / maxmemory) * 100 : 0;
  const evicted = counters.delta('evictedKeys');
  const total = counters.current.evictedKeys;
  const evictedClients = num(info, 'evicted_clients') ?? 0;
  const windowS = counters.windowS;
  const perSecond = windowS !== undefined ? evicted / Math.max(MIN_WINDOW_S, windowS) : undefined;
  const average = counters.basis === 'previous-run' ? '' : ' on average';

  const lines = [
    `${formatCount(total)} keys evicted since server start (or the last CONFIG RESETSTAT); policy ${policy}` +
      (maxmemory > 0 ? `, memory at ${formatPct(pct)} of maxmemory` : ', no maxmemory set'),
  ];
  if (evictedClients > 0) lines.push(`${counted(evictedClients, 'client')} disconnected by maxmemory-clients since server start`);
  if (counters.basis === 'server-start') lines.push('No earlier run of this target to compare with: the rate is the average since the server started, which can warn but not go crit; the next run measures the time in between.');
  if (counters.basis === 'restart') lines.push('The server restarted since the previous run: the rate is the average since the restart.');
  if (counters.basis === 'stats-reset') lines.push('The counters started over since the last run (CONFIG RESETSTAT): the next run measures the rate.');
  const metrics: Record<string, number> = { evicted, evicted_total: total, window_s: Math.round(windowS ?? 0) };
  if (perSecond !== undefined) metrics.per_s = round(perSecond);

  if (evicted === 0) {
    ctx.observed.evictions = { status: 'ok', evicted, perSecond, phrase: counters.phrase };
    return [finding('evictions', 'ok', `No keys evicted ${counters.phrase}`, { detail: total > 0 ? lines.join('\n') : undefined, metrics })];
  }
  const status: Status = perSecond === undefined ? 'ok' : lifetimeCap(statusAbove(perSecond, t), counters);
  ctx.observed.evictions = { status, evicted, perSecond, phrase: counters.phrase };
  const rate = perSecond === undefined ? 'rate known at the next run' : `${formatRate(perSecond)}${average}`;
  if (status === 'ok') {
    lines.push(`Below ${formatRate(t.warn)}: the cache makes room as its policy says.`);
    return [finding('evictions', 'ok', `${counted(evicted, 'key')} evicted ${counters.phrase} (${rate}, policy ${policy})`, { detail: lines.join('\n'), metrics })];
  }
  return [
    finding('evictions', status, `Evicting ${rate} ${counters.phrase} (${counted(evicted, 'key')}, policy ${policy})`, {
      detail: lines.join('\n'),
      metrics,
      fix: EVICTIONS_FIX,
    }),
  ];
}
