// The headroom the answer's rate-limit headers state: requests left in percent of the limit,
// the tightest quota when there are several. A 429 is critical, with when to retry in words.
// Applies only when the answer carries such headers (or is a 429): no header, nothing to say.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, type HttpCheckInput } from '../check-context.ts';
import type { HttpResult } from '../http-request.ts';
import { snippet, statusBelow } from '../probe-support.ts';
import { hasRateLimitHeaders, readRateLimits, type Quota } from '../rate-limit-headers.ts';
import { formatCount, formatDuration, formatPct } from '../../format.ts';

const FIX =
  'slow down the callers of this API (fewer requests, back off and honour Retry-After), spread the load over the window instead of bursts, cache responses that do not change, or ask the provider for a higher quota.';

/** When the check has something to say: a header stating what is left, or a 429. */
export function rateLimitApplies(res: HttpResult): boolean {
  return res.status === 429 || hasRateLimitHeaders(res.headers);
}

export function checkRateLimit(res: HttpResult, input: HttpCheckInput, t: Thresholds, now = new Date()): Finding {
  const reading = readRateLimits(res.headers, now);
  if (reading.bad !== undefined) {
    const { header, value, expected } = reading.bad;
    const unreadable = `could not read ${header} "${snippet(value, 80, input.secrets)}"`;
    // A 429 says enough on its own: the header that cannot be read is only evidence then.
    if (res.status === 429) return rateLimited(res, undefined, [`Rate limit: ${unreadable} (expected ${expected}).`], input, now);
    return finding('rate_limit', 'unknown', `Rate limit: ${unreadable}`, { detail: `Expected ${expected}.` });
  }
  const judged = reading.quotas.map((q) => ({ q, pct: q.limit === undefined ? undefined : (q.remaining / q.limit) * 100 }));
  // The tightest quota speaks: the lowest headroom, or one with nothing left whatever its limit.
  const tightest = [...judged].sort((a, b) => rank(a) - rank(b))[0];
  const lines = judged.map(({ q }) => describeQuota(q));
  if (res.status === 429) return rateLimited(res, tightest?.q, lines, input, now);
  if (tightest === undefined) {
    // X-RateLimit-Used without X-RateLimit-Limit: what was used, but not out of how much.
    const seen = Object.entries(res.headers)
      .filter(([name]) => name.includes('ratelimit'))
      .map(([name, value]) => `${name}: ${snippet(value, 80, input.secrets)}`);
    return finding('rate_limit', 'unknown', 'Rate limit: the headers state neither what is left nor the limit', {
      detail: `${seen.join('\n')}\nThe headroom needs X-RateLimit-Remaining, or X-RateLimit-Used with X-RateLimit-Limit.`,
    });
  }
  const { q, pct } = tightest;
  if (pct === undefined) {
    if (q.remaining === 0) {
      return finding('rate_limit', 'crit', `Rate limit exhausted: 0 left (${q.source})${resetWords(q)}`, {
        detail: lines.join('\n'),
        fix: FIX,
        metrics: { headroom_pct: 0, remaining: 0 },
      });
    }
    return finding('rate_limit', 'unknown', `Rate limit: ${formatCount(q.remaining)} left, but no header states the limit (${q.source})`, {
      detail: `${lines.join('\n')}\nThe headroom in percent needs the limit (X-RateLimit-Limit, or RateLimit-Policy q= for the IETF fields).`,
      metrics: { remaining: q.remaining },
    });
  }
  const status: Status = statusBelow(pct, t);
  const left = `${formatPct(pct)} left (${formatCount(q.remaining)} of ${formatCount(q.limit!)}, ${q.source})`;
  const title = status === 'ok'
    ? `Rate limit ${left}${resetWords(q)}`
    : `Rate limit ${left}${resetWords(q)}: ${status} below ${status === 'crit' ? t.crit : t.warn}%`;
  return finding('rate_limit', status, title, {
    detail: lines.join('\n'),
    ...(status !== 'ok' && { fix: FIX }),
    metrics: {
      headroom_pct: Math.round(pct * 10) / 10,
      remaining: q.remaining,
      limit: q.limit!,
      ...(q.resetInS !== undefined && { reset_s: Math.round(q.resetInS) }),
    },
  });
}

/** A 429: critical, with when to retry (Retry-After, or the quota's reset) in words. */
function rateLimited(res: HttpResult, q: Quota | undefined, lines: string[], input: HttpCheckInput, now: Date): Finding {
  const raw = res.headers['retry-after'];
  const retry = raw === undefined ? undefined : retryAfter(raw, now);
  let when: string;
  const evidence = [...lines];
  if (raw === undefined) {
    when = q?.resetInS !== undefined ? `, the quota resets in ${formatDuration(q.resetInS)}` : ', no Retry-After';
  } else if (retry === undefined) {
    when = ', Retry-After not understood';
    evidence.push(`Retry-After "${snippet(raw, 80, input.secrets)}" is neither seconds nor an HTTP date.`);
  } else {
    when = `, retry ${retry.words}`;
    evidence.push(`Retry-After: ${raw.trim()}`);
  }
  return finding('rate_limit', 'crit', `Rate limited (HTTP 429)${when}`, {
    ...(evidence.length > 0 && { detail: evidence.join('\n') }),
    fix: `${retry !== undefined ? `wait ${retry.words.replace(/^in /, '')} before retrying; then ` : ''}${FIX}`,
    metrics: {
      status: 429,
      headroom_pct: q?.limit !== undefined ? Math.round((q.remaining / q.limit) * 1000) / 10 : 0,
      ...(retry !== undefined && { retry_after_s: Math.round(retry.seconds) }),
    },
  });
}

/** `Retry-After: 120` or `Retry-After: Wed, 02 Dec 2026 00:30:00 GMT`, as "in 2 min" / "at 00:30 UTC (in 5 min)". */
function retryAfter(raw: string, now: Date): { seconds: number; words: string } | undefined {
  const value = raw.trim();
  if (/^\d+$/.test(value)) {
    const seconds = Number(value);
    return { seconds, words: seconds === 0 ? 'now' : `in ${formatDuration(seconds)}` };
  }
  // An HTTP date (IMF-fixdate, or the obsolete RFC 850 / asctime forms Date.parse also reads).
  if (!/[A-Za-z]{3}/.test(value) || !/\d{1,2}:\d{2}:\d{2}/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  const seconds = Math.max(0, (at - now.getTime()) / 1000);
  const clock = `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return { seconds, words: seconds === 0 ? `now (the time given, ${clock}, has passed)` : `at ${clock} (in ${formatDuration(seconds)})` };
}

function rank({ q, pct }: { q: Quota; pct: number | undefined }): number {
  if (q.remaining === 0) return -1;
  return pct ?? Infinity;
}

function resetWords(q: Quota): string {
  if (q.resetInS === undefined) return '';
  if (q.resetAt !== undefined && q.resetInS === 0) return ', reset time already passed';
  return `, resets in ${formatDuration(q.resetInS)}`;
}

function describeQuota(q: Quota): string {
  const parts = [`${q.source}: ${formatCount(q.remaining)} left`];
  if (q.limit !== undefined) parts.push(`of ${formatCount(q.limit)}${q.windowS !== undefined ? ` per ${formatDuration(q.windowS)}` : ''}`);
  if (q.resetAt !== undefined) parts.push(`resets at ${q.resetAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
  else if (q.resetInS !== undefined) parts.push(`resets in ${formatDuration(q.resetInS)}`);
  return parts.join(', ');
}
