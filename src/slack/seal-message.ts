// The last step before a message leaves for Slack: every text in it is masked (the generic secret
// patterns and every configured secret), and every button value and every dialog's
// private_metadata is replaced by the bot's signed form, for as long as the interaction registry
// says a button of its kind works. The buttons of one message share a nonce, so what a press does
// once is done once per message. verify-interactive.ts undoes the signing on the way in, refusing
// anything the bot did not sign.
import type { types } from '@slack/bolt';
import { maskSecrets } from '../security/mask-secrets.ts';
import { ValueSigner } from '../security/value-signer.ts';
import type { Message } from '../message/message.ts';
import { encodeIntent } from './encode-intent.ts';
import { BOT_INTERACTIONS } from './interactions/bot-interactions.ts';
import type { DialogView } from './interactions/interaction.ts';
import { signedIntentOf } from './interactions/interaction-registry.ts';
import { renderMessage } from './render-message.ts';
import { maskMessage } from '../message/mask-message.ts';

/** Block Kit as chat.postMessage, chat.update, chat.postEphemeral and respond() take it. */
export type SlackBlock = types.KnownBlock | types.Block;

export interface SealedMessage {
  text: string;
  blocks?: SlackBlock[];
}

/** How long a button with this action id works once signed (the registry's declaration of its intent). */
export function buttonTtl(actionId: string): number {
  return BOT_INTERACTIONS.ttlMs(actionId);
}

/**
 * The message with every text masked (`secrets`: the configured ones, see configSecrets) and
 * every button value signed (one nonce for the message).
 */
export function sealMessage(message: Message, signer: ValueSigner, secrets: readonly string[] = [], nonce = ValueSigner.nonce()): SealedMessage {
  // Masked as written, before the renderer escapes and cuts; the rendered text once more after.
  const rendered: SealedMessage = renderMessage(maskMessage(message, secrets), encodeIntent);
  const text = maskSecrets(rendered.text, secrets);
  if (!rendered.blocks) return { text };
  return { text, blocks: rendered.blocks.map((b) => sealBlock(maskTexts(b, secrets), signer, nonce)) };
}

/** Every `text` string anywhere in a block (sections, fields, buttons, context), masked. */
function maskTexts<T>(value: T, secrets: readonly string[]): T {
  if (Array.isArray(value)) return value.map((v: unknown) => maskTexts(v, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'text' && typeof v === 'string' ? maskSecrets(v, secrets) : maskTexts(v, secrets);
    return out as T;
  }
  return value;
}

/** A dialog whose private_metadata is signed for its callback_id, for as long as its declaration says. */
export function sealView(view: DialogView, signer: ValueSigner): DialogView {
  const dialog = BOT_INTERACTIONS.dialog(view.callback_id);
  if (!dialog) throw new Error(`no declared dialog has callback id "${view.callback_id.slice(0, 100)}"`);
  return { ...view, private_metadata: signer.sign(view.callback_id, view.private_metadata, { nonce: ValueSigner.nonce(), ttlMs: dialog.ttlMs }) };
}

function sealBlock(block: SlackBlock, signer: ValueSigner, nonce: string): SlackBlock {
  if (block.type === 'actions' && 'elements' in block) return { ...block, elements: (block as types.ActionsBlock).elements.map((e) => sealElement(e, signer, nonce)) };
  if (block.type === 'section' && 'accessory' in block && block.accessory) return { ...block, accessory: sealElement((block as types.SectionBlock).accessory!, signer, nonce) } as types.SectionBlock;
  return block;
}

function sealElement<E extends { type: string }>(element: E, signer: ValueSigner, nonce: string): E {
  const e = element as { type: string; action_id?: string; value?: string };
  if (e.type !== 'button' || typeof e.value !== 'string' || typeof e.action_id !== 'string') return element;
  return { ...element, value: signer.sign(signedIntentOf(e.action_id), e.value, { nonce, ttlMs: buttonTtl(e.action_id) }) };
}
