// Turns a pg / socket error into words an on-call engineer can act on. Messages pass through
// redactSecrets: a driver message must never carry a password into Slack.
import { redactSecrets } from '../../redact-secrets.ts';
import { errorCode } from '../error-code.ts';

export { errorCode };


export function errorMessage(e: unknown): string {
  let msg = e instanceof Error ? e.message : String(e);
  if (!msg && typeof e === 'object' && e !== null && Array.isArray((e as { errors?: unknown }).errors)) {
    msg = ((e as { errors: unknown[] }).errors).map((x) => (x instanceof Error ? x.message : String(x))).join('; ');
  }
  if (e instanceof Error && e.cause instanceof Error && e.cause.message && !msg.includes(e.cause.message)) {
    msg += ` (${e.cause.message})`;
  }
  return redactSecrets(msg || 'unknown error');
}

export interface ConnectFailure {
  /** Short class: "refused", "auth failed", ... */
  kind: string;
  message: string;
  fix: string;
  /** The bot's configuration is at fault (a host name that does not resolve, a login the server refuses), not the server. */
  config?: boolean;
}

const TIMEOUT_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated due to connection timeout',
  'timeout expired',
  'Query read timeout',
];

export function classifyConnectError(e: unknown, timeoutMs: number): ConnectFailure {
  const code = errorCode(e);
  const message = errorMessage(e);
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', message, fix: 'Nothing listens on that host and port: is PostgreSQL running, and are host/port right? Check the service and `listen_addresses`.' };
    case '28P01':
    case '28000':
      return { kind: 'auth failed', message, config: true, fix: 'Check the user and password in the target URL (the secret it references), and that pg_hba.conf allows this user from this host.' };
    case '53300':
      return { kind: 'too many clients', message, fix: 'All connection slots are taken: find the application holding them (pg_stat_activity by application_name), put a pooler in front, or terminate idle sessions.' };
    case '3D000':
      return { kind: 'database missing', message, fix: 'The database named in the URL does not exist on this server: fix the URL or create the database.' };
    case 'EAI_AGAIN':
      // The resolver did not answer: the name may be right and DNS down, which is an outage.
      return { kind: 'DNS unavailable', message, fix: 'Name resolution failed for now (the DNS server did not answer): check the DNS the bot resolves names with (`getent hosts HOST`), or the network path to it.' };
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return {
        kind: 'DNS',
        message,
        config: true,
        fix: "correct the host in the target's URL (chatops.yml or the variable it reads), or the DNS the bot resolves names with; nothing was checked on the server",
      };
    case '57P03':
      return { kind: 'not accepting connections', message, fix: 'The server is starting up, shutting down or in recovery mode: check its log and wait or restart it.' };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'timeout', message, fix: `No answer within ${timeoutMs} ms: check the network path (firewall, security group) and whether the server is overloaded.` };
    case 'ECONNRESET':
      return { kind: 'connection reset', message, fix: 'The server closed the connection: check its log (crash, restart, SSL or pg_hba mismatch).' };
    case '42501':
      return { kind: 'permission denied', message, fix: 'The role may not connect to this database: GRANT CONNECT ON DATABASE to it.' };
  }
  if (TIMEOUT_MESSAGES.some((m) => message.includes(m))) {
    return { kind: 'timeout', message: `no answer within ${timeoutMs} ms (${message})`, fix: 'The server accepted the connection but did not answer: is it overloaded, stuck, or is something else (a proxy) listening on that port?' };
  }
  if (/ssl|tls|certificate/i.test(message)) {
    return { kind: 'TLS', message, fix: 'The SSL settings do not match: check `sslmode` in the URL and the server certificate.' };
  }
  if (/terminated unexpectedly/i.test(message)) {
    return { kind: 'connection closed', message, fix: 'The server closed the connection during startup: check its log and whether a proxy or pooler sits on that port.' };
  }
  return { kind: 'connection failed', message, fix: 'Check the URL, the network and the server log.' };
}

/** Why a check could not run, for the title of its `unknown` finding. */
export function describeCheckError(e: unknown, role: string, timeoutMs: number): string {
  const code = errorCode(e);
  const message = errorMessage(e);
  switch (code) {
    case '42501':
      return `permission denied (${message}): grant pg_monitor to ${role}`;
    case '57014':
      return `statement timeout: the server cancelled the query to keep within the probe's ${timeoutMs} ms budget`;
    case '55P03':
      return `lock timeout: an object it reads is locked (${message})`;
    case '42P01':
    case '42883':
      return `missing relation or function, extension not installed? (${message})`;
    case '53300':
      return `no connection slot left for the probe (${message})`;
  }
  if (message.includes('Query read timeout')) return `no answer within ${timeoutMs} ms`;
  if (message.includes('timeout exceeded when trying to connect')) return `no free connection within ${timeoutMs} ms`;
  return message;
}
