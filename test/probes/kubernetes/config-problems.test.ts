// What is wrong with the bot's own configuration is said as such, never as an outage: a context
// the kubeconfig does not hold, a kubeconfig file that is not there, a server host name that does
// not resolve. Each is one `config` finding (unknown, never crit) naming what is missing, with
// the fix. A server that refuses or rejects the credentials is still an outage (api-errors.test.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { kubernetesKind } from '../../../src/probes/kubernetes/kubernetes-kind.ts';
import { runProbe } from '../../../src/probes/run-probe.ts';
import type { Target } from '../../../src/config/config.ts';
import { isConfigProblem, type Report } from '../../../src/report.ts';
import { kubeTarget, runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();

async function diagnose(target: Record<string, unknown>, kubeconfig = k.kubeconfig): Promise<Report> {
  return await runProbe(kubeTarget({ kubeconfig, target }) as unknown as Target, { log: silentLogger() });
}

/** A kubeconfig with contexts `staging` and `prod` whose cluster server is `server`. */
function kubeconfigFor(server: string, name: string): string {
  const file = path.join(path.dirname(k.kubeconfig), name);
  writeFileSync(file, [
    'apiVersion: v1', 'kind: Config',
    `clusters: [{name: c, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]`,
    'users: [{name: u, user: {token: test-token}}]',
    'contexts: [{name: staging, context: {cluster: c, user: u}}, {name: prod, context: {cluster: c, user: u}}]',
    'current-context: staging', '',
  ].join('\n'));
  return file;
}

describe('kubernetes: the bot\'s configuration is not an outage', () => {
  it('a context the kubeconfig does not hold: one config finding naming it and the contexts there, with the fix; the report is unknown', async () => {
    const kubeconfig = kubeconfigFor(k.api.url, 'two-contexts');
    const report = await diagnose({ context: 'production' }, kubeconfig);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      check: 'k8s.api',
      status: 'unknown',
      config: true,
      title: `Bot configuration: context "production" is not in the kubeconfig ${kubeconfig}; contexts there: staging, prod`,
      fix: 'set context of this target to one of staging, prod (kubectl config get-contexts lists them), or add context "production" to the kubeconfig',
    });
    expect(report.status).toBe('unknown');
    expect(isConfigProblem(report)).toBe(true);
    expect(report.endpoint).toBe('context production, namespace prod');
  });

  it('a kubeconfig file that does not exist names the path', async () => {
    const missing = path.join(path.dirname(k.kubeconfig), 'no-such-kubeconfig');
    const findings = await runKubeProbe({ kubeconfig: missing });
    expect(findings).toEqual([{
      check: 'k8s.api',
      status: 'unknown',
      config: true,
      title: `Bot configuration: kubeconfig file ${missing} does not exist`,
      fix: 'set kubeconfig of this target to an existing file, or remove it to use $KUBECONFIG or ~/.kube/config',
    }]);
  });

  it('$KUBECONFIG naming a file that is not there, and a kubeconfig that does not parse, are configuration too', async () => {
    const missing = path.join(path.dirname(k.kubeconfig), 'gone.yaml');
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = missing;
    try {
      const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { kubeconfig: undefined } });
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ status: 'unknown', config: true, title: `Bot configuration: kubeconfig file ${missing} (from $KUBECONFIG) does not exist` });
      expect(findings[0]!.fix).toContain('point $KUBECONFIG at an existing kubeconfig');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
    const broken = path.join(path.dirname(k.kubeconfig), 'broken.yaml');
    writeFileSync(broken, 'apiVersion: v1\nclusters: [unterminated\n');
    const unreadable = await runKubeProbe({ kubeconfig: broken });
    expect(unreadable).toHaveLength(1);
    expect(unreadable[0]).toMatchObject({ status: 'unknown', config: true, title: expect.stringContaining(`Bot configuration: the kubeconfig ${broken} cannot be read`) });
     // A file that does not parse cannot be read for its secrets: the finding quotes none of its lines.
    const leaky = path.join(path.dirname(k.kubeconfig), 'leaky.yaml');
    writeFileSync(leaky, 'apiVersion: v1\nusers:\n- name: u\n  user:\n    token: kubeTOKENsecretValue0123456789\n   bad: indent\n');
    const quoted = await runKubeProbe({ kubeconfig: leaky });
    expect(quoted[0]).toMatchObject({ status: 'unknown', config: true, title: expect.stringMatching(/cannot be read: not valid YAML: .*\(line \d+, column \d+\)/) });
    expect(JSON.stringify(quoted)).not.toContain('kubeTOKENsecret');
  });

  it('a cluster server host name that does not resolve is configuration, naming the host and the context', async () => {
    const kubeconfig = kubeconfigFor('https://api.no-such-cluster.invalid:6443', 'unresolvable');
    const report = await diagnose({ context: 'prod' }, kubeconfig);
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    expect(f).toMatchObject({ check: 'k8s.api', status: 'unknown', config: true });
    expect(f.title).toBe('Bot configuration: the host name api.no-such-cluster.invalid of https://api.no-such-cluster.invalid:6443 does not resolve in DNS (context prod)');
    expect(f.fix).toContain('correct the cluster\'s server in the kubeconfig');
    expect(report.status).toBe('unknown');
  });

  it('the same for a bare server URL', async () => {
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { kubeconfig: undefined, server: 'http://no-such-cluster.invalid:8080', token: 'abc-token' } });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ status: 'unknown', config: true, title: expect.stringContaining('no-such-cluster.invalid') });
  });
});

describe('kubernetes: describeEndpoint', () => {
  const endpoint = (target: Record<string, unknown>) => kubernetesKind.describeEndpoint!(kubeTarget({ kubeconfig: '/nowhere/kubeconfig', target: { kubeconfig: undefined, ...target } }));

  it('names the context, in-cluster or the server, and the namespaces watched; never a token, never reading a file', () => {
    expect(endpoint({ context: 'prod-eu', namespaces: ['payments'] })).toBe('context prod-eu, namespace payments');
    expect(endpoint({ kubeconfig: '/nowhere/kubeconfig', namespaces: ['a', 'b'] })).toBe('current context of /nowhere/kubeconfig, namespaces a, b');
    expect(endpoint({ inCluster: true, namespaces: 'all' })).toBe('in-cluster');
    expect(endpoint({ namespaces: ['a', 'b', 'c', 'd', 'e'] })).toBe('current kube context, namespaces a, b, c and 2 more');
    const withToken = endpoint({ server: 'https://10.0.0.1:6443', token: 'sekret-token-value', namespaces: 'all' });
    expect(withToken).toBe('https://10.0.0.1:6443');
  });

  it('a target narrowed to one namespace says so', () => {
    const target = kubeTarget({ kubeconfig: k.kubeconfig, target: { context: 'fake', namespaces: ['prod', 'staging'] } });
    expect(kubernetesKind.describeEndpoint!(kubernetesKind.narrow!(target, ['staging']))).toBe('context fake, namespace staging');
  });
});
