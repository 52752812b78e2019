// What the narrating model may read: the model is a third party, so before any text of a triage
// answer is sent to it the configured secrets and the generic secret patterns are masked, then
// the addresses (URLs, e-mail addresses, IPv4 and IPv6 addresses, host names) and the literals of
// query text (numbers and quoted strings of SQL statements), which may carry customer data.
import { maskQuery } from '../probes/postgres/mask-query.ts';
import { maskSecrets } from '../security/mask-secrets.ts';

/** A text sent to the model is at most this long (a title, a symptom): enough to explain, no more to leak. */
export const MAX_REDACTED_CHARS = 400;

/**
 * Suffixes that make a dotted name a host name: the common public top-level domains and the
 * names private networks and clusters use. Other dotted words (check ids such as
 * `prometheus.query.http_5xx_ratio`, `pg_stat_activity.state`, file names) stay readable; a name
 * of three labels or more with a digit or a hyphen in it, ending in a label that starts with a
 * letter, is a host name whatever it ends with (a version, 20.1.2, is not).
 */
const HOST_SUFFIXES = [
  'com', 'net', 'org', 'io', 'dev', 'app', 'cloud', 'co', 'ai', 'me', 'info', 'biz', 'eu', 'us', 'uk', 'de', 'fr', 'nl', 'ch', 'at', 'se', 'no', 'dk', 'fi', 'es', 'it', 'pl', 'jp', 'cn', 'in', 'au', 'ca', 'br',
  'ru', 'be', 'gov', 'edu', 'mil', 'int', 'xyz', 'shop', 'tech', 'online', 'site', 'store', 'cz', 'pt', 'ie', 'nz', 'kr', 'tw', 'sg', 'hk', 'za', 'mx', 'ar', 'tr', 'ua', 'ro', 'hu', 'gr', 'il', 'ae', 'id', 'my', 'th', 'vn', 'ph', 'sk', 'lt', 'lv', 'ee', 'si', 'hr', 'bg', 'rs', 'is', 'lu', 'cl', 'pe', 'ng', 'ke', 'eg',
  'internal', 'local', 'localdomain', 'lan', 'corp', 'home', 'intranet', 'private', 'svc', 'cluster', 'localhost', 'test', 'example', 'invalid',
];
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_BY_SUFFIX = new RegExp(`(?<![\\w.@/-])(?:${LABEL}\\.)+(?:${HOST_SUFFIXES.join('|')})(?![\\w-]|\\.[a-z0-9])(?::\\d{1,5})?`, 'gi');
const HOST_BY_SHAPE = new RegExp(`(?<![\\w.@/-])(?=[a-z0-9.-]{0,253}[0-9-])${LABEL}(?:\\.${LABEL})+\\.[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?(?![\\w-]|\\.[a-z0-9])(?::\\d{1,5})?`, 'gi');

const MASKS: ReadonlyArray<[RegExp, string]> = [
  // Slack's mentions and channel links: who and where are not the model's business.
  [/<[@#!][^<>\s]{1,80}>/g, '<mention>'],
  // Whole URLs first: their host, path and query are all the caller's.
  [/\b[a-z][a-z0-9+.-]{1,15}:\/\/[^\s"'<>`]+/gi, '<url>'],
  // Credentials before a host without a scheme: user:password@host.
  [/(?<![\w.-])[\w.-]{1,64}:[^\s@/]{1,128}@[a-z0-9][\w.-]{0,253}/gi, '<url>'],
  [/\b[\w.+-]{1,64}@(?:[a-z0-9-]{1,63}\.)+[a-z]{2,24}\b/gi, '<email>'],
  [/(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?![\w.])/g, '<ip>'],
  // IPv6 with a digit among its first characters (a bounded look-ahead: linear), or ::1.
  [/(?<![\w:])(?=[0-9a-f:]{0,38}\d)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{1,4}(?![\w:])|(?<![\w:])::1\b/gi, '<ip>'],
  // IPv6 written in letters only, with its :: (dead:beef::cafe).
  [/(?<![\w:])(?=[0-9a-f:]{0,39}::)(?:[0-9a-f]{1,4}:{1,2}){1,7}[0-9a-f]{0,4}(?![\w:])/gi, '<ip>'],
  [HOST_BY_SUFFIX, '<host>'],
  [HOST_BY_SHAPE, '<host>'],
  // A dotted name with a port (redis-master.cache:6379), or of three labels or more with no
  // underscore (db.corp.acme): check ids have two labels, query names underscores.
  [/(?<![\w.@/-])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+:\d{2,5}\b/gi, '<host>'],
  [/(?<![\w.@/-])[a-z][a-z0-9-]{0,62}(?:\.[a-z][a-z0-9-]{0,62}){2,}(?![\w-]|\.[a-z0-9])/gi, '<host>'],
  // A unique violation's detail names the row: Key (ssn)=(123456789).
  [/\bKey \(([^()\n]{1,200})\)=\([^()\n]{0,400}\)/g, 'Key ($1)=(?)'],
];

/**
 * The start of an SQL statement in a text: a verb with the word that makes it SQL (SELECT ...
 * FROM, UPDATE x SET, DELETE FROM, INSERT INTO, WITH x AS (, ALTER/CREATE/DROP TABLE...), so an
 * English "update" or "select" is left alone.
 */
const SQL_START = /\b(?:select\b[^\n]{0,400}?(?:\bfrom\b|\w\s*\()|call\s+[\w."]+\s*\(|merge\s+into\b|update\s+[\w."]+\s+set\b|delete\s+from\b|insert\s+into\b|with\s+\w+\s+as\s*\(|(?:alter|create|drop|truncate)\s+(?:table|index|view|schema|database|role|user)\b|copy\s+[\w."]+\s+(?:from|to)\b|vacuum\b|explain\s+(?:analy[sz]e\s+)?select\b)/gi;

/** The text as the model may read it: secrets, addresses and query literals masked, cut to `max` characters. */
export function redactForModel(text: string, secrets: readonly string[], max = MAX_REDACTED_CHARS): string {
  // Masked whole before anything else, and before the cut: a cut never leaves part of a secret.
  let out = maskSecrets(text, secrets);
  out = maskStatements(out);
  for (const [re, mask] of MASKS) out = out.replace(re, mask);
  out = out.replace(/[\p{Cc}\p{Cf}]/gu, (c) => (/\s/.test(c) ? ' ' : '')).replace(/\s+/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max - 1).trimEnd()}…` : out;
}

/**
 * Every SQL statement of the text with its literals as `?`: from its verb to the quote that
 * opened it (`"SELECT … 'x'"`, backticks), else to the end of the line.
 */
function maskStatements(text: string): string {
  let out = '';
  let at = 0;
  SQL_START.lastIndex = 0;
  for (let m = SQL_START.exec(text); m; m = SQL_START.exec(text)) {
    if (m.index < at) continue;
    const opener = text[m.index - 1];
    const closer = opener === '"' || opener === '`' ? opener : undefined;
    const lineEnd = text.indexOf('\n', m.index);
    let end = lineEnd === -1 ? text.length : lineEnd;
    if (closer) {
      const close = text.indexOf(closer, m.index + m[0].length);
      if (close !== -1 && close < end) end = close;
    }
    out += text.slice(at, m.index) + maskQuery(text.slice(m.index, end), Number.MAX_SAFE_INTEGER);
    at = end;
    SQL_START.lastIndex = end;
  }
  return out + text.slice(at);
}
