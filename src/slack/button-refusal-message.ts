// What the presser reads when a button (or a dialog) is refused before any handler: expired, not
// the bot's (edited, foreign, unsigned), or signed but not of its intent's shape. Always says that
// nothing was done and, for a button the bot did not offer as it is, what to run for a fresh one.
import { icon, simpleMessage, type Message } from '../message/message.ts';

export type ButtonRefusal = { kind: 'expired' | 'not-signed'; fresh: string } | { kind: 'invalid'; problem: string };

export function buttonRefusalMessage(refusal: ButtonRefusal): Message {
  switch (refusal.kind) {
    case 'invalid':
      return simpleMessage(icon('denied'), ` ${refusal.problem}. Nothing was done.`);
    case 'expired':
      return simpleMessage(icon('expired'), ` This button has expired: ${refusal.fresh} for a fresh one. Nothing was done.`);
    case 'not-signed':
      return simpleMessage(icon('denied'), ` This button was changed or has expired: ${refusal.fresh}. Nothing was done.`);
  }
}
