// used_memory against maxmemory and the eviction policy. Redis compares maxmemory with used_memory
// minus replication and AOF buffers (mem_not_counted_for_evict), so the probe does too. At the
// limit with noeviction every write fails with OOM; a volatile-* policy with no key carrying a TTL
// has nothing to evict and behaves the same.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, round, statusAbove, type CheckContext } from '../check-context.ts';
import { errorCount, keyspace, num } from '../info.ts';
import { formatBytes, formatCount, formatPct } from '../../format.ts';

export async function checkMemory(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { info } = ctx;
  const used = num(info, 'used_memory');
  if (used === undefined) return [finding('memory', 'unknown', 'Memory: INFO has no used_memory (not a Redis server, or INFO memory hidden)')];
  const maxmemory = num(info, 'maxmemory') ?? 0;
  const policy = info.get('maxmemory_policy') ?? 'unknown';
  const counted = Math.max(0, used - (num(info, 'mem_not_counted_for_evict') ?? 0));
  const ks = keyspace(info);
  const oomErrors = errorCount(info, 'OOM');
  // volatile-* evicts only keys with a TTL: none means nothing can be evicted.
  const nothingToEvict = policy === 'noeviction' || (policy.startsWith('volatile-') && ks.expires === 0);

  const lines = [
    `used ${formatBytes(used)}: ${breakdown(ctx)}; peak ${formatBytes(num(info, 'used_memory_peak') ?? used)}`,
    `keys ${formatCount(ks.keys)} (${formatCount(ks.expires)} with a TTL)${ks.databases.length > 1 ? `: ${ks.databases.slice(0, 4).map((d) => `${d.db} ${formatCount(d.keys)}`).join(', ')}` : ''}`,
    `maxmemory-policy ${policy}${policy.startsWith('volatile-') && ks.expires === 0 ? ' but no key has a TTL: nothing can be evicted' : ''}`,
  ];
  if (oomErrors) lines.push(`${formatCount(oomErrors)} commands refused with OOM since server start`);
  const metrics: Record<string, number> = { used_bytes: used, maxmemory_bytes: maxmemory, keys: ks.keys };

  if (maxmemory <= 0) {
    const system = num(info, 'total_system_memory') ?? 0;
    if (system > 0) lines.push(`${formatPct((used / system) * 100)} of the host's ${formatBytes(system)} (no limit: Redis grows until the OS stops it)`);
    return [
      finding('memory', 'ok', `Memory ${formatBytes(used)} used, no maxmemory limit (policy ${policy})`, {
        detail: lines.join('\n'),
        metrics,
      }),
    ];
  }

  const pct = (counted / maxmemory) * 100;
  metrics.pct = round(pct);
  let status: Status = statusAbove(pct, t);
  const atLimit = counted >= maxmemory;
  let title: string;
  if (nothingToEvict && atLimit) {
    status = 'crit';
    title = `Memory at the limit: ${formatBytes(counted)} of ${formatBytes(maxmemory)} (${formatPct(pct)}), policy ${policy}: writes fail with OOM`;
  } else {
    title = `Memory ${formatBytes(counted)} of ${formatBytes(maxmemory)} (${formatPct(pct)}), policy ${policy}`;
    if (nothingToEvict && status !== 'ok') title += ': writes will fail at the limit';
    else if (atLimit) title += ': evicting keys to make room';
  }
  if (status !== 'ok') {
    lines.push(
      nothingToEvict
        ? 'Fix: raise maxmemory (CONFIG SET maxmemory <bytes>, and in the config file), or for a cache choose an eviction policy such as allkeys-lru; give keys TTLs; find what grows (MEMORY USAGE on suspect keys, redis-cli --bigkeys off-peak).'
        : 'Fix: raise maxmemory if the host has room, give keys TTLs, and find what grows (redis-cli --bigkeys off-peak); evictions will keep the cache at the limit.',
    );
  }
  return [finding('memory', status, title, { detail: lines.join('\n'), metrics })];
}

/** Where the memory goes: dataset vs overhead, and the overheads that can explode (client buffers, replication). */
function breakdown(ctx: CheckContext): string {
  const { info } = ctx;
  const parts: Array<[string, number | undefined]> = [
    ['dataset', num(info, 'used_memory_dataset')],
    ['client buffers', num(info, 'mem_clients_normal')],
    ['replica buffers', num(info, 'mem_clients_slaves')],
    ['replication backlog', num(info, 'mem_replication_backlog')],
    ['AOF buffer', num(info, 'mem_aof_buffer')],
    ['scripts', num(info, 'used_memory_scripts')],
  ];
  const shown = parts.filter((p): p is [string, number] => p[1] !== undefined && p[1] > 0).sort((a, b) => b[1] - a[1]);
  return shown.length ? shown.map(([k, v]) => `${k} ${formatBytes(v)}`).join(', ') : 'no breakdown in INFO';
}
