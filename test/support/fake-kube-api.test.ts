// The fake API server must satisfy the official client exactly as a real cluster would: these
// tests drive it only through @kubernetes/client-node and a kubeconfig file.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.ts';
import { kubeDeployment, kubeEvent, kubeNode, kubePod } from './kube-objects.ts';
import { waitFor } from './wait-for.ts';

let api: FakeKubeApi;
let dir: string;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

function clients(kubeconfig: string) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

interface StatusBody {
  reason: string;
  message: string;
  code: number;
  details?: Record<string, unknown>;
}

/** The ApiException a call rejects with, and its Status body parsed. */
async function failure(call: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(k8s.ApiException);
  const e = error as k8s.ApiException<string | undefined>;
  // The client drops the body of a 401.
  return { code: e.code, status: e.body === undefined ? undefined : JSON.parse(e.body) };
}

const smp = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

beforeAll(async () => {
  api = await startFakeKubeApi();
  dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kube-'));
  ({ core, apps } = clients(api.writeKubeconfig(dir, { namespace: 'prod' })));
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('lists', () => {
  it('pages 1,200 pods 500 at a time and returns each pod once', async () => {
    api.add(...Array.from({ length: 1200 }, (_, i) => kubePod({ namespace: 'bulk', name: `web-${i}`, labels: { app: 'web' } })));
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    const remaining: Array<number | undefined> = [];
    do {
      const page = await core.listNamespacedPod({ namespace: 'bulk', limit: 500, ...(cont && { _continue: cont }) });
      pages += 1;
      seen.push(...page.items.map((p) => p.metadata!.name!));
      remaining.push(page.metadata?.remainingItemCount);
      cont = page.metadata?._continue;
    } while (cont);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(1200);
    expect(new Set(seen).size).toBe(1200);
    expect(remaining).toEqual([700, 200, undefined]);
    const sent = api.requests.filter((r) => r.path === '/api/v1/namespaces/bulk/pods');
    expect(sent.map((r) => r.query.limit)).toEqual(['500', '500', '500']);
    expect(sent[1]!.query.continue).toBeTruthy();
  });

  it('refuses a continue token it did not issue with 410 Expired', async () => {
    const { code, status } = await failure(core.listNamespacedPod({ namespace: 'bulk', limit: 10, _continue: 'bm90LWEtdG9rZW4=' }));
    expect(code).toBe(410);
    expect(status.reason).toBe('Expired');
  });

  it('filters by label and field selectors', async () => {
    api.add(
      kubePod({ namespace: 'sel', name: 'api-1', labels: { app: 'api', tier: 'web' } }),
      kubePod({ namespace: 'sel', name: 'api-2', labels: { app: 'api' }, phase: 'Pending', containers: [{ name: 'app', state: { waiting: { reason: 'ContainerCreating' } } }] }),
      kubePod({ namespace: 'sel', name: 'db-1', labels: { app: 'db' } }),
      kubeEvent({ namespace: 'sel', reason: 'BackOff', message: 'Back-off restarting failed container', involved: { kind: 'Pod', name: 'api-1' } }),
      kubeEvent({ namespace: 'sel', type: 'Normal', reason: 'Pulled', message: 'Container image pulled', involved: { kind: 'Pod', name: 'api-1' } }),
    );
    const names = async (labelSelector?: string, fieldSelector?: string) =>
      (await core.listNamespacedPod({ namespace: 'sel', ...(labelSelector && { labelSelector }), ...(fieldSelector && { fieldSelector }) })).items.map((p) => p.metadata!.name);
    expect(await names('app=api')).toEqual(['api-1', 'api-2']);
    expect(await names('app!=api')).toEqual(['db-1']);
    expect(await names('app==api,tier')).toEqual(['api-1']);
    expect(await names(undefined, 'status.phase=Pending')).toEqual(['api-2']);
    const warnings = await core.listNamespacedEvent({ namespace: 'sel', fieldSelector: 'type=Warning,involvedObject.name=api-1' });
    expect(warnings.items.map((e) => e.reason)).toEqual(['BackOff']);
    const { code, status } = await failure(core.listNamespacedEvent({ namespace: 'sel', fieldSelector: 'spec.colour=blue' }));
    expect(code).toBe(400);
    expect(status.message).toContain('spec.colour');
  });

  it('lists nodes, namespaces and pods across namespaces', async () => {
    api.add(kubeNode({ name: 'node-a' }), kubeNode({ name: 'node-b', ready: false, pressure: ['MemoryPressure'] }));
    const nodes = await core.listNode({});
    const b = nodes.items.find((n) => n.metadata?.name === 'node-b')!;
    expect(b.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    expect(b.status?.conditions?.find((c) => c.type === 'MemoryPressure')?.status).toBe('True');
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toEqual(expect.arrayContaining(['bulk', 'sel']));
    const everywhere = await core.listPodForAllNamespaces({ labelSelector: 'app=api' });
    expect(everywhere.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).toEqual(['sel/api-1', 'sel/api-2']);
  });
});

describe('errors', () => {
  it('answers a wrong token with 401 Unauthorized', async () => {
    const bad = clients(api.writeKubeconfig(dir, { token: 'wrong' }));
    const { code } = await failure(bad.core.listNamespacedPod({ namespace: 'prod' }));
    expect(code).toBe(401);
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/prod/pods' });
    // On the wire it is still a Status, as from a real API server.
    const raw = await fetch(`${api.url}/api/v1/namespaces/prod/pods`, { headers: { authorization: 'Bearer wrong' } });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('refuses denied verbs with the RBAC message until cleared', async () => {
    api.deny('list', 'pods', 'prod');
    api.deny('list', 'nodes');
    api.deny('get', 'pods/log', 'prod');
    try {
      const pods = await failure(core.listNamespacedPod({ namespace: 'prod' }));
      expect(pods.code).toBe(403);
      expect(pods.status.reason).toBe('Forbidden');
      expect(pods.status.message).toBe('pods is forbidden: User "system:serviceaccount:ops:chatops" cannot list resource "pods" in API group "" in the namespace "prod"');
      const nodes = await failure(core.listNode({}));
      expect(nodes.status.message).toBe('nodes is forbidden: User "system:serviceaccount:ops:chatops" cannot list resource "nodes" in API group "" at the cluster scope');
      const log = await failure(core.readNamespacedPodLog({ namespace: 'prod', name: 'x' }));
      expect(log.status.message).toContain('cannot get resource "pods/log"');
      // Other namespaces are not covered by the denial.
      await expect(core.listNamespacedPod({ namespace: 'sel' })).resolves.toBeDefined();
    } finally {
      api.clearDenials();
    }
    await expect(core.listNamespacedPod({ namespace: 'prod' })).resolves.toBeDefined();
  });

  it('answers a missing namespace with 404 NotFound', async () => {
    const { code, status } = await failure(core.readNamespace({ name: 'nowhere' }));
    expect(code).toBe(404);
    expect(status).toMatchObject({ reason: 'NotFound', message: 'namespaces "nowhere" not found', details: { name: 'nowhere', kind: 'namespaces' } });
    expect((await core.readNamespace({ name: 'sel' })).status?.phase).toBe('Active');
  });

  it('never answers while the delay is infinite', async () => {
    api.setDelay(Infinity);
    try {
      const error = await fetch(`${api.url}/version`, { headers: { authorization: `Bearer ${api.token}` }, signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
      expect((error as Error).name).toBe('TimeoutError');
    } finally {
      api.setDelay(0);
    }
  });
});

describe('pod logs', () => {
  beforeAll(() => {
    api.add(
      kubePod({ namespace: 'logs', name: 'api-1', containers: [{ name: 'api', restartCount: 2, lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAgoS: 60 } } }] }),
      kubePod({ namespace: 'logs', name: 'two', containers: [{ name: 'a' }, { name: 'b' }] }),
    );
    api.setLogs('logs', 'api-1', 'api', { current: 'line 1\nline 2\nline 3\n', previous: 'booting\nout of memory\n' });
  });

  it('returns the last tailLines lines, current or previous', async () => {
    expect(await core.readNamespacedPodLog({ namespace: 'logs', name: 'api-1', container: 'api', tailLines: 2 })).toBe('line 2\nline 3\n');
    expect(await core.readNamespacedPodLog({ namespace: 'logs', name: 'api-1', container: 'api', tailLines: 1, previous: true })).toBe('out of memory\n');
    expect(await core.readNamespacedPodLog({ namespace: 'logs', name: 'api-1' })).toBe('line 1\nline 2\nline 3\n');
    expect(api.requests.at(-2)?.query).toEqual({ container: 'api', tailLines: '1', previous: 'true' });
  });

  it('words the refusals as the API server does', async () => {
    const noPrevious = await failure(core.readNamespacedPodLog({ namespace: 'logs', name: 'two', container: 'a', previous: true }));
    expect(noPrevious.status.message).toBe('previous terminated container "a" in pod "two" not found');
    const badContainer = await failure(core.readNamespacedPodLog({ namespace: 'logs', name: 'two', container: 'c' }));
    expect(badContainer.status.message).toBe('container c is not valid for pod two');
    const ambiguous = await failure(core.readNamespacedPodLog({ namespace: 'logs', name: 'two' }));
    expect(ambiguous.code).toBe(400);
    expect(ambiguous.status.message).toBe('a container name must be specified for pod two, choose one of: [a b]');
    const missing = await failure(core.readNamespacedPodLog({ namespace: 'logs', name: 'gone' }));
    expect(missing.status.message).toBe('pods "gone" not found');
  });
});

describe('deployments', () => {
  const podsWithHash = async (namespace: string, app: string) => (await core.listNamespacedPod({ namespace, labelSelector: `app=${app}` })).items.map((p) => p.metadata!.labels!['pod-template-hash']);

  it('rolls a restarted deployment to new pods, one per tick', async () => {
    api.add(kubeDeployment({ namespace: 'roll', name: 'api', replicas: 3 }), ...[1, 2, 3].map((i) => kubePod({ namespace: 'roll', name: `api-5d4f8c7b9-p${i}`, owner: { kind: 'Deployment', name: 'api' } })));
    const patched = await apps.patchNamespacedDeployment(
      { namespace: 'roll', name: 'api', fieldManager: 'chatops', body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } } },
      smp,
    );
    expect(patched.metadata?.generation).toBe(2);
    expect(patched.spec?.template.spec?.containers[0]?.name).toBe('app');
    const request = api.requests.at(-1)!;
    expect(request).toMatchObject({ method: 'PATCH', path: '/apis/apps/v1/namespaces/roll/deployments/api', contentType: 'application/strategic-merge-patch+json', query: { fieldManager: 'chatops' } });
    const done = await waitFor(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: 'roll', name: 'api' });
      const s = d.status!;
      return s.observedGeneration === d.metadata?.generation && s.updatedReplicas === 3 && s.availableReplicas === 3 && s.replicas === 3 && d;
    }, 5_000, 'the rollout to finish', 25);
    expect(done.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('NewReplicaSetAvailable');
    const hashes = await podsWithHash('roll', 'api');
    expect(hashes).toHaveLength(3);
    expect(new Set(hashes).size).toBe(1);
    expect(hashes[0]).not.toBe('5d4f8c7b9');
    expect(done.status?.conditions?.find((c) => c.type === 'Progressing')?.message).toBe(`ReplicaSet "api-${hashes[0]}" has successfully progressed.`);
  });

  it('stalls a broken rollout until the progress deadline', async () => {
    api.add(kubeDeployment({ namespace: 'roll', name: 'stuck', replicas: 3, progressDeadlineSeconds: 1 }), ...[1, 2, 3].map((i) => kubePod({ namespace: 'roll', name: `stuck-5d4f8c7b9-p${i}`, owner: { kind: 'Deployment', name: 'stuck' } })));
    api.stallRollout('roll', 'stuck', { afterReady: 1 });
    await apps.patchNamespacedDeployment({ namespace: 'roll', name: 'stuck', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/app:2.0' }] } } } } }, smp);
    const stalled = await waitFor(async () => {
      const d = await apps.readNamespacedDeployment({ namespace: 'roll', name: 'stuck' });
      const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
      return progressing?.status === 'False' && { d, progressing };
    }, 5_000, 'the progress deadline', 50);
    expect(stalled.progressing.reason).toBe('ProgressDeadlineExceeded');
    expect(stalled.progressing.message).toMatch(/^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
    expect(stalled.d.status?.updatedReplicas).toBeLessThan(3);
    // The strategic merge kept the container's other fields while changing its image.
    expect(stalled.d.spec?.template.spec?.containers[0]).toMatchObject({ name: 'app', image: 'registry.example/app:2.0', imagePullPolicy: 'IfNotPresent' });
  });

  it('scales through the scale subresource', async () => {
    api.add(kubeDeployment({ namespace: 'scale', name: 'worker', replicas: 1 }), kubePod({ namespace: 'scale', name: 'worker-5d4f8c7b9-a1', owner: { kind: 'Deployment', name: 'worker' } }));
    const before = await apps.readNamespacedDeploymentScale({ namespace: 'scale', name: 'worker' });
    expect(before).toMatchObject({ kind: 'Scale', spec: { replicas: 1 }, status: { replicas: 1, selector: 'app=worker' } });
    const after = await apps.patchNamespacedDeploymentScale({ namespace: 'scale', name: 'worker', body: { spec: { replicas: 3 } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    expect(after.spec?.replicas).toBe(3);
    expect(api.get('deployment', 'scale', 'worker').metadata.generation).toBe(2);
    await waitFor(async () => (await podsWithHash('scale', 'worker')).length === 3, 5_000, 'scale-up');
    await apps.replaceNamespacedDeploymentScale({ namespace: 'scale', name: 'worker', body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'worker', namespace: 'scale' }, spec: { replicas: 2 } } });
    await waitFor(async () => (await podsWithHash('scale', 'worker')).length === 2, 5_000, 'scale-down');
    // A JSON patch (RFC 6902) applies; a media type the server does not take is 415.
    const json = await apps.patchNamespacedDeployment({ namespace: 'scale', name: 'worker', body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
    expect(json.spec?.replicas).toBe(1);
    const apply = await failure(apps.patchNamespacedDeployment({ namespace: 'scale', name: 'worker', body: { spec: { replicas: 1 } }, fieldManager: 'test' }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply)));
    expect(apply.code).toBe(415);
  });

  it('deletes a pod and the deployment replaces it', async () => {
    api.add(kubeDeployment({ namespace: 'del', name: 'web', replicas: 2 }), ...['a', 'b'].map((s) => kubePod({ namespace: 'del', name: `web-5d4f8c7b9-${s}`, owner: { kind: 'Deployment', name: 'web' } })));
    const deleted = await core.deleteNamespacedPod({ namespace: 'del', name: 'web-5d4f8c7b9-a' });
    expect(deleted.metadata?.name).toBe('web-5d4f8c7b9-a');
    expect(api.get('pod', 'del', 'web-5d4f8c7b9-a')).toBeUndefined();
    const names = await waitFor(async () => {
      const pods = (await core.listNamespacedPod({ namespace: 'del' })).items.map((p) => p.metadata!.name!);
      return pods.length === 2 && pods;
    }, 5_000, 'a replacement pod');
    expect(names).toContain('web-5d4f8c7b9-b');
    expect(names.find((n) => n !== 'web-5d4f8c7b9-b')).toMatch(/^web-5d4f8c7b9-[a-z0-9]{5}$/);
    expect((await failure(core.readNamespacedPod({ namespace: 'del', name: 'web-5d4f8c7b9-a' }))).code).toBe(404);
  });
});
