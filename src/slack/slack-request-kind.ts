// What Bolt will take a request body for, decided exactly as Bolt 5 decides it
// (getTypeAndConversation): the guard, the once check and the signature check must classify a
// body the way the listeners will see it, not by its `type` alone (a payload that says
// "interactive_message" but carries `actions` still reaches every action listener).
export type SlackRequestKind = 'event' | 'command' | 'options' | 'action' | 'shortcut' | 'view' | 'unknown';

export function slackRequestKind(body: Record<string, unknown>): SlackRequestKind {
  if (body.event !== undefined) return 'event';
  if (body.command !== undefined) return 'command';
  if (body.name !== undefined || body.type === 'block_suggestion') return 'options';
  if (body.actions !== undefined || body.type === 'dialog_submission') return 'action';
  if (body.type === 'shortcut' || body.type === 'message_action') return 'shortcut';
  if (body.type === 'view_submission' || body.type === 'view_closed') return 'view';
  return 'unknown';
}
