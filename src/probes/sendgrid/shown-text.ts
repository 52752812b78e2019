// Text from SendGrid's answers (domain names, DNS record data, the account type) as a finding may
// show it: on one line, terminal escapes, control and invisible formatting characters (zero-width,
// bidi overrides) out, cut to a length. A value cannot add lines to a detail or hide what follows
// it; Slack's <!channel>-style links and mentions are escaped by the renderer (escapeMrkdwn).

/** ESC [ ... final byte: a terminal colour or cursor sequence. */
// eslint-disable-next-line no-control-regex
const TERMINAL_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/** `text` on one line without control or formatting characters, at most `max` characters (then "..."). */
export function shownText(text: string, max: number): string {
  const flat = text
    .replace(TERMINAL_ESCAPE, '')
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!flat) return '(empty)';
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
