// A server that answers is reachable, even when its answer to PING is an error reply. Two real
// redis-server 7 faults: a background save that fails with save points on (PING answers MISCONF:
// writes are refused) and a replica with replica-serve-stale-data no whose master is gone (PING
// answers MASTERDOWN). Each is reported by the check that owns its meaning, with the fix, and every
// other check still runs. A host name that does not resolve is the bot's configuration.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report.ts';
import { redisKind } from '../../../src/probes/redis/redis-kind.ts';
import { ClientBag, privateServers, findingOf, infoField, runRedisProbe, waitFor } from './redis-helpers.ts';

const bag = new ClientBag();
const server = privateServers(bag);

const CHECKS = ['reachable', 'memory', 'evictions', 'hit_rate', 'fragmentation', 'clients', 'slowlog', 'persistence', 'replication', 'doctor'];

describe('redis probe: error replies to PING', () => {
  it('a failed background save (MISCONF): reachable, persistence crit with the directory and rdb_last_bgsave_status, every check run', async () => {
    // Save points on, and a directory no file can be created in (/proc): BGSAVE fails.
    const s = await server({ save: '3600 1', dir: '/proc' });
    const client = await bag.open(s.url, 'writer');
    await client.set('order:1', 'paid');
    await client.bgsave();
    await waitFor(async () => (await infoField(client, 'persistence', 'rdb_last_bgsave_status')) === 'err', 10_000, 'the background save to fail');
    await expect(client.set('order:2', 'paid')).rejects.toThrow(/^MISCONF /);
    expect(await client.call('INFO', 'server')).toMatch(/redis_version:7\./);

    const findings = await runRedisProbe(s.url);

    expect(findings.map((f) => f.check)).toEqual(CHECKS.map((c) => `redis.${c}`));
    const reach = findingOf(findings, 'reachable');
    expect(reach.status).toBe('ok');
    expect(reach.title).toMatch(/^Reachable: Redis 7\.\d+\.\d+ standalone master, up [^;]+; PING answers MISCONF: writes refused after a failed background save \(see persistence\)$/);
    expect(reach.title).not.toMatch(/Unreachable/);
    const p = findingOf(findings, 'persistence');
    expect(p.status).toBe('crit');
    expect(p.title).toBe('Persistence: last background save failed: writes refused (MISCONF)');
    expect(p.detail).toMatch(/PING answers: MISCONF Redis is configured to save RDB snapshots/);
    expect(p.fix).toMatch(/^rdb_last_bgsave_status is err: read the server log/);
    expect(p.fix).toContain('make `/proc` writable by the user redis runs as');
    expect(p.fix).toMatch(/BGSAVE and check that rdb_last_bgsave_status is ok again/);
    expect(p.fix).not.toMatch(/^Fix:/);
    // Nothing else was dropped: the checks that read INFO and run their own commands answered
    // (the slowlog may list the test's own BGSAVE on a loaded machine).
    for (const check of ['memory', 'clients', 'replication', 'fragmentation']) {
      expect(findingOf(findings, check).status, check).toBe('ok');
    }
    expect(findingOf(findings, 'slowlog').status).not.toBe('unknown');
    expect(buildReport('cache', 'redis', new Date(), findings).status).toBe('crit');
  });

  it('a replica with replica-serve-stale-data no whose master died (MASTERDOWN): replication crit with the master and how long, every check run', async () => {
    const master = await server({ 'repl-diskless-sync-delay': '0' });
    const replica = await server({ replicaof: `127.0.0.1 ${master.port}`, 'replica-serve-stale-data': 'no' });
    const watcher = await bag.open(replica.url, 'link-watcher');
    await waitFor(async () => (await infoField(watcher, 'replication', 'master_link_status')) === 'up', 10_000, 'the replica link');
    await master.stop();
    await waitFor(async () => (await infoField(watcher, 'replication', 'master_link_status')) === 'down', 10_000, 'the link to drop');
    await expect(watcher.get('anything')).rejects.toThrow(/^MASTERDOWN /);

    const findings = await runRedisProbe(replica.url);

    expect(findings.map((f) => f.check)).toEqual(CHECKS.map((c) => `redis.${c}`));
    const reach = findingOf(findings, 'reachable');
    expect(reach.status).toBe('ok');
    expect(reach.title).toMatch(/^Reachable: Redis 7\.\d+\.\d+ standalone replica, up [^;]+; PING answers MASTERDOWN: a replica serving no data while its master is down \(see replication\)$/);
    const r = findingOf(findings, 'replication');
    expect(r.status).toBe('crit');
    expect(r.title).toMatch(
      new RegExp(`^Replica of 127\\.0\\.0\\.1:${master.port}: link down \\(down for (<1 s|\\d+ s)\\): serves no data \\(replica-serve-stale-data no, clients get MASTERDOWN\\)$`),
    );
    expect(r.metrics?.link_down_s).toBeGreaterThanOrEqual(0);
    expect(r.detail).toMatch(/PING answers: MASTERDOWN Link with MASTER is down/);
    expect(r.fix).toContain(`check that the master 127.0.0.1:${master.port} is up and reachable from the replica`);
    expect(r.fix).toMatch(/point clients at the master or a healthy replica/);
    for (const check of ['memory', 'clients', 'persistence', 'fragmentation']) {
      expect(findingOf(findings, check).status, check).toBe('ok');
    }
    expect(findingOf(findings, 'slowlog').status).not.toBe('unknown');
  });
});

describe('redis probe: configuration, not outage', () => {
  it('a host name that does not resolve is a configuration finding naming the host, with the fix', async () => {
    const findings = await runRedisProbe('redis://monitor:s3cret-pw@cache.nowhere.invalid:6379/0', { name: 'cache' });

    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    expect(f).toMatchObject({ check: 'redis.reachable', status: 'unknown', config: true });
    expect(f.title).toMatch(/^Host name cache\.nowhere\.invalid does not resolve \(ENOTFOUND\)$/);
    expect(f.fix).toMatch(/^check the host in targets\.cache\.url/);
    expect(f.fix).toContain('getent hosts cache.nowhere.invalid');
    expect(f.fix).toContain('or DNS is failing from where the bot runs (then the applications may not reach it either)');
    expect(JSON.stringify(findings)).not.toContain('s3cret-pw');
    const report = buildReport('cache', 'redis', new Date(), findings);
    expect(report.status).toBe('unknown');
  });

  it('describes the endpoint as host:port and database, never the user or password', () => {
    const describe = (url: string) => redisKind.describeEndpoint!({ name: 'cache', kind: 'redis', thresholds: {}, timeoutMs: 1_000, url });
    expect(describe('redis://monitor:s3cret@cache.internal:6380/2')).toBe('cache.internal:6380 db 2');
    expect(describe('redis://:s3cret@cache.internal')).toBe('cache.internal:6379 db 0');
    expect(describe('rediss://u:p@[::1]:6390/1')).toBe('[::1]:6390 db 1 (TLS)');
    expect(describe('http://user:s3cret@host')).toBe('');
    expect(describe('not a url s3cret')).toBe('');
  });
});
