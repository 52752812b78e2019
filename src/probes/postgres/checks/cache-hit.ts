// Share of block reads served from shared_buffers, per database. pg_stat_database counts since
// the statistics were last reset, so a ratio is judged over the reads since the previous run (kept
// in the target's probe state); on a first run, or with too few reads since, the whole history is
// shown but never judged worse than a warning: it may describe last week. A database that has
// barely been read says nothing yet, so it is not judged.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusBelow, type CheckContext } from '../check-context.ts';
import { formatCount, formatDuration, formatPct } from '../../format.ts';

interface Row {
  datname: string;
  hit: number;
  read: number;
}

interface Reading {
  hit: number;
  read: number;
  at: number;
}

const STATE_KEY = 'postgres.cache_hit';
/** A baseline older than this is stale (the target was not probed for a week). */
const BASELINE_TTL_MS = 7 * 86_400_000;
/** Below this many block accesses in total a database's ratio is noise (a fresh or idle database). */
const MIN_BLOCKS = 100_000;
/** Below this many block accesses since the previous run the interval says nothing. */
const MIN_DELTA_BLOCKS = 10_000;

interface Judged {
  datname: string;
  pct: number;
  accesses: number;
  /** Seconds the ratio covers, or null for everything since the statistics reset. */
  over: number | null;
  status: Status;
}

export async function checkCacheHit(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(`
    select datname, blks_hit::float8 as hit, blks_read::float8 as read
    from pg_stat_database
    where datname is not null and blks_hit + blks_read > 0
    order by blks_hit + blks_read desc
    limit 20`);
  const now = Date.now();
  const remembered = await ctx.state.get<Record<string, Reading>>(STATE_KEY).catch(() => undefined);
  const previous = new Map(Object.entries(remembered?.value ?? {}).filter(([, r]) => now - r.at <= BASELINE_TTL_MS));
  await ctx.state.set(STATE_KEY, Object.fromEntries(rows.map((r) => [r.datname, { hit: r.hit, read: r.read, at: now }]))).catch(() => undefined);

  const judged: Judged[] = [];
  for (const r of rows) {
    const prev = previous.get(r.datname);
    const dHit = prev && r.hit >= prev.hit && r.read >= prev.read ? r.hit - prev.hit : undefined;
    const dRead = prev && dHit !== undefined ? r.read - prev.read : undefined;
    if (dHit !== undefined && dRead !== undefined && dHit + dRead >= MIN_DELTA_BLOCKS) {
      const pct = (dHit / (dHit + dRead)) * 100;
      judged.push({ datname: r.datname, pct, accesses: dHit + dRead, over: (now - prev!.at) / 1000, status: statusBelow(pct, t) });
    } else if (r.hit + r.read >= MIN_BLOCKS) {
      // History only: it may be old, so at most a warning.
      const pct = (r.hit / (r.hit + r.read)) * 100;
      const s = statusBelow(pct, t);
      judged.push({ datname: r.datname, pct, accesses: r.hit + r.read, over: null, status: s === 'crit' ? 'warn' : s });
    }
  }
  judged.sort((a, b) => a.pct - b.pct);
  const own = rows.find((r) => r.datname === ctx.server.database);
  if (judged.length === 0) {
    const accesses = own ? own.hit + own.read : 0;
    return [
      finding('cache_hit', 'ok', `Cache hit not judged yet: ${formatCount(accesses)} block accesses in ${ctx.server.database} since stats reset`, {
        metrics: { blocks: accesses },
      }),
    ];
  }
  const worst = judged[0]!;
  const status = worstStatus(judged.map((r) => r.status));
  const span = (j: Judged) => (j.over === null ? 'since stats reset' : `in the last ${formatDuration(j.over)}`);
  const lines = judged.slice(0, 5).map((r) => `${r.datname}: ${formatPct(r.pct)} of ${formatCount(r.accesses)} block accesses ${span(r)}`);
  if (judged.some((r) => r.over === null && statusBelow(r.pct, t) === 'crit')) {
    lines.push('A ratio since the statistics reset may describe the past: judged at most a warning until the next run measures the reads since this one.');
  }
  return [
    finding('cache_hit', status, `Cache hit ${formatPct(worst.pct)} (${worst.datname}) ${span(worst)}`, {
      detail: lines.join('\n'),
      fix: status !== 'ok' ? 'look for statements reading many blocks (pg_stat_statements shared_blks_read), missing indexes; consider more shared_buffers.' : undefined,
      metrics: { hit_pct: Math.round(worst.pct * 100) / 100, databases: judged.length },
    }),
  ];
}
