// /diag logs through the official client against the local API server: a workload's pods and
// containers (previous instances too) read within the window, patterns counted across them, the
// bounds said when they cut, names looked up as workloads then pods, and what cannot be read.
import { describe, expect, it } from 'vitest';
import { diagLogs } from '../../../src/probes/kubernetes/logs/diag-logs.ts';
import type { Report } from '../../../src/report.ts';
import { kubeDeployment, kubePod, kubeStatefulSet } from '../../support/kube-objects.ts';
import { kubeTarget, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
const SECRET = 'sup3r-s3cret-api-token-value';
const RUNBOOKS = new Map([['k8s.log_patterns', 'k8s-crashing-pods']]);

function run(subject: { kind?: 'deployment' | 'pod' | 'statefulset' | 'daemonset'; namespace?: string; name: string }, o: { namespaces?: string[]; sinceSeconds?: number; bounds?: { perContainerBytes: number; totalBytes: number; concurrency: number }; maxPods?: number } = {}): Promise<Report> {
  const target = kubeTarget({ kubeconfig: k.kubeconfig, target: { namespaces: o.namespaces ?? ['shop'] } });
  return diagLogs(target, subject, { sinceSeconds: o.sinceSeconds ?? 900, secrets: [SECRET], runbookForCheck: RUNBOOKS, ...(o.bounds && { bounds: o.bounds }), ...(o.maxPods && { maxPods: o.maxPods }) });
}

const lines = (n: number, agoS: number, text: (i: number) => string) => Array.from({ length: n }, (_, i) => ({ agoS: agoS - i, text: text(i) }));

describe('diag logs', () => {
  it('counts patterns over every pod and container of a deployment, previous instances included, within the window', async () => {
    k.api.add(kubeDeployment({ namespace: 'shop', name: 'checkout', replicas: 2 }));
    for (const pod of ['checkout-a', 'checkout-b']) {
      k.api.add(kubePod({ namespace: 'shop', name: pod, owner: { kind: 'Deployment', name: 'checkout' }, containers: [
        { name: 'app', restartCount: pod === 'checkout-a' ? 1 : 0, ...(pod === 'checkout-a' && { lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 120 } } }) },
        { name: 'sidecar' },
      ] }));
      k.api.setLogLines('shop', pod, 'app', {
        current: [
          ...lines(3, 300, (i) => `ERROR charge ${1000 + i} failed: upstream 10.0.0.${i + 1}:443 timed out after ${i + 2}s`),
          { agoS: 250, text: 'INFO served 20 requests, 0 errors' },
          // Outside the 15 minute window: not counted.
          { agoS: 3600, text: 'ERROR charge 1 failed: upstream 10.0.0.9:443 timed out after 9s' },
        ],
        ...(pod === 'checkout-a' && { previous: [{ agoS: 200, text: `panic: nil map write with token ${SECRET}` }, { agoS: 199, text: 'goroutine 1 [running]:' }] }),
      });
      k.api.setLogLines('shop', pod, 'sidecar', { current: [{ agoS: 100, text: '{"level":"error","msg":"envoy cluster shop-db unhealthy","ts":1764640000}' }] });
    }
    const report = await run({ name: 'checkout' });
    const patterns = report.findings.filter((f) => f.check === 'k8s.log_patterns');
    expect(report.kind).toBe('k8s');
    const charge = patterns.find((f) => f.title.includes('ERROR charge'))!;
    expect(charge.metrics).toEqual({ count: 6, pods: 2 });
    expect(charge.status).toBe('warn');
    expect(charge.detail).toContain('pattern: ERROR charge <n> failed: upstream <ip> timed out after <n>');
    expect(charge.detail).toMatch(/first seen \d{2}:\d{2}:\d{2}, last seen \d{2}:\d{2}:\d{2} \(UTC\), in 2 pods, 2 containers/);
    expect(charge.runbook).toBe('k8s-crashing-pods');
    const panic = patterns.find((f) => f.title.includes('panic'))!;
    expect(panic.status).toBe('warn');
    expect(panic.metrics?.count).toBe(1);
    expect(panic.detail).toContain('goroutine 1 [running]:');
    expect(patterns.find((f) => f.title.includes('envoy cluster'))?.metrics?.count).toBe(2);
    // Each pattern is a warning, most frequent first; the summary after them.
    expect(patterns.map((f) => [f.status, f.metrics?.count])).toEqual([['warn', 6], ['warn', 2], ['warn', 1], ['ok', undefined]]);
    const summary = patterns.find((f) => f.title.startsWith('Read '))!;
    expect(summary.title).toBe('Read 12 lines of 2 pods (4 containers, 1 previous instance) of deployment shop/checkout over the last 15 min: 9 error lines in 3 patterns');
    expect(report.status).toBe('warn');
    expect(JSON.stringify(report)).not.toContain(SECRET);
    // The window and the previous instance as the API was asked.
    const logReads = k.api.requests.filter((r) => r.path.endsWith('/log'));
    expect(logReads.every((r) => r.query.sinceSeconds === '900' && r.query.timestamps === 'true' && r.query.limitBytes === String(2 * 1024 * 1024))).toBe(true);
    expect(logReads.filter((r) => r.query.previous === 'true').map((r) => r.path)).toEqual(['/api/v1/namespaces/shop/pods/checkout-a/log']);
  });

  it('a pod by name, namespace/name, a shorter window, and no error lines', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'lonely-1' }));
    k.api.setLogLines('shop', 'lonely-1', 'app', { current: [{ agoS: 30, text: 'INFO fine' }, { agoS: 500, text: 'ERROR old news' }] });
    const report = await run({ namespace: 'shop', name: 'lonely-1' }, { sinceSeconds: 60 });
    expect(report.status).toBe('ok');
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({ check: 'k8s.log_patterns', status: 'ok', title: 'No error lines: read 1 line of 1 pod (1 container) of pod shop/lonely-1 over the last 1 min', metrics: { lines: 1, pods: 1, containers: 1, count: 0 } });
  });

  it('a bare name is a workload before a pod; the kind chooses; several namespaces ask which', async () => {
    k.api.add(kubeStatefulSet({ namespace: 'shop', name: 'db', replicas: 1 }));
    k.api.add(kubePod({ namespace: 'shop', name: 'db-0', owner: { kind: 'StatefulSet', name: 'db' } }));
    k.api.setLogLines('shop', 'db-0', 'app', { current: [{ agoS: 10, text: 'FATAL: password authentication failed for user "app"' }] });
    const sts = await run({ name: 'db' });
    expect(sts.findings.find((f) => f.title.startsWith('Read '))?.title).toContain('of statefulset shop/db');
    expect(sts.findings[0]).toMatchObject({ status: 'warn', title: '1× (fatal) FATAL: password authentication failed for user "app"' });
    const pod = await run({ kind: 'pod', name: 'db-0' });
    expect(pod.findings.find((f) => f.title.startsWith('Read '))?.title).toContain('of pod shop/db-0');

    k.api.add(kubePod({ namespace: 'batch', name: 'twin' }), kubePod({ namespace: 'shop', name: 'twin' }));
    await expect(run({ name: 'twin' }, { namespaces: ['shop', 'batch'] })).rejects.toThrow('pod twin is in 2 namespaces (shop, batch); say which: shop/twin or batch/twin');
    await expect(run({ namespace: 'kube-system', name: 'twin' })).rejects.toThrow('does not watch namespace "kube-system"');
  });

  it('a name not found says where it looked and suggests close names', async () => {
    await expect(run({ name: 'chekout' })).rejects.toThrow('no workload (deployment, statefulset, daemonset) or pod named chekout in namespace shop of prod-cluster; did you mean checkout');
    await expect(run({ kind: 'daemonset', name: 'checkout' }, { namespaces: ['shop', 'batch'] })).rejects.toThrow('no daemonset named checkout in namespaces shop, batch of prod-cluster');
  });

  it('says when the per-container and total bounds cut the read, and keeps the most recent lines', async () => {
    k.api.add(kubeDeployment({ namespace: 'bulk', name: 'noisy', replicas: 3 }));
    for (const pod of ['noisy-1', 'noisy-2', 'noisy-3']) {
      k.api.add(kubePod({ namespace: 'bulk', name: pod, owner: { kind: 'Deployment', name: 'noisy' } }));
      k.api.setLogLines('bulk', pod, 'app', { current: [...lines(400, 800, (i) => `ERROR job ${i} failed: disk quota exceeded on /data/${i}`), { agoS: 1, text: 'ERROR newest line of all' }] });
    }
    const report = await run({ name: 'noisy' }, { namespaces: ['bulk'], bounds: { perContainerBytes: 8 * 1024, totalBytes: 40 * 1024, concurrency: 2 } });
    const summary = report.findings.find((f) => f.title.startsWith('Read '))!;
    // Lines of the window were left uncounted: the summary cannot say all.
    expect(summary.status).toBe('unknown');
    expect(summary.detail).toMatch(/read the last 8 KiB of \d containers \(noisy-\d\/app/);
    // The most recent line of each pod is among what was read.
    expect(report.findings.find((f) => f.title.includes('newest line'))?.metrics?.count).toBeGreaterThanOrEqual(2);
    const reads = k.api.requests.filter((r) => r.path.includes('/namespaces/bulk/pods/') && r.path.endsWith('/log'));
    expect(reads.some((r) => r.query.tailLines !== undefined && r.query.limitBytes === String(8 * 1024))).toBe(true);

    const few = await run({ name: 'noisy' }, { namespaces: ['bulk'], maxPods: 2, bounds: { perContainerBytes: 8 * 1024, totalBytes: 12 * 1024, concurrency: 1 } });
    const fewSummary = few.findings.find((f) => f.title.startsWith('Read '))!;
    expect(fewSummary.detail).toContain('read 2 of 3 pods (the newest; at most 2)');
    expect(fewSummary.detail).toContain('1 container was not read: 12 KiB read in all');

    // No room left in the total for a re-read: the first bytes are what was read, and it says so.
    const before = k.api.requests.length;
    const tight = await run({ name: 'noisy' }, { namespaces: ['bulk'], maxPods: 1, bounds: { perContainerBytes: 8 * 1024, totalBytes: 8 * 1024, concurrency: 1 } });
    const tightSummary = tight.findings.find((f) => f.title.startsWith('Read '))!;
    expect(tightSummary.detail).toMatch(/read only the first 8 KiB of 1 container \(noisy-\d\/app\): the total left no room for their most recent lines/);
    expect(tightSummary.detail).not.toContain('read the last');
    const tightReads = k.api.requests.slice(before).filter((r) => r.path.endsWith('/log'));
    expect(tightReads.map((r) => r.query.tailLines)).toEqual([undefined]);
  });

  it('shows the 10 most frequent patterns and counts the rest in one more finding', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'chatty-1' }));
    const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
    k.api.setLogLines('shop', 'chatty-1', 'app', { current: names.flatMap((n, i) => lines(12 - i, 100 + i * 20, () => `ERROR ${n} is down`)) });
    const report = await run({ name: 'chatty-1' });
    const patterns = report.findings.filter((f) => f.title.includes(' is down'));
    expect(patterns.map((f) => f.metrics?.count)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(report.findings.find((f) => f.title.startsWith('2 more patterns'))).toMatchObject({ status: 'warn', title: '2 more patterns (3 error lines)', metrics: { count: 3, patterns: 2 } });
  });

  it('a pod whose containers never started has nothing to read: unknown, not ok', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'stuck-1', containers: [{ name: 'app', ready: false, state: { waiting: { reason: 'ImagePullBackOff' } } }] }));
    const report = await run({ name: 'stuck-1' });
    expect(report.findings).toEqual([expect.objectContaining({ check: 'k8s.log_patterns', status: 'unknown', title: 'No container of pod shop/stuck-1 has run yet: no log to read' })]);
    expect(k.api.requests.some((r) => r.path === '/api/v1/namespaces/shop/pods/stuck-1/log')).toBe(false);
  });

  it('the target\'s own token in a log line is masked, as the configured secrets are', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'leaky-1' }));
    k.api.setLogLines('shop', 'leaky-1', 'app', { current: [{ agoS: 5, text: `ERROR kube call failed with token ${k.api.token} and ${SECRET}` }] });
    const target = kubeTarget({ kubeconfig: k.kubeconfig, target: { namespaces: ['shop'], kubeconfig: undefined, server: k.api.url, token: k.api.token } });
    const report = await diagLogs(target, { kind: 'pod', name: 'leaky-1' }, { sinceSeconds: 60, secrets: [SECRET] });
    const text = JSON.stringify(report);
    expect(report.findings[0]!.title).toContain('ERROR kube call failed with token');
    expect(text).not.toContain(k.api.token);
    expect(text).not.toContain(SECRET);
  });

  it('one pod whose log cannot be read makes the summary unknown, not ok', async () => {
    k.api.add(kubeDeployment({ namespace: 'shop', name: 'flaky', replicas: 2 }));
    for (const pod of ['flaky-a', 'flaky-b']) {
      k.api.add(kubePod({ namespace: 'shop', name: pod, owner: { kind: 'Deployment', name: 'flaky' } }));
      k.api.setLogLines('shop', pod, 'app', { current: [{ agoS: 10, text: 'INFO all fine' }] });
    }
    // flaky-b goes away between the listing and the read of its log (404).
    k.api.beforeAnswer((r) => {
      if (r.path === '/api/v1/namespaces/shop/pods/flaky-b/log') k.api.remove('Pod', 'shop', 'flaky-b');
    });
    try {
      const report = await run({ name: 'flaky' });
      expect(report.status).toBe('unknown');
      expect(report.findings.find((f) => f.title.includes('could not be read'))?.status).toBe('unknown');
      const summary = report.findings.find((f) => f.title.startsWith('No error lines'))!;
      expect(summary.title).toContain('read 1 line of 1 pod');
      expect(summary.status).toBe('unknown');
    } finally {
      k.api.beforeAnswer(undefined);
    }
  });

  it('containers that wrote nothing in the window are not said to have no error lines', async () => {
    k.api.add(kubePod({ namespace: 'shop', name: 'quiet-1' }));
    k.api.setLogLines('shop', 'quiet-1', 'app', { current: [{ agoS: 5000, text: 'ERROR long ago' }] });
    const report = await run({ name: 'quiet-1' }, { sinceSeconds: 60 });
    expect(report.findings[0]!.title).toBe('No log lines in the window: read 0 lines of 1 pod (1 container) of pod shop/quiet-1 over the last 1 min');
  });

  it('a log the bot may not read is unknown with the RBAC rule, never a quiet ok', async () => {
    k.api.add(kubePod({ namespace: 'locked', name: 'vault-0' }));
    k.api.deny('get', 'pods/log', 'locked');
    try {
      const report = await run({ name: 'vault-0' }, { namespaces: ['locked'] });
      expect(report.status).toBe('unknown');
      expect(report.findings[0]).toMatchObject({ check: 'k8s.log_patterns', status: 'unknown' });
      expect(report.findings[0]!.title).toContain('1 log of pod locked/vault-0 could not be read');
      expect(report.findings[0]!.fix).toContain('pods/log');
    } finally {
      k.api.clearDenials();
    }
  });
});
