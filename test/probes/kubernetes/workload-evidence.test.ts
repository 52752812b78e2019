// The logs behind a 5xx: an http target that names its workload quotes that workload's top error
// patterns on a 5xx status finding, read through the k8s target, bounded; a healthy answer reads
// no log, and a workload that cannot be found or read says so in one line.
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.ts';
import { silentLogger } from '../../../src/logger.ts';
import { runProbe } from '../../../src/probes/run-probe.ts';
import { kubeDeployment, kubePod } from '../../support/kube-objects.ts';
import { FakeHttpServer, prometheusRoutes } from '../http/fake-http-services.ts';
import { useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
const servers: FakeHttpServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function setup(status: number, workload: Record<string, unknown>, extraTargets: Record<string, unknown> = {}) {
  const s = await FakeHttpServer.start({ '/health': { status, body: status >= 500 ? 'upstream error' : 'ok' } });
  servers.push(s);
  const config = parseConfig({
    targets: {
      shop: { kind: 'http', url: `${s.url}/health`, timeoutMs: 10_000, workload },
      cluster: { kind: 'k8s', kubeconfig: k.kubeconfig, namespaces: ['shop'], timeoutMs: 10_000 },
      ...extraTargets,
    },
  }, 'test.yml', {});
  return { target: config.targets.find((t) => t.name === 'shop')!, targets: config.targets };
}

describe('an http target with workload:', () => {
  it('a 503 quotes the top error patterns of the workload\'s pods, secrets masked', async () => {
    k.api.add(kubeDeployment({ namespace: 'shop', name: 'web', replicas: 2 }));
    k.api.add(kubePod({ namespace: 'shop', name: 'web-5d4f8c7b9-a1', owner: { kind: 'Deployment', name: 'web' } }));
    k.api.add(kubePod({ namespace: 'shop', name: 'web-5d4f8c7b9-a2', owner: { kind: 'Deployment', name: 'web' } }));
    k.api.setLogLines('shop', 'web-5d4f8c7b9-a1', 'app', { current: [
      { agoS: 120, text: 'ERROR payment 4411 failed: upstream timeout after 30s' },
      { agoS: 60, text: 'INFO request served' },
      { agoS: 30, text: 'ERROR payment 4412 failed: upstream timeout after 31s' },
    ] });
    k.api.setLogLines('shop', 'web-5d4f8c7b9-a2', 'app', { current: [
      { agoS: 50, text: 'ERROR payment 4413 failed: upstream timeout after 29s' },
      { agoS: 20, text: 'ERROR login with password=hunter2hunter2 refused' },
    ] });
    const { target, targets } = await setup(503, { target: 'cluster', name: 'shop/deployment/web' });
    const before = k.api.requests.length;
    const report = await runProbe(target, { log: silentLogger(), targets });
    const status = report.findings.find((f) => f.check === 'http.status')!;
    expect(status.status).toBe('crit');
    expect(status.detail).toMatch(/^logs of deployment shop\/web, 15 min: 3× ERROR payment 441\d failed: upstream timeout after \d+s \(last \d\d:\d\d:\d\d\)$/m);
    expect(status.detail).toContain('logs of deployment shop/web, 15 min: 1× ERROR login with password=');
    expect(status.detail).not.toContain('hunter2hunter2');
    expect(status.detail).not.toContain('request served');
    const reads = k.api.requests.slice(before).filter((r) => r.path.endsWith('/log'));
    expect(reads).toHaveLength(2);
    expect(reads[0]!.query).toMatchObject({ sinceSeconds: '900', limitBytes: String(256 * 1024) });
  });

  it('an ok answer reads no log; without the targets (a run that does not know them) nothing is added', async () => {
    const ok = await setup(200, { name: 'web' });
    const before = k.api.requests.length;
    const report = await runProbe(ok.target, { log: silentLogger(), targets: ok.targets });
    expect(report.status).toBe('ok');
    expect(k.api.requests.length).toBe(before);
    const failing = await setup(502, { name: 'web' });
    const alone = await runProbe(failing.target, { log: silentLogger() });
    expect(alone.findings.find((f) => f.check === 'http.status')!.detail).not.toContain('logs of');
    expect(k.api.requests.length).toBe(before);
  });

  it('a workload that is not there is said in one line; a target that is not k8s too, when the run is given one', async () => {
    const missing = await setup(500, { name: 'shop/deployment/nope' });
    const report = await runProbe(missing.target, { log: silentLogger(), targets: missing.targets });
    expect(report.findings.find((f) => f.check === 'http.status')!.detail).toMatch(/logs of shop\/deployment\/nope: not read, no deployment named nope in namespace shop of cluster/);
    // The loader refuses such a config; a target built in code is still told apart.
    const self = { ...missing.target, workload: { target: 'shop', name: 'web' } } as typeof missing.target;
    const other = await runProbe(self, { log: silentLogger(), targets: [self, { ...missing.targets[1]!, name: 'elsewhere' }] });
    expect(other.findings.find((f) => f.check === 'http.status')!.detail).toContain('logs of web: not read, shop is a http target, not k8s; k8s targets: elsewhere');
  });

  it('the config names a workload target that is not a configured k8s target: a problem at its key, naming the k8s targets', () => {
    const load = (targets: Record<string, unknown>) => () => parseConfig({ targets }, 'test.yml', {}, process.cwd(), 'strict');
    const k8s = { kind: 'k8s', kubeconfig: '/nowhere/kubeconfig' };
    expect(load({ shop: { kind: 'http', url: 'http://127.0.0.1:1/h', workload: { target: 'prod', name: 'web' } }, cluster: k8s })).toThrow('targets.shop.workload.target: "prod" is not a configured k8s target; k8s targets: cluster');
    expect(load({ shop: { kind: 'http', url: 'http://127.0.0.1:1/h', workload: { name: 'web' } } })).toThrow('targets.shop.workload.target: a workload needs a k8s target to read its logs through, and none is configured');
    expect(load({ shop: { kind: 'http', url: 'http://127.0.0.1:1/h', workload: { name: 'web' } }, a: k8s, b: k8s })).toThrow('targets.shop.workload.target: required with several k8s targets; k8s targets: a, b');
    expect(load({ prom: { kind: 'prometheus', url: 'http://127.0.0.1:1', queries: [{ name: 'x', expression: 'x', warn: 1, crit: 2, workload: { target: 'nope', name: 'web' } }] }, cluster: k8s })).toThrow('targets.prom.queries[0].workload.target: "nope" is not a configured k8s target; k8s targets: cluster');
    expect(load({ shop: { kind: 'http', url: 'http://127.0.0.1:1/h', workload: { name: 'web' } }, cluster: k8s })).not.toThrow();
    expect(load({ shop: { kind: 'http', url: 'http://127.0.0.1:1/h', workload: { name: 'web', namespace: 'shop' } }, cluster: k8s })).toThrow('targets.shop.workload: unknown key namespace; accepted keys: target, name');
    expect(load({ prom: { kind: 'prometheus', url: 'http://127.0.0.1:1', queries: [{ name: 'x', expression: 'x', warn: 1, crit: 2, workload: { name: 'web', ns: 'shop' } }] }, cluster: k8s })).toThrow('targets.prom.queries[0].workload: unknown key ns; accepted keys: target, name');
  });

  it('a workload word that /diag logs would refuse is a configuration problem', () => {
    expect(() => parseConfig({ targets: { shop: { kind: 'http', url: 'http://127.0.0.1:1/h', workload: { name: 'Shop/Web!' } } } }, 'test.yml', {}, process.cwd(), 'strict')).toThrow(/workload\.name.*deployment\/<name>/);
  });

  it('a PromQL query with workload: past its threshold quotes the workload\'s patterns; one under it reads nothing', async () => {
    k.api.add(kubeDeployment({ namespace: 'shop', name: 'cart', replicas: 1 }));
    k.api.add(kubePod({ namespace: 'shop', name: 'cart-5d4f8c7b9-c1', owner: { kind: 'Deployment', name: 'cart' } }));
    k.api.setLogLines('shop', 'cart-5d4f8c7b9-c1', 'app', { current: [{ agoS: 40, text: 'ERROR cart 77 lookup failed: redis READONLY' }] });
    const vector = (v: string) => ({ body: { status: 'success', data: { resultType: 'vector', result: [{ metric: { job: 'cart' }, value: [1_767_225_600, v] }] } } });
    const prom = await FakeHttpServer.start({
      ...prometheusRoutes(),
      '/api/v1/query': (req) => (new URL(req.url, 'http://x').searchParams.get('query') === 'cart_5xx_ratio' ? vector('0.2') : vector('0.001')),
    });
    servers.push(prom);
    const config = parseConfig({
      targets: {
        prom: { kind: 'prometheus', url: prom.url, timeoutMs: 10_000, queries: [
          { name: 'cart_5xx', expression: 'cart_5xx_ratio', warn: 0.05, crit: 0.1, unit: 'ratio', workload: { name: 'shop/cart' } },
          { name: 'web_5xx', expression: 'web_5xx_ratio', warn: 0.05, crit: 0.1, unit: 'ratio', workload: { name: 'shop/web' } },
        ] },
        cluster: { kind: 'k8s', kubeconfig: k.kubeconfig, namespaces: ['shop'], timeoutMs: 10_000 },
      },
    }, 'test.yml', {});
    const before = k.api.requests.length;
    const report = await runProbe(config.targets[0]!, { log: silentLogger(), targets: config.targets });
    const cart = report.findings.find((f) => f.check === 'prometheus.query.cart_5xx')!;
    expect(cart.status).toBe('crit');
    expect(cart.detail).toMatch(/^logs of deployment shop\/cart, 15 min: 1× ERROR cart 77 lookup failed: redis READONLY \(last /m);
    expect(report.findings.find((f) => f.check === 'prometheus.query.web_5xx')!.detail ?? '').not.toContain('logs of');
    const reads = k.api.requests.slice(before).filter((r) => r.path.endsWith('/log'));
    expect(reads.map((r) => r.path)).toEqual(['/api/v1/namespaces/shop/pods/cart-5d4f8c7b9-c1/log']);
  });
});
