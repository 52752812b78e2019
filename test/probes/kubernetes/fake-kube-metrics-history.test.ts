// The local API server's metrics.k8s.io and ReplicaSet history, driven only through the official
// client as the probe and the actions drive them: the metrics API absent (404), down (503),
// refused (403) and served; ReplicaSets created and reused with their revision annotations as
// the deployment controller keeps them; a JSON patch applied as kubectl rollout undo sends it.
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { kubeDeployment, kubeNode, kubeNodeMetrics, kubePod, kubePodMetrics } from '../../support/kube-objects.ts';
import { waitFor } from '../../support/wait-for.ts';
import { useFakeKubeApi } from './kube-helpers.ts';

const k = useFakeKubeApi();
function clients() {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  return { custom: kc.makeApiClient(k8s.CustomObjectsApi), apps: kc.makeApiClient(k8s.AppsV1Api), core: kc.makeApiClient(k8s.CoreV1Api) };
}
const METRICS = { group: 'metrics.k8s.io', version: 'v1beta1' };

async function codeOf(call: Promise<unknown>): Promise<{ code: number; body: { reason?: string; message?: string } }> {
  const e = await call.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(k8s.ApiException);
  const ex = e as k8s.ApiException<string>;
  return { code: ex.code, body: JSON.parse(ex.body) as { reason?: string; message?: string } };
}

describe('metrics.k8s.io/v1beta1', () => {
  it('absent answers 404 (also in discovery), unavailable 503, installed serves PodMetrics apart from Pods, 403 when denied', async () => {
    const { custom, core } = clients();
    k.api.add(kubePod({ namespace: 'm', name: 'web-1' }), kubeNode({ name: 'node-m' }));
    k.api.add(kubePodMetrics({ namespace: 'm', pod: 'web-1', containers: [{ name: 'app', cpu: '123456n', memory: '55200Ki' }] }), kubeNodeMetrics({ name: 'node-m', cpu: '250m', memory: '1Gi' }));

    k.api.metricsServer('absent');
    expect((await codeOf(custom.listNamespacedCustomObject({ ...METRICS, plural: 'pods', namespace: 'm' }))).code).toBe(404);
    expect(JSON.stringify(await (await fetch(`${k.api.url}/apis`, { headers: { authorization: `Bearer ${k.api.token}` } })).json())).not.toContain('metrics.k8s.io');

    k.api.metricsServer('unavailable');
    const down = await codeOf(custom.listClusterCustomObject({ ...METRICS, plural: 'nodes' }));
    expect(down).toMatchObject({ code: 503, body: { reason: 'ServiceUnavailable', message: 'the server is currently unable to handle the request' } });

    k.api.metricsServer('installed');
    const pods = (await custom.listNamespacedCustomObject({ ...METRICS, plural: 'pods', namespace: 'm' })) as { kind: string; items: Array<{ metadata: { name: string }; containers: unknown[] }> };
    expect(pods.kind).toBe('PodMetricsList');
    expect(pods.items).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ name: 'web-1' }), containers: [{ name: 'app', usage: { cpu: '123456n', memory: '55200Ki' } }] })]);
    const nodes = (await custom.listClusterCustomObject({ ...METRICS, plural: 'nodes' })) as { items: Array<{ metadata: { name: string }; usage: unknown }> };
    expect(nodes.items.find((n) => n.metadata.name === 'node-m')?.usage).toEqual({ cpu: '250m', memory: '1Gi' });
    // The core pods are untouched by their metrics.
    expect((await core.listNamespacedPod({ namespace: 'm' })).items.map((p) => p.spec?.containers[0]?.name)).toEqual(['app']);
    // Read-only, as metrics-server is.
    expect((await codeOf(custom.deleteNamespacedCustomObject({ ...METRICS, plural: 'pods', namespace: 'm', name: 'web-1' }))).code).toBe(405);

    k.api.deny('list', 'pods', 'm', 'metrics.k8s.io');
    try {
      const refused = await codeOf(custom.listNamespacedCustomObject({ ...METRICS, plural: 'pods', namespace: 'm' }));
      expect(refused.code).toBe(403);
      expect(refused.body.message).toContain('cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "m"');
      // The denial names its group: core pods are still listed.
      expect((await core.listNamespacedPod({ namespace: 'm' })).items).toHaveLength(1);
    } finally {
      k.api.clearDenials();
    }
  });
});

describe('ReplicaSet history', () => {
  it('a new template gets a new ReplicaSet and revision; going back reuses the old one under the next revision', async () => {
    const { apps } = clients();
    k.api.add(kubeDeployment({ namespace: 'h', name: 'web', replicas: 2 }));
    for (const s of ['a', 'b']) k.api.add(kubePod({ namespace: 'h', name: `web-5d4f8c7b9-${s}`, owner: { kind: 'Deployment', name: 'web' } }));
    const revisions = async () => Object.fromEntries((await apps.listNamespacedReplicaSet({ namespace: 'h' })).items.map((rs) => [rs.metadata!.name!, rs.metadata!.annotations!['deployment.kubernetes.io/revision']]));
    expect(await revisions()).toEqual({ 'web-5d4f8c7b9': '1' });
    const original = (await apps.readNamespacedDeployment({ namespace: 'h', name: 'web' })).spec!.template;

    await apps.patchNamespacedDeployment({ namespace: 'h', name: 'web', body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'registry.example/app:2.0' }] } } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    await waitFor(async () => Object.keys(await revisions()).length === 2, 5_000, 'the new ReplicaSet');
    const v2 = Object.entries(await revisions()).find(([name]) => name !== 'web-5d4f8c7b9')!;
    expect(v2[1]).toBe('2');
    const rs2 = await apps.readNamespacedReplicaSet({ namespace: 'h', name: v2[0] });
    expect(rs2.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'web', controller: true });
    expect(rs2.spec?.template?.metadata?.labels?.['pod-template-hash']).toBe(v2[0].slice('web-'.length));
    expect(rs2.spec?.template?.spec?.containers[0]?.image).toBe('registry.example/app:2.0');

    // Back to the first template by a JSON patch, as kubectl rollout undo sends it.
    await apps.patchNamespacedDeployment({ namespace: 'h', name: 'web', body: [{ op: 'replace', path: '/spec/template', value: original }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
    await waitFor(async () => (await revisions())['web-5d4f8c7b9'] === '3', 5_000, 'the old ReplicaSet reused');
    const reused = await apps.readNamespacedReplicaSet({ namespace: 'h', name: 'web-5d4f8c7b9' });
    expect(reused.metadata?.annotations?.['deployment.kubernetes.io/revision-history']).toBe('1');
    expect((await apps.readNamespacedDeployment({ namespace: 'h', name: 'web' })).metadata?.annotations?.['deployment.kubernetes.io/revision']).toBe('3');

    // A JSON patch whose path does not apply is refused as the API server refuses it.
    const bad = await codeOf(apps.patchNamespacedDeployment({ namespace: 'h', name: 'web', body: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }] }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)));
    expect(bad.code).toBe(422);
  });
});
