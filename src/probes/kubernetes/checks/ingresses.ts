// Ingress (networking.k8s.io/v1) rules and default backends that point at a Service that does not
// exist, or at a port the Service does not have: those routes answer 503 (or 404) for certain.
import { finding, type KubeCheck } from '../check-context.ts';
import { objectLabel, perObject } from '../object-findings.ts';
import type { IngressBackend, ServiceRecord } from '../resource-records.ts';

/** Broken backends named in a finding's detail; more are counted. */
const DETAIL_LINES = 10;

function problemOf(b: IngressBackend, svc: ServiceRecord | undefined, servicesDropped: number): string | undefined {
  // More services than are kept per run: one not kept is not missing.
  if (!svc) return servicesDropped > 0 ? undefined : `service ${b.service} not found`;
  if (b.port === undefined) return undefined;
  // An ExternalName service need not declare ports.
  if (svc.type === 'ExternalName' && svc.ports.length === 0) return undefined;
  const has = typeof b.port === 'number' ? svc.ports.some((p) => p.port === b.port) : svc.ports.some((p) => p.name === b.port);
  if (has) return undefined;
  const ports = svc.ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', ') || 'none';
  return `service ${b.service} has no port ${typeof b.port === 'number' ? b.port : `named "${b.port}"`} (its ports: ${ports})`;
}

export const checkIngresses: KubeCheck = (ctx) => {
  const r = ctx.snapshot.resources;
  const bad = [];
  for (const ing of r.ingresses) {
    const broken = ing.backends.flatMap((b) => {
      const problem = problemOf(b, r.services.get(`${ing.namespace}/${b.service}`), r.servicesDropped);
      return problem ? [`${b.route}: ${problem}`] : [];
    });
    if (broken.length === 0) continue;
    const label = objectLabel('ingress', ing);
    const first = broken[0]!;
    const distinct = [...new Set(broken)];
    bad.push({
      label,
      ...finding('ingresses', 'warn', `${label}: ${broken.length === 1 ? first : `${broken.length} backends broken, first ${first}`}`, {
        detail: [
          ...distinct.slice(0, DETAIL_LINES),
          ...(distinct.length > DETAIL_LINES ? [`… and ${distinct.length - DETAIL_LINES} more`] : []),
          ...(ing.unchecked > 0 ? [`${ing.unchecked} more backends not checked (only the first ${ing.backends.length} are read)`] : []),
        ].join('\n'),
        metrics: { broken_backends: broken.length },
        fix: `point the backends of ingress ${ing.name} at an existing service and one of its ports (kubectl get svc -n ${ing.namespace}), or create the missing service; kubectl describe ingress ${ing.name} -n ${ing.namespace} shows the rules`,
      }),
    });
  }
  const unseen = r.servicesDropped > 0 ? ` (a missing service is not judged: ${r.servicesDropped} services beyond those read per run)` : '';
  if (bad.length === 0) return [finding('ingresses', 'ok', `All ${r.ingressCount} ingresses route to existing services and ports${unseen}`)];
  return perObject('ingresses', bad, 'ingresses with broken backends');
};
