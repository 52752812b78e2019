// used_memory against maxmemory and the eviction policy. Redis compares maxmemory with used_memory
// minus replication and AOF buffers (mem_not_countedBytesfor_evict), so the probe does too. At the
// limit with noeviction every write fails with OOM; a volatile-* policy with no key carrying a TTL
// has nothing to evict and behaves the same. Under an eviction policy the limit is where a cache is
// meant to sit: the memory is information, and the evictions and hit rate say whether it hurts;
// only writes refused with OOM since the previous run make it a warning.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, round, statusAbove, type CheckContext } from '../check-context.ts';
import { errorCount, keyspace, num } from '../info.ts';
import { counted, formatBytes, formatCount, formatPct } from '../../format.ts';

export const MEMORY_FULL_FIX =
  'raise maxmemory (CONFIG SET maxmemory <bytes>, and in the config file), or for a cache choose an eviction policy such as allkeys-lru; ' +
  'give keys TTLs; find what grows (MEMORY USAGE on suspect keys, redis-cli --bigkeys off-peak).';

export async function checkMemory(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { info, counters } = ctx;
  const used = num(info, 'used_memory');
  if (used === undefined) return [finding('memory', 'unknown', 'Memory: INFO has no used_memory (not a Redis server, or INFO memory hidden)')];
  const maxmemory = num(info, 'maxmemory') ?? 0;
  const policy = info.get('maxmemory_policy') ?? 'unknown';
  const countedBytes = Math.max(0, used - (num(info, 'mem_not_countedBytesfor_evict') ?? 0));
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

  const pct = (countedBytes / maxmemory) * 100;
  metrics.pct = round(pct);
  const atLimit = countedBytes >= maxmemory;
  const nearLimit = pct >= t.warn;
  const usage = `${formatBytes(countedBytes)} of ${formatBytes(maxmemory)} (${formatPct(pct)}), policy ${policy}`;
  let status: Status;
  let title: string;
  let fix: string | undefined;
  if (nothingToEvict) {
    status = atLimit ? 'crit' : statusAbove(pct, t);
    if (atLimit) title = `Memory at the limit: ${usage}: writes fail with OOM`;
    else title = `Memory ${usage}${status !== 'ok' ? ': writes will fail at the limit' : ''}`;
    if (status !== 'ok') fix = MEMORY_FULL_FIX;
  } else {
    // An eviction policy: at the limit is a cache working as configured, unless writes are refused anyway.
    const refused = counters.basis === 'previous-run' && counters.previous?.oomErrors !== undefined ? Math.max(0, (counters.current.oomErrors ?? 0) - counters.previous.oomErrors) : 0;
    if (refused > 0) {
      status = 'warn';
      title = `Memory ${usage}: ${counted(refused, 'write')} refused with OOM ${counters.phrase} although the policy evicts`;
      lines.push('Eviction could not free enough: too few keys it may evict (a volatile-* policy and few keys with a TTL), or memory held outside the data (client buffers, a value larger than what eviction frees).');
      fix = 'give keys TTLs or use an allkeys-* policy, raise maxmemory if the host has room, and check client output buffers (CLIENT LIST omem) and the largest values (redis-cli --bigkeys off-peak).';
    } else {
      status = 'ok';
      title = `Memory ${usage}${nearLimit ? ': at the limit, a cache evicting as configured' : ''}`;
      if (nearLimit) lines.push('A cache under an eviction policy fills up to maxmemory and evicts to make room: the evictions and the hit rate say whether the working set fits.');
    }
  }
  ctx.observed.memory = { status, evictingPolicy: !nothingToEvict, nearLimit, policy, usedBytes: countedBytes, maxmemoryBytes: maxmemory, pct };
  return [finding('memory', status, title, { detail: lines.join('\n'), metrics, ...(fix !== undefined && { fix }) })];
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
