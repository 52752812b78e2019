// Who commands an incident. A person is stored by their Slack user id; an incident declared by an
// alert is commanded by that alert (`alert:<alertname>`) until a person takes it, and is shown as
// "the alert HighErrorRate", never as a mention of someone who does not exist.
import { text, user, type Span } from '../message/message.ts';

const ALERT_PREFIX = 'alert:';
const NAME_CHARS = 100;

/** The commander of an incident an alert declared. */
export function alertCommander(alertname: string): string {
  const name = alertname.replace(/\s+/g, ' ').trim().slice(0, NAME_CHARS) || 'Alert';
  return `${ALERT_PREFIX}${name}`;
}

/** The alert's name when the commander is an alert; undefined for a person. */
export function commandingAlert(commander: string): string | undefined {
  return commander.startsWith(ALERT_PREFIX) ? commander.slice(ALERT_PREFIX.length) : undefined;
}

export function isPerson(commander: string): boolean {
  return commandingAlert(commander) === undefined;
}

/** The commander as the card and the pages say it: a mention, or "the alert <name>". */
export function commanderSpans(commander: string): Span[] {
  const alert = commandingAlert(commander);
  return alert === undefined ? [user(commander)] : [text(`the alert ${alert}`)];
}
