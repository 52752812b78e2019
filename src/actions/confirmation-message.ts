// The presser's private prompt before a destructive remedy runs ("Confirm Terminate session? ...",
// Run it / Cancel, carrying the recorded confirmation), and what replaces it once answered.
import { context, icon, section, simpleMessage, spans, strong, type Message } from '../message/message.ts';

/** Minutes a recorded confirmation can be used, as the prompt says. */
export const CONFIRMATION_MINUTES = 10;

/** `title`: the action's title; `description`: what exactly will happen; `confirmation`: the recorded confirmation's id. */
export function confirmationMessage(title: string, description: string, confirmation: string): Message {
  const ask = spans(strong(`Confirm ${title}?`), ' ', description);
  return {
    notification: ask,
    blocks: [
      section({ type: 'line', spans: ask }),
      context(`Only you see this. It works for ${CONFIRMATION_MINUTES} minutes, once.`),
      {
        type: 'actions',
        buttons: [
          { label: `Run it: ${title}`, style: 'danger', intent: { intent: 'confirm.run', confirmation } },
          { label: 'Cancel', intent: { intent: 'confirm.cancel', confirmation } },
        ],
      },
    ],
  };
}

/** The prompt once "Run it" was pressed: what runs next happens in the thread, for everyone. */
export function confirmedMessage(description: string): Message {
  return simpleMessage(icon('done'), ' Confirmed: ', description, ' Progress and outcome follow in the thread.');
}

/** The prompt once "Cancel" was pressed. */
export function cancelledMessage(action: string, target: string): Message {
  return simpleMessage(`Cancelled: ${action} on ${target} was not run.`);
}
