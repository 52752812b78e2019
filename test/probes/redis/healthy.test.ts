// A healthy server (a redis-server of this file's own: the suite's shared one also serves the bots'
// coordination tests, whose lookups would move its hit rate) and the probe's definition: every check ok,
// the target schema, the registry, and a proof that a run touches no keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKind } from '../../../src/probes/redis/redis-kind.ts';
import { allCheckIds, findProbe } from '../../../src/probes/probe-registry.ts';
import { resolveThresholds } from '../../../src/probes/probe-definition.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { startTestRedis, type RunningRedis } from '../../support/start-test-redis.ts';
import { ClientBag, findingOf, runRedisProbe, timedRun } from './redis-helpers.ts';

let own: RunningRedis;
let url: string;
const bag = new ClientBag();

beforeAll(async () => {
  own = await startTestRedis();
  url = own.url;
});
afterAll(async () => {
  await bag.closeAll();
  await own?.stop();
});

const CHECKS = ['reachable', 'memory', 'evictions', 'hit_rate', 'fragmentation', 'clients', 'slowlog', 'persistence', 'replication', 'doctor'];

describe('redis probe: a healthy server', () => {
  it('reports every check, all ok, in well under a second', async () => {
    const { findings, elapsed } = await timedRun(url);

    expect(findings.map((f) => f.check)).toEqual(CHECKS.map((c) => `redis.${c}`));
    expect(findings.filter((f) => f.status !== 'ok').map((f) => `${f.check}: ${f.title}`)).toEqual([]);
    expect(findingOf(findings, 'reachable').title).toMatch(/^Reachable: Redis \d+\.\d+\.\d+ standalone master, up /);
    expect(findingOf(findings, 'memory').title).toMatch(/no maxmemory limit \(policy noeviction\)/);
    expect(findingOf(findings, 'replication').title).toBe('Master without replicas');
    expect(findingOf(findings, 'persistence').title).toMatch(/^Persistence off/);
    expect(findingOf(findings, 'doctor').detail).toMatch(/MEMORY DOCTOR: [\s\S]+LATENCY DOCTOR: /);
    for (const f of findings) {
      expect(f.title).not.toContain('\n');
      expect(f.runbook).toBeUndefined();
      expect(f.remedies).toBeUndefined();
    }
    // Generous for a shared 2-core machine; locally a run takes a few ms.
    expect(elapsed).toBeLessThan(2_000);
  });

  it('leaves its own connection out of the client count', async () => {
    await bag.open(url, 'some-app');
    await bag.open(url, 'some-app');

    const f = findingOf(await runRedisProbe(url), 'clients');

    expect(f.status).toBe('ok');
    expect(f.title).toMatch(/^Clients \d+\/10,000 \(/);
    expect(f.detail).toMatch(/by name: .*some-app 2/);
    expect(f.detail).not.toMatch(/by name: .*chatops-probe/);
    bag.closeAll();
  });

  it('compares with the previous run of the same target and says over which window', async () => {
    const store = new MemoryProbeStateStore();
    const first = await runRedisProbe(url, { store, name: 'window-test' });
    expect(findingOf(first, 'evictions').title).toMatch(/^No keys evicted since the server started .+ ago$/);

    const second = await runRedisProbe(url, { store, name: 'window-test' });
    expect(findingOf(second, 'evictions').title).toMatch(/^No keys evicted in the last \d+\.\d s$/);
    expect(findingOf(second, 'slowlog').title).toMatch(/^No slow commands in the last \d+\.\d s/);
  });

  it('runs only server-wide commands: no key is read, scanned or counted', async () => {
    // A server of its own: the shared one may see other files' traffic in between.
    const server = await startTestRedis();
    try {
      const admin = await bag.open(server.url, 'stats-reader');
      await admin.set('some:key', 'value');
      await admin.call('CONFIG', ['RESETSTAT']);
      await runRedisProbe(server.url);
      const stats = await admin.info('commandstats');
      bag.closeAll();

      const commands = [...stats.matchAll(/^cmdstat_([^:]+):/gm)].map((m) => m[1]!);
      const allowed = new Set(['hello', 'ping', 'info', 'client|setname', 'client|list', 'config|get', 'config|resetstat', 'slowlog|get', 'latency|doctor', 'memory|doctor', 'command|info']);
      expect(commands.filter((c) => !allowed.has(c))).toEqual([]);
      expect(commands).toContain('slowlog|get');
    } finally {
      bag.closeAll();
      await server.stop();
    }
  });
});

describe('redis probe: definition', () => {
  it('is registered as redis with the alias cache, and its check ids are known to runbooks', () => {
    expect(findProbe('cache')?.kind).toBe('redis');
    expect(findProbe('redis')).toBe(redisKind);
    const ids = allCheckIds();
    for (const c of CHECKS) expect(ids.has(`redis.${c}`), c).toBe(true);
  });

  it('has the default thresholds of the checks table, "below" for the hit rate', () => {
    expect(resolveThresholds(redisKind)).toEqual({
      memory: { warn: 90, crit: 95 },
      evictions: { warn: 100, crit: Infinity },
      hit_rate: { warn: 80, crit: 50 },
      fragmentation: { warn: 1.5, crit: 1 },
      clients: { warn: 80, crit: 90 },
      persistence: { warn: 48, crit: Infinity },
    });
    for (const c of redisKind.checks) if (c.thresholds) expect(c.thresholds.unit.length).toBeGreaterThan(0);
    expect(redisKind.checks.find((c) => c.name === 'hit_rate')?.thresholds?.unit).toContain('below');
  });

  it('accepts redis:// and rediss:// URLs, with users and passwords, and refuses other schemes with a clear message', () => {
    const schema = redisKind.targetSchema;
    for (const ok of ['redis://127.0.0.1:6379', 'rediss://cache.example.com:6380/2', 'redis://:pw@host', 'redis://monitor:p%40ss@host:6379/0', 'rediss://user:pw@[::1]:6379']) {
      expect(schema.safeParse({ url: ok }).success, ok).toBe(true);
    }
    for (const bad of ['http://host:6379', 'host:6379', 'redis://host/abc', 'postgres://u:p@h/db']) {
      const r = schema.safeParse({ url: bad });
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/redis:\/\/ or rediss:\/\//);
    }
    expect(redisKind.fromUrl('rediss://h:6380')).toEqual({ url: 'rediss://h:6380' });
  });

  it('turns an invalid URL into a crit finding without echoing its password', async () => {
    const findings = await runRedisProbe('http://user:hunter2-secret@host:6379');

    expect(findings).toHaveLength(1);
    expect(findings[0]!.status).toBe('crit');
    expect(findings[0]!.title).toBe('Unreachable: invalid URL (scheme http: is not redis: or rediss:)');
    expect(JSON.stringify(findings)).not.toContain('hunter2-secret');
  });
});
