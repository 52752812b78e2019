// Error lines of container logs grouped by pattern: which lines are errors (a level of error,
// fatal, critical or panic, or the word error/exception/panic/fatal where it is not "0 errors"),
// and the pattern of each, with the variable parts masked (numbers with their units, UUIDs, hex,
// timestamps, IP addresses) so that lines differing only there count as one. Secrets are masked
// in every line before it is grouped or cut; stack-trace lines join the error before them.
import { scrubText } from '../../scrub-findings.ts';

export type ErrorSeverity = 'error' | 'fatal';

/** One occurrence as read: its time (from timestamps=true) and where it came from. */
export interface LogLineSource {
  pod: string;
  container: string;
  previous: boolean;
}

export interface LogPattern {
  /** The normalised text the lines share. */
  pattern: string;
  severity: ErrorSeverity;
  count: number;
  /** Milliseconds since the epoch, when the lines had times. */
  firstSeen?: number;
  lastSeen?: number;
  /** The latest occurrence, masked, with its stack-trace lines joined, cut. */
  example: string;
  pods: Set<string>;
  containers: Set<string>;
}

/** A pattern key longer than this is cut: lines alike up to here are one pattern. */
const MAX_PATTERN_CHARS = 240;
/** An example is one line of at most this many characters (after masking). */
export const MAX_EXAMPLE_CHARS = 300;
/** Distinct patterns kept; error lines of further patterns are only counted (`uncounted`). */
export const MAX_PATTERNS = 2000;
/** Stack-trace lines joined to an example. */
const MAX_TRACE_LINES = 3;
/** JSON is parsed only in lines up to this long; longer ones are read as text. */
const MAX_JSON_CHARS = 64 * 1024;
// eslint-disable-next-line no-control-regex
const CONTROL = /\u001b\[[0-9;?]*[A-Za-z]|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|\p{Cf}/gu;

const ERROR_LEVELS: Record<string, ErrorSeverity> = {
  error: 'error', err: 'error', eror: 'error', severe: 'error',
  fatal: 'fatal', critical: 'fatal', crit: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal', alert: 'fatal', dpanic: 'fatal',
};
const OTHER_LEVELS = new Set(['trace', 'debug', 'dbug', 'info', 'information', 'informational', 'notice', 'warn', 'warning', 'default']);

/** level=error, lvl=info, severity=ERROR (logfmt and key=value logs). */
const KV_LEVEL = /\b(?:level|lvl|severity|loglevel)\s?[=:]\s?"?([A-Za-z]+)/i;
/** A level word in capitals near the start: "ERROR", "[ERROR]", "INFO:". */
const CAPS_LEVEL = /(?:^|[\s[(|])(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|SEVERE|EMERG|ALERT)(?=$|[\s\]):|,-])/;
/** A bracketed lowercase level: "[error]" (nginx), "[info]". */
const BRACKET_LEVEL = /\[(trace|debug|info|notice|warn|warning|error|crit|alert|emerg|fatal|panic)\]/i;
/** klog: "E1202 02:17:05.123456       1 file.go:12] ..." */
const KLOG = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+\s/;
/** The words that make an unlevelled line an error, and Java/JS/Python exception class names. */
const ERROR_WORD = /\b(errors?|exceptions?|panic(?:ked|s)?|fatal)\b|\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\b/gi;
/** The words just before a match that say there was none ("no errors", "0 errors", "without error"). */
const NEGATED_BEFORE = /(?:\b(?:no|not|zero|without|0)\s+|\b0\s*)$/i;
/** What follows a match that says there was none ("errors=0", "error=nil", "errors: 0", "err: <nil>"); "panic: nil map" is one. */
const NONE_AFTER = /^["']?(?:\s{0,2}=\s{0,2}["']?(?:0\b|nil\b|null\b|none\b|false\b|<nil>|\[\]|""|''|$)|\s{0,2}:\s{0,2}["']?(?:0(?![\w.:])|null\b|none\b|false\b|<nil>|\[\]|""|''|$))/i;

/** Stack-trace and panic continuation lines: they belong to the error before them. */
const CONTINUATION = /^(?:\s+at\s|\s*Caused by:|\s+\.\.\.\s*\d+\s+(?:more|common frames)|goroutine \d+ \[|\t|\s{2,}\S)/;

/** The severity of an error line, or undefined when it is not one. */
export function errorSeverity(line: string): ErrorSeverity | undefined {
  const json = jsonLevel(line);
  if (json !== undefined) return json === null ? undefined : json;
  const klog = KLOG.exec(line);
  if (klog) return klog[1] === 'E' ? 'error' : klog[1] === 'F' ? 'fatal' : undefined;
  const level = (KV_LEVEL.exec(line)?.[1] ?? CAPS_LEVEL.exec(line.slice(0, 80))?.[1] ?? BRACKET_LEVEL.exec(line.slice(0, 80))?.[1])?.toLowerCase();
  if (level !== undefined) {
    if (Object.hasOwn(ERROR_LEVELS, level)) return ERROR_LEVELS[level];
    if (OTHER_LEVELS.has(level)) return undefined;
  }
  return errorWord(line);
}

/** An unlevelled line: fatal for panic/fatal, error for error/exception, unless every mention says "none". */
function errorWord(line: string): ErrorSeverity | undefined {
  let found: ErrorSeverity | undefined;
  for (const m of line.matchAll(ERROR_WORD)) {
    const before = line.slice(Math.max(0, m.index - 12), m.index);
    const after = line.slice(m.index + m[0].length, m.index + m[0].length + 12);
    if (NEGATED_BEFORE.test(before) || NONE_AFTER.test(after)) continue;
    const word = m[0].toLowerCase();
    if (word.startsWith('panic') || word === 'fatal') return 'fatal';
    found = 'error';
  }
  return found;
}

/** The level of a JSON log line: a severity, null for a level that is not an error, undefined when it is not JSON with a level. */
function jsonLevel(line: string): ErrorSeverity | null | undefined {
  const start = line.trimStart();
  if (!start.startsWith('{') || line.length > MAX_JSON_CHARS) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(start);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const o = parsed as Record<string, unknown>;
  const log = typeof o.log === 'object' && o.log !== null ? (o.log as Record<string, unknown>) : undefined;
  const raw = o.level ?? o.severity ?? o.lvl ?? o['log.level'] ?? log?.level ?? o.levelname;
  if (typeof raw === 'number') return raw >= 60 ? 'fatal' : raw >= 50 ? 'error' : null; // pino and bunyan
  if (typeof raw !== 'string') {
    const message = [o.msg, o.message, o.error, o.err].find((v) => typeof v === 'string') as string | undefined;
    return message === undefined ? undefined : errorWord(message) ?? null;
  }
  const level = raw.toLowerCase();
  if (Object.hasOwn(ERROR_LEVELS, level)) return ERROR_LEVELS[level]!;
  return null;
}

const MASKS: ReadonlyArray<[RegExp, string]> = [
  // Dates and times first: their digits and colons would read as numbers and IPv6.
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?/g, '<time>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, '<ip>'],
  // The digit lookahead is bounded (an address is at most 39 characters): unbounded, a long run
  // of "a:a:a:…" is scanned again from every word boundary (quadratic).
  [/\b(?=[0-9a-f:]{0,38}\d)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{1,4}\b|(?<![\w:])::1\b/gi, '<ip>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=\d*[a-f])(?=[a-f]*\d)[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\b\d+(?:\.\d+)?(?:ns|us|µs|ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?|b|bytes?|[kmgt]i?b|%)?\b/gi, '<n>'],
];

/** The line with its variable parts masked and its spaces collapsed: the key lines are grouped by. */
export function normaliseLine(line: string): string {
  let out = line;
  for (const [re, mask] of MASKS) out = out.replace(re, mask);
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_PATTERN_CHARS ? out.slice(0, MAX_PATTERN_CHARS) : out;
}

/** Masked and stripped of control characters, then cut to one line of MAX_EXAMPLE_CHARS. */
function cut(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_EXAMPLE_CHARS ? `${one.slice(0, MAX_EXAMPLE_CHARS - 1)}…` : one;
}

/** Splits "2026-12-02T02:17:05.123456789Z text" (timestamps=true) into its time and text. */
export function splitTimestamp(line: string): { at?: number; text: string } {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2}) /.exec(line);
  if (!m) return { text: line };
  const ms = Date.parse(`${m[1]}${m[2] ? m[2].slice(0, 4) : ''}${m[3]}`);
  return Number.isNaN(ms) ? { text: line } : { at: ms, text: line.slice(m[0].length) };
}

/** Groups the error lines of many logs; feed it each log, then read `patterns()`. */
export class LogPatternGroups {
  private readonly groups = new Map<string, LogPattern & { exampleAt: number }>();
  /** Lines read, error lines among them. */
  lines = 0;
  errorLines = 0;
  /** Error lines of patterns beyond MAX_PATTERNS: in errorLines, in no pattern. */
  unpatterned = 0;

  private readonly secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    this.secrets = secrets;
  }

  /** One container's log (timestamps=true, or not), whole lines only. */
  add(text: string, source: LogLineSource): void {
    let last: { group: LogPattern & { exampleAt: number }; trace: number; own: boolean } | undefined;
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') {
        last = undefined;
        continue;
      }
      const { at, text: body } = splitTimestamp(raw.replace(/\r$/, ''));
      const clean = body.replace(CONTROL, '');
      this.lines++;
      if (last && CONTINUATION.test(clean)) {
        // Part of the error above: its example takes a few of these lines, no new pattern.
        if (last.own && last.trace < MAX_TRACE_LINES && last.group.example.length < MAX_EXAMPLE_CHARS) {
          last.group.example = cut(`${last.group.example} | ${scrubText(clean.trim(), this.secrets)}`);
          last.trace++;
        }
        continue;
      }
      if (clean.trim() === '') continue;
      const masked = scrubText(clean, this.secrets);
      const severity = errorSeverity(masked);
      if (!severity) {
        last = undefined;
        continue;
      }
      this.errorLines++;
      const key = normaliseLine(masked);
      let group = this.groups.get(key);
      if (!group && this.groups.size >= MAX_PATTERNS) {
        this.unpatterned++;
        last = undefined;
        continue;
      }
      if (!group) {
        group = { pattern: key, severity, count: 0, example: '', exampleAt: -Infinity, pods: new Set(), containers: new Set() };
        this.groups.set(key, group);
      }
      group.count++;
      if (severity === 'fatal') group.severity = 'fatal';
      group.pods.add(source.pod);
      group.containers.add(`${source.pod}/${source.container}`);
      if (at !== undefined) {
        group.firstSeen = Math.min(group.firstSeen ?? at, at);
        group.lastSeen = Math.max(group.lastSeen ?? at, at);
      }
      // The latest occurrence is the example (lines without times: the last one read).
      const when = at ?? Number.MAX_SAFE_INTEGER;
      const own = when >= group.exampleAt;
      if (own) {
        group.example = cut(masked);
        group.exampleAt = when;
      }
      last = { group, trace: 0, own };
    }
  }

  /** Most frequent first; equal counts, the most recent first. */
  patterns(): LogPattern[] {
    return [...this.groups.values()]
      .map(({ exampleAt: _at, ...p }) => p)
      .sort((a, b) => b.count - a.count || (b.lastSeen ?? 0) - (a.lastSeen ?? 0));
  }
}
