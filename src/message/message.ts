// The neutral message every part of the bot produces: commands, digests, incident cards, pages,
// action outcomes. No transport syntax lives here (no mrkdwn, no <@U…>, no <!date…>): a renderer
// (src/slack/ for Block Kit, src/cli/ for a terminal) turns it into what its transport shows, and
// every interactive element carries an Intent that the transport encodes and decodes itself.
import type { Status } from '../report.ts';
import type { IconName } from './icon-name.ts';
import type { Intent } from './intent.ts';

/** How a run of text is emphasised. */
export type SpanStyle = 'strong' | 'em' | 'code';

/** One piece of inline content. Plain `text` is taken literally: renderers escape it. */
export type Span =
  | { type: 'text'; text: string; style?: SpanStyle }
  /** A person, by the transport's user id; rendered as a mention. */
  | { type: 'user'; id: string }
  /** A user group, by id; rendered as a group mention (it notifies its members). */
  | { type: 'group'; id: string }
  | { type: 'channel'; id: string }
  /** Notifies everyone present (`here`) or every member (`channel`). Used only by pages. */
  | { type: 'broadcast'; to: 'here' | 'channel' }
  /** A point in time, shown in the reader's own time zone where the transport can. ISO 8601. */
  | { type: 'date'; at: string; format?: DateFormat }
  | { type: 'link'; url: string; text?: string }
  /** A status or a symbol (✓, ⏳, ⚠); the renderer picks its form (emoji, [CRIT] tag...). */
  | { type: 'icon'; icon: IconName; style?: SpanStyle }
  /**
   * A command the reader can type, by its name without a slash (`incident`) and its words
   * (`list`): Slack shows `/incident list`, a terminal `chatops incident list`.
   */
  | { type: 'command'; name: string; args?: string };

/** `datetime`: "Dec 1 at 14:03"; `datetime-secs` adds seconds; `time`: "14:03"; `time-secs`: "14:03:07". */
export type DateFormat = 'datetime' | 'datetime-secs' | 'time' | 'time-secs';

export type Line = Span[];

/** A paragraph of a section: a line of spans, preformatted lines, or a bulleted list. */
export type Paragraph = { type: 'line'; spans: Line } | { type: 'code'; lines: string[] } | { type: 'list'; items: Line[] };

export interface Confirm {
  title: string;
  text: string;
  ok: string;
  deny: string;
}

/** A button: what it does is its intent (or a url to open). */
export interface Button {
  label: string;
  icon?: IconName;
  style?: 'primary' | 'danger';
  /** What pressing it asks the bot to do; absent only for a pure link. */
  intent?: Intent;
  /** Opens this address (a runbook page); an intent may come with it. */
  url?: string;
  /** The transport asks "are you sure?" with these words before the press reaches the bot. */
  confirm?: Confirm;
}

export type Block =
  /** The message's title: plain text after an optional icon. */
  | { type: 'header'; text: string; icon?: IconName }
  | { type: 'section'; paragraphs: Paragraph[] }
  /** Label/value pairs shown side by side where the transport can. */
  | { type: 'fields'; fields: Array<{ label: string; value: Line }> }
  /** Small print: when, how long, what was left out. */
  | { type: 'context'; spans: Line }
  | { type: 'actions'; buttons: Button[] }
  | { type: 'divider' };

export interface Message {
  /** What a notification says and what a client without blocks shows: one line, no layout. */
  notification: Line;
  blocks: Block[];
}

// --- Builders, so producers read as prose -------------------------------------------------------

export const text = (value: string, style?: SpanStyle): Span => (style ? { type: 'text', text: value, style } : { type: 'text', text: value });
export const strong = (value: string): Span => text(value, 'strong');
export const em = (value: string): Span => text(value, 'em');
export const code = (value: string): Span => text(value, 'code');
export const user = (id: string): Span => ({ type: 'user', id });
export const group = (id: string): Span => ({ type: 'group', id });
export const channel = (id: string): Span => ({ type: 'channel', id });
export const date = (at: Date | string, format: DateFormat = 'datetime'): Span => ({ type: 'date', at: typeof at === 'string' ? at : at.toISOString(), format });
export const link = (url: string, label?: string): Span => (label === undefined ? { type: 'link', url } : { type: 'link', url, text: label });
export const icon = (name: IconName, style?: SpanStyle): Span => (style ? { type: 'icon', icon: name, style } : { type: 'icon', icon: name });
export const statusIcon = (status: Status): Span => icon(status);
/** A reference to a command: `command('incident', 'list')` (the name without its slash). */
export const command = (name: string, args?: string): Span => (args ? { type: 'command', name, args } : { type: 'command', name });

/** A paragraph from spans (strings are plain text). */
export function line(...spans: Array<Span | string>): Paragraph {
  return { type: 'line', spans: spans.map((s) => (typeof s === 'string' ? text(s) : s)) };
}

/** Spans from strings and spans. */
export function spans(...parts: Array<Span | string>): Line {
  return parts.map((s) => (typeof s === 'string' ? text(s) : s));
}

/** The parts one after another with `separator` between them: "a, b or c" built from spans. */
export function joinLines(parts: readonly Line[], separator: string): Line {
  return parts.flatMap((p, i) => (i === 0 ? p : [text(separator), ...p]));
}

export function section(...paragraphs: Paragraph[]): Block {
  return { type: 'section', paragraphs };
}

export function context(...parts: Array<Span | string>): Block {
  return { type: 'context', spans: spans(...parts) };
}

export function header(value: string, iconName?: IconName): Block {
  return iconName ? { type: 'header', text: value, icon: iconName } : { type: 'header', text: value };
}

/** A message of one section with one line: answers, errors, confirmations. */
export function simpleMessage(...parts: Array<Span | string>): Message {
  const l = spans(...parts);
  return { notification: l, blocks: [{ type: 'section', paragraphs: [{ type: 'line', spans: l }] }] };
}

/** "Something went wrong" for the user: the error's words, plain, after an error icon. */
export function errorMessage(words: string | Line): Message {
  return simpleMessage(icon('error'), ' ', ...(typeof words === 'string' ? [text(words)] : words));
}

/** A "working on it" message, to be replaced by the result. */
export function progressMessage(...parts: Array<Span | string>): Message {
  return simpleMessage(icon('progress'), ' ', ...parts);
}

/** The plain words of a line (mentions as @id, dates as ISO): for logs, tests and plain fallbacks. */
export function plainText(l: Line): string {
  return l
    .map((s) => {
      switch (s.type) {
        case 'text':
          return s.text;
        case 'user':
        case 'group':
          return `@${s.id}`;
        case 'channel':
          return `#${s.id}`;
        case 'broadcast':
          return `@${s.to}`;
        case 'date':
          return s.at;
        case 'link':
          return s.text ?? s.url;
        case 'icon':
          return '';
        case 'command':
          return `/${s.name}${s.args ? ` ${s.args}` : ''}`;
      }
    })
    .join('');
}
