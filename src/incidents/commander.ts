// Who commands an incident. A person is stored by their Slack user id; an incident declared by an
// alert (`alert:<alertname>`) or a missed heartbeat (`heartbeat:<name>`) is commanded by it until
// a person takes it, and is shown as "the alert HighErrorRate" or "the heartbeat nightly-backup",
// never as a mention of someone who does not exist.
import { text, user, type Span } from '../message/message.ts';

const NAME_CHARS = 100;
const SOURCES = { alert: 'the alert', heartbeat: 'the heartbeat' } as const;
export type CommandingKind = keyof typeof SOURCES;

/** The commander of an incident an alert or a heartbeat declared. */
export function sourceCommander(kind: CommandingKind, name: string): string {
  const clean = name.replace(/\s+/g, ' ').trim().slice(0, NAME_CHARS) || (kind === 'alert' ? 'Alert' : 'Heartbeat');
  return `${kind}:${clean}`;
}

/** The commander of an incident an alert declared. */
export function alertCommander(alertname: string): string {
  return sourceCommander('alert', alertname);
}

/** The alert or heartbeat commanding an incident; undefined for a person. */
export function commandingSource(commander: string): { kind: CommandingKind; name: string } | undefined {
  for (const kind of Object.keys(SOURCES) as CommandingKind[]) {
    if (commander.startsWith(`${kind}:`)) return { kind, name: commander.slice(kind.length + 1) };
  }
  return undefined;
}

/** "the alert HighErrorRate", "the heartbeat nightly-backup"; undefined for a person. */
export function commandingWords(commander: string): string | undefined {
  const source = commandingSource(commander);
  return source && `${SOURCES[source.kind]} ${source.name}`;
}

export function isPerson(commander: string): boolean {
  return commandingSource(commander) === undefined;
}

/** The commander as the card and the pages say it: a mention, or "the alert <name>". */
export function commanderSpans(commander: string): Span[] {
  const words = commandingWords(commander);
  return words === undefined ? [user(commander)] : [text(words)];
}
