// Share of block reads served from shared_buffers, per database, since the statistics were last
// reset. A database that has barely been read says nothing yet, so it is not judged.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusBelow, type CheckContext } from '../check-context.ts';
import { formatCount, formatPct } from '../../format.ts';

interface Row {
  datname: string;
  hit: number;
  read: number;
}

/** Below this many block accesses a database's ratio is noise (a fresh or idle database). */
const MIN_BLOCKS = 100_000;

export async function checkCacheHit(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(`
    select datname, blks_hit::float8 as hit, blks_read::float8 as read
    from pg_stat_database
    where datname is not null and blks_hit + blks_read > 0
    order by blks_hit + blks_read desc
    limit 20`);
  const judged = rows
    .filter((r) => r.hit + r.read >= MIN_BLOCKS)
    .map((r) => ({ ...r, pct: (r.hit / (r.hit + r.read)) * 100 }))
    .sort((a, b) => a.pct - b.pct);
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
  const status = worstStatus(judged.map((r) => statusBelow(r.pct, t)));
  const lines = judged.slice(0, 5).map((r) => `${r.datname}: ${formatPct(r.pct)} of ${formatCount(r.hit + r.read)} block accesses`);
  if (status !== 'ok') {
    lines.push('Fix: look for statements reading many blocks (pg_stat_statements shared_blks_read), missing indexes; consider more shared_buffers.');
  }
  return [
    finding('cache_hit', status, `Cache hit ${formatPct(worst.pct)} (${worst.datname})`, {
      detail: lines.join('\n'),
      metrics: { hit_pct: Math.round(worst.pct * 100) / 100, databases: judged.length },
    }),
  ];
}
