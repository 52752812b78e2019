// The last step before a message leaves for Slack: every text in it is masked (the generic secret
// patterns and every configured secret), and every button value and every dialog's
// private_metadata is replaced by the bot's signed form. The buttons of one message share a
// nonce, so what a press does once is done once per message. verify-interactive.ts undoes the
// signing on the way in, refusing anything the bot did not sign.
import { maskSecrets } from '../security/mask-secrets.ts';
import { ValueSigner } from '../security/value-signer.ts';
import type { Message } from '../message/message.ts';
import { encodeIntent } from './encode-intent.ts';
import { renderMessage } from './render-message.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** How long a button of each family works, by the start of its action id (longest match first). */
const BUTTON_TTL: ReadonlyArray<readonly [string, number]> = [
  // A report's remedies act on what the report saw: run /diag again after a day.
  ['confirm:', 10 * 60_000],
  // A pid is reused once its session ends: a button naming one lives an hour.
  ['remedy:postgres.cancel_query', HOUR],
  ['remedy:postgres.terminate_backend', HOUR],
  ['remedy:', DAY],
  ['incident:declare', DAY],
  // Pages and the incident message: the incident message is re-signed at every change; a page
  // sent a week ago still acknowledges.
  ['incident:', 7 * DAY],
  // As long as the report is kept (history.retentionDays is at most 30 here; older is refused
  // with "no longer stored" by the handler anyway).
  ['digest:details', 31 * DAY],
  ['runbook:', 31 * DAY],
];
const DEFAULT_BUTTON_TTL = DAY;
/** A dialog lives as long as someone keeps it open; an hour is plenty. */
export const VIEW_TTL_MS = HOUR;

export function buttonTtl(actionId: string): number {
  return BUTTON_TTL.find(([prefix]) => actionId.startsWith(prefix))?.[1] ?? DEFAULT_BUTTON_TTL;
}

/** The intent a button's value is signed for: its action id without the `:<n>` that keeps ids unique in a block. */
export function buttonIntent(actionId: string): string {
  return actionId.replace(/:\d+$/, '');
}

export interface Sealable {
  text: string;
  blocks?: readonly object[] | undefined;
}

/**
 * The message with every text masked (`secrets`: the configured ones, see configSecrets) and
 * every button value signed (one nonce for the message).
 */
export function sealMessage(message: Message | Sealable, signer: ValueSigner, secrets: readonly string[] = [], nonce = ValueSigner.nonce()): { text: string; blocks?: object[] } {
  const rendered = 'notification' in message ? renderMessage(message, encodeIntent) : { text: message.text, ...(message.blocks && { blocks: [...message.blocks] }) };
  const masked = maskTexts(rendered, secrets) as { text: string; blocks?: object[] };
  if (!masked.blocks) return masked;
  return { ...masked, blocks: masked.blocks.map((b) => sealBlock(b, signer, nonce)) };
}

/** Every `text` string anywhere in the message (fallback, sections, fields, buttons, context), masked. */
function maskTexts(value: unknown, secrets: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => maskTexts(v, secrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'text' && typeof v === 'string' ? maskSecrets(v, secrets) : maskTexts(v, secrets);
    return out;
  }
  return value;
}

/** A dialog whose private_metadata is signed for its callback_id. */
export function sealView<V extends { callback_id: string; private_metadata?: string }>(view: V, signer: ValueSigner): V {
  if (view.private_metadata === undefined) return view;
  return { ...view, private_metadata: signer.sign(view.callback_id, view.private_metadata, { nonce: ValueSigner.nonce(), ttlMs: VIEW_TTL_MS }) };
}

function sealBlock(block: object, signer: ValueSigner, nonce: string): object {
  const b = block as { elements?: object[]; accessory?: object };
  if (Array.isArray(b.elements)) return { ...block, elements: b.elements.map((e) => sealElement(e, signer, nonce)) };
  if (b.accessory) return { ...block, accessory: sealElement(b.accessory, signer, nonce) };
  return block;
}

function sealElement(element: object, signer: ValueSigner, nonce: string): object {
  const e = element as { type?: string; action_id?: string; value?: string };
  if (e.type !== 'button' || typeof e.value !== 'string' || typeof e.action_id !== 'string') return element;
  return { ...element, value: signer.sign(buttonIntent(e.action_id), e.value, { nonce, ttlMs: buttonTtl(e.action_id) }) };
}
