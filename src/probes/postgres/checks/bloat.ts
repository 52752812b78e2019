// Estimated table bloat of the large tables of the target's database: the pages a table's heap has
// (pg_class.relpages; its TOAST is shown, not estimated) against the pages its live rows would need, from the planner
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
  /** Bytes of the heap, what the estimate is about. */
  bytes: number;
  /** Bytes of its TOAST table (counted, not estimated). */
  toast_bytes: number;
  /** The estimated bytes the table holds beyond what its rows need (fillfactor included). */
  waste_bytes: number | null;
  waste_pct: number | null;
  /** The role may SELECT the table (pg_stats shows only the columns it may read). */
  readable: boolean;
  /** A column of variable width has no statistics, or the table was never analyzed: no estimate. */
  no_stats: boolean;
  total: number;
}

const LIST = 5;
const MB = 1024 * 1024;

/**
 * Per table whose heap is over the limit (at most 200, the largest): the tuple header (23 bytes,
 * plus the null bitmap when a column has nulls), the statistics' data width, the alignment, the
 * 4-byte line pointer; pages needed at the fillfactor. A fixed-width column without statistics
 * (added since the last ANALYZE, or its statistics target 0) counts its type's width; a
 * variable-width one leaves the table without an estimate. Only the heap is estimated: TOAST is
 * shown beside it. Partitioned tables have no storage: their partitions are tables of their own.
 * One pass over pg_class and an index lookup in pg_stats per column of at most 200 tables (802 ms
 * to 46 ms on 3,000 analyzed tables with 200 estimated): no table is read.
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
    and c.relpages::float8 * current_setting('block_size')::float8 >= $1::float8
  order by c.relpages desc
  limit 200
), widths as (
  select b.oid,
         23 + case when max(coalesce(s.null_frac, 0)) > 0 then (7 + count(*)) / 8 else 0 end as header,
         sum(case when s.found then (1 - s.null_frac) * s.avg_width else greatest(a.attlen, 0) end) as data_width,
         count(*) filter (where s.found is null and a.attlen < 0) > 0 or count(s.found) = 0 as no_stats
  from big b
  join pg_attribute a on a.attrelid = b.oid and a.attnum > 0 and not a.attisdropped
  -- One lookup per column (the limit keeps the view from being joined as a whole: pg_stats checks
  -- a privilege on every column of the database, which costs with thousands of tables).
  left join lateral (
    select true as found, st.null_frac, st.avg_width from pg_stats st
    where st.schemaname = b.nspname and st.tablename = b.relname and st.attname = a.attname and not st.inherited
    limit 1
  ) s on true
  group by b.oid
), estimate as (
  select b.*, w.no_stats or b.reltuples < 0 as no_stats,
         current_setting('block_size')::float8 as bs,
         -- MAXALIGN 8 on 64-bit servers: header and data each rounded up, then the line pointer.
         4 + ceil(w.header / 8.0) * 8 + ceil(w.data_width / 8.0) * 8 as tuple_bytes
  from big b join widths w on w.oid = b.oid
), needed as (
  -- At least one row per page, whatever the fillfactor and the width say.
  select e.*, greatest(0, e.heap_pages - ceil(e.reltuples / greatest(1, floor((e.bs - 24) * e.fillfactor / 100 / e.tuple_bytes)))) as waste_pages
  from estimate e
)
select name, heap_pages * bs as bytes, toast_pages * bs as toast_bytes,
       case when no_stats then null else waste_pages * bs end as waste_bytes,
       case when no_stats or heap_pages = 0 then null else waste_pages * 100 / heap_pages end as waste_pct,
       readable, no_stats, (count(*) over ())::int as total
from needed
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

  const toast = (r: Row) => (r.toast_bytes > 0 ? ` (and ${formatBytes(r.toast_bytes)} of TOAST, not estimated)` : '');
  const line = (r: Row) => `${r.name}: ${formatBytes(r.bytes)} heap${toast(r)}, about ${formatBytes(r.waste_bytes!)} (${formatPct(r.waste_pct!)}) more than its rows need`;
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
    blind.push(
      `${plural(unanalyzed.length, 'large table')} not estimated, without statistics (never analyzed, or a column added since the last ANALYZE): ${unanalyzed.slice(0, LIST).map((r) => `${r.name} ${formatBytes(r.bytes)}`).join(', ')}${unanalyzed.length > LIST ? ', ...' : ''}; ANALYZE ${unanalyzed.length === 1 ? 'it' : 'them'} to estimate`,
    );
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
  // A table the role may not read may be the bloated one, and stays so until a GRANT: not an ok.
  // A table without statistics is one table's gap (ANALYZE fills it): the others are still judged,
  // unless none could be.
  if (hidden.length || estimated.length === 0) {
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
  const skipped = unanalyzed.length ? `; ${plural(unanalyzed.length, 'other')} without statistics not estimated` : '';
  return [
    finding('bloat', 'ok', `${plural(estimated.length, `table ${large}`, `tables ${large}`)}, estimated bloat under ${formatPct(t.warn)} (most: ${worst.name} ${formatPct(worst.waste_pct!)})${skipped}`, {
      detail: [...blind, note].join('\n'),
      metrics,
    }),
  ];
}
