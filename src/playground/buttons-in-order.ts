// The buttons of a neutral message in the order the page shows them: blocks in order, and within an
// actions block its buttons in order (no other block holds buttons). A press names a button by its
// index in this order, so the signing side (the workspace) and the rendering side (render-html.ts)
// must both count with this function.
import type { Button, Message } from '../message/message.ts';

export function buttonsInOrder(message: Message): Button[] {
  return message.blocks.flatMap((b) => (b.type === 'actions' ? b.buttons : []));
}
