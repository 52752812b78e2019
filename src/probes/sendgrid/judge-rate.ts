// How the two rate checks judge a share of the last day's mail (bounces of requests, spam reports
// of delivered). Enough mail: the rate against the thresholds. Too little (below minRequests): not
// judged, unless the part alone is over a threshold counted against minRequests (20 bounces are
// 20% of 100 requests or more, whatever the volume): a bad rate is never an ok for low volume.
// One or two events never decide that way (one spam report is already 1% of 100).
// Critical is for what hurts now: a window critical only because of yesterday (today, with
// enough mail to judge, is below critical) is a warning that says so.
// The denominators are never 0, so no NaN or Infinity reaches a status or a metric.
import type { Status } from '../../report.ts';
import type { Thresholds } from '../probe-definition.ts';
import { statusAbove } from '../finding-for.ts';
import { formatRate } from './format-rate.ts';

/** Events (bounces, reports) below which a low volume is not judged at all. */
const MIN_EVENTS = 3;

/** A share of mail: `part` of `whole` (bounces of requests, spam reports of delivered). */
export interface Share {
  part: number;
  whole: number;
}

/**
 * `pct`: part / whole in percent, undefined when whole is 0 (parts left from earlier days);
 * `todayPct`: today's own rate when it turned a critical window into a warning.
 */
export type RateJudgement = { judged: true; status: Status; pct: number | undefined; todayPct?: number } | { judged: false };

/** The window's share judged; `today`'s alone, when given, can only lower a critical to a warning. */
export function judgeRate(window: Share, today: Share | undefined, minRequests: number, t: Thresholds): RateJudgement {
  const judged = judgeShare(window, minRequests, t);
  if (!judged.judged || judged.status !== 'crit' || today === undefined) return judged;
  const now = judgeShare(today, minRequests, t);
  return now.judged && now.status !== 'crit' && now.pct !== undefined ? { ...judged, status: 'warn', todayPct: now.pct } : judged;
}

function judgeShare({ part, whole }: Share, minRequests: number, t: Thresholds): RateJudgement {
  const minimum = Math.max(1, minRequests);
  const pct = whole > 0 ? (part / whole) * 100 : undefined;
  if (whole >= minimum) return { judged: true, status: statusAbove(pct!, t), pct };
  if (part < MIN_EVENTS) return { judged: false };
  const status = statusAbove((part / minimum) * 100, t);
  return status === 'ok' ? { judged: false } : { judged: true, status, pct };
}

/** The detail line of a critical window lowered to a warning by today's rate. */
export function recovered(todayPct: number, crit: number): string {
  return `Today alone: ${formatRate(todayPct)}, below the critical ${crit}%: the critical part was yesterday's (not critical now; watch that it stays down).`;
}
