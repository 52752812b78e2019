// Protected servers: requirepass with the right and a wrong password, no password at all, ACL
// users with every permission the probe needs and with fewer (the checks degrade and say so),
// and a TLS port. No password may appear in any finding.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/free-port.ts';
import { startTestRedis, type RunningRedis } from '../../support/start-test-redis.ts';
import { ClientBag, findingOf, runRedisProbe, timedRun, withCredentials } from './redis-helpers.ts';

const PASSWORD = 'Right-Pa55word!';
const WRONG = 'Wrong-Pa55word?';
const MONITOR_PASSWORD = 'mon1tor-secret';
const LIMITED_PASSWORD = 'l1mited-secret';

let server: RunningRedis;
const bag = new ClientBag();

beforeAll(async () => {
  server = await startTestRedis();
  const admin = await bag.open(server.url, 'admin');
  // Users first, then the default user's password (the test helper's readiness PING needs none).
  await admin.call('ACL', ['SETUSER', 'monitor', 'on', `>${MONITOR_PASSWORD}`, '-@all',
    '+ping', '+info', '+hello', '+client|setname', '+client|list', '+config|get', '+slowlog|get',
    '+latency|doctor', '+memory|doctor', '+command|info']);
  await admin.call('ACL', ['SETUSER', 'limited', 'on', `>${LIMITED_PASSWORD}`, '-@all', '+ping', '+info', '+hello', '+client|setname']);
  await admin.call('CONFIG', ['SET', 'requirepass', PASSWORD]);
  bag.closeAll();
});

afterAll(async () => {
  bag.closeAll();
  await server?.stop();
});

describe('redis probe: passwords and ACL users', () => {
  it('runs every check with the right password', async () => {
    const findings = await runRedisProbe(withCredentials(server.url, '', PASSWORD));

    expect(findings).toHaveLength(10);
    expect(findings.filter((f) => f.status !== 'ok').map((f) => `${f.check}: ${f.title}`)).toEqual([]);
    expect(JSON.stringify(findings)).not.toContain(PASSWORD);
  });

  it('reports a wrong password as crit "auth failed" with the fix, never the password', async () => {
    const { findings, elapsed } = await timedRun(withCredentials(server.url, '', WRONG), { timeoutMs: 2_000 });

    expect(findings).toHaveLength(1);
    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/^Unreachable: auth failed \(WRONGPASS /);
    expect(f.fix).toMatch(/user and password in the target URL/);
    expect(elapsed).toBeLessThan(2_000);
    const text = JSON.stringify(findings);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(encodeURIComponent(WRONG));
    expect(text).not.toContain(PASSWORD);
  });

  it('reports a missing password (NOAUTH) as crit "auth failed"', async () => {
    const f = findingOf(await runRedisProbe(server.url), 'reachable');

    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/^Unreachable: auth failed \(NOAUTH /);
  });

  it('works as an ACL user with the monitoring permissions', async () => {
    await bag.open(withCredentials(server.url, '', PASSWORD), 'web-app');
    await bag.open(withCredentials(server.url, 'monitor', MONITOR_PASSWORD), 'dashboard');

    const findings = await runRedisProbe(withCredentials(server.url, 'monitor', MONITOR_PASSWORD));
    bag.closeAll();

    expect(findings.filter((f) => f.status !== 'ok').map((f) => `${f.check}: ${f.title}`)).toEqual([]);
    expect(findingOf(findings, 'clients').detail).toMatch(/by user: (default 1, monitor 1|monitor 1, default 1)/);
    expect(JSON.stringify(findings)).not.toContain(MONITOR_PASSWORD);
  });

  it('degrades check by check for an ACL user without CONFIG, SLOWLOG, CLIENT LIST and the doctors, and says why', async () => {
    const findings = await runRedisProbe(withCredentials(server.url, 'limited', LIMITED_PASSWORD));

    expect(findingOf(findings, 'reachable').status).toBe('ok');
    expect(findingOf(findings, 'memory').status).toBe('ok');
    expect(findingOf(findings, 'slowlog').status).toBe('unknown');
    expect(findingOf(findings, 'slowlog').title).toMatch(/^Slowlog: could not check \(not permitted for this ACL user \(NOPERM /);
    expect(findingOf(findings, 'doctor').status).toBe('unknown');
    const clients = findingOf(findings, 'clients');
    expect(clients.status).toBe('ok');
    expect(clients.detail).toMatch(/CLIENT LIST not available \(not permitted/);
    const persistence = findingOf(findings, 'persistence');
    expect(persistence.detail).toMatch(/RDB snapshots: unknown \(CONFIG GET not available: not permitted/);
    expect(JSON.stringify(findings)).not.toContain(LIMITED_PASSWORD);
  });

  it('reports a wrong ACL user password as auth failed', async () => {
    const f = findingOf(await runRedisProbe(withCredentials(server.url, 'monitor', WRONG)), 'reachable');

    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/auth failed/);
    expect(JSON.stringify(f)).not.toContain(WRONG);
  });
});

// redis-server from Debian/Ubuntu is built with TLS; the test needs openssl for a certificate.
describe('redis probe: TLS', () => {
  let tlsServer: RunningRedis | undefined;
  let tlsPort = 0;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-redis-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    tlsPort = await freePort();
    tlsServer = await startTestRedis({
      'tls-port': String(tlsPort),
      'tls-cert-file': path.join(dir, 'cert.pem'),
      'tls-key-file': path.join(dir, 'key.pem'),
      'tls-auth-clients': 'no',
    });
  });

  afterAll(async () => {
    await tlsServer?.stop();
  });

  it('connects over rediss:// and reports an untrusted certificate as crit TLS', async () => {
    const { findings, elapsed } = await timedRun(`rediss://:pw-not-shown@127.0.0.1:${tlsPort}`, { timeoutMs: 2_000 });

    const f = findingOf(findings, 'reachable');
    expect(f.status).toBe('crit');
    expect(f.title).toMatch(/^Unreachable: TLS \(self[- ]signed certificate/);
    expect(f.fix).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(elapsed).toBeLessThan(3_000);
    expect(JSON.stringify(findings)).not.toContain('pw-not-shown');
  });

  it('runs every check over TLS when the certificate is trusted', async () => {
    // Node reads extra CAs at start: run the probe in a child process that trusts the test certificate.
    const script = `
      import { redisKind } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../../src/probes/redis/redis-kind.ts'))};
      import { runKindChecks } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../../src/probes/run-kind-checks.ts'))};
      import { MemoryProbeStateStore } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../../src/probes/probe-state.ts'))};
      import { silentLogger } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../../src/logger.ts'))};
      const findings = await runKindChecks(redisKind,
        { name: 'tls', kind: 'redis', url: 'rediss://127.0.0.1:${tlsPort}', thresholds: {}, timeoutMs: 3000 },
        { signal: new AbortController().signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('tls') });
      console.log(JSON.stringify(findings));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const findings = JSON.parse(out.trim().split('\n').pop()!) as Array<{ check: string; status: string; title: string }>;

    expect(findings).toHaveLength(10);
    expect(findings.filter((f) => f.status !== 'ok').map((f) => `${f.check}: ${f.title}`)).toEqual([]);
  });
});
