// Turns a failed request (fetch's "fetch failed" with a cause, a node:https socket error, an
// abort) into a class an on-call engineer can act on: DNS, refused, timeout, TLS, ...
import { redactSecrets } from '../../redact-secrets.ts';
import { errorCode } from '../error-code.ts';

export interface RequestFailure {
  /** Short class: "refused", "DNS", "timeout", "certificate not trusted", ... */
  kind: string;
  message: string;
  fix: string;
  /** The caller gave up (shutdown, overall timeout): nothing is known about the server. */
  cancelled: boolean;
  /** The system error code behind it, where one names the class (ENOTFOUND, EAI_AGAIN). */
  code?: string;
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'INVALID_CA',
]);

/**
 * @param timedOut the probe's own deadline passed (as opposed to the caller cancelling)
 */
export function classifyRequestError(e: unknown, timeoutMs: number, timedOut: boolean): RequestFailure {
  const code = errorCode(e);
  const message = failureMessage(e);
  const failure = (kind: string, fix: string, msg = message): RequestFailure => ({ kind, message: msg, fix, cancelled: false });
  if (isAbort(e) && !timedOut) {
    return { kind: 'cancelled', message: 'the probe was cancelled before the server answered', fix: '', cancelled: true };
  }
  if (isAbort(e) || code === 'ETIMEDOUT' || (code?.startsWith('UND_ERR_') && code.endsWith('TIMEOUT'))) {
    return failure(
      'timeout',
      'The server accepted nothing or answered nothing in time: is it overloaded or stuck, or does a firewall drop the packets? Compare with `curl -sS -o /dev/null -w "%{time_total}s\\n" URL` from the same network.',
      `no complete answer within ${timeoutMs} ms`,
    );
  }
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return { ...failure('DNS', 'The host name does not resolve from where the bot runs: check the host in the URL and the DNS record (`getent hosts HOST`).'), code };
    case 'ECONNREFUSED':
      return failure('refused', 'Nothing listens on that host and port: is the service running, and are host and port right? Check the process or pod and its listen address.');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return failure('network unreachable', 'No route to the host: check the network path (VPN, security group, network policy) from where the bot runs.');
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return failure('connection closed', 'The server closed the connection without an answer: is it crashing or restarting, or is this a plain HTTP port addressed with https (or the reverse)?');
    case 'CERT_HAS_EXPIRED':
      return failure('certificate expired', 'The server certificate has expired: renew it (cert-manager, ACME client, your CA) and reload the server or ingress.');
    case 'CERT_NOT_YET_VALID':
      return failure('certificate not yet valid', 'The certificate starts in the future: check the clock of the server and of this host, or the certificate dates.');
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return failure('certificate name mismatch', 'The certificate does not cover the host name in the URL: use the name the certificate is issued for, or reissue it with this name.');
  }
  if (code && UNTRUSTED.has(code)) {
    return failure('certificate not trusted', 'The certificate chain does not lead to a CA this host trusts (self-signed, private CA, or a missing intermediate): serve the full chain, or set NODE_EXTRA_CA_CERTS; tlsInsecure: true skips verification.');
  }
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_') || code === 'EPROTO' || /ssl|tls/i.test(message)) {
    return failure('TLS', 'The TLS handshake failed: is the port really serving https, and do the TLS versions and ciphers overlap? Try `openssl s_client -connect HOST:PORT -servername HOST`.');
  }
  if (code?.startsWith('HPE_')) {
    return failure('invalid HTTP', 'The answer is not valid HTTP: is this the right port (a database or https port addressed with http)?');
  }
  if (message.includes('bad port')) {
    return failure('port blocked', 'fetch refuses this port (it is on the browsers\' list of unsafe ports): expose the service on another port.');
  }
  return failure('request failed', 'Check the URL, the network path and the server log.');
}

function isAbort(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
}

/** The most specific message: fetch says "fetch failed" and puts the reason in its cause. */
export function failureMessage(e: unknown): string {
  const parts: string[] = [];
  let current: unknown = e;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    const msg = current instanceof Error ? current.message : String(current);
    // Node appends advice about --use-system-ca to certificate errors: the finding's fix says more.
    const own = msg.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca$/, '');
    if (own && own !== 'fetch failed' && !parts.some((p) => p.includes(own))) parts.push(own);
    const errors = (current as { errors?: unknown }).errors;
    if (!own && Array.isArray(errors)) parts.push(errors.map((x) => (x instanceof Error ? x.message : String(x))).join('; '));
    current = current instanceof Error ? current.cause : undefined;
  }
  return redactSecrets(parts.join(': ') || 'unknown error');
}
