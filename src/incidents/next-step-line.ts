// What the ladder does next if nobody acts, in the same words on the incident card and on every
// page: "Next: team lead paged 11:00 if not resolved." A time more than half a day away carries
// its date (a step that waits for working hours may be days ahead).
import { spans, type Line } from '../message/message.ts';
import { dueDate } from './due-date.ts';

export interface NextStep {
  label: string;
  at: Date;
  /** The step pages unless the incident is acknowledged, or resolved, by then. */
  until: 'acknowledged' | 'resolved';
}

export function nextStepLine(next: NextStep | undefined, now: Date): Line {
  if (!next) return spans('This is the last level of the ladder.');
  return spans(`Next: ${next.label} paged `, dueDate(next.at, now), ` if not ${next.until}.`);
}
