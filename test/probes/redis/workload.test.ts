// Traffic induced for real on servers of their own: a miss-heavy workload, a consumer blocked in
// BLPOP, slow commands carrying values that must not leave the probe, and counters that go down
// between runs (CONFIG RESETSTAT, a restart).
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { ClientBag, privateServers, findingOf, infoField, runRedisProbe, waitFor } from './redis-helpers.ts';

const bag = new ClientBag();
const server = privateServers(bag);

/** `hits` GETs of an existing key and `misses` GETs of absent ones, pipelined. */
async function lookups(client: Redis, hits: number, misses: number): Promise<void> {
  await client.set('present', '1');
  const pipeline = client.pipeline();
  for (let i = 0; i < hits; i++) pipeline.get('present');
  for (let i = 0; i < misses; i++) pipeline.get(`absent:${i}`);
  await pipeline.exec();
}

describe('redis probe: hit rate', () => {
  it('reports a miss-heavy workload as a low hit rate once the lookups prove it, first from the totals, then over the window', async () => {
    const s = await server();
    const client = await bag.open(s.url, 'cache-reader');
    const store = new MemoryProbeStateStore();

    await lookups(client, 500, 100);
    const quiet = findingOf(await runRedisProbe(s.url, { store }), 'hit_rate');
    expect(quiet.status).toBe('ok');
    // 83% of 600: the true rate may still be above 80%.
    expect(quiet.title).toMatch(/^Hit rate 83% since the server started .+ ago: too few lookups to judge \(600\)$/);
    expect(quiet.detail).toMatch(/between 7\d(\.\d)?% and 8\d(\.\d)?% \(Wilson score bounds, 99\.99% confidence\)/);
    expect(quiet.metrics?.hit_pct).toBeUndefined();

    await lookups(client, 2_000, 10_000);
    const totals = findingOf(await runRedisProbe(s.url, { store }), 'hit_rate');
    // 12,000 lookups since the previous run: judged on those.
    expect(totals.status).toBe('crit');
    expect(totals.title).toMatch(/^Hit rate 1\d% in the last [\d.]+ s \(12,000 lookups\)$/);
    expect(totals.metrics).toMatchObject({ hits: 2_000, misses: 10_000 });
    // No key was evicted (no maxmemory): the fix looks at the reads, not the memory.
    expect(totals.fix).toMatch(/^no key was evicted in the last [\d.]+ s, so the misses are not the memory's fault: find which reads miss: keys never written/);

    // A fresh store is a first run: the totals since server start are judged, and it says so.
    // They are the server's whole life, not what happens now: a warning, never crit.
    const first = findingOf(await runRedisProbe(s.url), 'hit_rate');
    expect(first.status).toBe('warn');
    expect(first.title).toMatch(/^Hit rate 2\d% since the server started .+ ago \(12,600 lookups\)$/);
    expect(first.detail).toMatch(/No earlier run of this target: judged on the totals since the server started \(or the last CONFIG RESETSTAT\), which can warn but not go crit \(below 50%\); the next run judges the time in between\./);
    expect(first.fix).toMatch(/find which reads miss/);

    // A mostly-hit window after that: 80% and above is ok, between 50% and 80% a warning.
    await lookups(client, 1_400, 600);
    const window = findingOf(await runRedisProbe(s.url, { store }), 'hit_rate');
    expect(window.status).toBe('warn');
    expect(window.title).toMatch(/^Hit rate 70% in the last [\d.]+ s \(2,000 lookups, was 1\d%\)$/);
  });
});

describe('redis probe: hit rate evidence', () => {
  it('300 misses and no hit are crit; 3 misses are too few lookups to judge', async () => {
    const s = await server();
    const client = await bag.open(s.url, 'cache-reader');
    const store = new MemoryProbeStateStore();
    await runRedisProbe(s.url, { store });

    await lookups(client, 0, 3);
    const few = findingOf(await runRedisProbe(s.url, { store }), 'hit_rate');
    expect(few.status).toBe('ok');
    expect(few.title).toMatch(/^Hit rate 0% in the last [\d.]+ s: too few lookups to judge \(3\)$/);
    // No hit in 3 lookups still leaves a true rate up to about 82%.
    expect(few.detail).toMatch(/between 0% and 8\d(\.\d)?%/);
    expect(few.fix).toBeUndefined();
    expect(few.metrics).toEqual({ hits: 0, misses: 3 });

    await lookups(client, 0, 300);
    const many = findingOf(await runRedisProbe(s.url, { store }), 'hit_rate');
    expect(many.status).toBe('crit');
    expect(many.title).toMatch(/^Hit rate 0% in the last [\d.]+ s \(300 lookups\)$/);
    expect(many.detail).toMatch(/between 0% and 4\.\d% \(Wilson score bounds, 99\.99% confidence\); warn below 80%, crit below 50%, judged on the upper bound/);
    expect(many.fix).toMatch(/^no key was evicted in the last [\d.]+ s, so the misses are not the memory's fault: find which reads miss/);
    expect(many.metrics).toEqual({ hits: 0, misses: 300, hit_pct: 0 });

    // A healthy window after it: judged ok, and the previous run's rate is remembered.
    await lookups(client, 1_000, 0);
    const healthy = findingOf(await runRedisProbe(s.url, { store }), 'hit_rate');
    expect(healthy.status).toBe('ok');
    expect(healthy.title).toMatch(/^Hit rate 100% in the last [\d.]+ s \(1,000 lookups\)$/);
    expect(healthy.detail).toContain('The previous run measured 0%.');
  });
});

describe('redis probe: clients', () => {
  it('shows a client blocked in BLPOP, with its command', async () => {
    const s = await server();
    const consumer = await bag.open(s.url, 'queue-worker');
    consumer.blpop('jobs', 0).catch(() => {});
    const watcher = await bag.open(s.url, 'watcher');
    await waitFor(async () => (await infoField(watcher, 'clients', 'blocked_clients')) === '1', 5_000, 'the consumer to block');

    const f = findingOf(await runRedisProbe(s.url), 'clients');

    expect(f.status).toBe('ok');
    expect(f.title).toMatch(/^Clients 2\/10,000 \(<?0\.?\d*%\), 1 blocked \(BLPOP 1\)$/);
    expect(f.metrics).toMatchObject({ clients: 2, blocked: 1 });
    expect(f.detail).toMatch(/blocked: 127\.0\.0\.1:\d+ \(queue-worker\) in BLPOP for /);
    expect(f.detail).toMatch(/by name: (queue-worker 1, watcher 1|watcher 1, queue-worker 1)/);
  });

  it('warns about connections rejected at maxclients', async () => {
    const s = await server({ maxclients: '4' });
    for (let i = 0; i < 4; i++) await bag.open(s.url, `hog-${i}`);
    // The fifth connection is refused by the server ("max number of clients reached").
    await expect(bag.open(s.url, 'one-too-many')).rejects.toThrow();

    const findings = await runRedisProbe(s.url);

    // The probe itself cannot get in either: that is the finding.
    const reach = findingOf(findings, 'reachable');
    expect(reach.status).toBe('crit');
    expect(reach.title).toMatch(/^Unreachable: too many clients/);
    expect(reach.fix).toMatch(/maxclients/);
    bag.closeAll();

    // The server notices the hogs leaving a moment later.
    const admin = await waitFor(() => bag.open(s.url, 'admin').catch(() => undefined), 5_000, 'a free slot');
    await waitFor(async () => Number(await infoField(admin, 'clients', 'connected_clients')) === 1, 5_000, 'the hogs to leave');
    const f = findingOf(await runRedisProbe(s.url), 'clients');
    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/^Clients 1\/4 \(25%\); [2-9] connections rejected since the server started .+ ago/);
  });
});

describe('redis probe: slowlog', () => {
  it('reports slow commands with values masked, key names and clients kept', async () => {
    const s = await server({ 'enable-debug-command': 'yes', 'slowlog-log-slower-than': '0' });
    const app = await bag.open(s.url, 'billing-app');
    await app.set('user:42', 's3cr3t-token-value');
    await app.hset('profile:7', 'email', 'jane@example.com', 'phone', '555-0100');
    await app.mset('session:a', 'payload-a', 'session:b', 'payload-b');
    await app.call('CONFIG', ['SET', 'masterauth', 'replication-pass-123']);
    await app.call('DEBUG', ['SLEEP', '0.05']);
    const store = new MemoryProbeStateStore();

    const f = findingOf(await runRedisProbe(s.url, { store }), 'slowlog');

    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/^\d+ slow commands in the last 15 min, slowest \d+ ms: DEBUG \? \?$/);
    expect(f.detail).toContain('SET user:42 ? from 127.0.0.1:');
    expect(f.detail).toContain('(billing-app)');
    expect(f.detail).toContain('HSET profile:7 ? ? ? ?');
    expect(f.detail).toContain('MSET session:a ? session:b ?');
    expect(f.detail).toContain('CONFIG SET ? ?');
    expect(f.detail).toMatch(/logged when slower than 0 µs/);
    const text = JSON.stringify(f);
    for (const secret of ['s3cr3t-token-value', 'jane@example.com', '555-0100', 'payload-a', 'replication-pass-123', 'masterauth']) {
      expect(text).not.toContain(secret);
    }
    // The probe's own commands are logged too, and left out: by name, and its HELLO (sent before
    // the name is set) by address or as an unnamed handshake.
    expect(f.detail).not.toMatch(/HELLO|CLIENT LIST|SLOWLOG|COMMAND INFO|MEMORY DOCTOR|LATENCY DOCTOR|chatops-probe/);

    // The next run compares entry ids: only what ran since is new.
    const quiet = findingOf(await runRedisProbe(s.url, { store }), 'slowlog');
    expect(quiet.status).toBe('ok');
    expect(quiet.title).toMatch(/^No slow commands in the last [\d.]+ s \(\d+ older entries\)$/);

    await app.get('user:43');
    const again = findingOf(await runRedisProbe(s.url, { store }), 'slowlog');
    expect(again.status).toBe('warn');
    expect(again.title).toMatch(/^1 slow command in the last [\d.]+ s, slowest .*: GET user:43$/);
  });

  it('says so when the slowlog is disabled', async () => {
    const s = await server({ 'slowlog-log-slower-than': '-1' });

    const f = findingOf(await runRedisProbe(s.url), 'slowlog');

    expect(f.status).toBe('unknown');
    expect(f.title).toMatch(/^Slowlog disabled/);
  });
});

describe('redis probe: counters that go down between runs', () => {
  it('starts a new baseline after CONFIG RESETSTAT: no negative rates', async () => {
    const s = await server({ maxmemory: '3mb', 'maxmemory-policy': 'allkeys-lru' });
    const client = await bag.open(s.url, 'app');
    const pipeline = client.pipeline();
    for (let i = 0; i < 500; i++) pipeline.set(`blob:${i}`, 'x'.repeat(10_000));
    await pipeline.exec();
    await lookups(client, 3_000, 9_000);
    const store = new MemoryProbeStateStore();
    await runRedisProbe(s.url, { store });

    await client.flushall();
    await client.call('CONFIG', ['RESETSTAT']);
    await lookups(client, 10, 20);

    const findings = await runRedisProbe(s.url, { store });

    for (const f of findings) {
      for (const [name, value] of Object.entries(f.metrics ?? {})) {
        expect(value, `${f.check} ${name}`).toBeGreaterThanOrEqual(0);
      }
    }
    const e = findingOf(findings, 'evictions');
    expect(e.status).toBe('ok');
    expect(e.title).toMatch(/^No keys evicted since the statistics were reset/);
    // 10 hits in 30 lookups: even the upper bound (about 66%) is below 80%.
    const h = findingOf(findings, 'hit_rate');
    expect(h.status).toBe('warn');
    expect(h.title).toMatch(/^Hit rate 33% since the statistics were reset \(within the last [^)]+\) \(30 lookups\)$/);
  });

  it('notices a restart (a new run id) and reports the totals since', async () => {
    const store = new MemoryProbeStateStore();
    const before = await server();
    const c1 = await bag.open(before.url, 'app');
    await lookups(c1, 20_000, 1_000);
    await runRedisProbe(before.url, { store, name: 'restarting' });
    bag.closeAll();
    await before.stop();

    // The same target, now served by a fresh process (a new run id, low counters).
    const after = await server();
    const c2 = await bag.open(after.url, 'app');
    await lookups(c2, 100, 12_000);

    const findings = await runRedisProbe(after.url, { store, name: 'restarting' });

    const h = findingOf(findings, 'hit_rate');
    expect(h.status).toBe('crit');
    expect(h.title).toMatch(/^Hit rate <?\d+(\.\d)?% since the server restarted [^)]+ ago \(12,100 lookups\)$/);
    expect(h.metrics).toMatchObject({ hits: 100, misses: 12_000 });
    expect(findingOf(findings, 'slowlog').title).toMatch(/since the server restarted/);
  });
});
