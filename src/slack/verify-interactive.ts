// Signing at the edge, on the way in: a button press or a dialog submission reaches its handler
// only with a value the bot signed for that button (or dialog) and that has not expired. The
// handler then sees the value as the bot wrote it; the message's nonce is in context.signedNonce.
// Anything else is refused before any work, audited, and answered to the presser.
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { AuditLog } from '../store/audit-log.ts';
import type { Logger } from '../logger.ts';
import type { Rejected, ValueSigner } from '../security/value-signer.ts';
import { buttonIntent } from './seal-message.ts';
import { slackRequestKind } from './slack-request-kind.ts';
import { isTrustedResponseUrl, responseUrlsOf, type ResponseUrlPolicy } from './response-urls.ts';

/** What to run again for fresh buttons, by the start of the action id. */
const FRESH_FROM: ReadonlyArray<readonly [string, string]> = [
  ['confirm:', 'press the button on the report again'],
  ['remedy:', 'run /diag again'],
  ['incident:declare', 'run /diag again'],
  ['incident:', 'use /incident show <id> or the latest page'],
  ['digest:', 'use /digest history'],
  ['runbook:', 'use /runbook'],
];

interface ActionLike {
  action_id?: unknown;
  value?: unknown;
  type?: unknown;
}

export interface VerifyOptions {
  signer: ValueSigner;
  audit: AuditLog;
  log: Logger;
  /** Where answers may go: a request naming another response_url is dropped. */
  responseUrls: ResponseUrlPolicy;
}

export function verifyInteractive(options: VerifyOptions): Middleware<AnyMiddlewareArgs> {
  const { signer, audit, log } = options;
  return async (args) => {
    const body = args.body as { type?: unknown; actions?: unknown; view?: unknown; user?: { id?: unknown }; channel?: { id?: unknown }; container?: { channel_id?: unknown } };
    const ack = (args as { ack?: (response?: object) => Promise<void> }).ack;
    // Classified as Bolt routes it (not by `type` alone); the HTTP guard refuses the same bodies
    // with 400, and this holds them back in Socket Mode too.
    const kind = slackRequestKind(body as Record<string, unknown>);
    if (kind === 'command' || kind === 'action' || kind === 'view') {
      const untrusted = responseUrlsOf(body as Record<string, unknown>).find((u) => !isTrustedResponseUrl(u, options.responseUrls));
      if (untrusted !== undefined) {
        await ack?.();
        log.warn({ kind, responseUrl: String(untrusted).slice(0, 80) }, 'refused a Slack request whose response_url is not Slack\'s');
        return;
      }
    }
    if (kind === 'options' || kind === 'shortcut' || (kind === 'action' && body.type !== 'block_actions')) {
      // Nothing the bot offers is answered this way: dropped before any listener.
      await ack?.();
      log.warn({ kind, type: String(body.type).slice(0, 40) }, 'refused a Slack request of a kind the bot does not take');
      return;
    }
    if (kind !== 'action' && kind !== 'view') {
      await args.next();
      return;
    }
    const user = typeof body.user?.id === 'string' ? body.user.id : '(unknown)';
    const channel = typeof body.channel?.id === 'string' ? body.channel.id : typeof body.container?.channel_id === 'string' ? body.container.channel_id : undefined;

    if (kind === 'action') {
      const actions = Array.isArray(body.actions) ? (body.actions as ActionLike[]) : [];
      // Slack sends one action per press: several would let one press borrow another's nonce.
      if (actions.length !== 1) {
        await ack?.();
        await refuse({ intent: '(several actions)', user, channel, verdict: { ok: false, reason: 'malformed' }, args, audit, log });
        return;
      }
      let nonce: string | undefined;
      for (const action of actions) {
        const actionId = typeof action.action_id === 'string' ? action.action_id : '';
        const intent = buttonIntent(actionId);
        // A link button (a runbook's URL) carries no value and has nothing to run.
        if (action.value === undefined && action.type === 'button' && actionId === 'runbook:open') {
          await ack?.();
          return;
        }
        const verdict = await signer.verify(intent, action.value);
        if (!verdict.ok) {
          await ack?.();
          await refuse({ intent, user, channel, verdict, args, audit, log });
          return;
        }
        action.value = verdict.raw;
        nonce = verdict.nonce;
      }
      args.context.signedNonce = nonce;
      await args.next();
      return;
    }

    const view = body.view as { callback_id?: unknown; private_metadata?: unknown } | undefined;
    const callbackId = typeof view?.callback_id === 'string' ? view.callback_id : '';
    const verdict = await signer.verify(callbackId, view?.private_metadata);
    if (!verdict.ok || !view) {
      await ack?.();
      await refuse({ intent: callbackId, user, channel: undefined, verdict: verdict.ok ? { ok: false, reason: 'malformed' } : verdict, args, audit, log });
      return;
    }
    view.private_metadata = verdict.raw;
    args.context.signedNonce = verdict.nonce;
    await args.next();
  };
}

async function refuse(r: { intent: string; user: string; channel: string | undefined; verdict: Rejected; args: AnyMiddlewareArgs; audit: AuditLog; log: Logger }): Promise<void> {
  const expired = r.verdict.reason === 'expired';
  const fresh = FRESH_FROM.find(([prefix]) => r.intent.startsWith(prefix))?.[1] ?? 'run the command again';
  const text = expired
    ? `:hourglass: This button has expired: ${fresh} for a fresh one. Nothing was done.`
    : `:no_entry: This button was changed or has expired: ${fresh}. Nothing was done.`;
  r.log.warn({ intent: r.intent.slice(0, 100), user: r.user, reason: r.verdict.reason }, 'refused a button value the bot did not sign');
  await r.audit
    // A remedy's refusal is audited under the action's own name, like its runs and denials.
    .record({ actor: r.user, ...(r.channel && { channel: r.channel }), source: 'slack', action: r.intent.replace(/^remedy:/, '').slice(0, 100) || '(no action id)', outcome: 'refused', detail: `button value ${r.verdict.reason}` })
    .catch((err: unknown) => r.log.error({ err }, 'while auditing a refused button'));
  const respond = (r.args as { respond?: (m: object) => Promise<unknown> }).respond;
  const client = (r.args as { client?: { chat: { postMessage(a: object): Promise<unknown>; postEphemeral(a: object): Promise<unknown> } } }).client;
  try {
    if (respond) {
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } else if (client && r.user !== '(unknown)') {
      // A dialog has no response_url: tell the presser directly.
      await client.chat.postMessage({ channel: r.user, text });
    }
  } catch (err) {
    r.log.warn({ err }, 'while answering a refused button');
  }
}
