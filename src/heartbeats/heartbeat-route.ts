// POST /heartbeats/<name>: a job (or Alertmanager's Watchdog, through a webhook receiver) says it
// is alive. On the bot's HTTP port in HTTP and Socket Mode alike, with the bearer token of the
// alerts route (ALERTS_TOKEN), checked first and in constant time: a caller without it learns
// nothing, not even which names exist. A body is read (up to 1 MiB, then refused) and ignored:
// Alertmanager sends its payload, curl may send anything.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRoute } from '../alerts/alertmanager-route.ts';
import type { Logger } from '../logger.ts';

export const HEARTBEAT_PATH = '/heartbeats/:name';
export const MAX_HEARTBEAT_BODY_BYTES = 1024 * 1024;

export interface HeartbeatRouteOptions {
  token: string;
  log: Logger;
  /** Records a beat; 'unknown' when no heartbeat has that name. */
  beat: (name: string) => Promise<'recorded' | 'recovered' | 'unknown'>;
}

export function heartbeatRoute(options: HeartbeatRouteOptions): HttpRoute {
  const expected = digest(options.token);
  const log = options.log;
  return {
    path: HEARTBEAT_PATH,
    method: ['POST'],
    handler: (req, res) => {
      if (!authorized(req.headers.authorization, expected)) {
        log.warn({ status: 401, remote: req.socket.remoteAddress }, 'refused a heartbeat: no or wrong bearer token (ALERTS_TOKEN)');
        return answer(res, 401, { error: 'unauthorized: send Authorization: Bearer <ALERTS_TOKEN>' }, true);
      }
      const name = (req as IncomingMessage & { params?: Record<string, string> }).params?.name ?? '';
      drainBounded(req, MAX_HEARTBEAT_BODY_BYTES)
        .then(async (withinLimit) => {
          if (!withinLimit) return answer(res, 413, { error: 'body too large: a heartbeat needs no body (at most 1 MiB is read)' }, true);
          const outcome = await options.beat(name);
          if (outcome === 'unknown') {
            // The name came from the caller: it is neither logged in full nor echoed, and the configured ones are not listed.
            log.warn({ status: 404 }, 'a heartbeat for a name not in heartbeats: in the config');
            return answer(res, 404, { error: 'no heartbeat of that name is configured (heartbeats: in chatops.yml)' });
          }
          answer(res, 200, { status: outcome });
        })
        .catch((err: unknown) => {
          // The store could not take it: the caller retries (or the next beat comes), nothing is said missed wrongly.
          log.error({ err }, 'while recording a heartbeat');
          answer(res, 500, { error: 'the beat could not be recorded; retry' });
        });
    },
  };
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  if (res.headersSent) return;
  // A refused request's body is not read: the connection is closed rather than drained.
  res.writeHead(status, { 'content-type': 'application/json', ...(close && { connection: 'close' }) });
  res.end(JSON.stringify(body));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `Bearer <token>` with the configured token; compared as digests, so in constant time whatever the length. */
function authorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = digest(m?.[1] ?? '');
  return timingSafeEqual(given, expected) && m !== null;
}

/** Reads and drops the body; false as soon as it passes `limit` bytes (reading stops there). */
function drainBounded(req: IncomingMessage, limit: number): Promise<boolean> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    return Promise.resolve(false);
  }
  return new Promise((resolve, reject) => {
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(false);
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(true));
    req.once('error', reject);
  });
}
