// One finding per object at fault (a service, a claim, a cronjob...), worst first, at most
// MAX_WORKLOAD_FINDINGS of them; the others are named in one more finding with the worst status
// among them, so a namespace with hundreds of broken objects still gives a readable report.
import type { Finding, Status } from '../../report.ts';
import { finding, MAX_WORKLOAD_FINDINGS, type KubeCheckName } from './check-context.ts';

const RANK: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };

/** `service/api in prod`: the kind, name and namespace of an object at fault. */
export function objectLabel(kind: string, o: { namespace: string; name: string }): string {
  return `${kind}/${o.name} in ${o.namespace}`;
}

export function perObject(check: KubeCheckName, findings: Array<Finding & { label: string }>, noun: string): Finding[] {
  const sorted = [...findings].sort((a, b) => RANK[b.status] - RANK[a.status]);
  const shown: Finding[] = sorted.slice(0, MAX_WORKLOAD_FINDINGS).map(({ label: _label, ...f }) => f);
  const rest = sorted.slice(MAX_WORKLOAD_FINDINGS);
  if (rest.length > 0) {
    const status = rest.reduce<Status>((w, f) => (RANK[f.status] > RANK[w] ? f.status : w), 'ok');
    shown.push(finding(check, status, `${rest.length} more ${noun}`, { detail: rest.map((f) => `${f.label} (${f.status})`).join('\n') }));
  }
  return shown;
}
