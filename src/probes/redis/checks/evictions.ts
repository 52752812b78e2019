// evicted_keys counts from server start, so "is it evicting now?" needs the previous run's value:
// any growth since then is a warning. Without an earlier run the total only says evictions
// happened at some point; it is a warning only while memory still sits at the limit.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, type CheckContext } from '../check-context.ts';
import { num } from '../info.ts';
import { counted, formatCount, formatPct } from '../../format.ts';

export async function checkEvictions(ctx: CheckContext, memory: Thresholds): Promise<Finding[]> {
  const { info, counters } = ctx;
  const policy = info.get('maxmemory_policy') ?? 'unknown';
  const maxmemory = num(info, 'maxmemory') ?? 0;
  const used = Math.max(0, (num(info, 'used_memory') ?? 0) - (num(info, 'mem_not_counted_for_evict') ?? 0));
  const pct = maxmemory > 0 ? (used / maxmemory) * 100 : 0;
  const evicted = counters.delta('evictedKeys');
  const total = counters.current.evictedKeys;
  const evictedClients = num(info, 'evicted_clients') ?? 0;

  const lines = [
    `${formatCount(total)} keys evicted since server start (or the last CONFIG RESETSTAT); policy ${policy}` +
      (maxmemory > 0 ? `, memory at ${formatPct(pct)} of maxmemory` : ', no maxmemory set'),
  ];
  if (evictedClients > 0) lines.push(`${counted(evictedClients, 'client')} disconnected by maxmemory-clients since server start`);
  const metrics = { evicted: evicted, evicted_total: total, window_s: Math.round(counters.windowS ?? 0) };
  const fix = 'Fix: evicted keys are cache misses to come: give the instance more memory (maxmemory) or store less (shorter TTLs, smaller values); check whether one key pattern dominates (redis-cli --bigkeys off-peak).';

  if (counters.basis === 'previous-run') {
    if (evicted > 0) {
      lines.push(fix);
      return [finding('evictions', 'warn', `${counted(evicted, 'key')} evicted ${counters.phrase} (policy ${policy})`, { detail: lines.join('\n'), metrics })];
    }
    return [finding('evictions', 'ok', `No keys evicted ${counters.phrase}`, { detail: total > 0 ? lines.join('\n') : undefined, metrics })];
  }
  if (total === 0) {
    return [finding('evictions', 'ok', `No keys evicted ${counters.phrase}`, { metrics })];
  }
  // Totals only: evicting now is likely when memory is still at the eviction threshold.
  const nearLimit = maxmemory > 0 && pct >= memory.warn;
  lines.push(
    counters.basis === 'server-start'
      ? 'No earlier run of this target to compare with: the next run reports the growth since this one.'
      : 'The counters started over since the last run: the next run reports the growth since this one.',
  );
  if (nearLimit) lines.push(fix);
  const title = `${counted(total, 'key')} evicted ${counters.phrase}` + (nearLimit ? `; memory still at ${formatPct(pct)} of maxmemory` : '; growth not known yet');
  return [finding('evictions', nearLimit ? 'warn' : 'ok', title, { detail: lines.join('\n'), metrics })];
}
