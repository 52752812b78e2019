import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerKind } from '../../../src/probes/alertmanager/alertmanager-kind.ts';
import { findProbe } from '../../../src/probes/probe-registry.ts';
import { alertmanagerRoutes, closedPort, FakeHttpServer, type AmAlertSpec } from './fake-http-services.ts';
import { findingOf, runKind, statuses } from './probe-helpers.ts';

const servers: FakeHttpServer[] = [];
async function alertmanager(alerts: AmAlertSpec[] = []): Promise<FakeHttpServer> {
  const s = await FakeHttpServer.start(alertmanagerRoutes(alerts));
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const run = (url: string, options?: Parameters<typeof runKind>[2]) => runKind(alertmanagerKind, { url }, options);

describe('alertmanager probe', () => {
  it('is registered as kind alertmanager with alias am', () => {
    expect(findProbe('am')?.kind).toBe('alertmanager');
  });

  it('healthy, ready, no active alerts: ok; asks only for active, unsilenced, uninhibited alerts', async () => {
    const s = await alertmanager();
    const findings = await run(s.url);
    expect(statuses(findings)).toEqual({ 'alertmanager.reachable': 'ok', 'alertmanager.alerts': 'ok' });
    expect(findingOf(findings, 'alertmanager.reachable').title).toMatch(/^Alertmanager healthy and ready, answered in \d+ ms$/);
    expect(findingOf(findings, 'alertmanager.alerts').title).toBe('No active alerts (unsilenced, uninhibited)');
    expect(s.requests.map((r) => r.url).sort()).toEqual(['/-/healthy', '/-/ready', '/api/v2/alerts?active=true&silenced=false&inhibited=false']);
  });

  it('active alerts are listed by severity and alertname with their receivers; a critical one is critical', async () => {
    const s = await alertmanager([
      { alertname: 'KubePodCrashLooping', severity: 'critical', labels: { namespace: 'shop', pod: 'checkout-7d9f' }, summary: 'Pod shop/checkout-7d9f is crash looping', minutesAgo: 45.5 },
      { alertname: 'KubePodCrashLooping', severity: 'critical', labels: { namespace: 'shop', pod: 'cart-5c2a' }, summary: 'Pod shop/cart-5c2a is crash looping', minutesAgo: 20.5 },
      { alertname: 'CPUThrottlingHigh', severity: 'warning', labels: { namespace: 'shop' }, receiver: 'team-slack' },
      { alertname: 'InfoInhibitor', severity: 'none', receiver: 'null' },
    ]);
    const alerts = findingOf(await run(s.url), 'alertmanager.alerts');
    expect(alerts.status).toBe('crit');
    expect(alerts.title).toBe('4 alerts active: 2 critical, 1 warning, 1 none');
    const lines = alerts.detail!.split('\n');
    expect(lines[0]).toBe('critical KubePodCrashLooping ×2 (namespace=shop, pod=checkout-7d9f, ...) for 45 min -> team-pager: Pod shop/checkout-7d9f is crash looping');
    expect(lines[1]).toMatch(/^warning CPUThrottlingHigh \(namespace=shop\) for 30 min -> team-slack$/);
    expect(lines[2]).toMatch(/^none InfoInhibitor for 30 min -> null$/);
    expect(alerts.metrics).toMatchObject({ firing: 4, critical: 2, warning: 1, other: 1 });
  });

  it('only warnings active is a warning', async () => {
    const s = await alertmanager([{ alertname: 'CPUThrottlingHigh', severity: 'warning' }]);
    expect(findingOf(await run(s.url), 'alertmanager.alerts')).toMatchObject({ status: 'warn', title: '1 alert active: 1 warning' });
  });

  it('unhealthy is critical; the alerts are still read', async () => {
    const s = await alertmanager([{ alertname: 'Watchdog', severity: 'none' }]);
    s.set('/-/healthy', { status: 500, body: 'internal error' });
    s.set('/-/ready', { status: 503, body: 'Service Unavailable' });
    const findings = await run(s.url);
    const reachable = findingOf(findings, 'alertmanager.reachable');
    expect(reachable).toMatchObject({ status: 'crit', title: 'Not healthy: /-/healthy answered HTTP 500 Internal Server Error: internal error' });
    expect(reachable.detail).toContain('/-/ready answered HTTP 503: Service Unavailable');
    expect(findingOf(findings, 'alertmanager.alerts').status).toBe('ok');
  });

  it('healthy but not ready is a warning', async () => {
    const s = await alertmanager();
    s.set('/-/ready', { status: 503, body: 'Service Unavailable' });
    expect(findingOf(await run(s.url), 'alertmanager.reachable')).toMatchObject({
      status: 'warn',
      title: 'Healthy but not ready (/-/ready answered HTTP 503: Service Unavailable)',
    });
  });

  it('an answer that is not the v2 alert list is unknown', async () => {
    const s = await alertmanager();
    s.set('/api/v2/alerts', { body: { data: [] } });
    const alerts = findingOf(await run(s.url), 'alertmanager.alerts');
    expect(alerts.status).toBe('unknown');
    expect(alerts.title).toContain('not the expected JSON (unexpected shape at the answer');
  });

  it('unreachable: one critical finding; a hung server: critical in bounded time', async () => {
    const refused = await run(`http://127.0.0.1:${await closedPort()}`);
    expect(refused).toEqual([expect.objectContaining({ check: 'alertmanager.reachable', status: 'crit' })]);
    expect(refused[0]!.title).toMatch(/^Unreachable: refused/);

    const hung = await FakeHttpServer.start({ '/-/healthy': { delayMs: 20_000 }, '/-/ready': { delayMs: 20_000 }, '/api/v2/alerts': { delayMs: 20_000 } });
    servers.push(hung);
    const started = performance.now();
    const findings = await run(hung.url, { timeoutMs: 800 });
    expect(performance.now() - started).toBeLessThan(800 + 2_000);
    expect(findings).toEqual([expect.objectContaining({ check: 'alertmanager.reachable', status: 'crit', title: 'Unreachable: timeout (no complete answer within 800 ms)' })]);
  });
});
