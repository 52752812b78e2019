// Signing at the edge, on the way in: a button press or a dialog submission reaches its handler
// only with a value the bot signed for that button (or dialog) and that has not expired. A press's
// value is then decoded into its intent by the interaction registry (shape and types checked): the
// handler gets the intent in context.intent, the dialog its metadata as the bot wrote it, and the
// message's nonce is in context.signedNonce. Anything else is refused before any work, audited,
// and answered to the presser, saying what to run again for a fresh button.
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { AuditTrail } from '../store/audit-log.ts';
import type { Logger } from '../logger.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { recordButtonRefusal, type ButtonRefusal } from './interactions/record-button-refusal.ts';
import { BOT_INTERACTIONS } from './interactions/bot-interactions.ts';
import type { DecodeContext } from './interactions/interaction.ts';
import { signedIntentOf } from './interactions/interaction-registry.ts';
import { sealMessage } from './seal-message.ts';
import { slackRequestKind } from './slack-request-kind.ts';
import { isTrustedResponseUrl, responseUrlsOf, type ResponseUrlPolicy } from './response-urls.ts';

interface ActionLike {
  action_id?: unknown;
  value?: unknown;
  type?: unknown;
}

export interface VerifyOptions {
  signer: ValueSigner;
  audit: AuditTrail;
  log: Logger;
  /** Where answers may go: a request naming another response_url is dropped. */
  responseUrls: ResponseUrlPolicy;
  /** What decoding a value may consult (the runbook ids). */
  decode: DecodeContext;
  /** Masked in the answers to refused presses. */
  secrets: readonly string[];
}

/** Why a press or a dialog is refused: its signature (with Slack's reason), or its decoded value. */
type Refusal = ButtonRefusal;

export function verifyInteractive(options: VerifyOptions): Middleware<AnyMiddlewareArgs> {
  const { signer, log } = options;
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
        await refuse({ intent: '(several actions)', user, channel, refusal: { reason: 'malformed' }, args, options });
        return;
      }
      const action = actions[0]!;
      const actionId = typeof action.action_id === 'string' ? action.action_id : '';
      const intent = signedIntentOf(actionId);
      // A link button (a runbook's URL) carries no value and has nothing to run.
      if (action.value === undefined && action.type === 'button' && BOT_INTERACTIONS.lookup(actionId)?.linkWithoutValue) {
        await ack?.();
        return;
      }
      const verdict = await signer.verify(intent, action.value);
      if (!verdict.ok) {
        await ack?.();
        await refuse({ intent, user, channel, refusal: verdict, args, options });
        return;
      }
      const decoded = BOT_INTERACTIONS.decode(actionId, verdict.raw, options.decode);
      if (!decoded.ok) {
        await ack?.();
        await refuse({ intent, user, channel, refusal: { reason: 'invalid', problem: decoded.problem }, args, options });
        return;
      }
      action.value = verdict.raw;
      args.context.signedNonce = verdict.nonce;
      args.context.intent = decoded.intent;
      await args.next();
      return;
    }

    const view = body.view as { callback_id?: unknown; private_metadata?: unknown } | undefined;
    const callbackId = typeof view?.callback_id === 'string' ? view.callback_id : '';
    const verdict = await signer.verify(callbackId, view?.private_metadata);
    if (!verdict.ok || !view) {
      await ack?.();
      await refuse({ intent: callbackId, user, channel: undefined, refusal: verdict.ok ? { reason: 'malformed' } : verdict, args, options });
      return;
    }
    view.private_metadata = verdict.raw;
    args.context.signedNonce = verdict.nonce;
    await args.next();
  };
}

async function refuse(r: { intent: string; user: string; channel: string | undefined; refusal: Refusal; args: AnyMiddlewareArgs; options: VerifyOptions }): Promise<void> {
  const { log, audit, signer, secrets } = r.options;
  const message = await recordButtonRefusal({ id: r.intent, user: r.user, channel: r.channel, refusal: r.refusal, source: 'slack', audit, log });
  const sealed = sealMessage(message, signer, secrets);
  const respond = (r.args as { respond?: (m: object) => Promise<unknown> }).respond;
  const client = (r.args as { client?: { chat: { postMessage(a: object): Promise<unknown> } } }).client;
  try {
    if (respond) {
      await respond({ response_type: 'ephemeral', replace_original: false, ...sealed });
    } else if (client && r.user !== '(unknown)') {
      // A dialog has no response_url: tell the presser directly.
      await client.chat.postMessage({ channel: r.user, ...sealed });
    }
  } catch (err) {
    log.warn({ err }, 'while answering a refused button');
  }
}
