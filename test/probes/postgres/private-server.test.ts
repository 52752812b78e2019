// Faults that would disturb other tests, on a server of this file's own (max_connections 20):
// a healthy baseline, connections near the limit, no slot left, the server stopped; and a port
// that accepts TCP but never speaks.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/report.ts';
import type { RunningPostgres } from '../../../src/store/start-embedded-postgres.ts';
import { startTestPostgres } from '../../support/start-test-postgres.ts';
import { ClientBag, findingOf, runProbe, sleep } from './probe-helpers.ts';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';

let server: RunningPostgres;
let stopped = false;
const bag = new ClientBag();

beforeAll(async () => {
  server = await startTestPostgres({ max_connections: '20' });
  const admin = await bag.open(server.url);
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await bag.closeAll();
});

afterEach(async () => {
  await bag.closeAll();
  // The probe keeps warm connections between runs; each test here counts connections itself.
  await probePools.closeAll();
});

afterAll(async () => {
  if (!stopped) await server?.stop();
});

describe('postgres probe: a server of its own', () => {
  it('reports a healthy server: reachable, every check, nothing critical', async () => {
    const started = Date.now();
    const findings = await runProbe(server.url);
    const elapsed = Date.now() - started;

    expect(findingOf(findings, 'reachable').status).toBe('ok');
    expect(findings).toHaveLength(18);
    expect(findings.filter((f) => f.status === 'crit').map((f) => f.title)).toEqual([]);
    expect(findings.filter((f) => f.status === 'unknown').map((f) => f.title)).toEqual([]);
    expect(findingOf(findings, 'connections').title).toMatch(/^Connections \d+\/17 \(/);
    for (const f of findings) expect(f.title.length).toBeGreaterThan(5);
    // Generous for a shared 2-core machine; locally it takes a few tens of ms.
    expect(elapsed).toBeLessThan(3_000);
  });

  it('reports connections near the limit as critical', async () => {
    // 20 slots minus 3 reserved for superusers leaves 17 for ordinary roles; take them all.
    for (let i = 0; i < 17; i++) await bag.open(server.url, `leaky-app`);

    const findings = await runProbe(server.url);

    const f = findingOf(findings, 'connections');
    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/^Connections 1[78]\/17 \(10\d%\)$/);
    expect(f.detail).toContain('leaky-app as postgres 17');
    expect(f.metrics?.usable).toBe(17);
    // The probe squeezed into the reserved slots and still ran every check.
    expect(findings.filter((x) => x.title.includes('could not check')).map((x) => x.title)).toEqual([]);
  });

  it('says "too many clients" when no slot is left at all', async () => {
    // Fill every slot; sessions of the previous test may still be exiting, so fill twice.
    for (let round = 0; round < 2; round++) {
      await fillAllSlots(bag, server.url);
      await sleep(300);
    }

    const { reachable } = await probeLockedOut(server.url);

    expect(reachable.title).toContain('too many clients');
    expect(reachable.fix).toMatch(/pooler|terminate/);
  });

  it('still diagnoses a server that ran out of slots when it already holds warm connections', async () => {
    expect(findingOf(await runProbe(server.url), 'reachable').status).toBe('ok'); // warms the pool
    for (let round = 0; round < 2; round++) {
      await fillAllSlots(bag, server.url);
      await sleep(300);
    }

    const findings = await runProbe(server.url);

    expect(findingOf(findings, 'reachable').status).toBe('ok');
    // The probe's own slots are not counted, so the hogs fill 20 minus those: over 80% either way.
    const f = findingOf(findings, 'connections');
    expect(['warn', 'crit']).toContain(f.status);
    expect(f.detail).toContain('hog');
  });

  it('reports a stopped server as unreachable (refused) within the timeout', async () => {
    await server.stop();
    stopped = true;

    const { reachable, elapsed } = await probeLockedOut(server.url, 2_000);

    expect(reachable.title).toContain('refused');
    expect(elapsed).toBeLessThan(2_500);
  });
});

describe('postgres probe: a port that never answers', () => {
  const sockets = new Set<net.Socket>();
  let silent: net.Server;
  let port: number;

  beforeAll(async () => {
    silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('gives up after the timeout with a crit timeout finding', async () => {
    const { reachable, elapsed } = await probeLockedOut(`postgres://app:S3cret-pw@127.0.0.1:${port}/app`, 1_000);

    expect(reachable.title).toContain('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(3_000);
  });
});

/** A probe that cannot get in: a single crit `reachable` finding, which does not show the password. */
async function probeLockedOut(url: string, timeoutMs?: number): Promise<{ reachable: Finding; elapsed: number }> {
  const started = Date.now();
  const findings = await runProbe(url, { timeoutMs });
  const elapsed = Date.now() - started;

  expect(findings).toHaveLength(1);
  const reachable = findingOf(findings, 'reachable');
  expect(reachable.status).toBe('crit');
  expect(JSON.stringify(findings)).not.toContain(new URL(url).password);
  return { reachable, elapsed };
}

async function fillAllSlots(bag: ClientBag, url: string): Promise<void> {
  for (let i = 0; i < 25; i++) {
    try {
      await bag.open(url, 'hog');
    } catch (e) {
      if ((e as { code?: string }).code === '53300') return;
      throw e;
    }
  }
  throw new Error('max_connections 20 did not refuse a 25th client');
}
