// Looks an error code or message up in the error reference (error-codes.ts), the way people paste
// them: a code alone ("ECONNREFUSED", "40P01", "card declined"), a code with its kind ("SQLSTATE
// 53300", "HTTP 504", "exit code 137"), a whole log line with a code inside it, part of a
// message ("too many clients"), or a message with typos ("dedlock detected"). Exact codes first,
// then codes inside the text, then messages, then the closest entries, typo-tolerant. Numbers and
// SQLSTATEs are matched only exactly: "23503" is a code of its own, not a typo of "23505".
import { ERROR_REFERENCE, type ErrorFamily, type ErrorReference } from './error-codes.ts';

export type MatchKind = 'code' | 'message' | 'close';

export interface ErrorMatch {
  entry: ErrorReference;
  how: MatchKind;
  /** The code or message of the entry that matched. */
  matched: string;
}

/** Words a message's filled-in names may take between two of its words. */
const MAX_GAP = 3;
/** How close (0..1) a typo-tolerant match must be. */
const MIN_CLOSE_SCORE = 0.65;
/** Entries shown for one query at most. */
export const MAX_MATCHES = 3;
/**
 * A pasted query is searched up to this many characters, its start and its end: a whole log dump
 * would otherwise keep the process busy (every word against every message) for seconds, and the
 * code is nearly always in the first line or the last.
 */
export const MAX_QUERY_CHARS = 500;
const TAIL_CHARS = 100;

/** A word before the code that says which kind of code it is. */
const QUALIFIERS: ReadonlyArray<[RegExp, ErrorFamily]> = [
  [/^(?:sqlstate|sql state|pg|pgsql|postgres(?:ql)?)\b[\s:=#-]*/i, 'postgres'],
  [/^(?:https?(?:\/\d(?:\.\d)?)?(?:\s+status)?(?:\s+code)?|status(?:\s+code)?)\b[\s:=#-]*/i, 'http'],
  [/^(?:exit(?:ed)?(?:\s+with)?(?:\s+(?:code|status))?|exitcode|exit_code)\b[\s:=#-]*/i, 'exit'],
  [/^smtp\b[\s:=#-]*/i, 'smtp'],
  [/^sendgrid\b[\s:=#-]*/i, 'smtp'],
  [/^redis\b[\s:=#-]*/i, 'redis'],
  [/^stripe\b[\s:=#-]*/i, 'stripe'],
  [/^open\s?ai\b[\s:=#-]*/i, 'openai'],
  [/^(?:k8s|kubernetes|kubectl)\b[\s:=#-]*/i, 'k8s'],
  [/^errno\b[\s:=#-]*/i, 'errno'],
];

/** An HTTP status with its reason phrase ("403 Forbidden"): said before any lone word of it ("Forbidden" is also a Kubernetes reason). */
const HTTP_WITH_PHRASE = /\b([1-5]\d\d) (?:bad request|unauthorized|forbidden|not found|request timeout|too many requests|internal server error|bad gateway|service unavailable|gateway timeout)\b/gi;

/** Codes inside a longer text: only where a word says what they are (a bare 500 may be anything). */
const EMBEDDED: ReadonlyArray<[RegExp, ErrorFamily]> = [
  [HTTP_WITH_PHRASE, 'http'],
  [/\b(?:sqlstate|error code|code)[\s:=\]"'(]{0,4}([0-9][0-9A-Z]{4})\b/gi, 'postgres'],
  [/\b(?:http\/\d(?:\.\d)?|status(?:\s+code)?|http)[\s:=]{0,3}([1-5]\d\d)\b/gi, 'http'],
  // "code 500", "response code 502"; not an exit code ("Exit Code: 137" is the next pattern's).
  [/(?<!\bexit(?:ed)?(?:\s+with)?\s+|\bexit_)\bcode[\s:=]{0,3}([1-5]\d\d)\b/gi, 'http'],
  // "504s", "a spike of 502s": statuses counted.
  [/\b([45]\d\d)s\b/g, 'http'],
  [/\bexit(?:ed)?(?:\s+with)?(?:\s+(?:code|status))?[\s:=]{0,3}(\d{1,3})\b/gi, 'exit'],
  [/\b([245]\.\d\.\d{1,3})\b/g, 'smtp'],
];

/**
 * Codes that are ordinary words ("Pending", "Evicted", "fraudulent"): inside a longer text they
 * count only as written and next to a word of their kind ("pod", "card"); "the payment is pending"
 * is English, not a pod's phase. Alone, the word is looked up as a code.
 */
const PLAIN_WORD = /^[A-Za-z][a-z]+$/;
const CONTEXT_WORDS: Partial<Record<ErrorFamily, RegExp>> = {
  k8s: /\b(?:pods?|nodes?|kubectl|kubelet|kubernetes|k8s|containers?|deployments?|replicasets?|statefulsets?|daemonsets?|namespaces?|phase|status|reason|events?|probe|rbac|serviceaccount)\b/i,
  stripe: /\b(?:stripe|cards?|declined?|decline_code|charges?|payment_intent|payment intent)\b/i,
  openai: /\b(?:openai|gpt[\w.-]*|model|anthropic|claude|llm|api)\b/i,
};

/** Words that say nothing about which error it is. */
const STOP_WORDS = new Set(['the', 'a', 'an', 'is', 'are', 'was', 'on', 'in', 'to', 'of', 'for', 'and', 'or', 'with', 'from', 'at', 'by', 'error', 'errors', 'err', 'fatal', 'exception', 'warning', 'failed', 'failure', 'got', 'we', 'our', 'my', 'it', 'this', 'that', 'what', 'does', 'mean', 'means']);

/** A code as compared: lower case, without separators (card_declined, "card declined" and CardDeclined are one). */
const codeKey = (s: string) => s.toLowerCase().replace(/[^a-z0-9.]/g, '');
/** A text as compared: lower-case words. */
const words = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

interface Indexed {
  entry: ErrorReference;
  codes: Array<{ code: string; key: string }>;
  texts: Array<{ text: string; normal: string; words: string[] }>;
}

const INDEX: readonly Indexed[] = ERROR_REFERENCE.map((entry) => ({
  entry,
  codes: entry.codes.map((code) => ({ code, key: codeKey(code) })),
  texts: [...entry.messages, entry.name].map((text) => ({ text, normal: words(text), words: words(text).split(' ').filter((w) => w && !STOP_WORDS.has(w)) })),
}));

/**
 * A code that is matched only exactly, never with a typo forgiven: numbers (HTTP statuses, exit
 * codes, SMTP replies) and SQLSTATEs (five digits and capitals). One character changes the
 * meaning: 23503 is a foreign key violation, 23505 a duplicate key.
 */
export function isExactOnlyCode(code: string): boolean {
  const c = code.trim();
  return /^\d+(?:\.\d+)*$/.test(c) || (/^[0-9A-Za-z]{5}$/.test(c) && /\d/.test(c));
}

/** The query, without a word naming its kind, when it is a code matched only exactly ("SQLSTATE 53400", "HTTP 418"). */
export function exactOnlyQuery(query: string): string | undefined {
  const code = stripQualifier(cleanQuery(query));
  return isExactOnlyCode(code) ? code : undefined;
}

/** The query as searched: at most MAX_QUERY_CHARS, its start and its end. */
function cutQuery(query: string): string {
  if (query.length <= MAX_QUERY_CHARS) return query;
  return `${query.slice(0, MAX_QUERY_CHARS - TAIL_CHARS)}\n${query.slice(query.length - TAIL_CHARS)}`;
}

/** The query without its quotes, cut to MAX_QUERY_CHARS. */
function cleanQuery(query: string): string {
  return cutQuery(query.trim()).trim().replace(/^["'`]+|["'`]+$/g, '').trim();
}

/** The entries that match the query, best first (at most MAX_MATCHES); empty when nothing is close. */
export function findError(query: string): ErrorMatch[] {
  const q = cleanQuery(query);
  if (q === '') return [];
  let family: ErrorFamily | undefined;
  let rest = q;
  for (const [re, f] of QUALIFIERS) {
    const m = re.exec(q);
    if (m && m[0].length < q.length) {
      family = f;
      rest = q.slice(m[0].length).trim();
      break;
    }
  }
  const inFamily = (e: Indexed) => family === undefined || e.entry.family === family;
  const found: ErrorMatch[] = [];
  const add = (m: ErrorMatch) => {
    if (!found.some((f) => f.entry === m.entry)) found.push(m);
  };

  // 1. The whole query is a code ("OOM"), with a message that is exactly the query too ("rate limit
  // exceeded": OpenAI's code, HTTP 429's words).
  const normal = words(rest);
  const exactMessages = (): ErrorMatch[] =>
    INDEX.flatMap((e) => {
      const t = e.texts.find((x) => x.normal === normal);
      return t && inFamily(e) ? [{ entry: e.entry, how: 'message' as const, matched: t.text }] : [];
    });
  const codeMatches = (candidate: string): ErrorMatch[] => {
    const key = codeKey(candidate);
    return INDEX.flatMap((e) => {
      const c = inFamily(e) ? e.codes.find((x) => x.key === key) : undefined;
      return c ? [{ entry: e.entry, how: 'code' as const, matched: c.code }] : [];
    });
  };
  const whole = codeMatches(rest);
  if (whole.length > 0) {
    for (const m of [...whole, ...exactMessages()]) add(m);
    return found.slice(0, MAX_MATCHES);
  }
  // Or its first word is ("504 Gateway Timeout", "card_declined insufficient_funds"): the query read
  // as a whole message of another entry comes first ("oom kill"), and the rest of it is searched too.
  const first = rest.split(/\s+/)[0]!;
  if (first !== rest) {
    const byCode = codeMatches(first);
    for (const m of [...exactMessages().filter((x) => !byCode.some((c) => c.entry === x.entry)), ...byCode]) add(m);
  }

  // 2. Codes inside a longer text: an HTTP status with its phrase ("GET /api returned 403 Forbidden"),
  // then names ("connect ECONNREFUSED 10.0.0.5:5432", "Reason: OOMKilled, Exit Code: 137"), then
  // numbers a word introduces ("ERROR: deadlock detected (SQLSTATE 40P01)").
  const addEmbedded = (re: RegExp, f: ErrorFamily) => {
    for (const m of q.matchAll(re)) {
      const key = codeKey(m[1]!);
      for (const e of INDEX) if (e.entry.family === f && inFamily(e) && e.codes.some((c) => c.key === key)) add({ entry: e.entry, how: 'code', matched: e.codes.find((c) => c.key === key)!.code });
    }
  };
  addEmbedded(HTTP_WITH_PHRASE, 'http');
  for (const token of q.split(/[^A-Za-z0-9_.]+/).filter((t) => t.length >= 3)) {
    for (const e of INDEX) {
      if (!inFamily(e) || e.entry.family === 'http' || e.entry.family === 'exit' || e.entry.family === 'smtp' || e.entry.family === 'postgres') continue;
      const c = e.codes.find((x) => {
        // Redis answers in capitals (LOADING, BUSY): the same word in lower case is English.
        if (e.entry.family === 'redis') return x.code === token;
        if (PLAIN_WORD.test(x.code)) return x.code === token && (CONTEXT_WORDS[e.entry.family]?.test(q) ?? false);
        return x.key === codeKey(token);
      });
      if (c) add({ entry: e.entry, how: 'code', matched: c.code });
    }
  }
  for (const [re, f] of EMBEDDED) addEmbedded(re, f);
  // PostgreSQL codes without a word before them ("(40001)", "40P01"): a token that is one, as written.
  for (const token of q.split(/[^A-Za-z0-9]+/).filter((t) => t.length === 5)) {
    for (const e of INDEX) if (e.entry.family === 'postgres' && e.codes.some((c) => c.code === token)) add({ entry: e.entry, how: 'code', matched: token });
  }

  // 3. A message inside the query, or the query inside a message (at least two words of it).
  const scored: Array<{ e: Indexed; text: string; score: number }> = [];
  for (const e of INDEX) {
    if (!inFamily(e)) continue;
    let best: { text: string; score: number } | undefined;
    for (const t of e.texts) {
      if (t.normal.length === 0) continue;
      const score = contains(normal, t.normal) || inOrder(normal, t.normal) ? t.normal.length : normal.includes(' ') && normal.length >= 6 && contains(t.normal, normal) ? normal.length : 0;
      if (score > (best?.score ?? 0)) best = { text: t.text, score };
    }
    if (best) scored.push({ e, ...best });
  }
  scored.sort((a, b) => b.score - a.score);
  for (const s of scored) if (s.score >= (scored[0]?.score ?? 0) * 0.6) add({ entry: s.e.entry, how: 'message', matched: s.text });
  if (found.length > 0) return found.slice(0, MAX_MATCHES);

  // 4. The closest, typo-tolerant; never for a number or a SQLSTATE, which is one code or another.
  // Those near the best only: a typo of one entry is not a match for the others it resembles.
  if (isExactOnlyCode(rest)) return [];
  const near = closest(rest, inFamily).filter((c) => c.score >= MIN_CLOSE_SCORE);
  return near.filter((c) => c.score >= near[0]!.score * 0.8).slice(0, MAX_MATCHES).map((c) => ({ entry: c.entry, how: 'close', matched: c.matched }));
}

/**
 * The entries nearest to the query, nearest first, for "did you mean". None for a number or a
 * SQLSTATE: a code one character away means something else (see sameClassCodes).
 */
export function suggestErrors(query: string, n = MAX_MATCHES): ErrorReference[] {
  if (exactOnlyQuery(query) !== undefined) return [];
  const q = cleanQuery(query);
  return closest(q, () => true).filter((c) => c.score > 0.25).slice(0, n).map((c) => c.entry);
}

/**
 * For a SQLSTATE that is not in the reference ("53400"), the entries of the same class (its first
 * two characters, "53": insufficient resources): related by the standard, not by spelling.
 */
export function sameClassCodes(query: string): { sqlClass: string; entries: ErrorReference[] } | undefined {
  const code = stripQualifier(cleanQuery(query)).toUpperCase();
  if (!/^[0-9A-Z]{5}$/.test(code) || !/\d/.test(code)) return undefined;
  const sqlClass = code.slice(0, 2);
  const entries = ERROR_REFERENCE.filter((e) => e.family === 'postgres' && e.codes.some((c) => c.startsWith(sqlClass)) && !e.codes.includes(code));
  return { sqlClass, entries };
}

/** The query without a word naming its kind ("SQLSTATE 53400" -> "53400"). */
function stripQualifier(q: string): string {
  for (const [re] of QUALIFIERS) {
    const m = re.exec(q);
    if (m && m[0].length < q.length) return q.slice(m[0].length).trim();
  }
  return q;
}

/**
 * Whole words of `text` contain `part` ("too many clients" in "sorry too many clients already"; a
 * word's start counts: "client" in "clients"). A part that ends in a number, or is one short word,
 * ends at the end of a word: "exit code 1" is not in "exit code 137", "OOM" not in "OOMKiled".
 */
function contains(text: string, part: string): boolean {
  const padded = ` ${text}`;
  const needle = ` ${part}`;
  const whole = /\d$/.test(part) || (!part.includes(' ') && part.length < 5);
  for (let at = padded.indexOf(needle); at >= 0; at = padded.indexOf(needle, at + 1)) {
    if (!whole || !/[a-z0-9]/.test(padded[at + needle.length] ?? '')) return true;
  }
  return false;
}

/**
 * The words of a message of three words or more, in order, with at most MAX_GAP words between
 * them: the message with its names filled in ('relation "users" does not exist').
 */
function inOrder(text: string, message: string): boolean {
  const want = message.split(' ');
  if (want.length < 3) return false;
  const have = text.split(' ');
  for (let start = have.indexOf(want[0]!); start !== -1; start = have.indexOf(want[0]!, start + 1)) {
    let at = start;
    let ok = true;
    for (const w of want.slice(1)) {
      const next = have.indexOf(w, at + 1);
      if (next === -1 || next - at - 1 > MAX_GAP) {
        ok = false;
        break;
      }
      at = next;
    }
    if (ok) return true;
  }
  return false;
}

/** Every entry scored 0..1 by how close its codes and messages are to the query, typos forgiven. */
function closest(query: string, keep: (e: Indexed) => boolean): Array<{ entry: ErrorReference; matched: string; score: number }> {
  const key = codeKey(query);
  const qWords = words(query).split(' ').filter((w) => w && !STOP_WORDS.has(w));
  const out: Array<{ entry: ErrorReference; matched: string; score: number }> = [];
  const exactOnlyQuery = isExactOnlyCode(query);
  for (const e of INDEX) {
    if (!keep(e)) continue;
    let best = { matched: '', score: 0 };
    for (const c of e.codes) {
      if (c.key.length < 4 || key.length < 4 || exactOnlyQuery || isExactOnlyCode(c.code)) continue;
      const longest = Math.max(key.length, c.key.length);
      // Beyond half the length a suggestion scores too little to be shown: the distance stops there.
      const limit = Math.max(maxTypos(c.key.length), Math.floor(longest / 2));
      const d = distance(key, c.key, limit);
      if (d > limit) continue;
      // Within the typos forgiven: a close match; beyond them only a suggestion, weaker the further.
      const score = d <= maxTypos(c.key.length) ? 0.9 - 0.05 * d : 0.5 * (1 - d / longest);
      if (score > best.score) best = { matched: c.code, score };
    }
    for (const t of e.texts) {
      if (qWords.length === 0 || t.words.length === 0) continue;
      let hits = 0;
      for (const w of qWords) {
        let wordBest = 0;
        for (const tw of t.words) {
          if (w === tw) wordBest = 1;
          // A number is one number or another: "53400" is no typo of "53300".
          else if (wordBest < 0.85 && Math.min(w.length, tw.length) >= 4 && !/\d/.test(w + tw) && distance(w, tw, maxTypos(tw.length)) <= maxTypos(tw.length)) wordBest = 0.85;
          else if (wordBest < 0.7 && w.length >= 4 && tw.startsWith(w)) wordBest = 0.7;
        }
        hits += wordBest;
      }
      const score = 0.75 * (hits / qWords.length) + 0.25 * Math.min(1, hits / t.words.length);
      if (score > best.score) best = { matched: t.text, score };
    }
    if (best.score > 0) out.push({ entry: e.entry, ...best });
  }
  return out.sort((a, b) => b.score - a.score);
}

/** Typos forgiven in a word of this length. */
function maxTypos(length: number): number {
  return length <= 3 ? 0 : length <= 7 ? 1 : 2;
}

/** Optimal string alignment distance (a swap of neighbours is one typo), or `limit + 1` once it is certainly above `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}
