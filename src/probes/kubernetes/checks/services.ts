// Services that select pods but have no ready endpoint in their EndpointSlices: traffic to them
// fails. A warning, crit when an Ingress routes to the service (users see the errors). Services
// without a selector (endpoints managed by hand) and ExternalName services are not judged, nor
// those beyond the records kept per run (said in the finding).
import { finding, type KubeCheck } from '../check-context.ts';
import { objectLabel, perObject } from '../object-findings.ts';
import type { ResourceRecords } from '../resource-records.ts';

/** `<ns>/<service>` -> the ingresses that route to it. */
function ingressesByService(r: ResourceRecords): Map<string, string[]> {
  const routed = new Map<string, string[]>();
  for (const ing of r.ingresses) {
    for (const b of ing.backends) {
      const key = `${ing.namespace}/${b.service}`;
      const names = routed.get(key) ?? [];
      if (!names.includes(ing.name)) names.push(ing.name);
      routed.set(key, names);
    }
  }
  return routed;
}

export const checkServices: KubeCheck = (ctx) => {
  const r = ctx.snapshot.resources;
  // Without the ingresses list the service is judged alone (a warning at most).
  const routed = ctx.snapshot.failed.some((f) => f.resource === 'ingresses') ? new Map<string, string[]>() : ingressesByService(r);
  let judged = 0;
  let unseen = r.servicesDropped;
  const bad = [];
  for (const [key, s] of r.services) {
    if (!s.selector || s.type === 'ExternalName') continue;
    const ready = r.readyEndpoints.get(key);
    // Its slices may be among those not kept: not judged rather than called empty.
    if (ready === undefined && r.slicesDropped > 0) {
      unseen += 1;
      continue;
    }
    judged += 1;
    if ((ready ?? 0) > 0) continue;
    const ingresses = routed.get(key);
    const label = objectLabel('service', s);
    const via = ingresses ? ` (routed by ${ingresses.map((i) => `ingress/${i}`).join(', ')}: its requests fail)` : '';
    bad.push({
      label,
      ...finding('services', ingresses ? 'crit' : 'warn', `${label}: no ready endpoint${via}`, {
        detail: `selector ${s.selector}; its EndpointSlices hold no ready address\n` +
          `kubectl get endpointslices -n ${s.namespace} -l kubernetes.io/service-name=${s.name}\n` +
          `kubectl get pods -n ${s.namespace} -l ${s.selector}`,
        metrics: { ready_endpoints: 0 },
        fix: `make the pods selected by ${s.selector} run and pass their readiness probe (see the crashloop, pending and readiness findings), or correct the selector of service ${s.name} if it matches no pod`,
      }),
    });
  }
  const more = unseen > 0 ? ` (${unseen} more not checked: the cluster has more services or EndpointSlices than are read per run)` : '';
  if (bad.length === 0) return [finding('services', 'ok', `All ${judged} services with a selector have ready endpoints${more}`)];
  const listed = perObject('services', bad, 'services without ready endpoints');
  if (more) listed[0]!.detail = [listed[0]!.detail, `${unseen} services not checked: the cluster has more services or EndpointSlices than are read per run`].filter(Boolean).join('\n');
  return listed;
};
