// A Redis at maxmemory under an eviction policy, evicting too fast, and missing reads because of
// it, is one story, not three findings: the memory limit is the root cause, the eviction rate and
// the hit rate's drop are what it does. Only when the evictions themselves fire (above their warn
// rate) while memory sits at the limit do the findings become one root-cause finding on the memory
// check, with one effect line per consequence and one fix. Evictions within their rate are the
// cache working as configured: a low hit rate next to them stays its own finding, and its fix says
// the misses are not the memory's fault.
import type { Finding, Status } from '../../report.ts';
import { worstStatus } from '../../report.ts';
import { checkId } from '../probe-definition.ts';
import { finding, KIND, type CacheObservations } from './check-context.ts';
import { formatRate } from './checks/evictions.ts';
import { HIT_RATE_FIX, MISSES_NOT_MEMORY_FIX } from './checks/hit-rate.ts';
import { counted, formatBytes, formatCount, formatPct } from '../format.ts';

const MEMORY = checkId(KIND, 'memory');
const EVICTIONS = checkId(KIND, 'evictions');
const HIT_RATE = checkId(KIND, 'hit_rate');

const fires = (s: Status | undefined) => s === 'warn' || s === 'crit';

export function mergeCacheStory(findings: readonly Finding[], observed: CacheObservations): Finding[] {
  const { memory, evictions, hitRate } = observed;
  const hitFires = fires(hitRate?.status);
  if (!evictions) return [...findings];
  if (!fires(evictions.status)) return hitFires ? withMissesFix(findings, evictions) : [...findings];
  if (!memory?.evictingPolicy || !memory.nearLimit || evictions.evicted === 0) return [...findings];
  const memoryFinding = findings.find((f) => f.check === MEMORY);
  const evictionsFinding = findings.find((f) => f.check === EVICTIONS);
  const hitFinding = findings.find((f) => f.check === HIT_RATE);
  if (!memoryFinding || !evictionsFinding || !hitFinding) return [...findings];

  const effects: string[] = [];
  const rate = evictions.perSecond !== undefined ? `evicting ${formatRate(evictions.perSecond)}` : 'evicting';
  effects.push(`${counted(evictions.evicted, 'key')} evicted ${evictions.phrase}${evictions.perSecond !== undefined ? `: ${formatRate(evictions.perSecond)}` : ''}`);
  if (hitRate && hitFires) {
    const was = hitRate.previousPct !== undefined ? `, was ${formatPct(hitRate.previousPct)}` : '';
    effects.push(`hit rate ${formatPct(hitRate.pct)} ${hitRate.phrase} (${formatCount(hitRate.lookups)} lookups${was})`);
  }
  if (memoryFinding.status !== 'ok') effects.push(memoryFinding.title);

  const status = worstStatus([memoryFinding.status, evictionsFinding.status, hitFires ? hitFinding.status : 'ok']);
  const limit = `${formatBytes(memory.maxmemoryBytes)} (policy ${memory.policy})`;
  const title = hitFires && hitRate
    ? `Cache too small for its working set: at maxmemory ${limit}, hit rate ${formatPct(hitRate.pct)}`
    : `Cache at maxmemory ${limit}: ${rate}`;
  const detail = [memoryFinding.detail, evictionsFinding.detail, hitFires ? hitFinding.detail : undefined].filter((d): d is string => !!d).join('\n');
  const fix =
    'give the working set room: raise maxmemory if the host has room (CONFIG SET maxmemory <bytes>, and in the config file), or store less (shorter TTLs on keys that are not read again, smaller values); ' +
    'find what dominates (redis-cli --bigkeys off-peak)' +
    (hitFires ? `; if the misses are not evictions: ${HIT_RATE_FIX}` : '.');
  const root = finding('memory', status, title, {
    detail,
    metrics: { ...evictionsFinding.metrics, ...(hitFires ? hitFinding.metrics : {}), ...memoryFinding.metrics },
    fix,
    rootCause: true,
    effects,
    merged: [evictionsFinding.check, ...(hitFires ? [hitFinding.check] : [])],
  });
  const out: Finding[] = [];
  for (const f of findings) {
    if (f === memoryFinding) out.push(root);
    else if (f === evictionsFinding || (hitFires && f === hitFinding)) continue;
    else out.push(f);
  }
  return out;
}

/** A low hit rate next to evictions within their rate: the fix looks at the reads, not the memory. */
function withMissesFix(findings: readonly Finding[], evictions: NonNullable<CacheObservations['evictions']>): Finding[] {
  const evicted = `${counted(evictions.evicted, 'key')} ${evictions.phrase}`;
  const why =
    evictions.evicted === 0
      ? `no key was evicted ${evictions.phrase}, so the misses are not the memory's fault: `
      : evictions.perSecond === undefined
        ? `${evicted} evicted, rate known at the next run; unless the misses are of evicted keys: `
        : `the evictions are within their rate (${evicted}), too few to blame the memory for the misses: `;
  return findings.map((f) => (f.check === HIT_RATE && fires(f.status) ? { ...f, fix: why + MISSES_NOT_MEMORY_FIX } : f));
}
