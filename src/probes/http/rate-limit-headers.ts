// The rate-limit headers of an answer, read into quotas: how many requests a window allows, how
// many are left and when the window resets. Three families are understood:
// - the de-facto `X-RateLimit-Limit` / `-Remaining` / `-Reset` (seconds until, or a unix epoch)
//   and GitHub's `X-RateLimit-Used`, also with a suffix (`x-ratelimit-remaining-requests`,
//   resets like `6m0s`);
// - the IETF structured fields `RateLimit: "default";r=50;t=30` with
//   `RateLimit-Policy: "default";q=100;w=60`, and the older draft's `RateLimit: limit=100,
//   remaining=50, reset=30`;
// - the older draft's `RateLimit-Limit` / `-Remaining` / `-Reset` (seconds until).
// A value that cannot be read is reported by header name and value, never guessed around.
import { goDuration } from './go-duration.ts';

export interface Quota {
  /** Where it was read, for a title: `X-RateLimit`, `RateLimit "default"`. */
  source: string;
  /** Requests (or units) the window allows; undefined when no header states it. */
  limit: number | undefined;
  remaining: number;
  /** Seconds until the window resets, when stated. */
  resetInS?: number;
  /** The reset as an instant, when the header gave one (an epoch). */
  resetAt?: Date;
  /** The window in seconds (RateLimit-Policy w=). */
  windowS?: number;
}

export interface BadHeader {
  header: string;
  value: string;
  /** What was accepted: "a whole number >= 0". */
  expected: string;
}

export type RateLimitReading = { quotas: Quota[]; bad?: undefined } | { quotas?: undefined; bad: BadHeader };

const WHOLE = /^\s*(\d+)\s*(?:[,;].*)?$/s;
const DECIMAL = /^\s*(\d+(?:\.\d+)?)\s*(?:[,;].*)?$/s;
/** Above this a reset is a unix epoch in seconds, above EPOCH_MS one in milliseconds; below, seconds until. */
const EPOCH_S = 1e9;
const EPOCH_MS = 1e12;

/** True when the answer carries a header that says how much is left (what the check judges). */
export function hasRateLimitHeaders(headers: Record<string, string>): boolean {
  return Object.keys(headers).some((name) => /^(?:x-ratelimit-(?:remaining|used)(?:-.+)?|ratelimit|ratelimit-remaining)$/.test(name));
}

/** Every quota the headers describe; the first header that cannot be read, instead, when there is one. */
export function readRateLimits(headers: Record<string, string>, now: Date): RateLimitReading {
  const quotas: Quota[] = [];
  for (const family of [...xRateLimitFamilies(headers), 'ratelimit-']) {
    const q = readFamily(headers, family, now);
    if (q === undefined) continue;
    if ('header' in q) return { bad: q };
    quotas.push(q);
  }
  if (headers.ratelimit !== undefined) {
    const r = readStructured(headers.ratelimit, headers['ratelimit-policy']);
    if ('header' in r) return { bad: r };
    quotas.push(...r);
  }
  return { quotas };
}

/** `x-ratelimit-` and every suffixed family (`x-ratelimit-*-requests` gives `-requests`). */
function xRateLimitFamilies(headers: Record<string, string>): string[] {
  const suffixes = new Set<string>();
  for (const name of Object.keys(headers)) {
    const m = /^x-ratelimit-(?:remaining|used)(-.+)?$/.exec(name);
    if (m) suffixes.add(m[1] ?? '');
  }
  return [...suffixes].sort().map((s) => `x-ratelimit-${s}`);
}

/** One family of plain headers: `<prefix>limit`, `<prefix>remaining`, `<prefix>used`, `<prefix>reset` (with the suffix for x-ratelimit). */
function readFamily(headers: Record<string, string>, family: string, now: Date): Quota | BadHeader | undefined {
  const x = family.startsWith('x-ratelimit-');
  const suffix = x ? family.slice('x-ratelimit-'.length) : '';
  const name = (field: string) => (x ? `x-ratelimit-${field}${suffix}` : `ratelimit-${field}`);
  const remainingRaw = headers[name('remaining')];
  const usedRaw = x ? headers[name('used')] : undefined;
  if (remainingRaw === undefined && usedRaw === undefined) return undefined;
  const limitRaw = headers[name('limit')];
  const limit = limitRaw === undefined ? undefined : whole(limitRaw);
  if (limitRaw !== undefined && (limit === undefined || limit === 0)) return bad(name('limit'), limitRaw, 'a whole number above 0');
  let remaining: number;
  if (remainingRaw !== undefined) {
    const r = whole(remainingRaw);
    if (r === undefined) return bad(name('remaining'), remainingRaw, 'a whole number >= 0');
    if (limit !== undefined && r > limit) return bad(name('remaining'), remainingRaw, `a whole number from 0 to the limit (${limit})`);
    remaining = r;
  } else {
    const u = whole(usedRaw!);
    if (u === undefined) return bad(name('used'), usedRaw!, 'a whole number >= 0');
    if (limit === undefined) return undefined;
    if (u > limit) return bad(name('used'), usedRaw!, `a whole number from 0 to the limit (${limit})`);
    remaining = limit - u;
  }
  const source = x ? `X-RateLimit${suffix ? `-*${suffix}` : ''}` : 'RateLimit-Remaining';
  const quota: Quota = { source, limit, remaining };
  const resetRaw = headers[name('reset')];
  if (resetRaw !== undefined) {
    const reset = x ? xReset(resetRaw, now) : delta(resetRaw);
    if (reset === undefined) {
      return bad(name('reset'), resetRaw, x ? 'seconds until the reset, a unix epoch, or a duration like 6m0s' : 'seconds until the reset');
    }
    Object.assign(quota, reset);
  }
  return quota;
}

/** Seconds until, a unix epoch in seconds (above 10^9) or milliseconds (above 10^12), or a duration like `6m0s`. */
function xReset(raw: string, now: Date): Pick<Quota, 'resetInS' | 'resetAt'> | undefined {
  const n = decimal(raw);
  if (n === undefined) {
    const s = goDuration(raw.trim());
    return s === undefined ? undefined : { resetInS: s };
  }
  if (n > EPOCH_S) {
    const at = new Date(n > EPOCH_MS ? n : n * 1000);
    return { resetAt: at, resetInS: Math.max(0, (at.getTime() - now.getTime()) / 1000) };
  }
  return { resetInS: n };
}

function delta(raw: string): Pick<Quota, 'resetInS'> | undefined {
  const n = decimal(raw);
  return n === undefined ? undefined : { resetInS: n };
}

function whole(raw: string): number | undefined {
  const m = WHOLE.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : undefined;
}

function decimal(raw: string): number | undefined {
  const m = DECIMAL.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : undefined;
}

function bad(header: string, value: string, expected: string): BadHeader {
  return { header: canonical(header), value, expected };
}

/** `x-ratelimit-remaining` -> `X-RateLimit-Remaining`, as the specifications spell them. */
function canonical(name: string): string {
  return name
    .split('-')
    .map((w) => (w === 'ratelimit' ? 'RateLimit' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join('-');
}

// ---- IETF structured fields (RFC 9651 lists of items with parameters) ----

type Bare = string | number | boolean;
interface Item {
  value: Bare;
  params: Map<string, Bare>;
}

const BARE = String.raw`"(?:[^"\\]|\\.)*"|:[A-Za-z0-9+/=]*:|\?[01]|-?\d+(?:\.\d+)?|[A-Za-z*][A-Za-z0-9_:/.%*!#$&'+^\`|~-]*`;
const ITEM = new RegExp(String.raw`^\s*(${BARE})((?:\s*;\s*[a-z*][a-z0-9_.*-]*(?:=(?:${BARE}))?)*)\s*$`);
const PARAM = new RegExp(String.raw`;\s*([a-z*][a-z0-9_.*-]*)(?:=(${BARE}))?`, 'g');
const DICT_MEMBER = new RegExp(String.raw`^\s*([a-z*][a-z0-9_.*-]*)(?:=(${BARE}))?((?:\s*;\s*[a-z*][a-z0-9_.*-]*(?:=(?:${BARE}))?)*)\s*$`);

/** `RateLimit` with its policies: one quota per item (new draft), or the old draft's single dictionary. */
function readStructured(field: string, policyField: string | undefined): Quota[] | BadHeader {
  const members = splitMembers(field);
  // The older draft: `RateLimit: limit=100, remaining=50, reset=30`.
  const dict = members.map((m) => DICT_MEMBER.exec(m));
  if (dict.every((m) => m !== null) && dict.some((m) => m[1] === 'remaining')) {
    const get = (key: string) => dict.find((m) => m[1] === key)?.[2];
    const remaining = get('remaining');
    const limit = get('limit');
    const reset = get('reset');
    const l = limit === undefined ? undefined : nonNegative(bare(limit));
    if (limit !== undefined && (l === undefined || l === 0 || !Number.isInteger(l))) return bad('ratelimit', field, 'limit= a whole number above 0');
    const r = remaining === undefined ? undefined : nonNegative(bare(remaining));
    if (r === undefined || !Number.isInteger(r) || (l !== undefined && r > l)) return bad('ratelimit', field, 'remaining= a whole number from 0 to the limit');
    const t = reset === undefined ? undefined : nonNegative(bare(reset));
    if (reset !== undefined && t === undefined) return bad('ratelimit', field, 'reset= seconds until the reset');
    return [{ source: 'RateLimit', limit: l, remaining: r, ...(t !== undefined && { resetInS: t }) }];
  }
  const items = parseList(field);
  if (items === undefined) return bad('ratelimit', field, 'a list of policies like "default";r=50;t=30');
  const policies = policyField === undefined ? [] : parseList(policyField);
  if (policies === undefined) return bad('ratelimit-policy', policyField!, 'a list of policies like "default";q=100;w=60');
  const quotas: Quota[] = [];
  for (const item of items) {
    const r = nonNegative(item.params.get('r'));
    if (r === undefined || !Number.isInteger(r)) return bad('ratelimit', field, 'r= a whole number >= 0 for each policy');
    const t = item.params.get('t');
    const reset = t === undefined ? undefined : nonNegative(t);
    if (t !== undefined && reset === undefined) return bad('ratelimit', field, 't= seconds until the reset');
    const policy = policies.find((p) => p.value === item.value);
    let limit: number | undefined;
    let windowS: number | undefined;
    if (policy !== undefined) {
      limit = nonNegative(policy.params.get('q'));
      if (limit === undefined || limit === 0 || !Number.isInteger(limit)) return bad('ratelimit-policy', policyField!, 'q= a whole number above 0 for each policy');
      if (r > limit) return bad('ratelimit', field, `r= a whole number from 0 to the policy's quota (${limit})`);
      const w = policy.params.get('w');
      windowS = w === undefined ? undefined : nonNegative(w);
      if (w !== undefined && windowS === undefined) return bad('ratelimit-policy', policyField!, 'w= the window in seconds');
    }
    quotas.push({
      source: `RateLimit ${JSON.stringify(String(item.value))}`,
      limit,
      remaining: r,
      ...(reset !== undefined && { resetInS: reset }),
      ...(windowS !== undefined && { windowS }),
    });
  }
  return quotas;
}

function nonNegative(v: Bare | undefined): number | undefined {
  return typeof v === 'number' && v >= 0 ? v : undefined;
}

/** Members of a list, split at commas outside strings. */
function splitMembers(field: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (quoted && c === '\\') {
      current += c + (field[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current);
  return out;
}

function parseList(field: string): Item[] | undefined {
  const items: Item[] = [];
  for (const member of splitMembers(field)) {
    const m = ITEM.exec(member);
    if (!m) return undefined;
    const params = new Map<string, Bare>();
    for (const p of m[2]!.matchAll(PARAM)) params.set(p[1]!, p[2] === undefined ? true : bare(p[2]));
    items.push({ value: bare(m[1]!), params });
  }
  return items;
}

function bare(raw: string): Bare {
  if (raw.startsWith('"')) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  if (raw === '?1') return true;
  if (raw === '?0') return false;
  if (/^-?\d/.test(raw)) return Number(raw);
  return raw;
}
