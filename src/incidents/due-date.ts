// When something is due, as the incident card and the pages show it: the time of day, or the date
// and time when it is more than half a day away (a step waiting for working hours may be days
// ahead; an acknowledge deadline of 24 h ends tomorrow).
import { date, type Span } from '../message/message.ts';

const WITH_DATE_AFTER_MS = 12 * 3600_000;

export function dueDate(at: Date, now: Date): Span {
  return date(at, at.getTime() - now.getTime() > WITH_DATE_AFTER_MS ? 'datetime' : 'time');
}
