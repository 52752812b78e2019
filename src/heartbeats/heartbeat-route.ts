// POST /heartbeats/<name>: a job (or Alertmanager's Watchdog, through a webhook receiver) says it
// is alive. On the bot's HTTP port in HTTP and Socket Mode alike, with the bearer token of the
// alerts route (ALERTS_TOKEN), checked first and in constant time: a caller without it learns
// nothing, not even which names exist. A body is read (up to 1 MiB, then refused) and ignored:
// Alertmanager sends its payload, curl may send anything.
import type { IncomingMessage } from 'node:http';
import type { HttpRoute } from '../alerts/alertmanager-route.ts';
import { answerJson, bearerAuthorized, readBounded, tokenDigest } from '../alerts/webhook-request.ts';
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
  const expected = tokenDigest(options.token);
  const log = options.log;
  return {
    path: HEARTBEAT_PATH,
    method: ['POST'],
    handler: (req, res) => {
      if (!bearerAuthorized(req.headers.authorization, expected)) {
        log.warn({ status: 401, remote: req.socket.remoteAddress }, 'refused a heartbeat: no or wrong bearer token (ALERTS_TOKEN)');
        return answerJson(res, 401, { error: 'unauthorized: send Authorization: Bearer <ALERTS_TOKEN>' }, true);
      }
      const name = (req as IncomingMessage & { params?: Record<string, string> }).params?.name ?? '';
      readBounded(req, MAX_HEARTBEAT_BODY_BYTES, false)
        .then(async (body) => {
          if (!body) return answerJson(res, 413, { error: 'body too large: a heartbeat needs no body (at most 1 MiB is read)' }, true);
          const outcome = await options.beat(name);
          if (outcome === 'unknown') {
            // The name came from the caller: it is neither logged in full nor echoed, and the configured ones are not listed.
            log.warn({ status: 404 }, 'a heartbeat for a name not in heartbeats: in the config');
            return answerJson(res, 404, { error: 'no heartbeat of that name is configured (heartbeats: in chatops.yml)' });
          }
          answerJson(res, 200, { status: outcome });
        })
        .catch((err: unknown) => {
          // The store could not take it: the caller retries (or the next beat comes), nothing is said missed wrongly.
          log.error({ err }, 'while recording a heartbeat');
          answerJson(res, 500, { error: 'the beat could not be recorded; retry' });
        });
    },
  };
}

