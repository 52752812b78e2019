// What the HTTP-based kinds say when the answer is not about the server's health: a Prometheus
// that started seconds ago and has not discovered anything yet, a host name the bot cannot resolve
// (its own configuration), which endpoint a report is about, and every fix in Finding.fix.
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/logger.ts';
import type { Finding } from '../../../src/report.ts';
import { alertmanagerKind } from '../../../src/probes/alertmanager/alertmanager-kind.ts';
import { httpKind } from '../../../src/probes/http/http-kind.ts';
import { prometheusKind } from '../../../src/probes/prometheus/prometheus-kind.ts';
import { runProbe } from '../../../src/probes/run-probe.ts';
import { alertmanagerRoutes, FakeHttpServer, prometheusRoutes, ruleGroup, type PrometheusState, type Route } from './fake-http-services.ts';
import { findingOf, runKind, statuses } from './probe-helpers.ts';

const servers: FakeHttpServer[] = [];
async function serve(routes: Record<string, Route>): Promise<FakeHttpServer> {
  const s = await FakeHttpServer.start(routes);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
const prometheus = (state: PrometheusState) => serve(prometheusRoutes(state));

describe('prometheus probe: just started', () => {
  it('no targets and no Alertmanager 8 s after the start: "just started" (unknown), not a warning', async () => {
    const s = await prometheus({ targets: [], alertmanagers: [], startedSecondsAgo: 8.5 });

    const findings = await runKind(prometheusKind, { url: s.url });

    expect(statuses(findings)).toMatchObject({ 'prometheus.targets': 'unknown', 'prometheus.alertmanagers': 'unknown' });
    expect(findingOf(findings, 'prometheus.targets').title).toBe('Prometheus just started (started 8 s ago): no scrape targets discovered yet');
    expect(findingOf(findings, 'prometheus.alertmanagers').title).toBe('Prometheus just started (started 8 s ago): no Alertmanager discovered yet');
    expect(findings.filter((f) => f.status === 'warn' || f.status === 'crit')).toEqual([]);
    // Asked once for both checks.
    expect(s.requests.filter((r) => r.url === '/api/v1/status/runtimeinfo')).toHaveLength(1);
  });

  it('targets not scraped yet right after the start are "just started"; the same an hour later are a warning', async () => {
    const targets = [
      { job: 'node', instance: '10.0.0.1:9100', health: 'unknown' as const },
      { job: 'node', instance: '10.0.0.2:9100' },
    ];
    const fresh = await prometheus({ targets, startedSecondsAgo: 20 });
    const early = findingOf(await runKind(prometheusKind, { url: fresh.url }), 'prometheus.targets');
    expect(early).toMatchObject({ status: 'unknown', title: 'Prometheus just started (started 20 s ago): 1/2 targets not scraped yet' });

    const old = await prometheus({ targets, startedSecondsAgo: 3_600 });
    const later = findingOf(await runKind(prometheusKind, { url: old.url }), 'prometheus.targets');
    expect(later.status).toBe('warn');
    expect(later.title).toBe('1/2 targets not up in 1 job (node)');
  });

  it('no targets three days after the start is a warning with its fix; without runtimeinfo too', async () => {
    const s = await prometheus({ targets: [], alertmanagers: [] });
    const findings = await runKind(prometheusKind, { url: s.url });
    const targets = findingOf(findings, 'prometheus.targets');
    expect(targets).toMatchObject({ status: 'warn', title: 'No active scrape targets: Prometheus collects nothing' });
    expect(targets.fix).toMatch(/^check scrape_configs and service discovery/);
    expect(findingOf(findings, 'prometheus.alertmanagers')).toMatchObject({ status: 'warn', title: 'No Alertmanager connected: alerts go nowhere' });

    // A proxy that exposes no runtimeinfo: the start is unknown, the lists are judged.
    const routes = prometheusRoutes({ targets: [], alertmanagers: [], startedSecondsAgo: 5 });
    delete routes['/api/v1/status/runtimeinfo'];
    const bare = await serve(routes);
    expect(statuses(await runKind(prometheusKind, { url: bare.url }))).toMatchObject({ 'prometheus.targets': 'warn', 'prometheus.alertmanagers': 'warn' });
  });

  it('a healthy Prometheus does not ask when it started', async () => {
    const s = await prometheus({ startedSecondsAgo: 3 });
    expect(Object.values(statuses(await runKind(prometheusKind, { url: s.url })))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(s.requests.map((r) => r.url)).not.toContain('/api/v1/status/runtimeinfo');
  });
});

describe('a host name that does not resolve is the bot\'s configuration', () => {
  const cases = [
    { kind: 'http', run: (url: string) => runKind(httpKind, { url }), url: 'https://api.nowhere.invalid/health', host: 'api.nowhere.invalid' },
    { kind: 'prometheus', run: (url: string) => runKind(prometheusKind, { url }), url: 'http://prometheus.nowhere.invalid:9090', host: 'prometheus.nowhere.invalid' },
    { kind: 'alertmanager', run: (url: string) => runKind(alertmanagerKind, { url }), url: 'http://am.nowhere.invalid:9093', host: 'am.nowhere.invalid' },
  ];
  for (const c of cases) {
    it(`${c.kind}: one unknown configuration finding naming the host, with the fix`, async () => {
      const findings = await c.run(c.url);

      expect(findings).toHaveLength(1);
      const f = findings[0]!;
      expect(f).toMatchObject({ check: `${c.kind}.reachable`, status: 'unknown', config: true });
      expect(f.title).toMatch(new RegExp(`^Host name ${c.host.replaceAll('.', '\\.')} does not resolve \\((ENOTFOUND|EAI_AGAIN)\\)$`));
      expect(f.fix).toMatch(/^check the host in targets\.test-target\.url /);
      expect(f.fix).toContain(`getent hosts ${c.host}`);
      expect(f.detail).not.toMatch(/Fix:/);
    });
  }

  it('through runProbe: the report is unknown, not crit, and names the endpoint without credentials', async () => {
    const config = parseConfig({ targets: { prom: { kind: 'prometheus', url: 'http://admin:hunter2-pw@prometheus.nowhere.invalid:9090/prom?token=t0ken-value#x' } } }, 'test.yml', {});
    const report = await runProbe(config.targets[0]!, { log: silentLogger() });
    expect(report.status).toBe('unknown');
    expect(report.endpoint).toBe('http://prometheus.nowhere.invalid:9090/prom');
    expect(JSON.stringify(report)).not.toMatch(/hunter2-pw|t0ken-value/);
  });
});

describe('credentials in the URL', () => {
  it('are sent as basic authentication, as curl does, and the report names the endpoint without them', async () => {
    const s = await prometheus({});
    const url = s.url.replace('http://', 'http://admin:p%40ss-w0rd@');
    const config = parseConfig({ targets: { prom: { kind: 'prometheus', url } } }, 'test.yml', {});

    const report = await runProbe(config.targets[0]!, { log: silentLogger() });

    expect(report.status).toBe('ok');
    expect(report.endpoint).toBe(s.url);
    expect(s.requests.length).toBeGreaterThan(0);
    for (const r of s.requests) expect(r.headers.authorization).toBe(`Basic ${Buffer.from('admin:p@ss-w0rd').toString('base64')}`);
    expect(JSON.stringify(report)).not.toContain('p@ss-w0rd');
  });

  it('are masked when a server echoes the Authorization header it was sent, whatever the user name', async () => {
    for (const user of ['bob', 'alice', 'ops-team']) {
      const s = await serve({ '/health': (req) => ({ status: 500, body: `upstream failed; request had authorization=${req.headers.authorization}` }) });
      const config = parseConfig({ targets: { web: { kind: 'http', url: `${s.url.replace('http://', `http://${user}:S3cretPassw0rd@`)}/health` } } }, 'test.yml', {});
      const report = await runProbe(config.targets[0]!, { log: silentLogger() });
      const text = JSON.stringify(report);
      expect(text, user).toContain('authorization=');
      expect(text, user).not.toContain(Buffer.from(`${user}:S3cretPassw0rd`).toString('base64'));
      expect(text, user).not.toContain('S3cretPassw0rd');
    }
  });

  it('leave an Authorization header of the target alone', async () => {
    const s = await serve({ '/health': { body: 'ok' } });
    await runKind(httpKind, { url: s.url.replace('http://', 'http://user:pw@') + '/health', headers: { Authorization: 'Bearer the-token' } });
    expect(s.requests[0]!.headers.authorization).toBe('Bearer the-token');
  });
});

describe('describeEndpoint', () => {
  it('is the origin and path, never userinfo, query or fragment', () => {
    const base = { name: 't', thresholds: {}, timeoutMs: 1_000 };
    expect(httpKind.describeEndpoint!({ ...base, kind: 'http', url: 'https://user:pw@api.example.com:8443/health?key=abc#top' })).toBe('https://api.example.com:8443/health');
    expect(httpKind.describeEndpoint!({ ...base, kind: 'http', url: 'https://api.example.com/' })).toBe('https://api.example.com');
    expect(prometheusKind.describeEndpoint!({ ...base, kind: 'prometheus', url: 'http://prometheus:9090' })).toBe('http://prometheus:9090');
    expect(alertmanagerKind.describeEndpoint!({ ...base, kind: 'alertmanager', url: 'http://am:9093/alertmanager/?x=1' })).toBe('http://am:9093/alertmanager/');
    expect(httpKind.describeEndpoint!({ ...base, kind: 'http', url: 'not a url pw' })).toBe('');
    // A token in the path (a ping URL, a webhook key) is not shown; ordinary words are.
    expect(httpKind.describeEndpoint!({ ...base, kind: 'http', url: 'https://hc-ping.com/4f1c2a9e-8b7d-4c3e-9a1f-2b6d8e0c7a55' })).toBe('https://hc-ping.com/…');
    expect(httpKind.describeEndpoint!({ ...base, kind: 'http', url: 'https://api.example.com/hooks/T0abcDEF1234ghijKL56/health' })).toBe('https://api.example.com/hooks/…/health');
    expect(httpKind.describeEndpoint!({ ...base, kind: 'http', url: 'https://api.example.com/internal/healthcheck-readiness' })).toBe('https://api.example.com/internal/healthcheck-readiness');
  });
});

describe('every fix in Finding.fix', () => {
  const noFixInDetail = (findings: readonly Finding[]) => {
    for (const f of findings) {
      expect(f.detail ?? '', f.check).not.toMatch(/Fix:/);
      expect(f.fix ?? '', f.check).not.toMatch(/^Fix:/);
      if (f.status === 'warn' || f.status === 'crit') expect(f.fix, `${f.check}: ${f.title}`).toBeTruthy();
    }
  };

  it('http: a failing status, a body that does not match, slow', async () => {
    const s = await serve({ '/health': { status: 503, body: '{"status":"down","db":"timeout"}', delayMs: 150 } });
    const failing = await runKind(httpKind, { url: `${s.url}/health`, expectStatus: [200] }, { thresholds: { latency: { warn: 100, crit: 5_000 } } });
    expect(statuses(failing)).toMatchObject({ 'http.status': 'crit', 'http.latency': 'warn' });
    expect(findingOf(failing, 'http.status').fix).toMatch(/^the service reports itself unavailable/);
    noFixInDetail(failing);
    const s2 = await serve({ '/health': { body: '{"status":"degraded"}' } });
    const body = await runKind(httpKind, { url: `${s2.url}/health`, bodyMatch: '"status":"ok"' });
    expect(findingOf(body, 'http.body').status).toBe('crit');
    noFixInDetail(body);
  });

  it('prometheus: a job down, a failing rule, a firing critical alert', async () => {
    const s = await prometheus({
      targets: [{ job: 'api', instance: 'api-0:8080', health: 'down', lastError: 'connection refused' }],
      alerts: [{ alertname: 'ApiDown', severity: 'critical', summary: 'api is down' }],
      ruleGroups: [ruleGroup('api', [{ name: 'ApiErrors', lastError: 'many-to-many matching not allowed' }])],
    });
    const findings = await runKind(prometheusKind, { url: s.url });
    expect(statuses(findings)).toMatchObject({ 'prometheus.targets': 'crit', 'prometheus.alerts': 'crit', 'prometheus.rules': 'warn' });
    noFixInDetail(findings);
  });

  it('alertmanager: a critical alert, and a failed call', async () => {
    const s = await serve(alertmanagerRoutes([{ alertname: 'ApiDown', severity: 'critical' }]));
    const findings = await runKind(alertmanagerKind, { url: s.url });
    expect(findingOf(findings, 'alertmanager.alerts').status).toBe('crit');
    noFixInDetail(findings);
    const broken = await serve({ ...alertmanagerRoutes(), '/api/v2/alerts': { status: 500, body: 'internal error' } });
    const failed = findingOf(await runKind(alertmanagerKind, { url: broken.url }), 'alertmanager.alerts');
    expect(failed.status).toBe('unknown');
    expect(failed.fix).toMatch(/^read the server log around now/);
  });
});
