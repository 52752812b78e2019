// Connect (TCP, TLS, HELLO with AUTH) and PING within the timeout. When that fails nothing else
// can run, and the error class (refused, auth failed, timeout, loading, ...) is the finding; a
// host name that does not resolve is the bot's configuration, not an outage. A server that
// answers PING with an error reply is reachable: MISCONF (a failed background save stops writes)
// and MASTERDOWN (a replica that serves nothing while its master is down) are what the
// persistence and replication checks report, and every other check still runs.
// The success finding is built once INFO is read: version, role and uptime.
import type { Finding } from '../../../report.ts';
import { finding, type PingReply } from '../check-context.ts';
import { classifyConnectError, errorCode, errorMessage, replyCode } from '../classify-error.ts';
import { readGreeting, type ProbeConnection } from '../connection.ts';
import { num, type Info } from '../info.ts';
import { formatDuration } from '../../format.ts';
import { untilDeadline } from '../../until-deadline.ts';

export type ReachableResult = { ok: true; pingMs: number; reply?: PingReply } | { ok: false; finding: Finding };

/** Time ioredis gets beyond the timeout to report its own, more specific error first. */
const GRACE_MS = 250;

/** Error replies to PING from a server that still answers INFO, and the check that says what they mean. */
const ANSWERING_REPLIES: Readonly<Record<string, { check: string; meaning: string }>> = {
  MISCONF: { check: 'persistence', meaning: 'writes refused after a failed background save' },
  MASTERDOWN: { check: 'replication', meaning: 'a replica serving no data while its master is down' },
};

/** `targetName` names the target in the configuration, for the fix of a host name that does not resolve. */
export async function checkReachable(conn: ProbeConnection, timeoutMs: number, signal: AbortSignal, targetName: string): Promise<ReachableResult> {
  const started = performance.now();
  let connected = false;
  const attempt = (async () => {
    await conn.redis.connect();
    connected = true;
    await conn.redis.call('PING');
  })();
  let failure: unknown;
  const done = await untilDeadline(
    attempt.then(
      () => true,
      (e: unknown) => {
        failure = e;
        return false;
      },
    ),
    timeoutMs + GRACE_MS,
    signal,
  );
  const elapsed = Math.round(performance.now() - started);
  if (done === true) return { ok: true, pingMs: elapsed };
  if (done === undefined && signal.aborted) {
    return { ok: false, finding: finding('reachable', 'unknown', 'Probe cancelled before the server answered', { metrics: { connect_ms: elapsed } }) };
  }
  if (done === undefined) {
    // Our own deadline: ioredis had not given up yet (a TLS handshake that never completes).
    return {
      ok: false,
      finding: finding('reachable', 'crit', `Unreachable: timeout (no answer within ${timeoutMs} ms)`, {
        detail: 'The server did not complete the connection or answer PING: it may be blocked (a long command, CLIENT PAUSE, a busy script), overloaded, or a firewall drops the packets.',
        metrics: { connect_ms: elapsed },
      }),
    };
  }
  const code = replyCode(failure);
  if (connected && code !== undefined && Object.hasOwn(ANSWERING_REPLIES, code)) {
    return { ok: true, pingMs: elapsed, reply: { code, message: errorMessage(failure) } };
  }
  // A handshake error (WRONGPASS) arrives as an error event; connect() then only says "Connection is closed".
  const cause = conn.firstError() ?? failure;
  let f = classifyConnectError(cause, timeoutMs);
  if (f.kind === 'DNS') {
    const host = conn.endpoint.host;
    return {
      ok: false,
      finding: finding('reachable', 'unknown', `Host name ${host} does not resolve (${errorCode(cause) ?? f.message})`, {
        detail: f.message,
        fix:
          `check the host in targets.${targetName}.url (a typo, a name that only resolves elsewhere) and its DNS record (\`getent hosts ${host}\`), ` +
          'or DNS is failing from where the bot runs (then the applications may not reach it either); nothing was checked on the server.',
        config: true,
        metrics: { connect_ms: elapsed },
      }),
    };
  }
  if (f.kind === 'connection reset' || f.kind === 'connection closed') {
    // Closed before a word: a server at maxclients says why to a connection that just listens.
    const greeting = await readGreeting(conn.endpoint, Math.min(1_000, timeoutMs));
    if (greeting?.startsWith('-')) f = classifyConnectError(new Error(greeting.slice(1)), timeoutMs);
  }
  return {
    ok: false,
    finding: finding('reachable', 'crit', `Unreachable: ${f.kind} (${f.message})`, { fix: f.fix, metrics: { connect_ms: elapsed } }),
  };
}

/** The success finding: "Reachable: Redis 7.0.15 standalone master, up 3 d, 2 ms", with PING's error reply when it gave one. */
export function reachableFinding(pingMs: number, info: Info | undefined, infoError?: string, reply?: PingReply): Finding {
  if (!info) {
    if (reply) {
      // The checks that would explain the reply cannot run: the reply is the finding.
      const f = classifyConnectError(new Error(reply.message), 0);
      return finding('reachable', 'crit', `Server answers PING with ${reply.code} (${reply.message}); INFO failed (${infoError ?? 'unknown error'})`, {
        fix: f.fix,
        metrics: { connect_ms: pingMs },
      });
    }
    return finding('reachable', 'ok', `Reachable: PING answered in ${pingMs} ms; INFO failed (${infoError ?? 'unknown error'})`, { metrics: { connect_ms: pingMs } });
  }
  const version = info.get('redis_version') ?? '?';
  const mode = info.get('redis_mode') ?? 'standalone';
  const role = info.get('role') === 'slave' ? 'replica' : (info.get('role') ?? '?');
  const uptime = num(info, 'uptime_in_seconds') ?? 0;
  const metrics: Record<string, number> = { connect_ms: pingMs, uptime_s: uptime };
  const base = `Reachable: Redis ${version} ${mode} ${role}, up ${formatDuration(uptime)}`;
  if (reply) {
    const known = ANSWERING_REPLIES[reply.code];
    return finding('reachable', 'ok', `${base}; PING answers ${reply.code}${known ? `: ${known.meaning} (see ${known.check})` : ''}`, { detail: reply.message, metrics });
  }
  return finding('reachable', 'ok', `${base}, connect + PING ${pingMs} ms`, { metrics });
}
