// One operations line per button press and dialog submission, whatever became of it: the first
// middleware of the app, so a press the once check or the signature check drops is logged too.
// Its correlation id is the request's trigger_id (in HTTP and Socket Mode alike; Socket Mode's
// envelope_id never reaches Bolt's middleware), its outcome: ok (its listener ran), error (its
// listener threw) or not_run (a retry or replay, a link button, a value the bot did not sign: the
// line before it says which).
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import { slackRequestKind } from './slack-request-kind.ts';

export function logPresses(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as Record<string, unknown>;
    const kind = slackRequestKind(body);
    if (kind !== 'action' && kind !== 'view') {
      await args.next();
      return;
    }
    const started = process.hrtime.bigint();
    let outcome = 'error';
    try {
      await args.next();
      // verifyInteractive puts the verified nonce in the context before any listener runs.
      outcome = args.context.signedNonce !== undefined ? 'ok' : 'not_run';
    } finally {
      const line = {
        op: kind === 'action' ? 'press' : 'dialog',
        correlation_id: typeof body.trigger_id === 'string' ? body.trigger_id : 'none',
        ...(kind === 'action' ? { action_id: actionId(body) } : { callback_id: callbackId(body) }),
        user: userOf(body),
        duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
        outcome,
      };
      if (outcome === 'error') log.warn(line, kind === 'action' ? 'press' : 'dialog');
      else log.info(line, kind === 'action' ? 'press' : 'dialog');
    }
  };
}

/** The pressed button's action id, cut to a length a log line can hold (it arrived from outside). */
function actionId(body: Record<string, unknown>): string | undefined {
  const first = Array.isArray(body.actions) ? (body.actions[0] as { action_id?: unknown } | undefined) : undefined;
  return typeof first?.action_id === 'string' ? first.action_id.slice(0, 100) : undefined;
}

function callbackId(body: Record<string, unknown>): string | undefined {
  const id = (body.view as { callback_id?: unknown } | undefined)?.callback_id;
  return typeof id === 'string' ? id.slice(0, 100) : undefined;
}

function userOf(body: Record<string, unknown>): string | undefined {
  const id = (body.user as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id.slice(0, 30) : undefined;
}
