// Estimated table bloat of the large tables of the target's database: the pages a table has
// (pg_class.relpages, with its TOAST) against the pages its live rows would need, from the planner
// statistics (pg_stats: average column widths and null fractions) and the fillfactor, the way
// check_postgres and the well-known ioguix query estimate it. No table is read (no pgstattuple),
// so the cost does not grow with the data; the price is that it is an estimate, as good as the
// last ANALYZE. Bloat is history, never a crisis: at most a warning.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { formatBytes, formatPct, plural } from '../../format.ts';

interface Row {
  name: string;
  bytes: number;
  /** The estimated bytes the table holds beyond what its rows need (fillfactor included). */
  waste_bytes: number | null;
  waste_pct: number | null;
  /** The role may SELECT the table (pg_stats shows only the columns it may read). */
  readable: boolean;
  /** Some column has no statistics (never analyzed, or hidden): no estimate. */
  no_stats: boolean;
  total: number;
}

const LIST = 5;
const MB = 1024 * 1024;

/**
 * Per large table: the tuple header (23 bytes, plus the null bitmap when a column has nulls), the
 * statistics' data width, the alignment, the 4-byte line pointer; pages needed at the fillfactor;
 * TOAST pages counted on both sides as they are (their own bloat is not estimated).
 */
const ESTIMATE_SQL = `
with big as (
  select c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name, n.nspname, c.relname, c.reltuples,
         c.relpages::float8 as heap_pages, coalesce(t.relpages, 0)::float8 as toast_pages,
         coalesce(substring(array_to_string(c.reloptions, ' ') from 'fillfactor=([0-9]+)')::float8, 100) as fillfactor,
         has_table_privilege(c.oid, 'SELECT') as readable
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_class t on t.oid = c.reltoastrelid
  where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'
    and (c.relpages::float8 + coalesce(t.relpages, 0)) * current_setting('block_size')::float8 >= $1::float8
  order by c.relpages desc
  limit 200
), widths as (
  select b.oid,
         23 + case when max(coalesce(s.null_frac, 0)) > 0 then (7 + count(*)) / 8 else 0 end as header,
         sum((1 - coalesce(s.null_frac, 0)) * coalesce(s.avg_width, 0)) as data_width,
         count(*) filter (where s.attname is null) > 0 as no_stats
  from big b
  join pg_attribute a on a.attrelid = b.oid and a.attnum > 0 and not a.attisdropped
  left join pg_stats s on s.schemaname = b.nspname and s.tablename = b.relname and s.attname = a.attname and not s.inherited
  group by b.oid
), estimate as (
  select b.*, w.no_stats,
         current_setting('block_size')::float8 as bs,
         -- MAXALIGN 8 on 64-bit servers: header and data each rounded up, then the line pointer.
         4 + ceil(w.header / 8.0) * 8 + ceil(w.data_width / 8.0) * 8 as tuple_bytes
  from big b join widths w on w.oid = b.oid
)
select name, (heap_pages + toast_pages) * bs as bytes,
       case when no_stats or reltuples < 0 then null
            else greatest(0, heap_pages - ceil(reltuples / floor((bs - 24) * fillfactor / 100 / tuple_bytes))) * bs end as waste_bytes,
       case when no_stats or reltuples < 0 or heap_pages = 0 then null
            else greatest(0, heap_pages - ceil(reltuples / floor((bs - 24) * fillfactor / 100 / tuple_bytes))) * 100 / heap_pages end as waste_pct,
       readable, no_stats, (count(*) over ())::int as total
from estimate
order by waste_bytes desc nulls last`;

/** "1 GB", "1.5 GB", "200 MB", "0.5 MB": the limit as it was written, in its own unit. */
function formatMb(mb: number): string {
  const round = (n: number) => String(Math.round(n * 100) / 100);
  return mb >= 1024 ? `${round(mb / 1024)} GB` : `${round(mb)} MB`;
}

export async function checkBloat(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const minMb = ctx.settings.limits.bloatTableMb;
  const rows = await ctx.query<Row>(ESTIMATE_SQL, [minMb * MB]);
  const large = `over ${formatMb(minMb)}`;
  const metrics = { large_tables: rows.length, bloated_tables: 0, max_waste_pct: 0 };
  if (rows.length === 0) {
    return [finding('bloat', 'ok', `No table ${large}: bloat not estimated`, { metrics })];
  }
  const estimated = rows.filter((r) => r.waste_pct !== null);
  const bloated = estimated.filter((r) => statusAbove(r.waste_pct!, t) !== 'ok');
  const hidden = rows.filter((r) => r.waste_pct === null && !r.readable);
  const unanalyzed = rows.filter((r) => r.waste_pct === null && r.readable);
  metrics.bloated_tables = bloated.length;
  metrics.max_waste_pct = Math.round(Math.max(0, ...estimated.map((r) => r.waste_pct!)));

  const line = (r: Row) => `${r.name}: ${formatBytes(r.bytes)}, about ${formatBytes(r.waste_bytes!)} (${formatPct(r.waste_pct!)}) more than its rows need`;
  const lines: string[] = [];
  if (bloated.length) {
    lines.push(...bloated.slice(0, LIST).map(line));
    if (bloated.length > LIST) lines.push(`... and ${bloated.length - LIST} more`);
  }
  const note = 'An estimate from the planner statistics (pg_stats) and the fillfactor, as good as the last ANALYZE; pgstattuple measures exactly (it reads the table).';
  const blind: string[] = [];
  if (hidden.length) {
    blind.push(`${plural(hidden.length, 'large table')} not estimated: ${ctx.server.role} may not read ${hidden.length === 1 ? 'its' : 'their'} statistics (pg_stats shows only readable columns): ${hidden.slice(0, LIST).map((r) => r.name).join(', ')}${hidden.length > LIST ? ', ...' : ''}`);
  }
  if (unanalyzed.length) {
    blind.push(`${plural(unanalyzed.length, 'large table')} without statistics (never analyzed): ${unanalyzed.slice(0, LIST).map((r) => r.name).join(', ')}`);
  }

  if (bloated.length) {
    const first = bloated[0]!;
    const title =
      bloated.length === 1
        ? `${first.name}: an estimated ${formatPct(first.waste_pct!)} (${formatBytes(first.waste_bytes!)}) of its ${formatBytes(first.bytes)} is bloat`
        : `${bloated.length} tables ${large} estimated over ${formatPct(t.warn)} bloat; most: ${first.name} ${formatBytes(first.waste_bytes!)} (${formatPct(first.waste_pct!)})`;
    return [
      finding('bloat', 'warn', title, {
        detail: [...lines, ...blind, note].join('\n'),
        fix: 'Space is reused after VACUUM but not given back: to shrink the table without a long lock use pg_repack (or pg_squeeze); VACUUM FULL rewrites it under an exclusive lock (downtime). Then find why it bloated: long transactions holding vacuum back, or autovacuum too slow for the table.',
        metrics,
      }),
    ];
  }
  if (blind.length) {
    // A table not estimated may be the bloated one: not an ok.
    return [
      finding('bloat', 'unknown', `Bloat of ${plural(hidden.length + unanalyzed.length, 'large table')} unknown${estimated.length ? `; ${plural(estimated.length, 'other')} under ${formatPct(t.warn)}` : ''}`, {
        detail: [...blind, note].join('\n'),
        fix: hidden.length
          ? `GRANT SELECT ON the tables to ${ctx.server.role} (or pg_read_all_data, PostgreSQL 14+): pg_stats hides the statistics of columns the role may not read.`
          : 'ANALYZE the tables (autovacuum analyzes them once enough rows change).',
        metrics,
      }),
    ];
  }
  const worst = estimated[0]!;
  return [
    finding('bloat', 'ok', `${plural(estimated.length, `table ${large}`, `tables ${large}`)}, estimated bloat under ${formatPct(t.warn)} (most: ${worst.name} ${formatPct(worst.waste_pct!)})`, {
      detail: note,
      metrics,
    }),
  ];
}
