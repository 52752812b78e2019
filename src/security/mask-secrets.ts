// The one place text is masked before it leaves the process (Slack, logs, the terminal, stored
// history): the generic secret patterns (URL passwords, password=, Slack tokens, bearer tokens,
// API keys, private keys) and every configured secret, also URL-encoded and in base64.
//
// Masking is linear in the length of the text and bounded: at most MAX_MASKED_CHARS characters
// are kept, and they are masked whole before the rest is cut, so a cut never leaves part of a
// secret. Every pattern below is a literal (or a bounded prefix) followed by at most one
// unbounded run of characters that cannot start another attempt of the same pattern, so each
// character is examined a bounded number of times whatever the input (no nested or overlapping
// quantifiers that could backtrack over the same characters again and again).

/** Text longer than this is masked up to here, then cut. */
export const MAX_MASKED_CHARS = 100_000;
/** Read past the cut so that a secret that starts before it is recognised and masked whole. */
const CUT_MARGIN = 4_096;
/** Shorter configured values would mask ordinary words; no real secret is this short. */
export const MIN_SECRET_CHARS = 4;

const MASK = '***';

interface Pattern {
  /** Flags d (indices) and g: the span masked is group 1 when the pattern has one, else the match. */
  re: RegExp;
  mask: string;
}

const PATTERNS: readonly Pattern[] = [
  // scheme://user:password@host, whatever the scheme: an attempt starts only at '://', and the
  // user and password cannot contain '/', so a run of them is scanned by one attempt.
  { re: /:\/\/[^:/?#\s@]*:([^@\s/]+)@/dg, mask: MASK },
  // password=... in libpq key/value strings and query strings
  { re: /\b(?:password|passwd|pwd)=([^\s&;]+)/dgi, mask: MASK },
  // Slack tokens (xoxb-, xoxp-, xapp-, ...)
  { re: /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/dg, mask: 'xox*-***' },
  // Authorization: Bearer ...
  { re: /\b[Bb]earer\s{1,8}([A-Za-z0-9._~+/=-]+)/dg, mask: MASK },
  // api_key=..., "x-api-key": "...", apikey: ...
  { re: /\b(?:x-)?api[-_]?key["']?\s{0,8}[:=]\s{0,8}["']?([^\s"'&,;]{4,})/dgi, mask: MASK },
  // Stripe / OpenAI style keys
  { re: /\b(?:sk|rk|pk|whsec)_(?:live|test)_([A-Za-z0-9]+)/dg, mask: MASK },
  { re: /\bsk-([A-Za-z0-9_-]{8,})/dg, mask: MASK },
  // PEM private keys: the base64 lines after the BEGIN line (the run stops at the next '-').
  { re: /-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----([A-Za-z0-9+/=\s]+)/dg, mask: `\n${MASK}\n` },
];

interface Span {
  start: number;
  end: number;
  mask: string;
}

const AUTH_SCHEME = /^(?:bearer|basic|token|digest|negotiate|apikey)\s+(?=\S+$)/i;

const forms = new WeakMap<readonly string[], string[]>();

/**
 * `text` with every generic secret pattern and every one of `secrets` masked, each secret also
 * in its URL-encoded and base64 forms. Longer than `maxChars` (default MAX_MASKED_CHARS), it is
 * masked then cut there with a note; Infinity masks it all (still in linear time, for output that
 * must stay whole, such as the CLI's JSON). Pass the same `secrets` array each time (it is
 * expanded once per array).
 */
export function maskSecrets(text: string, secrets: readonly string[] = [], maxChars = MAX_MASKED_CHARS): string {
  const values = secretForms(secrets);
  const cut = text.length > maxChars;
  const margin = Math.max(CUT_MARGIN, values[0]?.length ?? 0);
  const scanned = cut ? text.slice(0, maxChars + margin) : text;
  const spans: Span[] = [];
  for (const { re, mask } of PATTERNS) {
    re.lastIndex = 0;
    for (const m of scanned.matchAll(re)) {
      const [start, end] = m.indices?.[1] ?? m.indices![0]!;
      spans.push({ start, end, mask });
    }
  }
  for (const value of values) {
    for (let at = scanned.indexOf(value); at >= 0; at = scanned.indexOf(value, at + value.length)) {
      spans.push({ start: at, end: at + value.length, mask: MASK });
    }
  }
  const limit = cut ? maxChars : text.length;
  const out = applySpans(scanned, spans, limit);
  return cut ? `${out}… (${text.length - maxChars} more characters not shown)` : out;
}

/** The text up to `limit` with the spans replaced; a span that starts before `limit` is masked whole. */
function applySpans(text: string, spans: Span[], limit: number): string {
  if (spans.length === 0) return text.slice(0, limit);
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: string[] = [];
  let at = 0;
  let i = 0;
  while (i < spans.length && spans[i]!.start < limit) {
    const first = spans[i]!;
    let end = first.end;
    let mask = first.mask;
    // Overlapping spans are masked as one.
    for (i++; i < spans.length && spans[i]!.start < end; i++) {
      if (spans[i]!.end > end) {
        end = spans[i]!.end;
        mask = MASK;
      }
    }
    if (first.start > at) parts.push(text.slice(at, first.start));
    parts.push(mask);
    at = Math.max(at, end);
  }
  if (at < limit) parts.push(text.slice(at, limit));
  return parts.join('');
}

/** Each secret, URL-encoded (both ways) and in base64 (standard and URL alphabet, without padding); longest first. */
function secretForms(secrets: readonly string[]): string[] {
  const known = forms.get(secrets);
  if (known) return known;
  const found = new Set<string>();
  for (const raw of secrets) {
    // "Bearer abc" (a header value): the credential is the secret, the scheme word stays readable.
    const s = raw.trim().replace(AUTH_SCHEME, '');
    if (s.length < MIN_SECRET_CHARS) continue;
    const base64 = Buffer.from(s, 'utf8').toString('base64');
    for (const form of [s, encodeURIComponent(s), new URLSearchParams({ s }).toString().slice(2), base64, base64.replace(/=+$/, ''), Buffer.from(s, 'utf8').toString('base64url')]) {
      if (form.length >= MIN_SECRET_CHARS) found.add(form);
    }
  }
  const sorted = [...found].sort((a, b) => b.length - a.length);
  forms.set(secrets, sorted);
  return sorted;
}
