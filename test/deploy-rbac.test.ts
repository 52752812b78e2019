// deploy/rbac.yaml grants the bot what it uses and nothing more: every request the probe and the
// Kubernetes actions send to the API server (recorded by the local one) must be allowed by a rule
// bound to the bot's service account, in the namespace it was sent to, and every verb a rule
// grants must be one of those requests.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SILENT_IO } from '../src/actions/action-executor.ts';
import { KUBERNETES_EXECUTORS } from '../src/probes/kubernetes/kubernetes-actions.ts';
import type { Target } from '../src/config/config.ts';
import { kubeCertificate, kubeCronJob, kubeDeployment, kubeEndpointSlice, kubeHpa, kubeIngress, kubeJob, kubePdb, kubePod, kubePvc, kubeService, kubeStorageClass } from './support/kube-objects.ts';
import { kubeTarget, runKubeProbe, useFakeKubeApi } from './probes/kubernetes/kube-helpers.ts';
import { allowed, grantsFor as grantsOf, type ApiRequest } from './deploy/rbac-grants.ts';

function grantsFor(file: string, account: { name: string; namespace: string }) {
  // Parsed YAML of several kinds, read field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return grantsOf(parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Record<string, any>).filter(Boolean), account);
}

/** An HTTP request to the API server as the authorizer sees it: verb, group, resource[/subresource], namespace, name. */
function toApiRequest(method: string, urlPath: string): ApiRequest {
  const parts = urlPath.split('/').filter(Boolean);
  const [group, rest] = parts[0] === 'api' ? ['', parts.slice(2)] : [parts[1]!, parts.slice(3)];
  let namespace: string | undefined;
  let tail = rest;
  if (tail[0] === 'namespaces' && tail.length >= 3) {
    namespace = tail[1];
    tail = tail.slice(2);
  }
  if (tail[0] === 'namespaces' && tail.length === 2) return { verb: 'get', group, resource: 'namespaces', name: tail[1]! };
  const [resource, name, sub] = tail;
  const verb = method === 'GET' ? (name ? 'get' : 'list') : { PATCH: 'patch', DELETE: 'delete', PUT: 'update', POST: 'create' }[method] ?? method;
  return { verb, group, resource: sub ? `${resource}/${sub}` : resource!, ...(namespace && { namespace }), ...(name && { name }) };
}

const RBAC = path.resolve(import.meta.dirname, '../deploy/rbac.yaml');
const k = useFakeKubeApi();

describe('deploy/rbac.yaml', () => {
  it('allows every request the probe and the actions make, in the namespace they make it', async () => {
    k.api.add(kubeDeployment({ namespace: 'prod', name: 'api-gateway', replicas: 2 }));
    for (let i = 0; i < 2; i++) k.api.add(kubePod({ namespace: 'prod', name: `api-gateway-5d4f8c7b9-r${i}`, owner: { kind: 'Deployment', name: 'api-gateway' } }));
    k.api.add(kubePod({ namespace: 'prod', name: 'loner', containers: [{ name: 'app', restartCount: 2, lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAgoS: 5 } } }] }));
    k.api.setLogs('prod', 'loner', 'app', { current: 'up\n', previous: 'down\n' });
    k.api.add(
      kubeService({ namespace: 'prod', name: 'api-gateway' }),
      kubeEndpointSlice({ namespace: 'prod', service: 'api-gateway', ready: 2 }),
      kubeIngress({ namespace: 'prod', name: 'web', rules: [{ host: 'shop.example.com', service: 'api-gateway', port: 80 }] }),
      kubeStorageClass({ name: 'standard', isDefault: true }),
      kubePvc({ namespace: 'prod', name: 'data' }),
      kubeHpa({ namespace: 'prod', name: 'api-gateway', max: 5, current: 2 }),
      kubeJob({ namespace: 'prod', name: 'nightly-1', outcome: 'Complete', cronJob: 'nightly' }),
      kubeCronJob({ namespace: 'prod', name: 'nightly', schedule: '@daily', lastScheduleAgoS: 3600 }),
      kubePdb({ namespace: 'prod', name: 'api-gateway', minAvailable: 1, expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 1 }),
      kubeCertificate({ namespace: 'prod', name: 'shop', ready: true, expiresInS: 60 * 86_400 }),
    );
    k.api.installCertManager();
    k.api.metricsServer('installed');
    k.api.requests.length = 0;

    const targetOptions = { namespaces: ['prod'], restartable: ['deployment/api-gateway'], deletePods: true, rolloutPollMs: 20 };
    await runKubeProbe({ kubeconfig: k.kubeconfig, target: targetOptions });
    const target = kubeTarget({ kubeconfig: k.kubeconfig, target: targetOptions }) as unknown as Target;
    const workload = { namespace: 'prod', workload: 'deployment', name: 'api-gateway' };
    await KUBERNETES_EXECUTORS['k8s.restart']!.run(target, { ...workload, replicas: 2 }, SILENT_IO);
    // The restart made revision 2; the rollback lists the replicasets and patches back to revision 1.
    await KUBERNETES_EXECUTORS['k8s.rollback']!.run(target, { namespace: 'prod', workload: 'deployment', name: 'api-gateway', revision: 1, change: 'revision 2 → 1' }, SILENT_IO);
    await KUBERNETES_EXECUTORS['k8s.scale']!.run(target, { ...workload, replicas: 3 }, SILENT_IO);
    await KUBERNETES_EXECUTORS['k8s.logs']!.run(target, { namespace: 'prod', pod: 'loner', container: 'app', previous: 'yes' }, SILENT_IO);
    await KUBERNETES_EXECUTORS['k8s.delete_pod']!.run(target, { namespace: 'prod', pod: 'loner' }, SILENT_IO);

    const grants = grantsFor(RBAC, { name: 'chatops', namespace: 'chatops' });
    const made = new Map(k.api.requests.map((r) => {
      const req = toApiRequest(r.method, r.path);
      return [`${req.verb} ${req.group || 'core'}/${req.resource} ${req.namespace ?? '(cluster)'} ${req.name ?? ''}`.trim(), req];
    }));
    // The probe, the restart and its watch, scale, logs and delete all went through.
    expect([...made.keys()].sort()).toEqual([
      'delete core/pods prod loner',
      'get apps/deployments prod api-gateway',
      'get core/namespaces (cluster) prod',
      'get core/pods/log prod loner',
      'list apps/daemonsets prod',
      'list apps/deployments prod',
      'list apps/replicasets prod',
      'list apps/statefulsets prod',
      'list autoscaling/horizontalpodautoscalers prod',
      'list batch/cronjobs prod',
      'list batch/jobs prod',
      'list cert-manager.io/certificates prod',
      'list core/events prod',
      'list core/nodes (cluster)',
      'list core/persistentvolumeclaims prod',
      'list core/pods prod',
      'list core/services prod',
      'list discovery.k8s.io/endpointslices prod',
      'list metrics.k8s.io/nodes (cluster)',
      'list metrics.k8s.io/pods prod',
      'list networking.k8s.io/ingresses prod',
      'list policy/poddisruptionbudgets prod',
      'list storage.k8s.io/storageclasses (cluster)',
      'patch apps/deployments prod api-gateway',
      'patch apps/deployments/scale prod api-gateway',
    ]);
    const refused = [...made.entries()].filter(([, req]) => !allowed(grants, req)).map(([key]) => key);
    expect(refused).toEqual([]);
    // And nothing granted goes unused: every verb on every resource of every rule was needed.
    const requests = [...made.values()];
    const unused = grants.flatMap((g) => g.rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) =>
      rule.verbs.filter((verb) => !requests.some((r) => r.group === group && r.resource === resource && r.verb === verb)).map((verb) => `${verb} ${group || 'core'}/${resource}`)))));
    expect(unused).toEqual([]);
  });

  it('grants nothing beyond that: no wildcards, no secrets, writes only on named workloads or pods', () => {
    const grants = grantsFor(RBAC, { name: 'chatops', namespace: 'chatops' });
    const rules = grants.flatMap((g) => g.rules.map((r) => ({ ...r, namespace: g.namespace })));
    for (const r of rules) {
      expect(r.verbs).not.toContain('*');
      expect(r.resources).not.toContain('*');
      expect(r.resources).not.toContain('secrets');
      const writes = r.verbs.filter((v) => !['get', 'list'].includes(v));
      if (writes.length > 0) {
        expect(r.namespace, `${r.resources} ${writes}`).toBeDefined();
        if (!r.resources.every((res) => res === 'pods')) expect(r.resourceNames?.length, `${r.resources} ${writes}`).toBeGreaterThan(0);
      }
    }
    // A workload not on the list cannot be patched; pods in another namespace cannot be deleted.
    expect(allowed(grants, { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'prod', name: 'billing' })).toBe(false);
    expect(allowed(grants, { verb: 'delete', group: '', resource: 'pods', namespace: 'staging', name: 'x' })).toBe(false);
    expect(allowed(grants, { verb: 'list', group: '', resource: 'pods', namespace: 'kube-system' })).toBe(false);
    // The kubelet's volume stats are optional: nodes/proxy reaches the whole kubelet API.
    expect(allowed(grants, { verb: 'get', group: '', resource: 'nodes/proxy', name: 'node-1' })).toBe(false);
  });

  it('is the file the Kustomize base applies, so `kubectl apply -f` and `kubectl apply -k` grant the same', () => {
    expect(realpathSync(RBAC)).toBe(path.resolve(import.meta.dirname, '../deploy/kubernetes/base/rbac.yaml'));
  });
});
