// Memory faults induced for real on small servers of their own: a full server that refuses
// writes (noeviction), and a cache that evicts (allkeys-lru), probed twice to see the rate. A
// cache at its limit is not an incident by itself: its memory, evictions and hit rate are one
// story, told as one root-cause finding when the evictions fire; a low hit rate next to evictions
// within their rate is the reads' story, not the memory's.
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { buildReport } from '../../../src/report.ts';
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

/** `hits` GETs of a small key just written and `misses` GETs of keys that are not there. */
async function lookups(client: Redis, hits: number, misses: number): Promise<void> {
  await client.set('hot', '1');
  const pipeline = client.pipeline();
  for (let i = 0; i < hits; i++) pipeline.get('hot');
  for (let i = 0; i < misses; i++) pipeline.get(`never-written:${i}`);
  await pipeline.exec();
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
    expect(f.detail).not.toMatch(/Fix:/);
    expect(f.fix).toMatch(/^raise maxmemory/);
    expect(f.metrics?.pct).toBeGreaterThanOrEqual(100);
    // Nothing was evicted: the data just stops growing.
    expect(findingOf(findings, 'evictions').status).toBe('ok');
    expect(buildReport('cache', 'redis', new Date(), findings).status).toBe('crit');
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

  it('a cache filled past maxmemory under allkeys-lru is no incident: memory, evictions and hit rate are one root-cause finding, never crit', async () => {
    const s = await server({ maxmemory: '3mb', 'maxmemory-policy': 'allkeys-lru' });
    const client = await bag.open(s.url, 'filler');
    expect(await fill(client, 0, 600)).toBeUndefined();
    expect(Number(await infoField(client, 'stats', 'evicted_keys'))).toBeGreaterThan(0);
    const store = new MemoryProbeStateStore();

    const first = await runRedisProbe(s.url, { store });

    // Hundreds of keys evicted within a second or two of the start: the average rate is over 100 keys/s.
    const m1 = findingOf(first, 'memory');
    expect(m1.status).toBe('warn');
    expect(m1.rootCause).toBe(true);
    expect(m1.title).toMatch(/^Cache at maxmemory 3\.0 MB \(policy allkeys-lru\): evicting [\d,]+ keys\/s$/);
    expect(m1.effects).toEqual([expect.stringMatching(/^[\d,]+ keys evicted since the server started .+ ago: [\d,]+ keys\/s$/)]);
    expect(m1.detail).toMatch(/a cache evicting as configured|A cache under an eviction policy fills up to maxmemory/);
    expect(m1.fix).toMatch(/^give the working set room: raise maxmemory/);
    expect(first.some((f) => f.check === 'redis.evictions')).toBe(false);
    expect(findingOf(first, 'hit_rate').status).toBe('ok');
    expect(first.filter((f) => f.status === 'crit')).toEqual([]);
    const report1 = buildReport('cache', 'redis', new Date(), first);
    expect(report1.status).toBe('warn');
    expect(report1.findings[0]!.check).toBe('redis.memory');
    const totalFirst = m1.metrics!.evicted_total!;
    expect(m1.metrics?.evicted).toBe(totalFirst);

    // The same lifetime average against a crit rate it exceeds: a first run warns, never crit.
    const capped = await runRedisProbe(s.url, { thresholds: { evictions: { warn: 1, crit: 2 } } });
    const mc = findingOf(capped, 'memory');
    expect(mc.rootCause).toBe(true);
    expect(mc.status).toBe('warn');
    expect(mc.detail).toContain('the rate is the average since the server started, which can warn but not go crit');
    expect(capped.filter((f) => f.status === 'crit')).toEqual([]);

    // More writes evict more (well above a warn rate of 10 keys/s), and 30% of the reads miss: the hit rate joins the story.
    expect(await fill(client, 1_000, 200)).toBeUndefined();
    await lookups(client, 700, 300);
    const second = await runRedisProbe(s.url, { store, thresholds: { evictions: { warn: 10, crit: Infinity } } });

    const m2 = findingOf(second, 'memory');
    expect(m2.rootCause).toBe(true);
    expect(m2.status).toBe('warn');
    expect(m2.title).toMatch(/^Cache too small for its working set: at maxmemory 3\.0 MB \(policy allkeys-lru\), hit rate 70%$/);
    const growth = m2.metrics!.evicted_total! - totalFirst;
    expect(growth).toBeGreaterThanOrEqual(150);
    expect(m2.metrics?.evicted).toBe(growth);
    expect(m2.effects).toEqual([
      expect.stringMatching(new RegExp(`^${growth.toLocaleString('en-US')} keys evicted in the last [\\d.]+ s: [\\d,]+ keys/s$`)),
      expect.stringMatching(/^hit rate 70% in the last [\d.]+ s \(1,000 lookups\)$/),
    ]);
    expect(m2.fix).toMatch(/if the misses are not evictions: find which reads miss/);
    expect(second.map((f) => f.check)).not.toContain('redis.evictions');
    expect(second.map((f) => f.check)).not.toContain('redis.hit_rate');
    expect(second.filter((f) => f.rootCause)).toHaveLength(1);
    expect(second.filter((f) => f.status === 'crit')).toEqual([]);
    expect(buildReport('cache', 'redis', new Date(), second).status).toBe('warn');
  });

  it('a cache at maxmemory evicting slowly with a good hit rate: every finding ok, memory said to work as configured', async () => {
    const s = await server({ maxmemory: '3mb', 'maxmemory-policy': 'allkeys-lru' });
    const client = await bag.open(s.url, 'filler');
    expect(await fill(client, 0, 600)).toBeUndefined();
    const store = new MemoryProbeStateStore();
    await runRedisProbe(s.url, { store });

    // A handful of new keys evict a handful of old ones; reads hit a small key (large replies
    // would fill the client's output buffer, which counts against maxmemory and evicts more).
    expect(await fill(client, 2_000, 3)).toBeUndefined();
    await lookups(client, 2_000, 0);
    const findings = await runRedisProbe(s.url, { store, thresholds: { evictions: { warn: 1_000, crit: Infinity } } });

    const m = findingOf(findings, 'memory');
    expect(m.status).toBe('ok');
    expect(m.rootCause).toBeUndefined();
    expect(m.title).toMatch(/^Memory [\d.]+ MB of 3\.0 MB \(\d+(\.\d)?%\), policy allkeys-lru: at the limit, a cache evicting as configured$/);
    const e = findingOf(findings, 'evictions');
    expect(e.status).toBe('ok');
    expect(e.title).toMatch(/^\d+ keys? evicted in the last [\d.]+ s \([\d.]+ keys\/s, policy allkeys-lru\)$/);
    const h = findingOf(findings, 'hit_rate');
    expect(h.status).toBe('ok');
    expect(h.metrics?.hit_pct).toBe(100);
    expect(findings.filter((f) => f.rootCause || f.status === 'crit')).toEqual([]);
  });

  it('a cache at maxmemory evicting slowly whose reads ask for keys never written: the hit rate is its own finding, not "cache too small"', async () => {
    const s = await server({ maxmemory: '3mb', 'maxmemory-policy': 'allkeys-lru' });
    const client = await bag.open(s.url, 'filler');
    expect(await fill(client, 0, 600)).toBeUndefined();
    const store = new MemoryProbeStateStore();
    await runRedisProbe(s.url, { store });

    // A few new keys evict a few old ones (below the warn rate), and 300 reads ask for keys that never existed.
    expect(await fill(client, 2_000, 3)).toBeUndefined();
    await lookups(client, 0, 300);
    const findings = await runRedisProbe(s.url, { store, thresholds: { evictions: { warn: 1_000, crit: Infinity } } });

    const e = findingOf(findings, 'evictions');
    expect(e.status).toBe('ok');
    expect(e.metrics?.evicted).toBeGreaterThan(0);
    const m = findingOf(findings, 'memory');
    expect(m.status).toBe('ok');
    expect(m.rootCause).toBeUndefined();
    expect(m.effects).toBeUndefined();
    const h = findingOf(findings, 'hit_rate');
    expect(h.status).toBe('crit');
    expect(h.title).toMatch(/^Hit rate 0% in the last [\d.]+ s \(300 lookups\)$/);
    expect(h.fix).toMatch(
      /^the evictions are within their rate \(\d+ keys? in the last [\d.]+ s\), too few to blame the memory for the misses: find which reads miss: keys never written \(check the key naming between writer and reader\)/,
    );
    expect(h.fix).not.toMatch(/maxmemory/);
    expect(findings.some((f) => f.rootCause || /Cache too small/.test(f.title))).toBe(false);
    const report = buildReport('cache', 'redis', new Date(), findings);
    expect(report.status).toBe('crit');
    expect(report.findings[0]!.check).not.toBe('redis.memory');
  });
});
