// Text a monitored server sends (object names, schedules, messages, domain names, DNS record data)
// as a finding may show it: on one line, without terminal escapes, control or invisible formatting
// characters (zero-width, bidi overrides), cut to a length. A hostile or broken server cannot add
// lines to a detail, hide what follows, or fill a report. Slack's <!channel>-style links and
// mentions are escaped by the renderer (escapeMrkdwn).

/** ESC [ ... final byte: a terminal colour or cursor sequence. */
// eslint-disable-next-line no-control-regex
const TERMINAL_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * `value` on one line without control or formatting characters, at most `max` characters (then
 * "…"); `empty` when it is not a string or nothing printable is left.
 */
export function shownText(value: unknown, max: number, empty = ''): string {
  if (typeof value !== 'string') return empty;
  const flat = value
    .slice(0, max * 4)
    .replace(TERMINAL_ESCAPE, '')
    .replace(/\p{Cf}/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!flat) return empty;
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
