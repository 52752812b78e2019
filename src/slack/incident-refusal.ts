// How an incident refusal reads: who could do it instead, as mentions, and when an escalation can
// be repeated, in each reader's own time zone. The incident service gives the structured answer;
// this makes it a neutral message (the renderer writes the mentions and dates).
import { deniedSentence, EscalatedTooRecently, IncidentAccessDenied, type IncidentAskable } from '../incidents/incident-access.ts';
import { incidentRef } from '../incidents/incident.ts';
import { channel, date, group, icon, simpleMessage, text, user, type Message, type Span } from '../message/message.ts';

/** The ephemeral answer to a refused incident operation, or undefined for any other error. `again`: how the user repeats it. */
export function incidentRefusalMessage(error: unknown, again: 'press' | 'run'): Message | undefined {
  if (error instanceof IncidentAccessDenied) {
    return simpleMessage(icon('denied'), ' ', deniedSentence(error.operation, error.incident), ' (', ...askWhom(error.askable), ').');
  }
  if (error instanceof EscalatedTooRecently) {
    const verb = again === 'press' ? 'press again' : 'run it again';
    return simpleMessage(
      icon('denied'), ` ${incidentRef(error.incident)} was escalated ${error.ageSeconds} s ago `,
      ...(error.by ? [text('by '), user(error.by)] : [text('by its ladder')]),
      ` to ${error.to}; ${verb} after `, date(error.againAt, 'time-secs'), ' to go one more level.',
    );
  }
  return undefined;
}

/** "ask @U1 (commander), @U2 (paged) or a member of @S1, or do it in #C1" */
function askWhom(a: IncidentAskable): Span[] {
  const people: Span[][] = [
    ...(a.commander ? [[user(a.commander), text(' (commander)')]] : []),
    ...a.paged.map((u) => [user(u), text(' (paged)')]),
    ...a.users.map((u) => [user(u)]),
    ...[...a.pagedGroups, ...a.groups].map((g) => [text('a member of '), group(g)]),
  ];
  const out: Span[] = [];
  if (people.length > 0) out.push(text('ask '), ...joined(people, ' or '));
  if (a.channels.length > 0) {
    if (out.length > 0) out.push(text(', or '));
    out.push(text('do it in '), ...joined(a.channels.map((c) => [channel(c)]), ' or '));
  }
  return out.length > 0 ? out : [text('no one may: add a rule under access in the bot\'s config')];
}

function joined(parts: Span[][], separator: string): Span[] {
  return parts.flatMap((p, i) => (i === 0 ? p : [text(separator), ...p]));
}
