// Memory faults induced for real on small servers of their own: a full server that refuses
// writes (noeviction), and one that evicts (allkeys-lru), probed twice to see the growth.
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { ClientBag, privateServers, findingOf, infoField, runRedisProbe } from './redis-helpers.ts';

const bag = new ClientBag();
const server = privateServers(bag);

const VALUE = 'x'.repeat(10_000);

/** Writes 10 kB values from `from` on; returns the first write error (OOM) or undefined. */
async function fill(client: Redis, from: number, count: number): Promise<Error | undefined> {
  const pipeline = client.pipeline();
  for (let i = from; i < from + count; i++) pipeline.set(`blob:${i}`, VALUE);
  const results = (await pipeline.exec()) ?? [];
  return results.find(([err]) => err)?.[0] ?? undefined;
}

describe('redis probe: memory', () => {
  it('reports a server at maxmemory with noeviction as crit: writes fail', async () => {
    const s = await server({ maxmemory: '3mb', 'maxmemory-policy': 'noeviction' });
    const client = await bag.open(s.url, 'filler');
    const oom = await fill(client, 0, 600);
    expect(oom?.message).toMatch(/^OOM /);

    const findings = await runRedisProbe(s.url);

    const f = findingOf(findings, 'memory');
    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/^Memory at the limit: [\d.]+ MB of 3\.0 MB \(10\d%\), policy noeviction: writes fail with OOM$/);
    expect(f.detail).toMatch(/commands refused with OOM since server start/);
    expect(f.detail).toMatch(/Fix: raise maxmemory/);
    expect(f.metrics?.pct).toBeGreaterThanOrEqual(100);
    // Nothing was evicted: the data just stops growing.
    expect(findingOf(findings, 'evictions').status).toBe('ok');
  });

  it('treats volatile-lru with no key carrying a TTL like noeviction', async () => {
    const s = await server({ maxmemory: '3mb', 'maxmemory-policy': 'volatile-lru' });
    const client = await bag.open(s.url, 'filler');
    expect((await fill(client, 0, 600))?.message).toMatch(/^OOM /);

    const f = findingOf(await runRedisProbe(s.url), 'memory');

    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/policy volatile-lru: writes fail with OOM$/);
    expect(f.detail).toMatch(/no key has a TTL: nothing can be evicted/);
  });

  it('reports evictions under allkeys-lru, then their growth over the window on the next run', async () => {
    const s = await server({ maxmemory: '3mb', 'maxmemory-policy': 'allkeys-lru' });
    const client = await bag.open(s.url, 'filler');
    expect(await fill(client, 0, 600)).toBeUndefined();
    expect(Number(await infoField(client, 'stats', 'evicted_keys'))).toBeGreaterThan(0);
    const store = new MemoryProbeStateStore();

    const first = await runRedisProbe(s.url, { store });

    // The probe's own commands may evict a few more keys: read the count from the finding.
    const e1 = findingOf(first, 'evictions');
    expect(e1.status).toBe('warn');
    expect(e1.title).toMatch(/^[\d,]+ keys evicted since server start \(up [^)]+\); memory still at [\d.]+% of maxmemory$/);
    expect(e1.detail).toMatch(/next run reports the growth/);
    const totalFirst = e1.metrics!.evicted_total!;
    expect(e1.metrics?.evicted).toBe(totalFirst);
    // At the limit, as a cache under allkeys-lru is: the memory thresholds apply as they are.
    expect(['warn', 'crit']).toContain(findingOf(first, 'memory').status);
    expect(findingOf(first, 'memory').title).toMatch(/policy allkeys-lru/);

    expect(await fill(client, 1_000, 200)).toBeUndefined();
    const second = await runRedisProbe(s.url, { store });

    const e2 = findingOf(second, 'evictions');
    expect(e2.status).toBe('warn');
    const growth = e2.metrics!.evicted_total! - totalFirst;
    expect(growth).toBeGreaterThanOrEqual(150);
    expect(e2.metrics?.evicted).toBe(growth);
    expect(e2.title).toBe(`${growth.toLocaleString('en-US')} keys evicted in the last ${e2.title.match(/in the last ([\d.]+ s)/)?.[1]} (policy allkeys-lru)`);
    expect(e2.metrics?.window_s).toBeLessThan(60);
  });
});
