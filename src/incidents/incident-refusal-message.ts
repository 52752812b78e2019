// How an incident refusal reads, wherever it is asked (a press, a command, a terminal): who could
// do it instead, by id, and when an escalation can be repeated. The renderer writes the mentions
// and the date in each reader's own form.
import { date, icon, simpleMessage, text, user, type Message } from '../message/message.ts';
import { askWhomLine, deniedSentence, EscalatedTooRecently, IncidentAccessDenied } from './incident-access.ts';
import { incidentRef } from './incident.ts';

/** The private answer to a refused incident operation, or undefined for any other error. `again`: how the user repeats it. */
export function incidentRefusalMessage(error: unknown, again: 'press' | 'run'): Message | undefined {
  if (error instanceof IncidentAccessDenied) {
    return simpleMessage(icon('denied'), ' ', deniedSentence(error.operation, error.incident), ' (', ...askWhomLine(error.askable), ').');
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
