// Turns an ioredis / socket / server error into words an on-call engineer can act on. Redis error
// replies start with a code word (WRONGPASS, NOAUTH, LOADING, ...); socket errors carry a Node code.
// Messages pass through redactSecrets, and the probe scrubs the URL's password on top.
import { redactSecrets } from '../../redact-secrets.ts';
import { errorCode } from '../error-code.ts';

export { errorCode };


/** The message only: an ioredis ReplyError also carries the command and its arguments (AUTH's password). */
export function errorMessage(e: unknown): string {
  let msg = e instanceof Error ? e.message : String(e);
  if (!msg && typeof e === 'object' && e !== null && Array.isArray((e as { errors?: unknown }).errors)) {
    msg = ((e as { errors: unknown[] }).errors).map((x) => (x instanceof Error ? x.message : String(x))).join('; ');
  }
  return redactSecrets(msg.trim() || 'unknown error');
}

/** First word of a Redis error reply: WRONGPASS, NOAUTH, NOPERM, LOADING, BUSY, ERR, ... */
export function replyCode(e: unknown): string | undefined {
  const m = /^([A-Z][A-Z_]+)\b/.exec(e instanceof Error ? e.message : String(e));
  return m?.[1];
}

export interface ConnectFailure {
  /** Short class: "refused", "auth failed", ... */
  kind: string;
  message: string;
  fix: string;
}

export function classifyConnectError(e: unknown, timeoutMs: number): ConnectFailure {
  const code = errorCode(e);
  const message = errorMessage(e);
  const reply = replyCode(e);
  if (reply === 'WRONGPASS' || reply === 'NOAUTH' || /invalid password|invalid username-password/i.test(message)) {
    return {
      kind: 'auth failed',
      message,
      fix:
        'Check the user and password in the target URL (redis://user:password@host:6379, or redis://:password@host for the default user) ' +
        'against the server: `requirepass`, or `ACL LIST` for ACL users (user enabled with `on`, right password).',
    };
  }
  switch (reply) {
    case 'NOPERM':
      return { kind: 'permission denied', message, fix: 'The ACL user may not run the probe\'s commands: grant at least +ping +info +hello (and +slowlog|get +client|list +config|get +latency|doctor +memory|doctor +command|info for every check).' };
    case 'LOADING':
      return { kind: 'loading', message, fix: 'The server is loading its dataset from disk after a restart and answers nothing else until it is done: wait, and watch `loading_loaded_perc` in INFO persistence.' };
    case 'BUSY':
      return { kind: 'busy script', message, fix: 'A Lua script or function has run longer than busy-reply-threshold and blocks the server: `SCRIPT KILL` / `FUNCTION KILL` if it has not written, else `SHUTDOWN NOSAVE` as a last resort.' };
    case 'MASTERDOWN':
      return { kind: 'replica without master', message, fix: 'This replica lost its master and replica-serve-stale-data is no: fix the master or the link, or point clients at the master.' };
    case 'MISCONF':
      return { kind: 'writes refused after a failed save', message, fix: 'The last background save failed and stop-writes-on-bgsave-error is yes: read the server log for the save error (disk full, `dir` not writable, fork failing), fix it, run BGSAVE and check that rdb_last_bgsave_status is ok again.' };
    case 'DENIED':
      return { kind: 'protected mode', message, fix: 'The server runs in protected mode and refuses clients from other hosts: set a password (requirepass or ACL) or bind it explicitly.' };
  }
  if (/max(imum)? number of clients reached/i.test(message)) {
    return { kind: 'too many clients', message, fix: 'maxclients is reached: find the application holding the connections (CLIENT LIST), use a connection pool, or raise maxclients.' };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', message, fix: 'Nothing listens on that host and port: is redis-server running, and are host/port right? Check the service and `bind`/`port`.' };
    case 'EAI_AGAIN':
      // The resolver did not answer: the name may be right and DNS down, which is an outage.
      return { kind: 'DNS unavailable', message, fix: 'Name resolution failed for now (the DNS server did not answer): check the DNS the bot resolves names with (`getent hosts HOST`), or the network path to it.' };
    case 'ENOTFOUND':
    case 'EAI_NONAME':
      return { kind: 'DNS', message, fix: 'The host name does not resolve: check the host in the URL and DNS from where the bot runs.' };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'timeout', message: `no connection within ${timeoutMs} ms (${message})`, fix: 'Check the network path (firewall, security group) and whether the host is up.' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'connection reset', message, fix: 'The server closed the connection: a TLS/plain mismatch (rediss:// against a plain port or the reverse), a proxy, or a crash; check the server log.' };
  }
  if (/command timed out/i.test(message)) {
    return {
      kind: 'timeout',
      message: `connected, but no answer within ${timeoutMs} ms`,
      fix: 'The server accepts connections but does not answer: it is blocked (a long command such as KEYS or DEBUG SLEEP, a busy script, CLIENT PAUSE, a fork on a huge dataset, swapping). Check its log, SLOWLOG and the host.',
    };
  }
  if (/ssl|tls|certificate|self.signed|wrong version number/i.test(message) || (code !== undefined && /^ERR_(SSL|TLS)|CERT|SELF_SIGNED/.test(code))) {
    return { kind: 'TLS', message, fix: 'The TLS handshake failed: rediss:// needs a TLS port whose certificate this host trusts (NODE_EXTRA_CA_CERTS for a private CA); redis:// needs a plain port.' };
  }
  if (/connection is closed/i.test(message)) {
    return { kind: 'connection closed', message, fix: 'The server closed the connection during the handshake: check the server log, whether a proxy sits on that port, and redis:// vs rediss://.' };
  }
  return { kind: 'connection failed', message, fix: 'Check the URL, the network and the server log.' };
}

/** Why a check could not run, for the title of its `unknown` finding. */
export function describeCheckError(e: unknown, timeoutMs: number): string {
  const message = errorMessage(e);
  if (replyCode(e) === 'NOPERM') return `not permitted for this ACL user (${message})`;
  if (/unknown command/i.test(message)) return `command not available, renamed or disabled (${message})`;
  if (/command timed out/i.test(message)) return `no answer within ${timeoutMs} ms`;
  return message;
}
