// One story per workload: a crashloop (or an image that cannot be pulled, an OOM kill, pods not
// ready) and the same workload's missing replicas, restarts and unready pods are one root-cause
// finding with the workload's buttons once and its consequences as effects; unrelated workloads
// stay apart, and bare pods are reported as before. Run through runProbe, as the bot runs it.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.ts';
import { runProbe } from '../../../src/probes/run-probe.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import type { Target } from '../../../src/config/config.ts';
import type { Finding, Report } from '../../../src/report.ts';
import { kubeDeployment, kubeEvent, kubePod, kubeStatefulSet } from '../../support/kube-objects.ts';
import { kubeTarget, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();

async function diagnose(namespace: string, target: Record<string, unknown> = {}, store = new MemoryProbeStateStore(), secrets: string[] = []): Promise<Report> {
  // A generous timeout: the first run loads the client library, and a run cut short stores no restart counts.
  const t = kubeTarget({ kubeconfig: k.kubeconfig, timeoutMs: 10_000, target: { namespaces: [namespace], ...target } });
  return await runProbe(t as unknown as Target, { log: silentLogger(), state: store, secrets });
}

const crashing = (namespace: string, deployment: string, pod: string, restarts: number, exit: { reason: string; exitCode: number } = { reason: 'Error', exitCode: 1 }, extra: { memoryLimit?: string } = {}) =>
  kubePod({
    namespace, name: `${deployment}-5d4f8c7b9-${pod}`, owner: { kind: 'Deployment', name: deployment },
    containers: [{ name: 'app', ready: false, restartCount: restarts, ...extra, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } }, lastState: { terminated: { ...exit, finishedAgoS: 40 } } }],
  });

function about(report: Report, words: string): Finding[] {
  return report.findings.filter((f) => f.title.includes(words) || f.effects?.some((e) => e.includes(words)));
}

/** Every button of the report as action + params: none may be offered twice. */
function buttons(report: Report): string[] {
  return report.findings.flatMap((f) => (f.remedies ?? []).map((r) => JSON.stringify([r.action, r.params])));
}

describe('kubernetes root causes', () => {
  it('a crashlooping deployment and its missing replicas are one root cause; an unrelated statefulset is another; a bare pod stays as it was', async () => {
    const ns = 'payments';
    k.api.add(kubeDeployment({ namespace: ns, name: 'api', replicas: 3, available: 0 }));
    for (const [pod, restarts] of [['aaaaa', 5], ['bbbbb', 6], ['ccccc', 7]] as const) {
      k.api.add(crashing(ns, 'api', pod, restarts));
      k.api.setLogs(ns, `api-5d4f8c7b9-${pod}`, 'app', { current: '', previous: 'starting api v2.4.1\nconnecting to the database\n\u001b[31mError: DATABASE_URL is not set\u001b[0m\n\n' });
    }
    k.api.add(kubeStatefulSet({ namespace: ns, name: 'cache', replicas: 2, available: 1, ready: 1 }));
    k.api.add(kubePod({ namespace: ns, name: 'cache-0', owner: { kind: 'StatefulSet', name: 'cache' } }));
    k.api.add(kubePod({ namespace: ns, name: 'cache-1', owner: { kind: 'StatefulSet', name: 'cache' }, createdAgoS: 600, phase: 'Pending', containers: [{ name: 'redis', image: 'registry.example/redis:9.9', ready: false, state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example/redis:9.9"' } } }] }));
    k.api.add(kubeEvent({ namespace: ns, reason: 'Failed', involved: { kind: 'Pod', name: 'cache-1' }, message: 'Failed to pull image "registry.example/redis:9.9": rpc error: code = NotFound desc = failed to pull and unpack image: registry.example/redis:9.9: not found' }));
    k.api.add(kubePod({ namespace: ns, name: 'debug', containers: [{ name: 'sh', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }));
    const store = new MemoryProbeStateStore();
    const target = { restartable: ['deployment/api', 'statefulset/cache'] };
    await diagnose(ns, target, store);
    // Between the runs each crashing container restarted again: restarts grow.
    for (const pod of ['aaaaa', 'bbbbb', 'ccccc']) k.api.add(crashing(ns, 'api', pod, 9));
    const report = await diagnose(ns, target, store);

    const roots = report.findings.filter((f) => f.rootCause);
    expect(roots.map((f) => f.title)).toEqual([
      'deployment payments/api: 3 of 3 pods crashlooping, exit code 1, last log line: Error: DATABASE_URL is not set',
      'statefulset payments/cache: image registry.example/redis:9.9 cannot be pulled: not found (ImagePullBackOff on 1 of 2 pods for 10 min)',
    ]);
    // The report opens with its root causes.
    expect(report.findings.slice(0, 2)).toEqual(roots);
    const [api, cache] = roots as [Finding, Finding];
    expect(api).toMatchObject({ check: 'k8s.crashloop', status: 'crit' });
    expect(api.effects).toEqual([
      'deployment payments/api: 0 of 3 replicas available for 1 h',
      expect.stringMatching(/^restarts: 9 restarts in the last \d+ (ms|s)$/),
    ]);
    expect(api.remedies?.map((r) => r.label)).toEqual(['Logs (previous) api-5d4f8c7b9-aaaaa', 'Restart api', 'Scale api…']);
    expect(api.detail).toContain('api-5d4f8c7b9-ccccc/app: 9 restarts, last exit Error (code 1)');
    expect(cache).toMatchObject({ check: 'k8s.image_pull', status: 'crit', effects: ['statefulset payments/cache: 1 of 2 replicas available'] });
    expect(cache.fix).toBe('correct the image name or tag in the workload\'s spec, or push the image');
    expect(cache.remedies?.map((r) => r.label)).toEqual(['Restart cache', 'Scale cache…']);

    // Nothing else speaks of the two workloads: their deployments and restarts findings merged away.
    expect(about(report, 'payments/api').map((f) => f.title)).toEqual([api.title]);
    // (The resources check lists pods without limits in an ok finding: not a problem of its own.)
    expect(about(report, 'api in payments').filter((f) => f.status !== 'ok')).toEqual([]);
    expect(about(report, 'cache in payments').filter((f) => f.status !== 'ok')).toEqual([]);
    expect(report.findings.filter((f) => f.check === 'k8s.deployments' || f.check === 'k8s.restarts')).toEqual([]);
    const all = buttons(report);
    expect(all).toEqual([...new Set(all)]);

    // A pod no workload owns has nothing to merge with: reported as before.
    const debug = about(report, 'debug').filter((f) => f.check !== 'k8s.resources');
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatchObject({ check: 'k8s.crashloop', status: 'crit', title: 'pod/debug in payments: pod debug in CrashLoopBackOff (sh restarted 4×)' });
    expect(debug[0]!.rootCause).toBeUndefined();
    expect(report.status).toBe('crit');
    expect(report.endpoint).toBe(`current context of ${k.kubeconfig}, namespace payments`);
  });

  it('an OOM-killed crashloop is one root cause naming the kill, with the limit to raise; a paused deployment offers no restart', async () => {
    const ns = 'oom-loop';
    k.api.add(kubeDeployment({ namespace: ns, name: 'worker', replicas: 2, available: 0, paused: true }));
    k.api.add(crashing(ns, 'worker', 'aaaaa', 6, { reason: 'OOMKilled', exitCode: 137 }, { memoryLimit: '256Mi' }));
    k.api.add(crashing(ns, 'worker', 'bbbbb', 4, { reason: 'OOMKilled', exitCode: 137 }, { memoryLimit: '256Mi' }));
    const report = await diagnose(ns, { restartable: ['deployment/worker'] });
    const roots = report.findings.filter((f) => f.rootCause);
    expect(roots).toHaveLength(1);
    const root = roots[0]!;
    expect(root.title).toMatch(/^deployment oom-loop\/worker: 2 of 2 pods crashlooping, exit code 137 \(OOMKilled\); app OOMKilled 4\d s ago \(memory limit 256Mi\)$/);
    expect(root.effects).toEqual(['deployment oom-loop/worker: 0 of 2 replicas available for 1 h, paused']);
    expect(root.fix).toBe('raise the memory limit of app (now 256Mi) in the workload\'s spec, or find what makes it grow\nkubectl rollout resume deployment/worker -n oom-loop resumes it');
    expect(root.remedies?.map((r) => r.action)).toEqual(['k8s.logs', 'k8s.scale']);
    // No previous log to quote: the title says what is known, nothing more.
    expect(root.title).not.toContain('last log line');
    expect(report.findings.filter((f) => f.check === 'k8s.oomkilled' || f.check === 'k8s.deployments')).toEqual([]);
  });

  it('pods that run but never get ready are the cause of their deployment\'s missing replicas', async () => {
    const ns = 'unready';
    k.api.add(kubeDeployment({ namespace: ns, name: 'web', replicas: 2, available: 0 }));
    for (const p of ['p1', 'p2']) {
      k.api.add(kubePod({ namespace: ns, name: `web-5d4f8c7b9-${p}`, owner: { kind: 'Deployment', name: 'web' }, containers: [{ name: 'web', ready: false, state: { running: { startedAgoS: 900 } } }] }));
    }
    k.api.add(kubeEvent({ namespace: ns, reason: 'Unhealthy', involved: { kind: 'Pod', name: 'web-5d4f8c7b9-p1' }, message: 'Readiness probe failed: HTTP probe failed with statuscode: 503', count: 40 }));
    const report = await diagnose(ns);
    const root = report.findings.find((f) => f.rootCause)!;
    expect(root.check).toBe('k8s.readiness');
    expect(root.title).toMatch(/^deployment unready\/web: 2 of 2 pods not ready for \d+ (min|h) \(Readiness probe failed: HTTP probe failed with statuscode: 503\)$/);
    expect(root.effects).toEqual(['deployment unready/web: 0 of 2 replicas available for 1 h']);
    expect(report.findings.filter((f) => f.check === 'k8s.deployments')).toEqual([]);
  });

  it('a workload with only missing replicas, or only a crashloop, is reported as before', async () => {
    const ns = 'alone';
    k.api.add(kubeDeployment({ namespace: ns, name: 'short', replicas: 4, available: 3 }));
    k.api.add(kubeStatefulSet({ namespace: ns, name: 'db', replicas: 1 }));
    k.api.add(kubePod({ namespace: ns, name: 'db-0', owner: { kind: 'StatefulSet', name: 'db' }, containers: [{ name: 'pg', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }));
    const report = await diagnose(ns);
    expect(report.findings.filter((f) => f.rootCause)).toEqual([]);
    expect(about(report, 'deployment/short in alone')[0]).toMatchObject({ check: 'k8s.deployments', status: 'warn' });
    expect(about(report, 'statefulset/db in alone')[0]).toMatchObject({ check: 'k8s.crashloop', status: 'crit' });
  });

  it('the quoted log line has the configured secrets masked before it is cut; a log the bot may not read is simply not quoted', async () => {
    const ns = 'leaky';
    const secret = 's3cr3t-db-password-that-must-not-show';
    k.api.add(kubeDeployment({ namespace: ns, name: 'api', replicas: 1, available: 0 }));
    k.api.add(crashing(ns, 'api', 'aaaaa', 3));
    k.api.setLogs(ns, 'api-5d4f8c7b9-aaaaa', 'app', { current: '', previous: `FATAL: connect ${'x'.repeat(125)} failed with ${secret} and then some more words\n` });
    const report = await diagnose(ns, {}, new MemoryProbeStateStore(), [secret]);
    const root = report.findings.find((f) => f.rootCause)!;
    expect(root.title).toContain('last log line: FATAL: connect');
    // The secret starts a few characters before the cut: cut first, its start would show.
    expect(root.title).not.toContain('s3cr3t');
    expect(root.title).toContain('failed with ***');
    expect(root.title.endsWith('…')).toBe(true);
    k.api.deny('get', 'pods/log', ns);
    try {
      const denied = (await diagnose(ns)).findings.find((f) => f.rootCause)!;
      expect(denied.title).toBe('deployment leaky/api: 1 of 1 pod crashlooping, exit code 1');
      expect(denied.remedies?.[0]?.action).toBe('k8s.logs');
    } finally {
      k.api.clearDenials();
    }
  });
});
