// Reads the certificate a TLS server presents, on a connection of its own that accepts any
// certificate: the dates, names and issuer are read even when verification would fail, and
// whether this host trusts it is recorded next to them.
import net from 'node:net';
import tls from 'node:tls';

export interface PeerCertificate {
  subject: string;
  issuer: string;
  /** The names it covers (subjectAltName), e.g. "DNS:api.example.com, IP Address:10.0.0.1". */
  altNames?: string;
  validFrom: Date;
  validTo: Date;
  /** Verified against this host's CAs and the host name. */
  trusted: boolean;
  /** Why it is not trusted: an OpenSSL code such as DEPTH_ZERO_SELF_SIGNED_CERT, or a name mismatch. */
  trustError?: string;
  selfSigned: boolean;
}

export async function readPeerCertificate(url: URL, signal: AbortSignal): Promise<PeerCertificate> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return await new Promise<PeerCertificate>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = tls.connect({
      host,
      port,
      // SNI carries names only.
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: false,
    });
    const onAbort = () => socket.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    socket.once('secureConnect', () => {
      done();
      try {
        const cert = socket.getPeerCertificate();
        if (!cert || !cert.valid_to) throw new Error('the server presented no certificate');
        const nameError = tls.checkServerIdentity(host, cert);
        const chainError = socket.authorized ? undefined : String(socket.authorizationError ?? 'not authorized');
        resolve({
          subject: describeName(cert.subject) ?? cert.subjectaltname ?? '(no subject)',
          issuer: describeName(cert.issuer) ?? '(no issuer)',
          altNames: cert.subjectaltname,
          validFrom: new Date(cert.valid_from),
          validTo: new Date(cert.valid_to),
          trusted: !chainError && !nameError,
          trustError: chainError ?? (nameError ? `name mismatch: ${nameError.message}` : undefined),
          selfSigned: chainError === 'DEPTH_ZERO_SELF_SIGNED_CERT' || chainError === 'SELF_SIGNED_CERT_IN_CHAIN',
        });
      } catch (e) {
        reject(e);
      } finally {
        socket.destroy();
      }
    });
    socket.once('error', (e) => {
      done();
      socket.destroy();
      reject(signal.aborted ? signal.reason : e);
    });
  });
}

/** "CN=api.example.com" or "CN=R11, O=Let's Encrypt". */
function describeName(name: tls.Certificate | undefined): string | undefined {
  if (!name) return undefined;
  const parts: string[] = [];
  for (const key of ['CN', 'O'] as const) {
    const v = name[key] as string | string[] | undefined;
    if (v === undefined) continue;
    parts.push(`${key}=${Array.isArray(v) ? v.join('+') : v}`);
  }
  return parts.length ? parts.join(', ') : undefined;
}
