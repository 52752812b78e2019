// Connect (TCP, TLS, HELLO with AUTH) and PING within the timeout. When that fails nothing else
// can run, and the error class (refused, auth failed, timeout, DNS, loading, ...) is the finding.
// The success finding is built once INFO is read: version, role and uptime.
import type { Finding } from '../../../report.ts';
import { finding } from '../check-context.ts';
import { classifyConnectError } from '../classify-error.ts';
import { readGreeting, type ProbeConnection } from '../connection.ts';
import { num, type Info } from '../info.ts';
import { formatDuration } from '../../format.ts';
import { untilDeadline } from '../../until-deadline.ts';

export type ReachableResult = { ok: true; pingMs: number } | { ok: false; finding: Finding };

/** Time ioredis gets beyond the timeout to report its own, more specific error first. */
const GRACE_MS = 250;

export async function checkReachable(conn: ProbeConnection, timeoutMs: number, signal: AbortSignal): Promise<ReachableResult> {
  const started = performance.now();
  const attempt = (async () => {
    await conn.redis.connect();
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
  // A handshake error (WRONGPASS) arrives as an error event; connect() then only says "Connection is closed".
  let f = classifyConnectError(conn.firstError() ?? failure, timeoutMs);
  if (f.kind === 'connection reset' || f.kind === 'connection closed') {
    // Closed before a word: a server at maxclients says why to a connection that just listens.
    const greeting = await readGreeting(conn.endpoint, Math.min(1_000, timeoutMs));
    if (greeting?.startsWith('-')) f = classifyConnectError(new Error(greeting.slice(1)), timeoutMs);
  }
  return {
    ok: false,
    finding: finding('reachable', 'crit', `Unreachable: ${f.kind} (${f.message})`, { detail: f.fix, metrics: { connect_ms: elapsed } }),
  };
}

/** The success finding: "Reachable: Redis 7.0.15 standalone master, up 3 d, 2 ms". */
export function reachableFinding(pingMs: number, info: Info | undefined, infoError?: string): Finding {
  if (!info) {
    return finding('reachable', 'ok', `Reachable: PING answered in ${pingMs} ms; INFO failed (${infoError ?? 'unknown error'})`, { metrics: { connect_ms: pingMs } });
  }
  const version = info.get('redis_version') ?? '?';
  const mode = info.get('redis_mode') ?? 'standalone';
  const role = info.get('role') === 'slave' ? 'replica' : (info.get('role') ?? '?');
  const uptime = num(info, 'uptime_in_seconds') ?? 0;
  const metrics: Record<string, number> = { connect_ms: pingMs, uptime_s: uptime };
  return finding('reachable', 'ok', `Reachable: Redis ${version} ${mode} ${role}, up ${formatDuration(uptime)}, connect + PING ${pingMs} ms`, { metrics });
}
