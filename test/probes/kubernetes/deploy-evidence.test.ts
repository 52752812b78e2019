// A recent deploy as evidence: findings about a Deployment whose current ReplicaSet is younger than
// a day say when it rolled out and what changed from the previous revision (images, env names,
// config), never env values; the Roll back button only where the target allows it and a previous
// revision exists. Each scenario in a namespace of its own. The history records: keyed
// fingerprints, bounded.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/report.ts';
import { foldReplicaSet, MAX_DEPLOYMENTS, MAX_TEMPLATE_ITEMS, revisionRecord, type RolloutHistory } from '../../../src/probes/kubernetes/rollout-history.ts';
import { kubeDeploymentHistory, kubePod, kubeTime } from '../../support/kube-objects.ts';
import { runKubeProbe, useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
const run = (namespace: string, target: Record<string, unknown> = {}) => runKubeProbe({ kubeconfig: k.kubeconfig, target: { namespaces: [namespace], ...target } });

/** A deployment of 3 replicas rolled out `agoS` seconds ago from 1.8.1 to 1.8.2, with one pod crashing and one missing. */
function brokenRelease(namespace: string, name: string, agoS: number, revisions: 'two' | 'one' = 'two') {
  const old = { image: `registry.example/${name}:1.8.1`, env: { API_URL: 'https://old.internal', DB_PASSWORD: 'hunter2-old', LOG_LEVEL: 'info' }, configMap: `${name}-config-v1`, createdAgoS: 30 * 86_400 };
  const fresh = { image: `registry.example/${name}:1.8.2`, env: { API_URL: 'https://new.internal', DB_PASSWORD: 'hunter2-new', LOG_LEVEL: 'info' }, configMap: `${name}-config-v2`, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-12-01T23:00:00Z' }, createdAgoS: agoS };
  k.api.add(...kubeDeploymentHistory({ namespace, name, replicas: 3, available: 2, revisions: revisions === 'two' ? [old, fresh] : [fresh] }));
  k.api.add(kubePod({ namespace, name: `${name}-5d4f8c7b9-aaaaa`, owner: { kind: 'Deployment', name }, containers: [{ name: 'app', image: fresh.image }] }));
  k.api.add(kubePod({
    namespace, name: `${name}-5d4f8c7b9-bbbbb`, owner: { kind: 'Deployment', name },
    containers: [{ name: 'app', image: fresh.image, ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s' } }, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 30 } } }],
  }));
}

const about = (findings: Finding[], name: string) => findings.filter((f) => f.status !== 'ok' && f.title.includes(name));
const HHMM = /\((\d\d:\d\d) UTC, revision (\d+)\)/;

describe('deploy evidence', () => {
  it('a deployment rolled out 4 min ago: its root cause says when, which image replaced which, and which env names changed (never their values)', async () => {
    brokenRelease('recent', 'api', 240);
    const findings = await run('recent', { restartable: ['deployment/api'] });
    const [root, ...others] = about(findings, 'api');
    expect(others).toEqual([]);
    expect(root).toMatchObject({ check: 'k8s.crashloop', rootCause: true });
    const line = root!.detail!.split('\n').find((l) => l.startsWith('deploy: '));
    expect(line).toMatch(/^deploy: rolled out 4 min ago \(\d\d:\d\d UTC, revision 2\): registry\.example\/api:1\.8\.1 → registry\.example\/api:1\.8\.2; /);
    expect(line).toContain('env API_URL changed');
    expect(line).toContain('env DB_PASSWORD changed');
    expect(line).not.toContain('LOG_LEVEL');
    expect(line).toContain('configmap/api-config-v2 now referenced');
    expect(line).toContain('configmap/api-config-v1 no longer referenced');
    expect(line).toContain('annotation kubectl.kubernetes.io/restartedAt added');
    // The time is the ReplicaSet's creation, in UTC.
    const rs = k.api.get('ReplicaSet', 'recent', 'api-5d4f8c7b9');
    expect(HHMM.exec(line!)?.[1]).toBe(String(rs.metadata.creationTimestamp).slice(11, 16));
    // Values may be secrets: none of them is anywhere in the report.
    const text = JSON.stringify(findings);
    for (const value of ['hunter2', 'https://new.internal', 'https://old.internal']) expect(text).not.toContain(value);
  });

  it('the Roll back button: offered after the logs, with the previous revision and the images it returns to', async () => {
    const findings = await run('recent', { restartable: ['deployment/api'] });
    const [root] = about(findings, 'api');
    expect(root!.remedies?.map((r) => r.action)).toEqual(['k8s.logs', 'k8s.rollback', 'k8s.restart', 'k8s.scale']);
    expect(root!.remedies?.find((r) => r.action === 'k8s.rollback')).toEqual({
      action: 'k8s.rollback',
      label: 'Roll back api',
      params: { namespace: 'recent', workload: 'deployment', name: 'api', revision: 1, change: 'registry.example/api:1.8.2 → registry.example/api:1.8.1' },
    });
  });

  it('not on the restartable list: the evidence, but no button', async () => {
    const [root] = about(await run('recent'), 'api');
    expect(root!.detail).toContain('deploy: rolled out 4 min ago');
    expect(root!.remedies?.map((r) => r.action)).toEqual(['k8s.logs']);
  });

  it('no previous revision: the evidence says first revision, and there is nothing to roll back to', async () => {
    brokenRelease('first', 'api', 600, 'one');
    const [root] = about(await run('first', { restartable: ['deployment/api'] }), 'api');
    expect(root!.detail).toMatch(/deploy: rolled out 10 min ago \(\d\d:\d\d UTC, revision 1\): first revision, registry\.example\/api:1\.8\.2/);
    expect(root!.remedies?.map((r) => r.action)).not.toContain('k8s.rollback');
  });

  it('a deployment that lost availability after the deploy: the line says how long after', async () => {
    brokenRelease('after', 'api', 600);
    // Available turned False 4 min after the rollout of 10 min ago.
    const live = k.api.get('Deployment', 'after', 'api');
    const available = live.status.conditions.find((c: { type: string }) => c.type === 'Available');
    Object.assign(available, { status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastTransitionTime: kubeTime(360) });
    const [root] = about(await run('after'), 'api');
    const line = root!.detail!.split('\n').find((l) => l.startsWith('deploy: '))!;
    expect(line).toMatch(/registry\.example\/api:1\.8\.1 → registry\.example\/api:1\.8\.2; .*; unavailable since \d\d:\d\d UTC, 4 min after the deploy$/);
  });

  it('a rollout older than 24 h carries no evidence and no rollback button', async () => {
    brokenRelease('older', 'api', 25 * 3600);
    const findings = await run('older', { restartable: ['deployment/api'] });
    for (const f of about(findings, 'api')) {
      expect(f.detail ?? '').not.toContain('deploy:');
      expect(f.remedies?.map((r) => r.action)).not.toContain('k8s.rollback');
    }
    expect(about(findings, 'api').length).toBeGreaterThan(0);
  });

  it('a token the cluster echoes back in an image name is masked in the evidence and in the button', async () => {
    const token = k.api.token;
    k.api.add(...kubeDeploymentHistory({ namespace: 'echo', name: 'api', replicas: 2, available: 1, revisions: [
      { image: 'registry.example/api:1.0', createdAgoS: 5 * 86_400 },
      { image: `registry.example/api:${token}`, createdAgoS: 120 },
    ] }));
    const findings = await runKubeProbe({ kubeconfig: k.kubeconfig, target: { kubeconfig: undefined, server: k.api.url, token, namespaces: ['echo'], restartable: ['deployment/api'] } });
    const [f] = about(findings, 'api');
    expect(f!.detail).toMatch(/deploy: rolled out 2 min ago .*: registry\.example\/api:1\.0 → registry\.example\/api:\S+/);
    expect(JSON.stringify(findings)).not.toContain(token);
  });

  it('the replicasets are listed once per run, a page at a time, with the other lists', async () => {
    k.api.requests.length = 0;
    await run('recent');
    const lists = k.api.requests.filter((r) => r.method === 'GET' && r.path === '/apis/apps/v1/namespaces/recent/replicasets');
    expect(lists).toHaveLength(1);
    expect(lists[0]!.query.limit).toBe('500');
  });
});

describe('rollout history records', () => {
  const rs = (namespace: string, deployment: string, revision: number, password: string) => ({
    metadata: {
      namespace,
      name: `${deployment}-${revision}`,
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, uid: `uid-${deployment}`, controller: true }],
    },
    spec: { selector: {}, template: { spec: { containers: [{ name: 'app', image: 'registry.example/app:1', env: [{ name: 'DB_PASSWORD', value: password }] }] } } },
  });

  it('fingerprints env values with a key of this process: a plain hash of a guessable password is not what is kept', () => {
    const record = revisionRecord(rs('prod', 'api', 1, 'hunter2'))!;
    const kept = record.env.get('app/DB_PASSWORD')!;
    expect(kept).toMatch(/^[0-9a-f]{16}$/);
    expect(kept).not.toBe(createHash('sha256').update(JSON.stringify('hunter2')).digest('hex').slice(0, 16));
    expect(JSON.stringify([...record.env])).not.toContain('hunter2');
    // Still equal for equal values, so a change is seen.
    expect(revisionRecord(rs('prod', 'api', 2, 'hunter2'))!.env.get('app/DB_PASSWORD')).toBe(kept);
  });

  it('keeps the two newest revisions of at most MAX_DEPLOYMENTS deployments, whatever the cluster sends', () => {
    const history: RolloutHistory = new Map();
    for (const revision of [3, 1, 5, 2, 4]) foldReplicaSet(history, rs('prod', 'api', revision, 'x'));
    expect([history.get('prod/api')!.current!.revision, history.get('prod/api')!.previous!.revision]).toEqual([5, 4]);
    for (let i = 0; i < MAX_DEPLOYMENTS + 50; i++) foldReplicaSet(history, rs('flood', `d${i}`, 1, 'x'));
    expect(history.size).toBe(MAX_DEPLOYMENTS);
    expect(history.has('prod/api')).toBe(true);
  });

  it('reads a bounded part of a hostile template: at most MAX_TEMPLATE_ITEMS env entries per container', () => {
    const big = rs('prod', 'api', 1, 'x');
    big.spec.template.spec.containers[0]!.env = Array.from({ length: 5000 }, (_, i) => ({ name: `V${i}`, value: String(i) }));
    expect(revisionRecord(big)!.env.size).toBe(MAX_TEMPLATE_ITEMS);
  });
});
