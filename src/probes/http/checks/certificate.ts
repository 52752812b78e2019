// https only: days until the server certificate expires, its subject and issuer, and whether
// this host trusts it. Expired, or fewer than 3 days left, is critical; fewer than 20 a warning.
import type { Finding, Status } from '../../../report.ts';
import { worstStatus } from '../../../report.ts';
import { finding, type CertificateOutcome, type HttpCheckInput } from '../check-context.ts';
import type { PeerCertificate } from '../peer-certificate.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { statusBelow } from '../probe-support.ts';
import { formatDuration } from '../../format.ts';

const DAY_MS = 86_400_000;

export function checkCertificate(outcome: CertificateOutcome, input: HttpCheckInput, t: Thresholds, now = new Date()): Finding {
  if (outcome === undefined) {
    return finding('certificate', 'unknown', `Certificate: could not check (no TLS handshake within ${input.timeoutMs} ms)`);
  }
  if (!outcome.ok) return finding('certificate', 'unknown', `Certificate: could not check (${outcome.message})`);
  const cert = outcome.certificate;
  const daysLeft = (cert.validTo.getTime() - now.getTime()) / DAY_MS;
  const statuses: Status[] = [daysLeft <= 0 ? 'crit' : statusBelow(daysLeft, t)];
  const parts = [`Certificate ${cert.subject}`];
  const notYet = cert.validFrom.getTime() > now.getTime();
  if (notYet) {
    statuses.push('crit');
    parts.push(`not valid before ${day(cert.validFrom)}`);
  }
  const untrusted = !cert.trusted && !input.tlsInsecure;
  if (untrusted) {
    statuses.push('crit');
    parts.push(`not trusted (${trustReason(cert)})`);
  }
  parts.push(daysLeft <= 0 ? `expired ${remaining(-daysLeft)} ago (${day(cert.validTo)})` : `expires in ${remaining(daysLeft)} (${day(cert.validTo)})`);
  const status = worstStatus(statuses);
  const lines = [
    `Subject ${cert.subject}; issuer ${cert.issuer}${cert.selfSigned ? ' (self-signed)' : ''}`,
    cert.altNames ? `Names: ${cert.altNames}` : undefined,
    `Valid from ${instant(cert.validFrom)} to ${instant(cert.validTo)}`,
    cert.trusted ? 'Trusted by this host' : `${input.tlsInsecure ? 'Not verified (tlsInsecure: true)' : 'Not trusted by this host'}: ${trustReason(cert)}`,
  ];
  const fixes: string[] = [];
  if (untrusted) {
    fixes.push('serve a certificate from a CA clients trust, with the full chain and this host name; or set tlsInsecure: true on the target if a private CA is expected.');
  }
  if (daysLeft < t.warn || notYet) {
    fixes.push(`${fixes.length ? 'Renew' : 'renew'} the certificate now (cert-manager: check the Certificate and its CertificateRequest/Order; ACME: run the client and read its log), then reload the server or ingress so it serves the new one.`);
  }
  return finding('certificate', status, `${parts.join(', ')}, issuer ${cert.issuer}`, {
    detail: lines.filter((l) => l !== undefined).join('\n'),
    ...(fixes.length > 0 && { fix: fixes.join(' ') }),
    metrics: { days_left: Math.round(daysLeft * 10) / 10 },
  });
}

function trustReason(cert: PeerCertificate): string {
  if (cert.trusted) return 'trusted';
  const e = cert.trustError ?? 'unknown reason';
  if (cert.selfSigned) return `self-signed, ${e}`;
  return e;
}

function remaining(days: number): string {
  return days >= 2 ? `${Math.floor(days)} days` : formatDuration(days * 86_400);
}

function instant(d: Date): string {
  return Number.isNaN(d.getTime()) ? '(invalid date)' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function day(d: Date): string {
  return Number.isNaN(d.getTime()) ? '(invalid date)' : d.toISOString().slice(0, 10);
}
