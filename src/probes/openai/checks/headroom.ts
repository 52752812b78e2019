// Rate-limit headroom from the completion's headers: requests and tokens left in the current
// window, in percent of the limit, the tighter of the two judged (warn below 20%, crit below 5%
// by default). A provider that sends -1, only the remaining counts, or nothing at all is said so:
// unknown with the reason, never ok on a guess; nor is one dimension ok while the other was stated
// but could not be read (it may be the one running out).
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { statusBelow } from '../../finding-for.ts';
import { formatCount, formatDuration, formatPct } from '../../format.ts';
import { configKey, finding, NO_MODEL, NO_MODEL_DETAIL, type OpenaiCheckContext } from '../check-context.ts';
import { describeFailure } from '../describe-failure.ts';
import { DIMENSIONS, readOpenaiRateLimits, type Dimension, type DimensionReading } from '../openai-rate-limits.ts';

type Read = Extract<DimensionReading, { state: 'read' }>;

const FIX =
  'spread the load before the window runs out: lower the concurrency or batch size of the callers, cap max_tokens to what the answers need (the token limit counts it up front), cache answers that repeat, move bulk work to the Batch API; if the headroom is low every day, raise the usage tier or ask for higher limits (Settings > Limits).';

export function checkHeadroom(ctx: OpenaiCheckContext, t: Thresholds): Finding[] {
  if (ctx.model === undefined) {
    return [finding('headroom', 'unknown', `Rate-limit headroom not checked: ${NO_MODEL}`, { detail: NO_MODEL_DETAIL, fix: `set ${configKey(ctx, 'model')} to the model the application uses; its limits are per model.` })];
  }
  const c = ctx.completion!;
  let headers: Record<string, string>;
  if (c.ok) headers = c.answer.headers;
  else if (c.failure.type === 'http') headers = c.failure.headers;
  else return [finding('headroom', 'unknown', `Rate-limit headroom: could not check (${describeFailure(c.failure)})`)];
  const readings = readOpenaiRateLimits(headers);
  const read = DIMENSIONS.flatMap((d) => (readings[d].state === 'read' ? [{ d, r: readings[d] as Read }] : []));
  const unread = DIMENSIONS.flatMap((d) => (readings[d].state === 'read' ? [] : [`${d}: ${why(d, readings[d])}`]));
  if (read.length === 0) {
    const failed = c.ok ? '' : ` The completion failed: ${describeFailure(c.failure)}.`;
    return [
      finding('headroom', 'unknown', `Rate-limit headroom: unknown (${unread.join('; ')})`, {
        detail: `${ctx.endpoint || 'The server'} states no limit the probe can judge.${failed} OpenAI sends x-ratelimit-limit-*, -remaining-* and -reset-* for requests and tokens; some compatible servers (Azure deployments, proxies, local servers) send only part of them or none.`,
      }),
    ];
  }
  const tightest = [...read].sort((a, b) => a.r.pct - b.r.pct)[0]!;
  const judged: Status = statusBelow(tightest.r.pct, t);
  // A dimension stated but unreadable (or without its limit) may be the one running out: never ok on the other alone.
  const doubtful = DIMENSIONS.filter((d) => readings[d].state === 'bad' || readings[d].state === 'no-limit');
  const status: Status = judged === 'ok' && doubtful.length > 0 ? 'unknown' : judged;
  const parts = read.map(({ d, r }) => describeDimension(d, r));
  const title =
    status === 'unknown'
      ? `Rate-limit headroom: unknown (${[...parts, ...unread].join('; ')})`
      : `Rate-limit headroom ${pctWords(tightest.r.pct)} left (${parts.join('; ')})${status === 'ok' ? '' : `: ${status} below ${status === 'crit' ? t.crit : t.warn}%`}`;
  const detail = [
    ...(status === 'unknown' ? [`The ${doubtful.join(' and ')} headers cannot be judged, and they may be the limit that runs out first.`] : unread.map((u) => `Not judged: ${u}.`)),
    ...read.flatMap(({ d, r }) => (r.badReset !== undefined ? [`x-ratelimit-reset-${d} "${r.badReset}" is not a duration like 6m0s.`] : [])),
    `Read from the answer to ${c.ok ? c.answer.call : 'the completion'} with ${ctx.model}; limits are per organization and model.`,
  ];
  const metrics: Record<string, number> = status === 'unknown' ? {} : { headroom_pct: roundDown(tightest.r.pct) };
  for (const { d, r } of read) {
    metrics[`${d}_remaining`] = r.remaining;
    metrics[`${d}_limit`] = r.limit;
    if (r.resetS !== undefined) metrics[`${d}_reset_s`] = Math.round(r.resetS * 1000) / 1000;
  }
  return [finding('headroom', status, title, { detail: detail.join('\n'), metrics, ...((status === 'warn' || status === 'crit') && { fix: FIX }) })];
}

function describeDimension(d: Dimension, r: Read): string {
  const reset = r.resetS === undefined ? '' : `, resets in ${formatDuration(r.resetS)}`;
  return `${d} ${formatCount(r.remaining)} of ${formatCount(r.limit)}, ${pctWords(r.pct)}${reset}`;
}

/** Headroom is never overstated: 99.98% left reads 99.9%, not 100%. */
function roundDown(pct: number): number {
  return Math.floor(pct * 10) / 10;
}

function pctWords(pct: number): string {
  return formatPct(roundDown(pct));
}

function why(d: Dimension, r: DimensionReading): string {
  switch (r.state) {
    case 'absent':
      return `no x-ratelimit-*-${d} headers`;
    case 'unlimited':
      return `${r.header} is ${r.value} (no limit stated)`;
    case 'no-limit':
      return `${formatCount(r.remaining)} left, but no x-ratelimit-limit-${d} to compare with`;
    case 'bad':
      return `${r.header} "${r.value}" is not ${r.expected}`;
    case 'read':
      return 'read';
  }
}
