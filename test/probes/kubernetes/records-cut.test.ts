// The services, ingresses and cronjobs checks when the cluster holds more objects than the records
// kept per run: what was not kept is not judged (never a "not found" or "no ready endpoint" for an
// object that was only not read), and the finding says how many were left out.
import { describe, expect, it } from 'vitest';
import { emptySnapshot } from '../../../src/probes/kubernetes/cluster-snapshot.ts';
import { checkCronJobs } from '../../../src/probes/kubernetes/checks/cronjobs.ts';
import { checkIngresses } from '../../../src/probes/kubernetes/checks/ingresses.ts';
import { checkServices } from '../../../src/probes/kubernetes/checks/services.ts';
import type { KubeCheckContext } from '../../../src/probes/kubernetes/check-context.ts';
import { kubeTarget } from './kube-helpers.ts';

const NONE = { warn: Infinity, crit: Infinity };

function context(o: { servicesDropped?: number; slicesDropped?: number }): KubeCheckContext {
  const snapshot = emptySnapshot('https://kube.example:6443', ['prod']);
  const r = snapshot.resources;
  r.services.set('prod/api', { namespace: 'prod', name: 'api', type: 'ClusterIP', selector: 'app=api', ports: [{ port: 80 }] });
  r.services.set('prod/web', { namespace: 'prod', name: 'web', type: 'ClusterIP', selector: 'app=web', ports: [{ port: 80 }] });
  r.readyEndpoints.set('prod/api', 2);
  r.ingresses.push({ namespace: 'prod', name: 'edge', backends: [{ service: 'api', port: 80, route: 'a.example/' }, { service: 'beyond', port: 80, route: 'b.example/' }], unchecked: 0 });
  r.ingressCount = 1;
  r.servicesDropped = o.servicesDropped ?? 0;
  r.slicesDropped = o.slicesDropped ?? 0;
  return { snapshot, target: kubeTarget({ kubeconfig: '/nonexistent' }), now: Date.now() };
}

describe('records cut at their bound', () => {
  it('every service and slice kept: a missing service and an empty one are named', () => {
    const ctx = context({});
    expect(checkIngresses(ctx, NONE).map((f) => `${f.status} ${f.title}`)).toEqual(['warn ingress/edge in prod: b.example/: service beyond not found']);
    expect(checkServices(ctx, NONE).map((f) => `${f.status} ${f.title}`)).toEqual(['warn service/web in prod: no ready endpoint']);
  });

  it('services beyond those kept: a backend naming one not kept is not called missing, and the ok says so', () => {
    const [f, ...more] = checkIngresses(context({ servicesDropped: 120 }), NONE);
    expect(more).toHaveLength(0);
    expect(f).toMatchObject({ status: 'ok' });
    expect(f!.title).toBe('All 1 ingresses route to existing services and ports (a missing service is not judged: 120 services beyond those read per run)');
  });

  it('EndpointSlices beyond those kept: a service without a counted slice is not judged empty', () => {
    const [f, ...more] = checkServices(context({ slicesDropped: 40 }), NONE);
    expect(more).toHaveLength(0);
    expect(f).toMatchObject({ status: 'ok', title: 'All 1 services with a selector have ready endpoints (1 more not checked: the cluster has more services or EndpointSlices than are read per run)' });
  });

  it('cronjobs beyond those kept are counted as not checked, never as suspended', () => {
    const ctx = context({});
    const r = ctx.snapshot.resources;
    r.cronJobs.push({ namespace: 'prod', name: 'nightly', schedule: '0 3 * * *', since: new Date(Date.now() - 3_600_000), neverScheduled: false, concurrencyPolicy: 'Allow', active: 0 });
    r.cronJobCount = 10;
    r.cronJobsSuspended = 2;
    expect(checkCronJobs(ctx, { warn: 2, crit: Infinity }).map((f) => `${f.status} ${f.title}`)).toEqual([
      'ok All 1 active cronjobs ran on schedule (2 suspended; 7 more not checked: more than are read per run)',
    ]);
  });
});
