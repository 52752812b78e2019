// OpenAI's rate-limit headers, read per dimension: `x-ratelimit-limit-requests`,
// `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests` and the same for `-tokens`.
// Resets are Go durations (`6m0s`, `1s`, `20ms`, `1h2m3.5s`); some servers send plain seconds.
// Providers differ: Azure sends the remaining counts without the limits, some proxies send -1
// for "not limited", local servers send nothing. Each case is said, never guessed into a percent;
// a value that cannot be true (more left than the limit, a negative count other than -1, a number
// too large to count exactly) is unreadable, quoted short.
import { snippet } from '../http/probe-support.ts';
import { goDuration } from '../http/go-duration.ts';

export type Dimension = 'requests' | 'tokens';

export type DimensionReading =
  | { state: 'read'; limit: number; remaining: number; pct: number; resetS?: number; badReset?: string }
  /** No header of this dimension in the answer. */
  | { state: 'absent' }
  /** -1: the server states no limit. */
  | { state: 'unlimited'; header: string; value: string }
  /** What is left, but not out of how much. */
  | { state: 'no-limit'; remaining: number }
  | { state: 'bad'; header: string; value: string; expected: string };

export const DIMENSIONS: readonly Dimension[] = ['requests', 'tokens'];

export function readOpenaiRateLimits(headers: Record<string, string>): Record<Dimension, DimensionReading> {
  return { requests: readDimension(headers, 'requests'), tokens: readDimension(headers, 'tokens') };
}

function readDimension(headers: Record<string, string>, dim: Dimension): DimensionReading {
  const names = { limit: `x-ratelimit-limit-${dim}`, remaining: `x-ratelimit-remaining-${dim}`, reset: `x-ratelimit-reset-${dim}` };
  const limitRaw = headers[names.limit];
  const remainingRaw = headers[names.remaining];
  if (limitRaw === undefined && remainingRaw === undefined) return { state: 'absent' };
  for (const [header, raw] of [[names.limit, limitRaw], [names.remaining, remainingRaw]] as const) {
    if (raw !== undefined && raw.trim() === '-1') return { state: 'unlimited', header, value: '-1' };
  }
  const bad = (header: string, raw: string, expected: string): DimensionReading => ({ state: 'bad', header, value: quoted(raw), expected });
  const limit = limitRaw === undefined ? undefined : count(limitRaw);
  if (limitRaw !== undefined && (limit === undefined || limit === 0)) return bad(names.limit, limitRaw, 'a whole number above 0, or -1');
  if (remainingRaw === undefined) return { state: 'bad', header: names.remaining, value: '(missing)', expected: `a whole number next to ${names.limit}` };
  const remaining = count(remainingRaw);
  if (remaining === undefined) return bad(names.remaining, remainingRaw, 'a whole number >= 0, or -1');
  if (limit === undefined) return { state: 'no-limit', remaining };
  if (remaining > limit) return bad(names.remaining, remainingRaw, `a whole number from 0 to the limit (${limit})`);
  const reading: DimensionReading = { state: 'read', limit, remaining, pct: (remaining / limit) * 100 };
  const resetRaw = headers[names.reset];
  if (resetRaw !== undefined) {
    const s = parseResetDuration(resetRaw);
    if (s === undefined) reading.badReset = quoted(resetRaw);
    else reading.resetS = s;
  }
  return reading;
}


/** Seconds in a Go duration (`6m0s`, `20ms`, `1h2m3.5s`) or plain seconds (`30`, `0.5`); undefined otherwise, and for digits beyond any number. */
export function parseResetDuration(raw: string): number | undefined {
  const value = raw.trim();
  if (!/^\d+(?:\.\d+)?$/.test(value)) return goDuration(value);
  const total = Number(value);
  return Number.isFinite(total) ? total : undefined;
}

/** A header value as a finding quotes it: one line, short (a server may send kilobytes). */
function quoted(raw: string): string {
  return raw.trim() === '' ? '(empty)' : snippet(raw, 40);
}

function count(raw: string): number | undefined {
  const value = raw.trim();
  if (!/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}
