// keyspace_hits / (hits + misses) over the time since the previous run, or over the totals since
// server start on a first run. A handful of lookups says nothing, so the rate is judged only with
// enough traffic in the window (or, failing that, in the totals, saying so).
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, round, statusBelow, type CheckContext } from '../check-context.ts';
import { formatCount, formatDuration, formatPct } from '../../format.ts';

/** Lookups needed to judge the window since the previous run. */
export const MIN_WINDOW_LOOKUPS = 1_000;
/** Lookups needed to judge the totals since server start: more, since they may be old. */
export const MIN_TOTAL_LOOKUPS = 10_000;

export async function checkHitRate(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { counters } = ctx;
  const hits = counters.delta('keyspaceHits');
  const misses = counters.delta('keyspaceMisses');
  const totalHits = counters.current.keyspaceHits;
  const totalMisses = counters.current.keyspaceMisses;

  let judged: { hits: number; misses: number; phrase: string } | undefined;
  let note: string | undefined;
  if (counters.basis === 'previous-run') {
    if (hits + misses >= MIN_WINDOW_LOOKUPS) judged = { hits, misses, phrase: counters.phrase };
    else if (totalHits + totalMisses >= MIN_TOTAL_LOOKUPS) {
      judged = { hits: totalHits, misses: totalMisses, phrase: `since server start (up ${formatDuration(counters.current.uptimeS)})` };
      note = `Only ${formatCount(hits + misses)} lookups ${counters.phrase}: judged on the totals since server start (or the last CONFIG RESETSTAT).`;
    }
  } else if (hits + misses >= MIN_TOTAL_LOOKUPS) {
    judged = { hits, misses, phrase: counters.phrase };
    note = counters.basis === 'server-start' ? 'No earlier run of this target: judged on the totals since server start (or the last CONFIG RESETSTAT); the next run judges the time in between.' : undefined;
  }

  if (!judged) {
    const lookups = counters.basis === 'previous-run' ? hits + misses : totalHits + totalMisses;
    return [
      finding('hit_rate', 'ok', `Hit rate not judged: ${formatCount(lookups)} key lookups ${counters.phrase}, too few to mean something`, {
        metrics: { hits, misses },
      }),
    ];
  }
  const lookups = judged.hits + judged.misses;
  const pct = (judged.hits / lookups) * 100;
  const status = statusBelow(pct, t);
  const lines = [`${formatCount(judged.hits)} hits, ${formatCount(judged.misses)} misses ${judged.phrase}`];
  if (note) lines.push(note);
  if (status !== 'ok') {
    lines.push(
      'Fix: find which reads miss (keys never written, or expired or evicted before they are read): check the key naming between writer and reader, ' +
        'TTLs that are shorter than the reuse interval, and evicted_keys (memory too small for the working set).',
    );
  }
  return [
    finding('hit_rate', status, `Hit rate ${formatPct(pct)} ${judged.phrase} (${formatCount(lookups)} lookups)`, {
      detail: lines.join('\n'),
      metrics: { hit_pct: round(pct, 2), hits: judged.hits, misses: judged.misses },
    }),
  ];
}
