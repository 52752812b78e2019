// 429 is two different stories at OpenAI: `insufficient_quota` (no credits left, or the monthly
// budget reached) is critical and no retry helps; `rate_limit_exceeded` (too many requests or
// tokens this minute) is a warning: back off, with the reset time when the headers give it. With
// a model configured the 1-token completion tells whether tokens can be spent at all.
import type { Finding } from '../../../report.ts';
import { formatDuration } from '../../format.ts';
import { calls, configKey, finding, NO_MODEL, NO_MODEL_DETAIL, type CallFailure, type OpenaiCheckContext } from '../check-context.ts';
import { describeFailure, requestIdWords } from '../describe-failure.ts';
import { DIMENSIONS, parseResetDuration, readOpenaiRateLimits } from '../openai-rate-limits.ts';

type HttpFailure = Extract<CallFailure, { type: 'http' }>;

export function checkQuota(ctx: OpenaiCheckContext): Finding[] {
  const limited = calls(ctx).flatMap((r) => (!r.ok && r.failure.type === 'http' && r.failure.status === 429 ? [r.failure] : []));
  const exhausted = limited.find(isInsufficientQuota);
  if (exhausted) {
    return [
      finding('quota', 'crit', `Out of quota (insufficient_quota): ${exhausted.message}`, {
        detail: describeFailure(exhausted),
        fix: 'add credits or raise the budget: the organization has used its prepaid credits or hit its monthly usage limit (OpenAI dashboard: Settings > Billing for credits and auto-recharge, Settings > Limits for the budget; the Usage page shows what spent it). Retrying will not help: every request fails the same way until the balance or the limit changes.',
        metrics: { status: 429 },
      }),
    ];
  }
  const rate = limited[0];
  if (rate) return [rateLimited(rate)];
  if (ctx.model === undefined) {
    return [finding('quota', 'unknown', `Quota not checked: ${NO_MODEL}`, { detail: NO_MODEL_DETAIL, fix: `to check it, set ${configKey(ctx, 'model')} to the model the application uses (such as gpt-4o-mini); each run then spends one request of about ten tokens.` })];
  }
  const c = ctx.completion!;
  if (!c.ok) return [finding('quota', 'unknown', `Quota: could not check (${describeFailure(c.failure)})`)];
  return [
    finding('quota', 'ok', `Tokens can be spent: a 1-token completion with ${ctx.model} answered in ${c.answer.ms} ms${requestIdWords(c.answer.requestId)}`, {
      ...(c.fellBack !== undefined && {
        detail: `The server refused ${c.fellBack.refused} for this model ("${c.fellBack.message}"), so the probe asked again with ${c.tokenParam}: 1; that is not an error of the API.`,
      }),
    }),
  ];
}

function isInsufficientQuota(f: HttpFailure): boolean {
  return f.code === 'insufficient_quota' || f.errorType === 'insufficient_quota' || /exceeded your current quota|insufficient_quota/i.test(f.message);
}

function rateLimited(f: HttpFailure): Finding {
  const wait = waitSeconds(f.headers);
  const kind = f.code ?? f.errorType ?? 'rate limit';
  return finding('quota', 'warn', `Rate limited (${kind}) on ${f.call}${wait === undefined ? '' : `, resets in ${formatDuration(wait)}`}`, {
    detail: describeFailure(f),
    fix: `back off: the requests or tokens per minute of this organization and model are used up for now${wait === undefined ? '' : ` (the window resets in ${formatDuration(wait)})`}. Retry with exponential backoff and jitter, honouring retry-after; lower the concurrency of the callers or the max_tokens they ask for; move bulk work to the Batch API. If it happens every day, the usage tier's limits (Settings > Limits) are too low for the load.`,
    metrics: { status: 429, ...(wait !== undefined && { retry_after_s: Math.round(wait) }) },
  });
}

/** retry-after-ms, retry-after (seconds), or the reset of the dimension that is used up; a value beyond any number is none. */
function waitSeconds(headers: Record<string, string>): number | undefined {
  const ms = plainNumber(headers['retry-after-ms']);
  if (ms !== undefined) return ms / 1000;
  const s = plainNumber(headers['retry-after']);
  if (s !== undefined) return s;
  const readings = readOpenaiRateLimits(headers);
  const resets = DIMENSIONS.flatMap((d) => {
    const r = readings[d];
    return r.state === 'read' && r.remaining === 0 && r.resetS !== undefined ? [r.resetS] : [];
  });
  if (resets.length) return Math.max(...resets);
  const any = DIMENSIONS.flatMap((d) => {
    const raw = headers[`x-ratelimit-reset-${d}`];
    const v = raw === undefined ? undefined : parseResetDuration(raw);
    return v === undefined ? [] : [v];
  });
  return any.length ? Math.max(...any) : undefined;
}

/** `30`, `0.5`: a plain non-negative number (not an HTTP date, not digits beyond any number). */
function plainNumber(raw: string | undefined): number | undefined {
  const value = raw?.trim();
  if (value === undefined || !/^\d+(?:\.\d+)?$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
