// A command's text is typed by a person, or forged: before any command sees it, characters that no
// one types on purpose are refused with a message that names them and where they are. NUL breaks
// PostgreSQL text; other control characters and bidirectional overrides make a title or a note
// read differently from what it stores. Line breaks and tabs are kept (notes span lines).
import { UserError } from './user-error.ts';

/** Slack's own limit for a slash command's text. */
export const MAX_COMMAND_TEXT = 4000;

// C0 controls but tab/line feed/carriage return, DEL and C1 controls, bidi embeddings, overrides
// and isolates, the Arabic letter mark, and the line/paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** The text, trimmed, or a UserError naming the first bad character and its position, then the usage. */
export function cleanCommandText(text: string, usage: string): string {
  return cleanTypedText(text, 'the text', ` ${usage}`);
}

/**
 * The same rules for text that arrives another way (a dialog's field, a title or a note however it
 * came): `what` names it in the refusal ("the title").
 */
export function cleanTypedText(text: string, what: string, after = ''): string {
  if (text.length > MAX_COMMAND_TEXT) {
    throw new UserError(`${what} is ${text.length} characters long; at most ${MAX_COMMAND_TEXT} are accepted.${after}`);
  }
  if (!text.isWellFormed()) {
    throw new UserError(`${what} is not valid Unicode (a broken surrogate pair): type it again.${after}`);
  }
  const bad = FORBIDDEN.exec(text);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new UserError(`${what} has an invisible control character U+${code} at position ${bad.index + 1}; type it again without it.${after}`);
  }
  return text.replace(/\r\n?/g, '\n').trim();
}
