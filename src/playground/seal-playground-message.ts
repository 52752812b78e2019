// The last step before the playground keeps a message, as sealMessage is for Slack: every word
// masked (the generic secret patterns and every configured secret), and every button's intent
// encoded by the interaction registry and its value signed for its action id, for as long as the
// registry says a button of its kind works. The buttons of one message share a nonce, so what a
// press does once is done once per message. The page never sees more than a button's index: a
// press is looked up in what this returned, and verified again as a Slack press is.
import { maskMessage } from '../message/mask-message.ts';
import type { Message } from '../message/message.ts';
import { ValueSigner } from '../security/value-signer.ts';
import { BOT_INTERACTIONS } from '../slack/interactions/bot-interactions.ts';
import { signedIntentOf } from '../slack/interactions/interaction-registry.ts';
import { buttonsInOrder } from './buttons-in-order.ts';
import type { OfferedButton } from './playground-types.ts';

/** The action id of a pure link button (a url, no intent): pressing it does nothing in the bot. */
export const LINK_ACTION_ID = 'link';

export function sealPlaygroundMessage(message: Message, signer: ValueSigner, secrets: readonly string[]): { message: Message; buttons: OfferedButton[]; nonce: string } {
  const masked = maskMessage(message, secrets);
  const nonce = ValueSigner.nonce();
  const buttons = buttonsInOrder(masked).map((button): OfferedButton => {
    if (!button.intent) return { actionId: LINK_ACTION_ID };
    const { actionId, value } = BOT_INTERACTIONS.encode(button.intent);
    return { actionId, value: signer.sign(signedIntentOf(actionId), value, { nonce, ttlMs: BOT_INTERACTIONS.ttlMs(actionId) }) };
  });
  return { message: masked, buttons, nonce };
}
