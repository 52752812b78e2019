// An intent as a Slack button carries it: an action id naming the intent, and a value holding its
// arguments (signed on the way out by sealMessage, decoded and checked on the way in). Each
// intent's encoding is declared with the rest of its interaction (src/slack/interactions/).
import type { Intent } from '../message/intent.ts';
import { BOT_INTERACTIONS } from './interactions/bot-interactions.ts';
import type { EncodedIntent } from './interactions/interaction.ts';

export type { EncodedIntent };

export function encodeIntent(intent: Intent): EncodedIntent {
  return BOT_INTERACTIONS.encode(intent);
}
