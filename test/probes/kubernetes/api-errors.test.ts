// What the API says no with becomes a finding that says what to fix: rejected credentials, a
// missing permission (named), a namespace that does not exist, a server that does not answer.
// And lists are paged: thousands of pods arrive in pages of PAGE_SIZE, each object once.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kubernetesKind } from '../../../src/probes/kubernetes/kubernetes-kind.ts';
import { PAGE_SIZE } from '../../../src/probes/kubernetes/collect-cluster.ts';
import { isUserError } from '../../../src/user-error.ts';
import { freePort } from '../../../src/free-port.ts';
import { kubeDeployment, kubePod } from '../../support/kube-objects.ts';
import { findingOf, findingsOf, kubeTarget, runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();

describe('kubernetes probe: API errors are findings', () => {
  it('rejected credentials: one crit finding, nothing else pretends to know', async () => {
    const kubeconfig = k.api.writeKubeconfig(`${k.kubeconfig}.d`.replace(/[^/]+$/, ''), { token: 'expired-token', context: 'stale' });
    const findings = await runKubeProbe({ kubeconfig, target: { namespaces: ['prod'], context: 'stale' } });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ check: 'k8s.api', status: 'crit' });
    expect(findings[0]!.title).toMatch(/credentials rejected by http:\/\/127\.0\.0\.1:\d+ \(401 Unauthorized\)/);
    expect(JSON.stringify(findings)).not.toContain('expired-token');
  });

  it('a missing permission names the verb and resource, and only the checks that needed it are unknown', async () => {
    k.api.add(kubePod({ namespace: 'locked', name: 'p1' }));
    k.api.deny('list', 'pods', 'locked');
    k.api.deny('list', 'nodes');
    try {
      const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['locked'] } });
      const api = findingsOf(findings, 'api');
      expect(api.map((f) => f.status)).toEqual(['warn', 'warn']);
      const pods = api.find((f) => f.title.startsWith('Cannot list pods in locked'))!;
      expect(pods.title).toContain('Cannot list pods in locked: forbidden: the bot may not list pods in namespace locked: pods is forbidden');
      expect(pods.fix).toBe('add list on pods in namespace locked to the bot\'s RBAC role (see deploy/rbac.yaml) and apply it');
      expect(api.map((f) => f.title).join('\n')).toContain('the bot may not list nodes cluster-wide');
      for (const check of ['crashloop', 'oomkilled', 'image_pull', 'pending', 'restarts', 'readiness', 'nodes']) {
        expect(findingOf(findings, check).status, check).toBe('unknown');
      }
      expect(findingOf(findings, 'deployments').status).toBe('ok');
    } finally {
      k.api.clearDenials();
    }
  });

  it('a namespace that does not exist is crit, by name', async () => {
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['ghost'] } });
    expect(findingOf(findings, 'api')).toMatchObject({ status: 'crit', title: expect.stringMatching(/^Namespace ghost not found on http/) });
  });

  it('a server that does not answer is crit within the timeout', async () => {
    k.api.setDelay(Infinity);
    try {
      const started = Date.now();
      const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, timeoutMs: 300, target: { namespaces: ['prod'] } });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(findings).toHaveLength(1);
      expect(findings[0]!.title).toMatch(/did not answer list pods within 300 ms/);
    } finally {
      k.api.setDelay(0);
    }
  });

  it('an unreachable server is crit with the reason; a kubeconfig without the context is the bot\'s configuration', async () => {
    const dir = `${k.kubeconfig}-bad`;
    const closedPort = await freePort();
    writeFileSync(dir, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${closedPort}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    const refused = await runKubeProbe({ kubeconfig: dir });
    expect(refused[0]!.title).toBe(`Cannot list pods in prod: connection refused by http://127.0.0.1:${closedPort}`);
    expect(refused[0]!.status).toBe('crit');
    const noContext = await runKubeProbe({ kubeconfig: dir, target: { context: 'prod-admin' } });
    expect(noContext).toHaveLength(1);
    expect(noContext[0]).toMatchObject({ status: 'unknown', config: true, title: `Bot configuration: context "prod-admin" is not in the kubeconfig ${dir}; contexts there: x` });
  });
});

describe('kubernetes probe: paging and scope', () => {
  it('reads 1,200 pods in pages and finds a crashloop on the last page', async () => {
    for (let i = 0; i < 1_200; i++) k.api.add(kubePod({ namespace: 'big', name: `w-${String(i).padStart(4, '0')}` }));
    k.api.add(kubePod({ namespace: 'big', name: 'w-9999', containers: [{ name: 'app', ready: false, restartCount: 9, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }));
    k.api.requests.length = 0;
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['big'] } });
    expect(findingOf(findings, 'api').title).toContain('1,201 pods');
    expect(findingOf(findings, 'crashloop').title).toContain('pod w-9999');
    const pages = k.api.requests.filter((r) => r.path === '/api/v1/namespaces/big/pods');
    expect(pages).toHaveLength(Math.ceil(1_201 / PAGE_SIZE));
    expect(pages.every((r) => r.query.limit === String(PAGE_SIZE))).toBe(true);
    expect(pages.slice(1).every((r) => typeof r.query.continue === 'string' && r.query.continue.length > 0)).toBe(true);
  });

  it('namespaces: all lists cluster-wide; a label selector is passed on', async () => {
    k.api.add(kubeDeployment({ namespace: 'team-a', name: 'svc', replicas: 1, available: 0, labels: { tier: 'web' } }));
    k.api.requests.length = 0;
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: 'all', labelSelector: 'tier=web' } });
    expect(findingOf(findings, 'deployments', 'team-a').status).toBe('crit');
    const paths = new Set(k.api.requests.map((r) => r.path));
    expect(paths).toContain('/api/v1/pods');
    expect(paths).toContain('/apis/apps/v1/deployments');
    expect(k.api.requests.find((r) => r.path === '/api/v1/pods')?.query.labelSelector).toBe('tier=web');
  });

  it('/diag k8s <target> <namespace> narrows to a watched namespace and refuses others by name', () => {
    const target = kubeTarget({ kubeconfig: k.kubeconfig, target: { namespaces: ['prod', 'staging'] } });
    expect(kubernetesKind.narrow!(target, ['staging']).namespaces).toEqual(['staging']);
    let error: unknown;
    try {
      kubernetesKind.narrow!(target, ['kube-system']);
    } catch (e) {
      error = e;
    }
    expect(isUserError(error)).toBe(true);
    expect((error as Error).message).toBe('prod-cluster does not watch namespace "kube-system"; its namespaces: prod, staging');
  });
});
