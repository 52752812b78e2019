// mem_fragmentation_ratio = RSS / used_memory. A high ratio on a small instance is noise (the
// allocator's fixed overhead), so it warns only together with a large absolute difference. A ratio
// below 1 means the OS holds less in RAM than Redis allocated: part of it is swapped out, which
// turns every access to those pages into a disk read.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, round, type CheckContext } from '../check-context.ts';
import { num } from '../info.ts';
import { formatBytes } from '../../format.ts';

/** Extra RSS needed before a high ratio counts. */
export const MIN_FRAGMENTATION_BYTES = 100 * 1024 * 1024;
/** Missing RSS needed before a ratio below 1 counts as swapping. */
export const MIN_SWAPPED_BYTES = 10 * 1024 * 1024;

export async function checkFragmentation(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { info } = ctx;
  const used = num(info, 'used_memory');
  const rss = num(info, 'used_memory_rss');
  if (used === undefined || rss === undefined || used <= 0) {
    return [finding('fragmentation', 'unknown', 'Fragmentation: INFO has no used_memory / used_memory_rss')];
  }
  const ratio = num(info, 'mem_fragmentation_ratio') ?? rss / used;
  const bytes = num(info, 'mem_fragmentation_bytes') ?? rss - used;
  const lines = [`RSS ${formatBytes(rss)} for ${formatBytes(used)} allocated (ratio ${ratio.toFixed(2)}, ${bytes >= 0 ? '+' : '-'}${formatBytes(Math.abs(bytes))})`];
  const allocatorRatio = num(info, 'allocator_frag_ratio');
  if (allocatorRatio !== undefined) lines.push(`allocator fragmentation ${allocatorRatio.toFixed(2)} (what active defrag can recover), RSS overhead ${(num(info, 'rss_overhead_ratio') ?? 0).toFixed(2)}`);
  if (num(info, 'active_defrag_running')) lines.push('active defragmentation is running now');
  const metrics = { ratio: round(ratio, 2), fragmentation_bytes: bytes, rss_bytes: rss, used_bytes: used };

  if (ratio < t.crit && -bytes >= MIN_SWAPPED_BYTES) {
    return [
      finding('fragmentation', 'crit', `Memory swapped out: RSS ${formatBytes(rss)} below the ${formatBytes(used)} Redis allocated (ratio ${ratio.toFixed(2)})`, {
        detail: lines.join('\n'),
        metrics,
        fix: 'the host is short of RAM: give it more memory or lower maxmemory; check swap use (vmstat, /proc/<pid>/status VmSwap) and other processes on the host.',
      }),
    ];
  }
  if (ratio > t.warn && bytes >= MIN_FRAGMENTATION_BYTES) {
    return [
      finding('fragmentation', 'warn', `Fragmentation ratio ${ratio.toFixed(2)}: ${formatBytes(bytes)} of RSS beyond the data`, {
        detail: lines.join('\n'),
        metrics,
        fix: 'see MEMORY DOCTOR; with jemalloc enable active defragmentation (CONFIG SET activedefrag yes); a restart (failover to a replica first) returns the memory at once.',
      }),
    ];
  }
  const small = ratio > t.warn || ratio < t.crit ? ` (${formatBytes(Math.abs(bytes))} difference: too small to matter)` : '';
  return [finding('fragmentation', 'ok', `Fragmentation ratio ${ratio.toFixed(2)}${small}`, { detail: lines.join('\n'), metrics })];
}
