import { afterEach, describe, expect, it } from 'vitest';
import { prometheusKind } from '../../../src/probes/prometheus/prometheus-kind.ts';
import { findProbe } from '../../../src/probes/probe-registry.ts';
import { closedPort, FakeHttpServer, prometheusRoutes, ruleGroup, type PrometheusState } from './fake-http-services.ts';
import { findingOf, runKind, statuses } from './probe-helpers.ts';

const servers: FakeHttpServer[] = [];
async function prometheus(state: PrometheusState = {}): Promise<FakeHttpServer> {
  const s = await FakeHttpServer.start(prometheusRoutes(state));
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const run = (url: string, options?: Parameters<typeof runKind>[2], headers?: Record<string, string>) =>
  runKind(prometheusKind, headers ? { url, headers } : { url }, options);

describe('prometheus probe', () => {
  it('is registered as kind prometheus with alias prom', () => {
    expect(findProbe('prom')?.kind).toBe('prometheus');
    expect(prometheusKind.checks.map((c) => c.name)).toEqual(['reachable', 'targets', 'alerts', 'rules', 'alertmanagers', 'query']);
  });

  it('a healthy Prometheus: every check ok, version named', async () => {
    const s = await prometheus({
      targets: [
        { job: 'prometheus', instance: 'localhost:9090' },
        { job: 'node', instance: '10.0.0.1:9100' },
        { job: 'node', instance: '10.0.0.2:9100' },
      ],
    });
    const findings = await run(s.url);
    expect(statuses(findings)).toEqual({
      'prometheus.reachable': 'ok',
      'prometheus.targets': 'ok',
      'prometheus.alerts': 'ok',
      'prometheus.rules': 'ok',
      'prometheus.alertmanagers': 'ok',
    });
    expect(findingOf(findings, 'prometheus.reachable').title).toMatch(/^Prometheus 3\.5\.0 healthy, answered in \d+ ms$/);
    expect(findingOf(findings, 'prometheus.targets').title).toBe('All 3 targets up in 2 jobs');
    expect(findingOf(findings, 'prometheus.rules').title).toBe('2 rules in 1 group evaluate cleanly');
    expect(findingOf(findings, 'prometheus.alertmanagers').title).toBe('Sending alerts to 1 Alertmanager');
    expect(s.requests.map((r) => r.url)).toContain('/api/v1/targets?state=active');
  });

  it('works under a route prefix', async () => {
    const s = await FakeHttpServer.start(
      Object.fromEntries(Object.entries(prometheusRoutes()).map(([p, r]) => [`/prometheus${p}`, r])),
    );
    servers.push(s);
    const findings = await run(`${s.url}/prometheus`);
    expect(Object.values(statuses(findings))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('some targets of a job down is a warning, with instance and lastError', async () => {
    const s = await prometheus({
      targets: [
        { job: 'node', instance: '10.0.0.1:9100' },
        { job: 'node', instance: '10.0.0.2:9100' },
        { job: 'node', instance: '10.0.0.3:9100', health: 'down', lastError: 'Get "http://10.0.0.3:9100/metrics": context deadline exceeded', secondsAgo: 40.5 },
        { job: 'prometheus', instance: 'localhost:9090' },
      ],
    });
    const targets = findingOf(await run(s.url), 'prometheus.targets');
    expect(targets.status).toBe('warn');
    expect(targets.title).toBe('1/4 targets not up in 1 job (node)');
    expect(targets.detail).toContain('job node: 1/3 not up');
    expect(targets.detail).toContain('10.0.0.3:9100, down, last scrape 40 s ago: Get "http://10.0.0.3:9100/metrics": context deadline exceeded');
    expect(targets.detail).toContain('context deadline exceeded');
    expect(targets.metrics).toMatchObject({ targets: 4, up: 3, down: 1, jobs_down: 0 });
  });

  it('a whole job down is critical, with lastError shown', async () => {
    const s = await prometheus({
      targets: [
        { job: 'api', instance: 'api-0:8080', health: 'down', lastError: 'Get "http://api-0:8080/metrics": dial tcp 10.1.0.4:8080: connect: connection refused' },
        { job: 'api', instance: 'api-1:8080', health: 'down', lastError: 'Get "http://api-1:8080/metrics": dial tcp 10.1.0.5:8080: connect: connection refused' },
        { job: 'node', instance: '10.0.0.1:9100' },
        { job: 'node', instance: '10.0.0.2:9100', health: 'down', lastError: 'server returned HTTP status 503 Service Unavailable' },
      ],
    });
    const targets = findingOf(await run(s.url), 'prometheus.targets');
    expect(targets.status).toBe('crit');
    expect(targets.title).toBe('1 job entirely down (api); 3/4 targets not up');
    const lines = targets.detail!.split('\n');
    expect(lines[0]).toBe('job api: 2/2 not up (whole job)');
    expect(lines[1]).toContain('api-0:8080, down');
    expect(lines[1]).toContain('connect: connection refused');
    expect(targets.detail).toContain('job node: 1/2 not up');
    expect(targets.detail).toContain('server returned HTTP status 503');
  });

  it('firing alerts are counted by severity label: a critical one makes the finding critical; pending ones are listed', async () => {
    const s = await prometheus({
      alerts: [
        { alertname: 'TargetDown', severity: 'critical', labels: { job: 'api' }, summary: 'All api targets are down', minutesAgo: 125.5 },
        { alertname: 'HighLatency', severity: 'warning', labels: { job: 'api', instance: 'api-0:8080' }, summary: 'p99 above 2 s', minutesAgo: 10.5 },
        { alertname: 'HighLatency', severity: 'warning', labels: { job: 'api', instance: 'api-1:8080' }, summary: 'p99 above 2 s', minutesAgo: 10.5 },
        { alertname: 'Watchdog', severity: 'none', summary: 'Always firing' },
        { alertname: 'DiskFillingUp', severity: 'warning', state: 'pending', minutesAgo: 3 },
        { alertname: 'OldAlert', severity: 'critical', state: 'inactive' },
      ],
    });
    const alerts = findingOf(await run(s.url), 'prometheus.alerts');
    expect(alerts.status).toBe('crit');
    expect(alerts.title).toBe('4 alerts firing: 1 critical, 2 warning, 1 none; 1 pending');
    const lines = alerts.detail!.split('\n');
    expect(lines[0]).toMatch(/^critical TargetDown \(job=api\) for 2 h 5 min: All api targets are down \(runbook https:\/\/runbooks\.example\.com\/TargetDown\)$/);
    expect(lines[1]).toMatch(/^warning HighLatency ×2 \(job=api, instance=api-0:8080, \.\.\.\) for 10 min: p99 above 2 s/);
    expect(alerts.detail).toContain('pending DiskFillingUp (warning)');
    expect(alerts.detail).not.toContain('OldAlert');
    expect(alerts.metrics).toMatchObject({ firing: 4, pending: 1, critical: 1, warning: 2, other: 1 });
  });

  it('only warnings firing is a warning; only an info alert is ok', async () => {
    const warn = await prometheus({ alerts: [{ alertname: 'HighLatency', severity: 'warning' }] });
    expect(findingOf(await run(warn.url), 'prometheus.alerts')).toMatchObject({ status: 'warn', title: '1 alert firing: 1 warning' });
    const info = await prometheus({ alerts: [{ alertname: 'Watchdog', severity: 'none' }] });
    expect(findingOf(await run(info.url), 'prometheus.alerts').status).toBe('ok');
  });

  it('rule evaluation errors are a warning naming group, rule and error', async () => {
    const s = await prometheus({
      ruleGroups: [
        ruleGroup('api.rules', [
          { name: 'ApiErrorRate', lastError: 'found duplicate series for the match group {instance="api-0:8080"} on the right hand-side of the operation: many-to-many matching not allowed' },
          { name: 'ApiDown' },
        ]),
        ruleGroup('slow.rules', [{ name: 'job:requests:rate5m', type: 'recording' }], { interval: 30, evaluationTime: 42.5 }),
      ],
    });
    const rules = findingOf(await run(s.url), 'prometheus.rules');
    expect(rules.status).toBe('warn');
    expect(rules.title).toBe('1 rule failing to evaluate in 1 group; 1 group slower than their interval');
    expect(rules.detail).toContain('group api.rules (/etc/prometheus/rules/api.rules.yml), alerting rule ApiErrorRate: found duplicate series');
    expect(rules.detail).toContain('group slow.rules: evaluation takes 42.5 s, longer than its 30.0 s interval');
    expect(rules.metrics).toMatchObject({ groups: 2, rules: 3, failing: 1, slow_groups: 1 });
  });

  it('no Alertmanager connected is a warning: alerts go nowhere', async () => {
    const s = await prometheus({ alertmanagers: [], droppedAlertmanagers: ['http://10.0.0.9:9093/api/v2/alerts'] });
    const am = findingOf(await run(s.url), 'prometheus.alertmanagers');
    expect(am).toMatchObject({ status: 'warn', title: 'No Alertmanager connected: alerts go nowhere' });
    expect(am.detail).toContain('Dropped by relabeling: http://10.0.0.9:9093/api/v2/alerts');
  });

  it('malformed JSON is an unknown finding of that check only', async () => {
    const s = await prometheus();
    s.set('/api/v1/targets', { body: '{"status":"success","data":{"activeTargets":[{"labels":' });
    const findings = await run(s.url);
    const targets = findingOf(findings, 'prometheus.targets');
    expect(targets.status).toBe('unknown');
    expect(targets.title).toMatch(/^Scrape targets: could not check \(\/api\/v1\/targets\?state=active answered HTTP 200 with something that is not the expected JSON \(not JSON\)/);
    expect(findingOf(findings, 'prometheus.alerts').status).toBe('ok');
  });

  it('an HTML page where JSON belongs (a login proxy) is unknown, with the start of the page', async () => {
    const s = await prometheus();
    s.set('/api/v1/alertmanagers', { body: '<!doctype html><html><title>Sign in</title></html>' });
    const am = findingOf(await run(s.url), 'prometheus.alertmanagers');
    expect(am.status).toBe('unknown');
    expect(am.title).toContain('Sign in');
  });

  it('a {"status":"error"} body is an unknown finding naming the error', async () => {
    const s = await prometheus();
    s.set('/api/v1/rules', { status: 503, body: { status: 'error', errorType: 'unavailable', error: 'rule manager not ready' } });
    s.set('/api/v1/alerts', { status: 200, body: { status: 'error', errorType: 'internal', error: 'storage is closed' } });
    const findings = await run(s.url);
    expect(findingOf(findings, 'prometheus.rules')).toMatchObject({
      status: 'unknown',
      title: 'Rules: could not check (/api/v1/rules answered an error (HTTP 503): unavailable: rule manager not ready)',
    });
    expect(findingOf(findings, 'prometheus.alerts').title).toBe('Alerts: could not check (/api/v1/alerts answered an error: internal: storage is closed)');
  });

  it('a 500 is an unknown finding; /-/healthy failing is critical', async () => {
    const s = await prometheus();
    s.set('/api/v1/targets', { status: 500, body: 'Internal Server Error' });
    s.set('/-/healthy', { status: 503, body: 'Service Unavailable' });
    const findings = await run(s.url);
    expect(findingOf(findings, 'prometheus.targets')).toMatchObject({ status: 'unknown', title: 'Scrape targets: could not check (/api/v1/targets?state=active answered HTTP 500 Internal Server Error: Internal Server Error)' });
    expect(findingOf(findings, 'prometheus.reachable')).toMatchObject({ status: 'crit', title: 'Not healthy: /-/healthy answered HTTP 503 Service Unavailable: Service Unavailable' });
  });

  it('unreachable: one critical finding with the error class', async () => {
    const findings = await run(`http://127.0.0.1:${await closedPort()}`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'prometheus.reachable', status: 'crit' });
    expect(findings[0]!.title).toMatch(/^Unreachable: refused \(connect ECONNREFUSED/);
  });

  it('a Prometheus that does not answer in time: critical in bounded time; one slow endpoint: unknown for that check', async () => {
    const hung = await FakeHttpServer.start(Object.fromEntries(Object.keys(prometheusRoutes()).map((p) => [p, { delayMs: 20_000, body: '' }])));
    servers.push(hung);
    let started = performance.now();
    const findings = await run(hung.url, { timeoutMs: 800 });
    expect(performance.now() - started).toBeLessThan(800 + 2_000);
    expect(findings).toEqual([expect.objectContaining({ check: 'prometheus.reachable', status: 'crit', title: 'Unreachable: timeout (no complete answer within 800 ms)' })]);

    const s = await prometheus();
    s.set('/api/v1/targets', { delayMs: 20_000, body: '' });
    started = performance.now();
    const partial = await run(s.url, { timeoutMs: 800 });
    expect(performance.now() - started).toBeLessThan(800 + 2_000);
    expect(findingOf(partial, 'prometheus.targets')).toMatchObject({ status: 'unknown', title: 'Scrape targets: could not check (timeout (no complete answer within 800 ms))' });
    expect(findingOf(partial, 'prometheus.reachable').status).toBe('ok');
  });

  it('sends the configured headers on every call and keeps their values out of findings', async () => {
    const token = 'glc_eyJvIjoiMTIzNCIsIm4iOiJ0ZXN0In0';
    const s = await prometheus();
    s.set('/api/v1/alerts', (req) => ({ status: 500, body: `bad request, auth header: ${req.headers.authorization}` }));
    const findings = await run(s.url, {}, { Authorization: `Bearer ${token}` });
    expect(s.requests.length).toBeGreaterThanOrEqual(6);
    for (const r of s.requests) expect(r.headers.authorization).toBe(`Bearer ${token}`);
    expect(JSON.stringify(findings)).not.toContain(token);
    expect(findingOf(findings, 'prometheus.alerts').title).toContain('auth header: Bearer ***');
  });
});
