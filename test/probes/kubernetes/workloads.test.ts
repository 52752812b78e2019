// The Kubernetes checks against a fake API server that serves real object shapes: each scenario
// is a namespace of its own, so the findings of one cannot hide or fake another's.
import { describe, expect, it } from 'vitest';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { kubeDeployment, kubeEvent, kubeNode, kubePod } from '../../support/kube-objects.ts';
import { findingOf, findingsOf, runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
const run = (namespace: string, target: Record<string, unknown> = {}, extra: { store?: MemoryProbeStateStore } = {}) =>
  runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: [namespace], ...target }, ...extra });

function healthyDeployment(namespace: string, name: string, replicas = 3) {
  k.api.add(kubeDeployment({ namespace, name, replicas }));
  for (let i = 0; i < replicas; i++) k.api.add(kubePod({ namespace, name: `${name}-5d4f8c7b9-p${i}`, owner: { kind: 'Deployment', name } }));
}

describe('kubernetes probe: healthy', () => {
  it('reports every check ok on a healthy namespace, with what it read', async () => {
    k.api.add(kubeNode({ name: 'node-1' }));
    // Without metrics-server the resources check could not see (unknown): this cluster has it.
    k.api.metricsServer('installed');
    healthyDeployment('healthy', 'api', 3);
    const findings = await run('healthy');
    expect(findings.filter((f) => f.status !== 'ok').map((f) => f.title)).toEqual([]);
    expect(findingOf(findings, 'api').title).toMatch(/answered: 3 pods, 1 workloads in healthy, \d+ nodes/);
    for (const check of ['crashloop', 'oomkilled', 'image_pull', 'pending', 'deployments', 'restarts', 'readiness', 'nodes', 'warning_events']) {
      expect(findingsOf(findings, check), check).toHaveLength(1);
    }
  });
});

describe('kubernetes probe: crashing containers', () => {
  it('a crashlooping deployment is crit, names the last exit, and offers logs of the previous instance, a restart and a scale once', async () => {
    k.api.add(kubeDeployment({ namespace: 'crash', name: 'api-gateway', replicas: 3, available: 2 }));
    k.api.add(kubePod({ namespace: 'crash', name: 'api-gateway-5d4f8c7b9-aaaaa', owner: { kind: 'Deployment', name: 'api-gateway' } }));
    k.api.add(kubePod({
      namespace: 'crash', name: 'api-gateway-5d4f8c7b9-bbbbb', owner: { kind: 'Deployment', name: 'api-gateway' },
      containers: [{ name: 'app', ready: false, restartCount: 14, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } }, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 40 } } }],
    }));
    const findings = await run('crash', { restartable: ['deployment/api-gateway'] });
    // The crashloop and the deployment's missing replica are one story: one root cause.
    const f = findingOf(findings, 'crashloop');
    expect(f.status).toBe('crit');
    expect(f.rootCause).toBe(true);
    expect(f.title).toBe('deployment crash/api-gateway: 1 of 3 pods crashlooping, exit code 1');
    expect(f.detail).toContain('api-gateway-5d4f8c7b9-bbbbb/app: 14 restarts, last exit Error (code 1) ');
    expect(f.effects).toEqual(['deployment crash/api-gateway: 2 of 3 replicas available for 1 h']);
    expect(findingsOf(findings, 'deployments')).toEqual([]);
    expect(f.remedies).toEqual([
      { action: 'k8s.logs', label: 'Logs (previous) api-gateway-5d4f8c7b9-bbbbb', params: { namespace: 'crash', pod: 'api-gateway-5d4f8c7b9-bbbbb', container: 'app', previous: 'yes' } },
      { action: 'k8s.restart', label: 'Restart api-gateway', params: { namespace: 'crash', workload: 'deployment', name: 'api-gateway', replicas: 3 } },
      { action: 'k8s.scale', label: 'Scale api-gateway…', params: { namespace: 'crash', workload: 'deployment', name: 'api-gateway' } },
    ]);
    // Not on the restartable list: no restart or scale button, logs still offered.
    const unlisted = findingOf(await run('crash'), 'crashloop');
    expect(unlisted.remedies?.map((r) => r.action)).toEqual(['k8s.logs']);
  });

  it('a first crash (one restart) is a warning; an init container loop is found too', async () => {
    k.api.add(kubePod({ namespace: 'crash1', name: 'job-a', containers: [{ name: 'main', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }));
    k.api.add(kubePod({ namespace: 'crash1', name: 'web-b', phase: 'Pending', initContainers: [{ name: 'migrate', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'Error', exitCode: 2, finishedAgoS: 10 } } }], containers: [{ name: 'web', ready: false, state: { waiting: { reason: 'PodInitializing' } } }] }));
    const findings = findingsOf(await run('crash1'), 'crashloop');
    expect(findings.find((f) => f.title.includes('job-a'))?.status).toBe('warn');
    const init = findings.find((f) => f.title.includes('web-b'))!;
    expect(init.status).toBe('crit');
    expect(init.detail).toContain('web-b/migrate (init): 5 restarts');
  });

  it('OOMKilled: crit when recent with the memory limit, warn within a day, silent after', async () => {
    const oom = (name: string, agoS: number) => kubePod({ namespace: 'oom', name, containers: [{ name: 'worker', memoryLimit: '256Mi', memoryRequest: '128Mi', restartCount: 3, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAgoS: agoS } } }] });
    k.api.add(oom('recent', 180), oom('earlier', 3 * 3600), oom('old', 3 * 86_400));
    const findings = findingsOf(await run('oom'), 'oomkilled');
    expect(findings.map((f) => [f.status, f.title])).toEqual([
      ['crit', 'pod/recent in oom: worker OOMKilled 3 min ago (memory limit 256Mi)'],
      ['warn', 'pod/earlier in oom: worker OOMKilled 3 h ago (memory limit 256Mi)'],
    ]);
    expect(findings[0]!.detail).toContain('limit 256Mi, request 128Mi, 3 restarts');
  });
});

describe('kubernetes probe: pods that do not start', () => {
  it('classifies image pull failures from the kubelet event: not found, unauthorized, registry timeout', async () => {
    const failing = (name: string, agoS: number) =>
      kubePod({ namespace: 'pull', name, createdAgoS: agoS, phase: 'Pending', containers: [{ name: 'app', image: `registry.example/${name}:1.4`, ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "registry.example/${name}:1.4"` } } }] });
    k.api.add(failing('missing', 600), failing('private', 600), failing('slow', 30));
    k.api.add(
      kubeEvent({ namespace: 'pull', reason: 'Failed', involved: { kind: 'Pod', name: 'missing' }, message: 'Failed to pull image "registry.example/missing:1.4": rpc error: code = NotFound desc = failed to pull and unpack image: registry.example/missing:1.4: not found' }),
      kubeEvent({ namespace: 'pull', reason: 'Failed', involved: { kind: 'Pod', name: 'private' }, message: 'Failed to pull image "registry.example/private:1.4": failed to authorize: failed to fetch anonymous token: unexpected status: 401 Unauthorized' }),
      kubeEvent({ namespace: 'pull', reason: 'Failed', involved: { kind: 'Pod', name: 'slow' }, message: 'Failed to pull image "registry.example/slow:1.4": dial tcp 10.0.0.9:443: i/o timeout' }),
    );
    const findings = findingsOf(await run('pull'), 'image_pull');
    const byPod = (pod: string) => findings.find((f) => f.title.includes(`pod/${pod} `))!;
    expect(byPod('missing')).toMatchObject({ status: 'crit', title: expect.stringContaining('image registry.example/missing:1.4 not found (ImagePullBackOff on 1 pod for 10 min)') });
    expect(byPod('private')).toMatchObject({ status: 'crit', title: expect.stringContaining('unauthorized') });
    expect(byPod('slow')).toMatchObject({ status: 'warn', title: expect.stringContaining('registry unreachable or slow') });
    // Pods waiting on their image are not reported again as pending.
    expect(findingsOf(await run('pull'), 'pending').map((f) => f.status)).toEqual(['ok']);
  });

  it('pending pods carry the scheduler\'s reason, graded by how long they wait', async () => {
    k.api.add(
      kubePod({ namespace: 'sched', name: 'big', createdAgoS: 1200, unschedulable: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.' } }),
      kubePod({ namespace: 'sched', name: 'claim', createdAgoS: 400, unschedulable: { reason: 'Unschedulable', message: '0/3 nodes are available: persistentvolumeclaim "data-claim" not found.' } }),
      kubePod({ namespace: 'sched', name: 'fresh', createdAgoS: 20, unschedulable: { message: '0/3 nodes are available: 3 Insufficient cpu.' } }),
    );
    const findings = findingsOf(await run('sched'), 'pending');
    expect(findings.map((f) => [f.status, f.title])).toEqual([
      ['crit', 'pod/big in sched: pod big Pending for 20 min (insufficient memory)'],
      ['warn', 'pod/claim in sched: pod claim Pending for 6 min (volume claim not found)'],
    ]);
    expect(findings[0]!.detail).toContain('scheduler: 0/3 nodes are available: 3 Insufficient memory.');
  });

  it('a scheduled pod still pending says what its containers wait on, each pod its own', async () => {
    k.api.add(
      kubePod({ namespace: 'starting', name: 'mounting', createdAgoS: 600, phase: 'Pending' }),
      kubePod({ namespace: 'starting', name: 'other', createdAgoS: 20, phase: 'Running' }),
    );
    const findings = findingsOf(await run('starting'), 'pending');
    expect(findings.map((f) => [f.status, f.title])).toEqual([['warn', 'pod/mounting in starting: pod mounting Pending for 10 min (ContainerCreating)']]);
  });
});

describe('kubernetes probe: workloads', () => {
  it('grades unavailable replicas by fraction, a stalled rollout is crit, a paused one warns without a restart button', async () => {
    k.api.add(
      kubeDeployment({ namespace: 'wl', name: 'half', replicas: 4, available: 3 }),
      kubeDeployment({ namespace: 'wl', name: 'mostly-down', replicas: 3, available: 1 }),
      kubeDeployment({ namespace: 'wl', name: 'stuck', replicas: 2, available: 2, progressDeadlineExceeded: true }),
      kubeDeployment({ namespace: 'wl', name: 'held', replicas: 2, paused: true }),
      kubeDeployment({ namespace: 'wl', name: 'fine', replicas: 2 }),
    );
    const findings = findingsOf(await run('wl', { restartable: ['deployment/held', 'deployment/mostly-down'] }), 'deployments');
    const of = (name: string) => findings.find((f) => f.title.startsWith(`deployment/${name} `));
    expect(of('half')).toMatchObject({ status: 'warn', title: 'deployment/half in wl: 3/4 available (25% unavailable)' });
    expect(of('mostly-down')).toMatchObject({ status: 'crit', title: 'deployment/mostly-down in wl: 1/3 available (67% unavailable)' });
    expect(of('mostly-down')!.remedies!.map((r) => r.action)).toEqual(['k8s.restart', 'k8s.scale']);
    expect(of('stuck')).toMatchObject({ status: 'crit', title: 'deployment/stuck in wl: rollout stalled (ProgressDeadlineExceeded)' });
    expect(of('stuck')!.detail).toContain('rollout stalled: ReplicaSet "stuck-5d4f8c7b9" has timed out progressing.');
    expect(of('stuck')!.fix).toBe('kubectl rollout undo deployment/stuck -n wl goes back to the previous version');
    expect(of('held')!.fix).toBe('kubectl rollout resume deployment/held -n wl resumes it');
    expect(of('held')).toMatchObject({ status: 'warn', title: 'deployment/held in wl: paused' });
    expect(of('held')!.remedies!.map((r) => r.action)).toEqual(['k8s.scale']);
    expect(of('fine')).toBeUndefined();
  });

  it('restart growth is measured against the previous run of the target', async () => {
    const store = new MemoryProbeStateStore();
    const pod = (restarts: number) => kubePod({ namespace: 'flappy', name: 'cache-0', owner: { kind: 'StatefulSet', name: 'cache' }, containers: [{ name: 'redis', restartCount: restarts, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 5 } } }] });
    k.api.add(pod(2));
    const first = findingOf(await run('flappy', {}, { store }), 'restarts');
    expect(first).toMatchObject({ status: 'ok', title: expect.stringContaining('growth is measured from the next run') });
    k.api.add(pod(8));
    const second = findingOf(await run('flappy', {}, { store }), 'restarts');
    expect(second.status).toBe('warn');
    expect(second.title).toMatch(/^statefulset\/cache in flappy: 6 restarts in the last/);
    expect(second.remedies?.[0]).toMatchObject({ action: 'k8s.logs', params: { pod: 'cache-0', container: 'redis', previous: 'yes' } });
    // Nothing new since: back to ok.
    expect(findingOf(await run('flappy', {}, { store }), 'restarts').status).toBe('ok');
  });

  it('containers not ready for a while warn with the probe failure the kubelet reported', async () => {
    k.api.add(kubePod({ namespace: 'ready', name: 'web-1', containers: [{ name: 'web', ready: false, state: { running: { startedAgoS: 900 } } }] }));
    k.api.add(kubeEvent({ namespace: 'ready', reason: 'Unhealthy', involved: { kind: 'Pod', name: 'web-1' }, message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', count: 40 }));
    const f = findingOf(await run('ready'), 'readiness');
    expect(f.status).toBe('warn');
    expect(f.title).toMatch(/^pod\/web-1 in ready: pod web-1 not ready for/);
    expect(f.detail).toContain('Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503');
  });
});

describe('kubernetes probe: nodes and events', () => {
  it('NotReady and pressure are crit, cordoned warns', async () => {
    const api = k.api;
    for (const n of api.list('Node')) api.remove('Node', undefined, n.metadata.name);
    api.add(kubeNode({ name: 'n-ok' }), kubeNode({ name: 'n-down', ready: false, readyMessage: 'Kubelet stopped posting node status.' }), kubeNode({ name: 'n-disk', pressure: ['DiskPressure'] }), kubeNode({ name: 'n-cordoned', unschedulable: true }));
    const findings = findingsOf(await run('nodes-ns'), 'nodes');
    expect(findings.map((f) => [f.status, f.title]).sort()).toEqual([
      ['crit', 'Node n-disk: DiskPressure'],
      ['crit', 'Node n-down: NotReady (Kubelet stopped posting node status.)'],
      ['warn', 'Node n-cordoned: cordoned (unschedulable)'],
    ]);
    expect(findings.find((f) => f.title.includes('n-cordoned'))!.fix).toBe('kubectl uncordon n-cordoned when it is healthy again');
    for (const n of api.list('Node')) api.remove('Node', undefined, n.metadata.name);
  });

  it('warning events are grouped by reason; old ones and normal ones are left out', async () => {
    for (let i = 0; i < 3; i++) k.api.add(kubeEvent({ namespace: 'ev', reason: 'BackOff', involved: { kind: 'Pod', name: `p${i}` }, message: 'Back-off restarting failed container', count: 10 }));
    k.api.add(kubeEvent({ namespace: 'ev', reason: 'FailedMount', involved: { kind: 'Pod', name: 'p9' }, message: 'MountVolume.SetUp failed for volume "certs": secret "tls" not found', count: 5 }));
    k.api.add(kubeEvent({ namespace: 'ev', reason: 'BackOff', involved: { kind: 'Pod', name: 'ancient' }, message: 'old', count: 99, lastAgoS: 5 * 3600 }));
    k.api.add(kubeEvent({ namespace: 'ev', type: 'Normal', reason: 'Pulled', involved: { kind: 'Pod', name: 'p1' }, message: 'ok', count: 50 }));
    const f = findingOf(await run('ev'), 'warning_events');
    expect(f.status).toBe('warn');
    expect(f.title).toBe('35 warning events in the last 1 h: BackOff 30, FailedMount 5');
    expect(f.detail).toContain('FailedMount ×5 on 1 objects; newest: pod/p9 in ev: MountVolume.SetUp failed for volume "certs": secret "tls" not found');
  });
});
