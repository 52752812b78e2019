// Looks an error code or message up in the error reference (error-codes.ts), the way people paste
// them: a code alone ("ECONNREFUSED", "40P01", "card declined"), a code with its kind ("SQLSTATE
// 53300", "HTTP 504", "exit code 137"), a whole log line with a code inside it, part of a
// message ("too many clients"), or a message with typos ("dedlock detected"). Exact codes first,
// then codes inside the text, then messages, then the closest entries, typo-tolerant.
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

/** Codes inside a longer text: only where a word says what they are (a bare 500 may be anything). */
const EMBEDDED: ReadonlyArray<[RegExp, ErrorFamily]> = [
  [/\b(?:sqlstate|error code|code)[\s:=\]"'(]{0,4}([0-9][0-9A-Z]{4})\b/gi, 'postgres'],
  [/\b(?:http\/\d(?:\.\d)?|status(?:\s+code)?|http)[\s:=]{0,3}([1-5]\d\d)\b/gi, 'http'],
  [/\bexit(?:ed)?(?:\s+with)?(?:\s+(?:code|status))?[\s:=]{0,3}(\d{1,3})\b/gi, 'exit'],
  [/\b([1-5]\d\d) (?:bad request|unauthorized|forbidden|not found|request timeout|too many requests|internal server error|bad gateway|service unavailable|gateway timeout)\b/gi, 'http'],
  [/\b([245]\.\d\.\d{1,3})\b/g, 'smtp'],
];

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

/** The entries that match the query, best first (at most MAX_MATCHES); empty when nothing is close. */
export function findError(query: string): ErrorMatch[] {
  const q = query.trim().replace(/^["'`]+|["'`]+$/g, '').trim();
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

  // 1. The whole query (or its first word, "504 Gateway Timeout") is a code.
  const first = rest.split(/\s+/)[0]!;
  for (const candidate of rest === first ? [rest] : [rest, first]) {
    const key = codeKey(candidate);
    for (const e of INDEX) {
      if (!inFamily(e)) continue;
      const c = e.codes.find((x) => x.key === key);
      if (c) add({ entry: e.entry, how: 'code', matched: c.code });
    }
    if (found.length > 0) break;
  }
  if (found.length > 0) {
    // A message that is exactly the query too ("rate limit exceeded": OpenAI's code, HTTP 429's words).
    const normal = words(rest);
    for (const e of INDEX) {
      const t = e.texts.find((x) => x.normal === normal);
      if (t && inFamily(e)) add({ entry: e.entry, how: 'message', matched: t.text });
    }
    return found.slice(0, MAX_MATCHES);
  }

  // 2. Codes inside a longer text: names first ("connect ECONNREFUSED 10.0.0.5:5432", "Reason: OOMKilled,
  // Exit Code: 137"), then numbers a word introduces ("ERROR: deadlock detected (SQLSTATE 40P01)").
  for (const token of q.split(/[^A-Za-z0-9_.]+/).filter((t) => t.length >= 3)) {
    for (const e of INDEX) {
      if (!inFamily(e) || e.entry.family === 'http' || e.entry.family === 'exit' || e.entry.family === 'smtp' || e.entry.family === 'postgres') continue;
      // Redis answers in capitals (LOADING, BUSY): the same word in lower case is English.
      const c = e.codes.find((x) => (e.entry.family === 'redis' ? x.code === token : x.key === codeKey(token)));
      if (c) add({ entry: e.entry, how: 'code', matched: c.code });
    }
  }
  for (const [re, f] of EMBEDDED) {
    for (const m of q.matchAll(re)) {
      const key = codeKey(m[1]!);
      for (const e of INDEX) if (e.entry.family === f && e.codes.some((c) => c.key === key)) add({ entry: e.entry, how: 'code', matched: e.codes.find((c) => c.key === key)!.code });
    }
  }
  // PostgreSQL codes without a word before them ("(40001)", "40P01"): a token that is one, as written.
  for (const token of q.split(/[^A-Za-z0-9]+/).filter((t) => t.length === 5)) {
    for (const e of INDEX) if (e.entry.family === 'postgres' && e.codes.some((c) => c.code === token)) add({ entry: e.entry, how: 'code', matched: token });
  }

  // 3. A message inside the query, or the query inside a message (at least two words of it).
  const normal = words(rest);
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

  // 4. The closest, typo-tolerant.
  // Those near the best only: a typo of one entry is not a match for the others it resembles.
  const near = closest(rest, inFamily).filter((c) => c.score >= MIN_CLOSE_SCORE);
  return near.filter((c) => c.score >= near[0]!.score * 0.8).slice(0, MAX_MATCHES).map((c) => ({ entry: c.entry, how: 'close', matched: c.matched }));
}

/** The entries nearest to the query, nearest first, for "did you mean". */
export function suggestErrors(query: string, n = MAX_MATCHES): ErrorReference[] {
  return closest(query, () => true).filter((c) => c.score > 0.25).slice(0, n).map((c) => c.entry);
}

/** Whole words of `text` contain `part` ("too many clients" in "sorry too many clients already"; a word's start counts: "client" in "clients"). */
function contains(text: string, part: string): boolean {
  const at = ` ${text}`.indexOf(` ${part}`);
  return at >= 0;
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
  for (const e of INDEX) {
    if (!keep(e)) continue;
    let best = { matched: '', score: 0 };
    for (const c of e.codes) {
      if (c.key.length < 4 || key.length < 4) continue;
      const longest = Math.max(key.length, c.key.length);
      const d = distance(key, c.key, longest);
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
          else if (wordBest < 0.85 && Math.min(w.length, tw.length) >= 4 && distance(w, tw, maxTypos(tw.length)) <= maxTypos(tw.length)) wordBest = 0.85;
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
