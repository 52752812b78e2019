// What a remedy press came to, as a neutral message, and where it belongs: a run's end (succeeded,
// failed) in the report's thread for everyone, naming who pressed; a refusal, a denial (with who
// could run it), a duplicate (with who started it) or an interruption to the presser alone.
import { channel, group, icon, joinLines, simpleMessage, text, user, type Message, type Span } from '../message/message.ts';
import type { ActionOutcome } from './run-action.ts';

export function outcomeMessage(outcome: ActionOutcome, presser: string): { to: 'thread' | 'presser'; message: Message } {
  switch (outcome.kind) {
    case 'succeeded':
      return { to: 'thread', message: simpleMessage(icon('done'), ' ', user(presser), ' ', outcome.text) };
    case 'failed':
      return { to: 'thread', message: simpleMessage(icon('error'), ' ', user(presser), ' ', outcome.text) };
    case 'denied':
      return { to: 'presser', message: simpleMessage(icon('denied'), ' ', outcome.text, ' (', ...askWhom(outcome.askable), ').') };
    case 'duplicate':
      return { to: 'presser', message: simpleMessage(icon('denied'), ' ', outcome.text, ', started by ', user(outcome.startedBy), ` ${outcome.ageSeconds} s ago.`) };
    case 'interrupted':
      // Said in the thread already; the presser gets it too.
      return { to: 'presser', message: simpleMessage(icon('warning'), ' ', outcome.text) };
    case 'refused':
      return { to: 'presser', message: simpleMessage(icon('denied'), ' ', outcome.text) };
  }
}

/** "ask @U1 or a member of @S1, or press it in #C1": the ids of the access rules, as mentions. */
function askWhom(a: { users: string[]; groups: string[]; channels: string[] }): Span[] {
  const people: Span[][] = [...a.users.map((u) => [user(u)]), ...a.groups.map((g) => [text('a member of '), group(g)])];
  const out: Span[] = [];
  if (people.length > 0) out.push(text('ask '), ...joinLines(people, ' or '));
  if (a.channels.length > 0) {
    if (out.length > 0) out.push(text(', or '));
    out.push(text('press it in '), ...joinLines(a.channels.map((c) => [channel(c)]), ' or '));
  }
  return out.length > 0 ? out : [text('no one may: add a rule under access in the bot\'s config')];
}
