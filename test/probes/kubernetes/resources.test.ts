// k8s.resources against the fake API server serving metrics.k8s.io/v1beta1 as metrics-server does
// (nanocores, Ki), with the limits read from the pods and the allocatable from the nodes: each
// scenario in a namespace of its own; the nodes, cluster-wide, in one test.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/report.ts';
import { kubeDeployment, kubeNode, kubeNodeMetrics, kubePod, kubePodMetrics } from '../../support/kube-objects.ts';
import { findingsOf, runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
const run = (namespace: string, extra: { thresholds?: Record<string, { warn?: number; crit?: number }>; target?: Record<string, unknown> } = {}) =>
  runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: [namespace], ...extra.target }, ...(extra.thresholds && { thresholds: extra.thresholds }) });
const resources = (findings: Finding[]) => findingsOf(findings, 'resources');
const problems = (findings: Finding[]) => resources(findings).filter((f) => f.status !== 'ok');

/** 256Mi is 262144Ki: a working set of `pct` % of it, as metrics-server writes memory. */
const ofLimit = (pct: number) => `${Math.round(262144 * pct / 100)}Ki`;

/** A pod of deployment `app` with a 256Mi memory limit (and requests), using `memory`. */
function limitedPod(namespace: string, app: string, name: string, memory: string, cpu = '12000000n', extra: { cpuLimit?: string } = {}) {
  k.api.add(kubePod({ namespace, name, owner: { kind: 'Deployment', name: app }, containers: [{ name: 'app', memoryLimit: '256Mi', memoryRequest: '128Mi', cpuRequest: '100m', ...(extra.cpuLimit && { cpuLimit: extra.cpuLimit }) }] }));
  k.api.add(kubePodMetrics({ namespace, pod: name, containers: [{ name: 'app', cpu, memory }] }));
}

describe('k8s.resources with metrics-server', () => {
  it('memory at 85 % is fine, 92 % warns, 98 % is crit: each names the pod and container, the workload and the limit', async () => {
    k.api.metricsServer('installed');
    k.api.add(kubeDeployment({ namespace: 'mem', name: 'api', replicas: 3 }));
    limitedPod('mem', 'api', 'api-5d4f8c7b9-aaaaa', ofLimit(85));
    limitedPod('mem', 'api', 'api-5d4f8c7b9-bbbbb', ofLimit(92));
    limitedPod('mem', 'api', 'api-5d4f8c7b9-ccccc', ofLimit(98));
    const found = problems(await run('mem'));
    expect(found.map((f) => [f.status, f.title])).toEqual([
      ['crit', 'pod/api-5d4f8c7b9-ccccc in mem (deployment/api): container app uses 98.0% of its memory limit (250.9Mi of 256Mi)'],
      ['warn', 'pod/api-5d4f8c7b9-bbbbb in mem (deployment/api): container app uses 92% of its memory limit (235.5Mi of 256Mi)'],
    ]);
    expect(found[0]!.metrics).toMatchObject({ memory_limit_pct: 98, memory_limit_bytes: 256 * 2 ** 20 });
    expect(found[0]!.fix).toContain('raise the memory limit of app (now 256Mi) in deployment/api in mem');
  });

  it('the thresholds are data: thresholds.resources moves them for one target, both ways', async () => {
    const lower = problems(await run('mem', { thresholds: { resources: { warn: 80, crit: 90 } } }));
    expect(lower.map((f) => `${f.status} ${f.metrics?.memory_limit_pct}`)).toEqual(['crit 98', 'crit 92', 'warn 85']);
    const higher = problems(await run('mem', { thresholds: { resources: { warn: 95, crit: 99 } } }));
    expect(higher.map((f) => `${f.status} ${f.metrics?.memory_limit_pct}`)).toEqual(['warn 98']);
  });

  it('a container at its cpu limit warns (throttled), never crit; below the threshold it is fine', async () => {
    k.api.add(kubeDeployment({ namespace: 'cpu', name: 'worker', replicas: 2 }));
    limitedPod('cpu', 'worker', 'worker-5d4f8c7b9-aaaaa', ofLimit(40), '500000000n', { cpuLimit: '500m' });
    limitedPod('cpu', 'worker', 'worker-5d4f8c7b9-bbbbb', ofLimit(40), '200000000n', { cpuLimit: '500m' });
    const found = problems(await run('cpu'));
    expect(found.map((f) => [f.status, f.title])).toEqual([
      ['warn', 'pod/worker-5d4f8c7b9-aaaaa in cpu (deployment/worker): container app uses 100% of its cpu limit (500m of 500m): throttled'],
    ]);
    // resourceUsagePct.cpu is the target's: above 100 % nothing warns.
    expect(problems(await run('cpu', { target: { resourceUsagePct: { cpu: { warn: 101 } } } }))).toEqual([]);
  });

  it('nodes near their allocatable: memory 98 % crit, cpu 97 % warn; a node with room says nothing', async () => {
    k.api.add(kubeNode({ name: 'node-full', allocatable: { memory: '8Gi', cpu: '4' } }), kubeNodeMetrics({ name: 'node-full', memory: `${Math.round(8 * 1024 * 1024 * 0.98)}Ki`, cpu: '1200000000n' }));
    k.api.add(kubeNode({ name: 'node-busy' }), kubeNodeMetrics({ name: 'node-busy', memory: '2097152Ki', cpu: '3802400000n' }));
    k.api.add(kubeNode({ name: 'node-idle' }), kubeNodeMetrics({ name: 'node-idle', memory: '1048576Ki', cpu: '250m' }));
    k.api.add(kubePod({ namespace: 'nodes', name: 'lone', containers: [{ name: 'app', memoryLimit: '64Mi', memoryRequest: '64Mi' }] }));
    try {
      const found = problems(await run('nodes'));
      expect(found.map((f) => [f.status, f.title])).toEqual([
        ['crit', 'node/node-full: memory at 98.0% of allocatable (7.8Gi of 8Gi)'],
        ['warn', 'node/node-busy: cpu at 97% of allocatable (3.8 cores of 3.9 cores)'],
      ]);
      expect(found[0]!.fix).toContain('evicts pods');
      // resourceUsagePct.nodeMemory is the target's: with crit at 99 the full node only warns.
      const relaxed = problems(await run('nodes', { target: { resourceUsagePct: { nodeMemory: { warn: 95, crit: 99 } } } }));
      expect(relaxed.map((f) => `${f.status} ${f.title.split(':')[0]}`)).toEqual(['warn node/node-full', 'warn node/node-busy']);
    } finally {
      // Nodes are cluster-wide: the other scenarios run without these measurements.
      for (const n of ['node-full', 'node-busy', 'node-idle']) k.api.remove('NodeMetrics', undefined, n);
    }
  });

  it('pods without a memory limit or requests are listed by workload in an ok finding, not a warning', async () => {
    k.api.add(kubeDeployment({ namespace: 'bare', name: 'web', replicas: 2 }));
    for (const s of ['aaaaa', 'bbbbb']) k.api.add(kubePod({ namespace: 'bare', name: `web-5d4f8c7b9-${s}`, owner: { kind: 'Deployment', name: 'web' } }));
    k.api.add(kubePod({ namespace: 'bare', name: 'debug' }));
    limitedPod('bare', 'api', 'api-5d4f8c7b9-aaaaa', ofLimit(50));
    const findings = resources(await run('bare'));
    expect(findings.every((f) => f.status === 'ok')).toBe(true);
    const listed = findings.find((f) => f.title.includes('without a memory limit'))!;
    expect(listed.title).toBe('3 running pods without a memory limit or requests: deployment/web in bare (2 pods), pod/debug in bare (1 pod)');
    expect(listed.metrics).toEqual({ pods_without_limits: 3 });
    expect(listed.detail).not.toContain('deployment/api');
  });

  it('many containers at fault: the worst are listed one by one, the rest counted in one more finding', async () => {
    k.api.add(kubeDeployment({ namespace: 'many', name: 'batch', replicas: 12 }));
    for (let i = 0; i < 12; i++) limitedPod('many', 'batch', `batch-5d4f8c7b9-p${String(i).padStart(2, '0')}`, ofLimit(90 + i * 0.5));
    const found = problems(await run('many'));
    expect(found).toHaveLength(9);
    expect(found[0]!.title).toContain('batch-5d4f8c7b9-p11');
    expect(found.slice(0, 8).map((f) => f.metrics?.memory_limit_pct)).toEqual([95.5, 95, 94.5, 94, 93.5, 93, 92.5, 92]);
    expect(found[8]).toMatchObject({ status: 'warn', title: '4 more containers or nodes near their limits' });
    expect(found[8]!.detail!.split('\n')).toHaveLength(4);
  });
});

describe('k8s.resources lists', () => {
  it('PodMetrics once per namespace and NodeMetrics once per run, a page at a time', async () => {
    k.api.metricsServer('installed');
    k.api.requests.length = 0;
    await runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: ['mem', 'cpu'] } });
    const lists = (path: string) => k.api.requests.filter((r) => r.method === 'GET' && r.path === path);
    for (const ns of ['mem', 'cpu']) {
      const pods = lists(`/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods`);
      expect(pods, ns).toHaveLength(1);
      expect(pods[0]!.query.limit).toBe('500');
    }
    expect(lists('/apis/metrics.k8s.io/v1beta1/nodes')).toHaveLength(1);
  });
});

describe('k8s.resources without metrics', () => {
  it('metrics-server not installed (404 on the group): one unknown finding saying how to install it', async () => {
    k.api.metricsServer('absent');
    limitedPod('nometrics', 'api', 'api-5d4f8c7b9-aaaaa', ofLimit(99));
    const findings = await run('nometrics');
    const found = problems(findings);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: 'unknown', title: 'Resource usage: cannot see, the metrics API (metrics.k8s.io/v1beta1) is not served: metrics-server is not installed' });
    expect(found[0]!.fix).toContain('kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml');
    expect(found[0]!.fix).toContain('helm upgrade --install metrics-server metrics-server/metrics-server');
    // Not a failed list of the api check: nothing is wrong with the bot's access.
    expect(findingsOf(findings, 'api').map((f) => f.status)).toEqual(['ok']);
  });

  it('registered but not answering (503): unknown, pointing at the APIService', async () => {
    k.api.metricsServer('unavailable');
    const found = problems(await run('nometrics'));
    expect(found.map((f) => f.status)).toEqual(['unknown']);
    expect(found[0]!.title).toContain('registered but not answering (503)');
    expect(found[0]!.fix).toContain('kubectl get apiservice v1beta1.metrics.k8s.io');
  });

  it('403 on the metrics: unknown naming the verb, the resource and the RBAC rule to add', async () => {
    k.api.metricsServer('installed');
    k.api.deny('list', 'pods', 'forbidden', 'metrics.k8s.io');
    try {
      limitedPod('forbidden', 'api', 'api-5d4f8c7b9-aaaaa', ofLimit(99));
      const findings = await run('forbidden');
      const found = problems(findings);
      expect(found).toHaveLength(1);
      expect(found[0]!.status).toBe('unknown');
      expect(found[0]!.title).toContain('forbidden: the bot may not list pods in namespace forbidden');
      expect(found[0]!.fix).toContain('add list on pods (apiGroups: ["metrics.k8s.io"]) in namespace forbidden to the bot\'s RBAC role');
      // The pods themselves could be listed: the other checks ran.
      expect(findingsOf(findings, 'crashloop').map((f) => f.status)).toEqual(['ok']);
    } finally {
      k.api.clearDenials();
    }
  });
});
