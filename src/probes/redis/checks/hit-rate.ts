// keyspace_hits / (hits + misses) over the lookups since the previous run (on a first run, since
// server start). Whether that rate is below a threshold is a statistical question: 300 misses and
// no hit say the cache misses; 3 misses say nothing yet. The rate is judged with one-sided Wilson
// score bounds at 99.99% confidence: warn or crit only when even the upper bound is below the
// threshold, ok when the lower bound is at or above the warn threshold, and otherwise "too few
// lookups to judge". On a first run the totals since server start are the server's whole life:
// a low rate there warns, never crit; the next run judges the window since this one.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, round, type CheckContext } from '../check-context.ts';
import { lifetimeCap } from '../counters.ts';
import { wilsonBounds } from '../wilson-bound.ts';
import { formatCount, formatPct } from '../../format.ts';

export const HIT_RATE_FIX =
  'find which reads miss (keys never written, or expired or evicted before they are read): check the key naming between writer and reader, ' +
  'TTLs shorter than the reuse interval, and evicted_keys (memory too small for the working set).';

/** The fix when the evictions are known not to explain the misses. */
export const MISSES_NOT_MEMORY_FIX =
  'find which reads miss: keys never written (check the key naming between writer and reader) or expired before they are read (TTLs shorter than the reuse interval).';

export async function checkHitRate(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { counters } = ctx;
  const hits = counters.delta('keyspaceHits');
  const misses = counters.delta('keyspaceMisses');
  const lookups = hits + misses;
  const phrase = counters.phrase;
  if (lookups === 0) {
    return [finding('hit_rate', 'ok', `Hit rate not judged: no key lookups ${phrase}`, { metrics: { hits, misses } })];
  }
  const pct = (hits / lookups) * 100;
  const bounds = wilsonBounds(hits, lookups);
  const upper = bounds.upper * 100;
  const lower = bounds.lower * 100;
  const measured: Status = upper < t.crit ? 'crit' : upper < t.warn ? 'warn' : 'ok';
  const status = lifetimeCap(measured, counters);
  const judged = status !== 'ok' || lower >= t.warn;
  const previousPct = counters.basis === 'previous-run' ? counters.previous?.hitPct : undefined;
  if (judged) ctx.next.hitPct = round(pct, 2);

  const lines = [
    `${formatCount(hits)} hits, ${formatCount(misses)} misses ${phrase}`,
    `With ${formatCount(lookups)} lookups the true hit rate lies between ${formatPct(lower)} and ${formatPct(upper)} (Wilson score bounds, 99.99% confidence); ` +
      `warn below ${t.warn}%, crit below ${t.crit}%, judged on the upper bound.`,
  ];
  if (previousPct !== undefined) lines.push(`The previous run measured ${formatPct(previousPct)}.`);
  if (counters.basis === 'server-start') {
    lines.push(
      'No earlier run of this target: judged on the totals since the server started (or the last CONFIG RESETSTAT)' +
        (measured !== status ? `, which can warn but not go crit (below ${t.crit}%)` : '') +
        '; the next run judges the time in between.',
    );
  }
  const metrics: Record<string, number> = { hits, misses };
  if (judged) metrics.hit_pct = round(pct, 2);
  ctx.observed.hitRate = { status, pct, lookups, phrase, ...(previousPct !== undefined && { previousPct }) };

  if (!judged) {
    return [
      finding('hit_rate', 'ok', `Hit rate ${formatPct(pct)} ${phrase}: too few lookups to judge (${formatCount(lookups)})`, {
        detail: lines.join('\n'),
        metrics,
      }),
    ];
  }
  const was = previousPct !== undefined && status !== 'ok' ? `, was ${formatPct(previousPct)}` : '';
  return [
    finding('hit_rate', status, `Hit rate ${formatPct(pct)} ${phrase} (${formatCount(lookups)} lookups${was})`, {
      detail: lines.join('\n'),
      metrics,
      ...(status !== 'ok' && { fix: HIT_RATE_FIX }),
    }),
  ];
}
