// The one place text is masked before it leaves the process (Slack, logs, the terminal, stored
// history): the generic secret patterns (URL passwords; password=, token=, client_secret= and the
// like in query strings, logfmt, JSON and YAML; Authorization and Cookie headers; bearer tokens;
// JWTs; Slack, GitHub, AWS, Stripe and OpenAI keys; private keys) and every configured secret,
// also URL-encoded and in base64. The name of what was masked stays readable (password=***,
// "password":"***", Authorization: Basic ***, AKIA***) so that a line still says what it was about.
//
// Masking is linear in the length of the text and bounded: at most MAX_MASKED_CHARS characters
// are kept, and they are masked whole before the rest is cut, so a cut never leaves part of a
// secret. Every pattern below is a literal (or a bounded prefix) followed by at most one
// unbounded run of characters that cannot start another attempt of the same pattern, so each
// character is examined a bounded number of times whatever the input (no nested or overlapping
// quantifiers that could backtrack over the same characters again and again). Runs are written
// x{4}x* rather than x{4,}, and repeated groups are bounded: V8 keeps a backtracking entry for
// each repetition of those, and a run of millions of characters overflowed its stack.

/** Text longer than this is masked up to here, then cut. */
export const MAX_MASKED_CHARS = 100_000;
/** Read past the cut so that a secret that starts before it is recognised and masked whole. */
const CUT_MARGIN = 4_096;
/** Shorter configured values would mask ordinary words; no real secret is this short. */
export const MIN_SECRET_CHARS = 4;

const MASK = '***';

interface Pattern {
  /**
   * Flags d (indices) and g: the span masked is the first group that took part in the match (a
   * pattern may offer the value in several alternatives, such as "..." or '...'), else the match.
   */
  re: RegExp;
  mask: string;
}

/**
 * Names whose value is a secret: password, passwd, pwd, passphrase, token (access_token,
 * refresh_token, id_token, csrf_token: a prefix joined by '_' or '-' is allowed, so DB_PASSWORD
 * and POSTGRES_PASSWORD are names too), client_secret and any other *_secret, secret_key,
 * secret_access_key, private_key, api_key. Whole names only: "tokens=5", "max_tokens",
 * "password_reset=true", "passwordless" and the words of a sentence ("password reset failed",
 * "token bucket") are not followed by '=' or ':' and are left alone. A bare "secret" is not a
 * name either: in Kubernetes it names a Secret object, which a diagnosis must be able to show.
 */
const MAX_QUOTED_CHARS = 4_096;
const SECRET_NAME = String.raw`(?<![A-Za-z0-9])(?:password|passwd|pwd|passphrase|token|(?<=_)secret|secret[_-]?(?:access[_-]?)?key|private[_-]?key|api[_-]?key)`;
/**
 * A quoted value after the name and ':' or '=' (JSON, YAML, logfmt, Python reprs, and JSON quoted
 * inside a JSON string, where the quotes are \"): the name may be quoted too. The value runs to its
 * closing quote (escaped quotes included), to the end of the line if it is not closed (a cut
 * line), or for MAX_QUOTED_CHARS characters. Nothing after the value is required, so an attempt
 * never fails after reading the value and never reads it again; the repetition of escapes and
 * characters is bounded because V8 keeps a backtracking entry for each repetition of a group
 * (unbounded, a value of millions of characters overflowed its stack).
 */
const QUOTED_VALUE = String.raw`\\?["']?\s{0,8}[:=]\s{0,8}(?:\\"([^"\\\n]+)|"((?:[^"\\\n]|\\[^\n]){1,${MAX_QUOTED_CHARS}})|'((?:[^'\\\n]|\\[^\n]){1,${MAX_QUOTED_CHARS}}))`;

const PATTERNS: readonly Pattern[] = [
  // scheme://user:password@host, whatever the scheme: an attempt starts only at '://', and the
  // user and password cannot contain '/', so a run of them is scanned by one attempt.
  { re: /:\/\/[^:/?#\s@]*:([^@\s/]+)@/dg, mask: MASK },
  // password=... in libpq key/value strings, query strings (?token=, &access_token=,
  // client_secret=) and logfmt; a quoted value is the next pattern's, so that its quotes stay.
  { re: new RegExp(String.raw`${SECRET_NAME}=([^\s&;"'][^\s&;]*)`, 'dgi'), mask: MASK },
  // "password":"...", password: "...", {'token': '...'}, {\"password\":\"...\"}. The value is
  // read up to its closing quote (escaped quotes included) on the same line: an unquoted
  // "password: ..." is as often a sentence as a setting, and is left alone.
  { re: new RegExp(SECRET_NAME + QUOTED_VALUE, 'dgi'), mask: MASK },
  // Slack tokens (xoxb-, xoxp-, xapp-, ...)
  { re: /\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/dg, mask: 'xox*-***' },
  // Slack incoming webhooks: the path is the credential.
  { re: /\bhooks\.slack\.com\/services\/([A-Za-z0-9/]+)/dg, mask: MASK },
  // Authorization: Bearer ...
  { re: /\b[Bb]earer\s{1,8}([A-Za-z0-9._~+/=-]+)/dg, mask: MASK },
  // Authorization / Proxy-Authorization with any scheme: "Authorization: Basic ***". Only after
  // the header's name: "basic" alone is an ordinary word. Go prints a header as [Basic ...].
  { re: /\bauthorization["']?\s{0,8}[:=]\s{0,8}[["']?(?:basic|digest|negotiate|token|apikey|aws4-hmac-sha256|ntlm)\s{1,8}([^\s"'\]]+)/dgi, mask: MASK },
  // X-Auth-Token: ..., X-Vault-Token: ..., Private-Token: ... (headers whose value is the token).
  { re: /\b(?:x-[a-z0-9]{1,20}-token|x-auth-token|private-token)["']?\s{0,8}[:=]\s{0,8}["']?([^\s"',;]{4}[^\s"',;]*)/dgi, mask: MASK },
  // Cookie: session=***: the first cookie's name stays, every value after it is masked (the
  // header's other cookies are as secret). Set-Cookie: session=***; Path=/; HttpOnly: one cookie,
  // then attributes that are not secret.
  { re: /(?<!set-)\bcookie["']?\s{0,8}:\s{0,8}["']?[^\s=;"']{1,256}=([^\n"']+)/dgi, mask: MASK },
  { re: /\bset-cookie["']?\s{0,8}:\s{0,8}["']?[^\s=;"']{1,256}=([^\s;"',]+)/dgi, mask: MASK },
  // api_key=..., "x-api-key": "...", apikey: ...
  { re: /\b(?:x-)?api[-_]?key["']?\s{0,8}[:=]\s{0,8}["']?([^\s"'&,;]{4}[^\s"'&,;]*)/dgi, mask: MASK },
  // JWTs: three base64url segments, the first (and usually the second) a JSON object ("eyJ" is
  // '{"'). An attempt starts only where a run of base64url characters starts, so no run is read
  // by more than two attempts.
  { re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4}[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{4}[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/dg, mask: MASK },
  // AWS access key ids (AKIA long-term, ASIA temporary): the prefix says which kind.
  { re: /(?<![A-Z0-9])(?:AKIA|ASIA)([0-9A-Z]{16})(?![0-9A-Z])/dg, mask: MASK },
  // GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_),
  // refresh (ghr_), fine-grained personal (github_pat_).
  { re: /\bgh[pousr]_([A-Za-z0-9]{20}[A-Za-z0-9]*)/dg, mask: MASK },
  { re: /\bgithub_pat_([A-Za-z0-9_]{20}[A-Za-z0-9_]*)/dg, mask: MASK },
  // Stripe / OpenAI style keys
  { re: /\b(?:sk|rk|pk|whsec)_(?:live|test)_([A-Za-z0-9]+)/dg, mask: MASK },
  { re: /\bsk-([A-Za-z0-9_-]{8}[A-Za-z0-9_-]*)/dg, mask: MASK },
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
      const [start, end] = firstGroup(m.indices!);
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

/** The span of the first group that took part in the match, else of the whole match. */
function firstGroup(indices: RegExpIndicesArray): [number, number] {
  for (let g = 1; g < indices.length; g++) {
    const span = indices[g];
    if (span) return span;
  }
  return indices[0]!;
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
