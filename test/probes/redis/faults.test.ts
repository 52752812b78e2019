// Servers that cannot answer: paused, sleeping, killed, a port that never speaks, and a replica
// whose master is gone. Each test breaks a server of its own; every one must end as a crit
// finding in about the timeout, never a hang.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/free-port.ts';
import { ClientBag, privateServers, findingOf, infoField, runRedisProbe, timedRun, waitFor } from './redis-helpers.ts';

const TIMEOUT_MS = 1_000;
/** Connect, teardown and a loaded 2-core machine on top of the timeout. */
const MARGIN_MS = 1_000;

const bag = new ClientBag();
const server = privateServers(bag);

describe('redis probe: a server that does not answer', () => {
  it('reports a paused server (CLIENT PAUSE ALL) as crit within the timeout', async () => {
    const s = await server();
    const admin = await bag.open(s.url, 'pauser');
    await admin.call('CLIENT', ['PAUSE', '5000', 'ALL']);

    const { findings, elapsed } = await timedRun(s.url, { timeoutMs: TIMEOUT_MS });

    expect(findings).toHaveLength(1);
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/^Unreachable: timeout \(/);
    expect(f.fix).toMatch(/CLIENT PAUSE/);
    expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('reports a server stuck in DEBUG SLEEP as crit within the timeout', async () => {
    const s = await server({ 'enable-debug-command': 'yes' });
    const sleeper = await bag.open(s.url, 'sleeper');
    const watcher = await bag.open(s.url, 'watcher', { commandTimeout: 200 });
    // Not awaited: the server sleeps 10 s; the test kills it afterwards.
    sleeper.call('DEBUG', ['SLEEP', '10']).catch(() => {});
    // Once a PING times out, the server is asleep.
    await waitFor(() => watcher.ping().then(() => false, () => true), 5_000, 'the server to stop answering');

    const { findings, elapsed } = await timedRun(s.url, { timeoutMs: TIMEOUT_MS });

    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/timeout/);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('reports a killed server as crit (refused) at once', async () => {
    const s = await server();
    await s.stop();

    const { findings, elapsed } = await timedRun(s.url, { timeoutMs: TIMEOUT_MS });

    expect(findings).toHaveLength(1);
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/^Unreachable: refused \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(f.fix).toMatch(/redis-server running/);
    expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
  });

  it('gives up on a port that accepts connections but never speaks', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const { findings, elapsed } = await timedRun(`redis://:S3cret-pw@127.0.0.1:${port}`, { timeoutMs: TIMEOUT_MS });

      const f = findingOf(findings, 'reachable');
      expect(f.status).toBe('crit');
      expect(f.title).toMatch(/timeout/);
      expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      expect(JSON.stringify(findings)).not.toContain('S3cret-pw');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('redis probe: replication', () => {
  it('reports a replica whose master is gone as crit "link down"', async () => {
    const deadPort = await freePort();
    const replica = await server({ replicaof: `127.0.0.1 ${deadPort}` });

    const findings = await runRedisProbe(replica.url);

    expect(findingOf(findings, 'reachable').title).toMatch(/standalone replica/);
    const f = findingOf(findings, 'replication');
    expect(f.status).toBe('crit');
    expect(f.title).toBe(`Replica of 127.0.0.1:${deadPort}: link down (never connected since the replica started): serves stale data`);
    expect(f.fix).toMatch(/repl-backlog-size/);
    expect(f.metrics?.link_up).toBe(0);
  });

  it('reports a replica with its link up, and the master with its replica', async () => {
    const master = await server({ 'repl-diskless-sync-delay': '0' });
    const replica = await server({ replicaof: `127.0.0.1 ${master.port}` });
    const client = await bag.open(replica.url, 'link-watcher');
    await waitFor(async () => (await infoField(client, 'replication', 'master_link_status')) === 'up', 10_000, 'the replica link');

    const onReplica = findingOf(await runRedisProbe(replica.url), 'replication');
    expect(onReplica.status).toBe('ok');
    expect(onReplica.title).toMatch(new RegExp(`^Replica of 127\\.0\\.0\\.1:${master.port}: link up, last I/O `));

    const onMaster = findingOf(await runRedisProbe(master.url), 'replication');
    expect(onMaster.status).toBe('ok');
    expect(onMaster.title).toMatch(/^Master with 1 replica/);
    expect(onMaster.detail).toMatch(/replica 127\.0\.0\.1:\d+: /);
  });

  it('reports a replica that lost a master it was linked to, with how long ago', async () => {
    const master = await server({ 'repl-diskless-sync-delay': '0' });
    const replica = await server({ replicaof: `127.0.0.1 ${master.port}` });
    const client = await bag.open(replica.url, 'link-watcher');
    await waitFor(async () => (await infoField(client, 'replication', 'master_link_status')) === 'up', 10_000, 'the replica link');
    await master.stop();
    await waitFor(async () => (await infoField(client, 'replication', 'master_link_status')) === 'down', 10_000, 'the link to drop');

    const f = findingOf(await runRedisProbe(replica.url), 'replication');

    expect(f.status).toBe('crit');
    expect(f.title).toMatch(new RegExp(`^Replica of 127\\.0\\.0\\.1:${master.port}: link down \\(down for `));
  });
});
