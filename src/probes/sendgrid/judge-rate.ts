// How the two rate checks judge a share of the last day's mail (bounces of requests, spam reports
// of delivered). Enough mail: the rate against the thresholds. Too little (below minRequests): not
// judged, unless the part alone is over a threshold counted against minRequests (20 bounces are
// 20% of 100 requests or more, whatever the volume): a bad rate is never an ok for low volume.
// One or two events never decide that way (one spam report is already 1% of 100).
// The denominators are never 0, so no NaN or Infinity reaches a status or a metric.
import type { Status } from '../../report.ts';
import type { Thresholds } from '../probe-definition.ts';
import { statusAbove } from '../finding-for.ts';

/** `pct`: part / whole in percent, undefined when whole is 0 (parts left from earlier days). */
/** Events (bounces, reports) below which a low volume is not judged at all. */
const MIN_EVENTS = 3;

export type RateJudgement = { judged: true; status: Status; pct: number | undefined } | { judged: false };

export function judgeRate(part: number, whole: number, minRequests: number, t: Thresholds): RateJudgement {
  const minimum = Math.max(1, minRequests);
  const pct = whole > 0 ? (part / whole) * 100 : undefined;
  if (whole >= minimum) return { judged: true, status: statusAbove(pct!, t), pct };
  if (part < MIN_EVENTS) return { judged: false };
  const status = statusAbove((part / minimum) * 100, t);
  return status === 'ok' ? { judged: false } : { judged: true, status, pct };
}
