// POST /alerts/alertmanager: Alertmanager's webhook (payload version 4), on the bot's HTTP port in
// HTTP and Socket Mode alike. The bearer token is checked before the body is read (compared in
// constant time); the body is read up to 1 MiB and no further (a bigger one is answered 413, and
// its rest discarded before the connection closes, so the sender reads the 413 rather than a
// reset: webhook-request.ts); a body that is not JSON or not the
// version 4 shape is answered 400 with the reason. A notification is answered 200 once it is
// committed: the message is sent afterwards, so a slow Slack never makes Alertmanager retry.
// Nothing from the body or the headers is logged but the group's labels the message shows anyway.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { answerJson, bearerAuthorized, readBounded, tokenDigest } from './webhook-request.ts';
import { parseAlertmanagerPayload, PayloadError, type AlertNotification } from './alertmanager-payload.ts';

export const ALERTMANAGER_PATH = '/alerts/alertmanager';
export const MAX_ALERT_BODY_BYTES = 1024 * 1024;

/** A route as Bolt's customRoutes take it, in node's own types. */
export interface HttpRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface AlertmanagerRouteOptions {
  token: string;
  log: Logger;
  /** Records the notification; resolves once it is committed, with what the answer says. */
  receive: (n: AlertNotification) => Promise<'recorded' | 'duplicate'>;
}

export function alertmanagerRoute(options: AlertmanagerRouteOptions): HttpRoute {
  const expected = tokenDigest(options.token);
  const log = options.log;
  return {
    path: ALERTMANAGER_PATH,
    method: ['POST'],
    handler: (req, res) => {
      if (!bearerAuthorized(req.headers.authorization, expected)) {
        log.warn({ status: 401, remote: req.socket.remoteAddress }, `refused a request to ${ALERTMANAGER_PATH}: no or wrong bearer token (ALERTS_TOKEN)`);
        return answerJson(res, 401, { error: 'unauthorized: send Authorization: Bearer <ALERTS_TOKEN>' }, true);
      }
      readBounded(req, MAX_ALERT_BODY_BYTES).then(
        async (raw) => {
          if (raw === undefined) {
            log.warn({ status: 413 }, `refused a request to ${ALERTMANAGER_PATH}: body above 1 MiB`);
            return answerJson(res, 413, { error: 'body too large: at most 1 MiB (lower max_alerts on the receiver)' }, true);
          }
          let body: unknown;
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            return refuse(res, log, 'the body is not JSON (expected Alertmanager\'s webhook payload, version 4)');
          }
          let notification: AlertNotification;
          try {
            notification = parseAlertmanagerPayload(body);
          } catch (e) {
            if (e instanceof PayloadError) return refuse(res, log, e.message);
            throw e;
          }
          const outcome = await options.receive(notification);
          answerJson(res, 200, { status: outcome });
        },
      ).catch((err: unknown) => {
        // The store could not take it: Alertmanager retries a 5xx, so nothing is lost.
        log.error({ err }, `while receiving an Alertmanager notification on ${ALERTMANAGER_PATH}`);
        answerJson(res, 500, { error: 'the notification could not be recorded; retry' });
      });
    },
  };
}

function refuse(res: ServerResponse, log: Logger, reason: string): void {
  log.warn({ status: 400, reason }, `refused a request to ${ALERTMANAGER_PATH}`);
  answerJson(res, 400, { error: reason });
}

