// The local API server's resources beyond pods and workloads, driven only through the official
// client and a kubeconfig: each list under its real group and version, typed by the client's own
// models, paged; cert-manager's group 404 until its CRD is installed; the kubelet's stats summary
// through the node proxy; refusals worded as the API server words them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubeApi, type FakeKubeApi } from '../../support/fake-kube-api.ts';
import {
  kubeCertificate, kubeCronJob, kubeEndpointSlice, kubeHpa, kubeIngress, kubeJob, kubeNode, kubePdb, kubePod, kubePvc, kubeService, kubeStorageClass,
} from '../../support/kube-objects.ts';

let api: FakeKubeApi;
let dir: string;
let kc: k8s.KubeConfig;

beforeAll(async () => {
  api = await startFakeKubeApi();
  dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kube-res-'));
  kc = new k8s.KubeConfig();
  kc.loadFromFile(api.writeKubeconfig(dir));
});

afterAll(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(call: Promise<unknown>): Promise<{ code: number; body: { reason: string; message: string } }> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(k8s.ApiException);
  const e = error as k8s.ApiException<string>;
  return { code: e.code, body: JSON.parse(e.body) };
}

describe('fake kube api: resources beyond pods', () => {
  it('serves each resource under its group and version, as the client\'s models', async () => {
    api.add(
      kubeService({ namespace: 'web', name: 'api' }),
      kubeEndpointSlice({ namespace: 'web', service: 'api', ready: 2, notReady: 1 }),
      kubeIngress({ namespace: 'web', name: 'site', rules: [{ host: 'a.example.com', service: 'api', port: 'http' }], defaultBackend: { service: 'api', port: 80 } }),
      kubePvc({ namespace: 'web', name: 'data', phase: 'Pending', storageClass: null }),
      kubeStorageClass({ name: 'gp3', bindingMode: 'WaitForFirstConsumer', isDefault: true }),
      kubeHpa({ namespace: 'web', name: 'api', max: 4, current: 4, limitedAtMax: true }),
      kubeJob({ namespace: 'web', name: 'nightly-1', outcome: 'Failed', cronJob: 'nightly' }),
      kubeCronJob({ namespace: 'web', name: 'nightly', schedule: '@daily', timeZone: 'Etc/UTC', lastScheduleAgoS: 60 }),
      kubePdb({ namespace: 'web', name: 'api', minAvailable: 2, expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 0 }),
    );
    const svc = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedService({ namespace: 'web' })).items[0]!;
    expect(svc.spec?.selector).toEqual({ app: 'api' });
    expect(svc.spec?.ports?.[0]).toMatchObject({ name: 'http', port: 80, targetPort: 8080 });
    const slice = (await kc.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'web' })).items[0]!;
    expect(slice.metadata?.labels?.['kubernetes.io/service-name']).toBe('api');
    expect(slice.endpoints?.map((e) => e.conditions?.ready)).toEqual([true, true, false]);
    const ing = (await kc.makeApiClient(k8s.NetworkingV1Api).listNamespacedIngress({ namespace: 'web' })).items[0]!;
    expect(ing.spec?.rules?.[0]?.http?.paths[0]?.backend.service).toEqual({ name: 'api', port: { name: 'http' } });
    expect(ing.spec?.defaultBackend?.service?.port?.number).toBe(80);
    const pvc = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPersistentVolumeClaim({ namespace: 'web' })).items[0]!;
    expect(pvc.status?.phase).toBe('Pending');
    expect(pvc.spec?.storageClassName).toBeUndefined();
    expect(pvc.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const sc = (await kc.makeApiClient(k8s.StorageV1Api).listStorageClass({})).items.find((s) => s.metadata?.name === 'gp3')!;
    expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
    const hpa = (await kc.makeApiClient(k8s.AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace: 'web' })).items[0]!;
    expect(hpa.status?.conditions?.find((c) => c.type === 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
    const batch = kc.makeApiClient(k8s.BatchV1Api);
    const job = (await batch.listNamespacedJob({ namespace: 'web' })).items[0]!;
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'nightly' });
    expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.lastTransitionTime).toBeInstanceOf(Date);
    const cron = (await batch.listNamespacedCronJob({ namespace: 'web' })).items[0]!;
    expect(cron.spec).toMatchObject({ schedule: '@daily', timeZone: 'Etc/UTC', suspend: false });
    expect(cron.status?.lastScheduleTime).toBeInstanceOf(Date);
    const pdb = (await kc.makeApiClient(k8s.PolicyV1Api).listNamespacedPodDisruptionBudget({ namespace: 'web' })).items[0]!;
    expect(pdb.status).toMatchObject({ disruptionsAllowed: 0, currentHealthy: 2, expectedPods: 2 });
  });

  it('cert-manager.io answers 404 until its CRD is installed, then lists Certificates', async () => {
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const q = { group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespace: 'tls' };
    api.add(kubeCertificate({ namespace: 'tls', name: 'shop', ready: true, expiresInS: 86_400 }));
    const absent = await refusal(custom.listNamespacedCustomObject(q));
    expect(absent).toMatchObject({ code: 404, body: { reason: 'NotFound', message: 'the server could not find the requested resource' } });
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).not.toContain('cert-manager.io');
    api.installCertManager();
    try {
      const list = (await custom.listNamespacedCustomObject(q)) as { kind: string; items: Array<{ metadata: { name: string }; status: { notAfter: string } }> };
      expect(list.kind).toBe('CertificateList');
      expect(list.items.map((c) => c.metadata.name)).toEqual(['shop']);
      expect(Date.parse(list.items[0]!.status.notAfter)).toBeGreaterThan(Date.now());
      expect((await kc.makeApiClient(k8s.ApisApi).getAPIVersions()).groups.map((g) => g.name)).toContain('cert-manager.io');
    } finally {
      api.installCertManager(false);
    }
  });

  it('pages a new resource with limit and continue', async () => {
    for (let i = 0; i < 7; i++) api.add(kubeService({ namespace: 'paged', name: `s-${i}` }));
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const first = await core.listNamespacedService({ namespace: 'paged', limit: 5 });
    expect(first.items).toHaveLength(5);
    const second = await core.listNamespacedService({ namespace: 'paged', limit: 5, _continue: first.metadata!._continue! });
    expect(second.items.map((s) => s.metadata?.name)).toEqual(['s-5', 's-6']);
    expect(second.metadata?._continue).toBeUndefined();
  });

  it('serves the kubelet\'s stats summary through the node proxy, and refuses it when denied', async () => {
    api.add(kubeNode({ name: 'node-7' }), kubePvc({ namespace: 'db', name: 'pg' }), kubePod({ namespace: 'db', name: 'pg-0', nodeName: 'node-7', claims: ['pg'] }));
    api.setVolumeStats('db', 'pg', { usedBytes: 800, capacityBytes: 1000 });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const raw: unknown = await core.connectGetNodeProxyWithPath({ name: 'node-7', path: 'stats/summary' });
    const summary = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { node: { nodeName: string }; pods: Array<{ volume?: Array<{ pvcRef: object; usedBytes: number; capacityBytes: number }> }> };
    expect(summary.node.nodeName).toBe('node-7');
    expect(summary.pods.flatMap((p) => p.volume ?? [])).toEqual([expect.objectContaining({ pvcRef: { name: 'pg', namespace: 'db' }, usedBytes: 800, capacityBytes: 1000 })]);
    api.deny('get', 'nodes/proxy');
    try {
      const denied = await refusal(core.connectGetNodeProxyWithPath({ name: 'node-7', path: 'stats/summary' }));
      expect(denied.code).toBe(403);
      expect(denied.body.message).toBe('nodes "node-7" is forbidden: User "system:serviceaccount:ops:chatops" cannot get resource "nodes/proxy" in API group "" at the cluster scope');
    } finally {
      api.clearDenials();
    }
  });

  it('words a refusal in another group with that group', async () => {
    api.deny('list', 'endpointslices', 'web');
    try {
      const denied = await refusal(kc.makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'web' }));
      expect(denied.body.message).toBe('endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:ops:chatops" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "web"');
    } finally {
      api.clearDenials();
    }
  });
});
