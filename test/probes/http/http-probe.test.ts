import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { classifyRequestError } from '../../../src/probes/http/classify-error.ts';
import { httpKind, type HttpTarget } from '../../../src/probes/http/http-kind.ts';
import { findProbe } from '../../../src/probes/probe-registry.ts';
import { runProbe } from '../../../src/probes/run-probe.ts';
import { closedPort, FakeHttpServer, selfSignedCertificate } from './fake-http-services.ts';
import { findingOf, runKind, statuses } from './probe-helpers.ts';

type Keys = Omit<HttpTarget, 'name' | 'kind' | 'timeoutMs' | 'thresholds'>;

const servers: FakeHttpServer[] = [];
async function serve(...args: Parameters<typeof FakeHttpServer.start>): Promise<FakeHttpServer> {
  const s = await FakeHttpServer.start(...args);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const run = (keys: Keys, options?: Parameters<typeof runKind>[2]) => runKind(httpKind, keys, options);

describe('http probe', () => {
  it('is registered as kind http with alias health', () => {
    expect(findProbe('health')?.kind).toBe('http');
    expect(httpKind.checks.find((c) => c.name === 'latency')?.thresholds).toEqual({ warn: 1000, crit: 5000, unit: 'ms' });
    expect(httpKind.checks.find((c) => c.name === 'certificate')?.thresholds).toMatchObject({ warn: 20, crit: 3 });
  });

  it('a healthy endpoint: reachable, 200, body matches, fast; no certificate check over http', async () => {
    const s = await serve({ '/health': { body: { status: 'ok', checks: { database: 'up' } } } });
    const findings = await run({ url: `${s.url}/health`, bodyMatch: '"status":"ok"' });
    expect(statuses(findings)).toEqual({ 'http.reachable': 'ok', 'http.status': 'ok', 'http.body': 'ok', 'http.latency': 'ok' });
    expect(findingOf(findings, 'http.status').title).toBe('HTTP 200 OK');
    expect(findingOf(findings, 'http.latency').metrics?.latency_ms).toBeLessThan(1000);
    expect(s.requests[0]).toMatchObject({ method: 'GET', url: '/health' });
    expect(s.requests[0]!.headers['user-agent']).toMatch(/^chatops-probe/);
  });

  it('HTTP 500 is critical and shows the start of the body', async () => {
    const s = await serve({ '/health': { status: 500, body: 'database connection pool exhausted (20/20 in use)' } });
    const findings = await run({ url: `${s.url}/health` });
    const status = findingOf(findings, 'http.status');
    expect(status).toMatchObject({ status: 'crit', title: 'HTTP 500 Internal Server Error, expected 2xx' });
    expect(status.detail).toContain('database connection pool exhausted');
    expect(findingOf(findings, 'http.reachable').status).toBe('ok');
  });

  it('a status outside expectStatus is critical, one inside it is ok', async () => {
    const s = await serve({ '/health': { status: 200, body: 'ok' }, '/maintenance': { status: 503, body: 'down for maintenance' } });
    const wrong = await run({ url: `${s.url}/health`, expectStatus: [201, 204] });
    expect(findingOf(wrong, 'http.status')).toMatchObject({ status: 'crit', title: 'HTTP 200 OK, expected 201, 204' });
    const expected = await run({ url: `${s.url}/maintenance`, expectStatus: [503] });
    expect(findingOf(expected, 'http.status').status).toBe('ok');
  });

  it('a body that does not match bodyMatch (a /regex/) is critical', async () => {
    const s = await serve({ '/health': { body: { status: 'degraded', failing: ['redis'] } } });
    const findings = await run({ url: `${s.url}/health`, bodyMatch: '/"status":\\s*"(ok|up)"/' });
    const body = findingOf(findings, 'http.body');
    expect(body.status).toBe('crit');
    expect(body.title).toBe('Body does not match /"status":\\s*"(ok|up)"/');
    expect(body.detail).toContain('"failing":["redis"]');
    expect(findingOf(findings, 'http.status').status).toBe('ok');
  });

  it('only the first 64 KiB of a large body are read and searched', async () => {
    const s = await serve({ '/big': { body: `${'x'.repeat(200 * 1024)}MARKER` } });
    const findings = await run({ url: `${s.url}/big`, bodyMatch: 'MARKER' });
    expect(findingOf(findings, 'http.body').detail).toContain('first 64 KiB');
    expect(findingOf(findings, 'http.latency').metrics?.body_bytes).toBe(64 * 1024);
  });

  it('a response slower than the timeout is a critical timeout, in bounded time', async () => {
    const s = await serve({ '/health': { delayMs: 20_000, body: 'late' } });
    const started = performance.now();
    const findings = await run({ url: `${s.url}/health` }, { timeoutMs: 800 });
    const elapsed = performance.now() - started;
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'http.reachable', status: 'crit' });
    expect(findings[0]!.title).toBe('Unreachable: timeout (no complete answer within 800 ms)');
    expect(elapsed).toBeGreaterThanOrEqual(700);
    expect(elapsed).toBeLessThan(800 + 2_000);
  });

  it('connection refused is critical and classified', async () => {
    const port = await closedPort();
    const findings = await run({ url: `http://127.0.0.1:${port}/health` });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'http.reachable', status: 'crit' });
    expect(findings[0]!.title).toMatch(/^Unreachable: refused \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(findings[0]!.fix).toMatch(/Nothing listens/);
  });

  it('latency over the warning threshold is a warning', async () => {
    const s = await serve({ '/health': { delayMs: 400, body: 'ok' } });
    const findings = await run({ url: `${s.url}/health` }, { thresholds: { latency: { warn: 200, crit: 2_500 } } });
    const latency = findingOf(findings, 'http.latency');
    expect(latency.status).toBe('warn');
    expect(latency.title).toMatch(/^Latency \d+ ms \(warn at 200 ms\)$/);
    expect(latency.metrics?.latency_ms).toBeGreaterThanOrEqual(400);
  });

  it('follows redirects and says where it ended', async () => {
    const s = await serve({ '/old': { status: 301, headers: { location: '/health' }, body: '' }, '/health': { body: 'ok' } });
    const findings = await run({ url: `${s.url}/old` });
    expect(findingOf(findings, 'http.reachable').title).toContain(`redirected to ${s.url}/health`);
    expect(findingOf(findings, 'http.status').status).toBe('ok');
  });

  it('classifies a DNS failure', () => {
    const cause = Object.assign(new Error('getaddrinfo ENOTFOUND api.nowhere.invalid'), { code: 'ENOTFOUND' });
    const f = classifyRequestError(new TypeError('fetch failed', { cause }), 1000, false);
    expect(f).toMatchObject({ kind: 'DNS', message: 'getaddrinfo ENOTFOUND api.nowhere.invalid', cancelled: false });
  });

  describe('https with a self-signed certificate expiring in 2 days', () => {
    let tls: { key: string; cert: string };
    beforeAll(async () => {
      tls = await selfSignedCertificate(2);
    });

    it('with tlsInsecure: the request goes through and the certificate is critical, with days left, subject and issuer', async () => {
      const s = await serve({ '/health': { body: 'ok' } }, tls);
      const findings = await run({ url: `${s.url}/health`, tlsInsecure: true, bodyMatch: 'ok' });
      expect(statuses(findings)).toEqual({
        'http.reachable': 'ok',
        'http.status': 'ok',
        'http.body': 'ok',
        'http.latency': 'ok',
        'http.certificate': 'crit',
      });
      const cert = findingOf(findings, 'http.certificate');
      expect(cert.title).toMatch(/^Certificate CN=localhost, expires in 1 d 2\d h \(\d{4}-\d\d-\d\d\), issuer CN=localhost$/);
      expect(cert.metrics?.days_left).toBeGreaterThan(1.9);
      expect(cert.metrics?.days_left).toBeLessThanOrEqual(2);
      expect(cert.detail).toContain('Not verified (tlsInsecure: true): self-signed');
      expect(cert.detail).toContain('DNS:localhost, IP Address:127.0.0.1');
    });

    it('below the warning threshold only (thresholds overridden), it is a warning', async () => {
      const s = await serve({ '/health': { body: 'ok' } }, tls);
      const findings = await run({ url: `${s.url}/health`, tlsInsecure: true }, { thresholds: { certificate: { warn: 30, crit: 1 } } });
      expect(findingOf(findings, 'http.certificate').status).toBe('warn');
    });

    it('without tlsInsecure: unreachable, "certificate not trusted", and the certificate is still described', async () => {
      const s = await serve({ '/health': { body: 'ok' } }, tls);
      const findings = await run({ url: `${s.url}/health` });
      const reachable = findingOf(findings, 'http.reachable');
      expect(reachable.status).toBe('crit');
      expect(reachable.title).toMatch(/^Unreachable: certificate not trusted \(self-signed certificate/);
      expect(findings.map((f) => f.check).sort()).toEqual(['http.certificate', 'http.reachable']);
      const cert = findingOf(findings, 'http.certificate');
      expect(cert.status).toBe('crit');
      expect(cert.title).toContain('not trusted (self-signed, DEPTH_ZERO_SELF_SIGNED_CERT)');
      expect(s.requests).toHaveLength(0);
    });
  });

  describe('a secret header from ${VAR} in the config', () => {
    const SECRET = 'tok_4f9c1e7a9b2d6e8f';
    const env = { HEALTH_TOKEN: SECRET, API_KEY: 'key-82e1d0c4b5' };
    const config = (url: string) =>
      parseConfig(
        {
          targets: {
            api: { kind: 'http', url, timeoutMs: 3000, headers: { Authorization: 'Bearer ${HEALTH_TOKEN}', 'X-Api-Key': '${API_KEY}' } },
          },
        },
        'test.yml',
        env,
      );

    it('is sent to the server', async () => {
      const s = await serve({
        '/health': (req) =>
          req.headers.authorization === `Bearer ${SECRET}` && req.headers['x-api-key'] === env.API_KEY
            ? { body: 'ok' }
            : { status: 401, body: 'unauthorized' },
      });
      const target = config(`${s.url}/health`).targets[0]!;
      const report = await runProbe(target, { log: silentLogger() });
      expect(report.kind).toBe('http');
      expect(report.status).toBe('ok');
      expect(s.requests).toHaveLength(1);
    });

    it('never appears in findings, even when the server echoes it', async () => {
      const s = await serve({
        '/health': (req) => ({
          status: 500,
          body: `upstream rejected request; headers were authorization=${req.headers.authorization} x-api-key=${req.headers['x-api-key']} token=${SECRET}`,
        }),
      });
      const report = await runProbe(config(`${s.url}/health`).targets[0]!, { log: silentLogger() });
      const status = findingOf(report.findings, 'http.status');
      expect(status.status).toBe('crit');
      const text = JSON.stringify(report);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(env.API_KEY);
      expect(status.detail).toContain('x-api-key=***');
    });
  });

  describe('target schema', () => {
    const parse = (target: Record<string, unknown>) => () => parseConfig({ targets: { web: { kind: 'http', ...target } } }, 'test.yml', {});

    it('accepts the documented keys and upper-cases the method', () => {
      const cfg = parseConfig(
        { targets: { web: { kind: 'http', url: 'https://example.com/health', method: 'head', headers: { 'X-A': 'b' }, expectStatus: [200, 204], tlsInsecure: true } } },
        'test.yml',
        {},
      );
      expect(cfg.targets[0]).toMatchObject({ method: 'HEAD', expectStatus: [200, 204], tlsInsecure: true });
    });

    it.each([
      ['an unknown key', { url: 'http://x/health', expect: 200 }, /targets\.web: unknown key expect; accepted keys: kind, timeoutMs, thresholds, url, method/],
      ['a non-http URL', { url: 'ftp://x/health' }, /targets\.web\.url: expected an http:\/\/ or https:\/\/ URL/],
      ['an invalid regex', { url: 'http://x/', bodyMatch: '/(unclosed/' }, /targets\.web\.bodyMatch: not a valid \/regex\//],
      ['bodyMatch with HEAD', { url: 'http://x/', method: 'HEAD', bodyMatch: 'ok' }, /bodyMatch needs a body/],
      ['a status out of range', { url: 'http://x/', expectStatus: [700] }, /targets\.web\.expectStatus\.0/],
      ['an unknown method', { url: 'http://x/', method: 'FETCH' }, /targets\.web\.method: .*accepted: "GET", "HEAD"/],
    ])('refuses %s', (_name, target, message) => {
      expect(parse(target)).toThrow(message);
    });
  });
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
