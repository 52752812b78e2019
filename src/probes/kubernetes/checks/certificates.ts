// cert-manager Certificates (cert-manager.io/v1), when cert-manager is installed: Ready=False is
// crit (a warning during the first minutes of an issuance, which takes a while), and a certificate
// expiring soon (status.notAfter) warns at 14 days, crit at 3. Not installed is said once, ok.
import { formatDuration } from '../../format.ts';
import type { Finding, Status } from '../../../report.ts';
import { finding, statusBelow, type KubeCheck } from '../check-context.ts';
import { objectLabel, perObject } from '../object-findings.ts';

const DAY_MS = 86_400_000;
const RANK: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };

export const checkCertificates: KubeCheck = (ctx, t) => {
  const r = ctx.snapshot.resources;
  if (r.certManagerAbsent) return [finding('certificates', 'ok', 'cert-manager not installed (no cert-manager.io/v1 API on the server): no Certificates to check')];
  const graceMs = (ctx.target.certificateIssuingGraceMinutes ?? 10) * 60_000;
  const bad: Array<Finding & { label: string }> = [];
  for (const c of r.certificates) {
    const label = objectLabel('certificate', c);
    const parts: string[] = [];
    let status: Status = 'ok';
    const raise = (s: Status) => {
      if (RANK[s] > RANK[status]) status = s;
    };
    const fixes: string[] = [];
    if (c.ready?.status === 'False') {
      const issuingFor = c.issuingSince ? ctx.now - c.issuingSince.getTime() : undefined;
      const early = issuingFor !== undefined && issuingFor < graceMs;
      raise(early ? 'warn' : 'crit');
      parts.push(`not Ready${c.ready.reason ? ` (${c.ready.reason}${c.ready.message ? `: ${c.ready.message}` : ''})` : ''}${early ? `, issuing for ${formatDuration(issuingFor / 1000)}` : ''}`);
      fixes.push(`see where issuance is stuck: kubectl describe certificate ${c.name} -n ${c.namespace}, then its CertificateRequest, Order and Challenges (kubectl get certificaterequests,orders,challenges -n ${c.namespace})`);
    }
    if (c.notAfter) {
      const days = (c.notAfter.getTime() - ctx.now) / DAY_MS;
      const s = statusBelow(days, t);
      if (s !== 'ok') {
        raise(days <= 0 ? 'crit' : s);
        parts.push(days <= 0 ? `expired ${formatDuration(-days * 86_400)} ago` : `expires in ${formatDuration(days * 86_400)}`);
        fixes.push(`renewal should have happened by now: cmctl renew ${c.name} -n ${c.namespace} forces one; if it fails, the issuer's events say why`);
      }
    }
    if (status === 'ok') continue;
    bad.push({
      label,
      ...finding('certificates', status, `${label}: ${parts.join(', ')}`, {
        detail: [
          ...(c.dnsNames.length > 0 ? [`for ${c.dnsNames.join(', ')}`] : []),
          ...(c.secretName ? [`secret ${c.secretName}`] : []),
          ...(c.notAfter ? [`notAfter ${c.notAfter.toISOString()}`] : []),
        ].join('\n'),
        ...(c.notAfter && { metrics: { days_left: Math.round(((c.notAfter.getTime() - ctx.now) / DAY_MS) * 10) / 10 } }),
        fix: fixes.join('; '),
      }),
    });
  }
  if (bad.length === 0) return [finding('certificates', 'ok', `All ${r.certificateCount} certificates Ready, none expiring within ${t.warn} days`)];
  return perObject('certificates', bad, 'certificates');
};
