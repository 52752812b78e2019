// Indexes of the target's database that cost without helping, and tables that seem to lack one:
// INVALID indexes (a failed CREATE INDEX CONCURRENTLY leaves one behind: written on every insert,
// never used to read), large indexes never scanned since the statistics were reset, and large
// tables read mostly by sequential scans that each read many rows. Every part is a warning: none of
// them hurts more now than it did yesterday.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { canSeeAllSessions, finding, type CheckContext } from '../check-context.ts';
import { errorCode } from '../classify-error.ts';
import { formatBytes, formatCount, plural } from '../../format.ts';
import { queryText } from '../session-line.ts';
import { statsSince } from '../stats-since.ts';

interface InvalidRow {
  name: string;
  table_name: string;
  def: string;
  bytes: number;
  is_unique: boolean;
  building: boolean;
  /** An index of a partitioned table (relkind I): valid once every partition has one attached. */
  partitioned: boolean;
  total: number;
}

interface UnusedRow {
  name: string;
  table_name: string;
  bytes: number;
  total: number;
}

interface SeqRow {
  relid: string;
  table_name: string;
  relname: string;
  live: number;
  seq_scan: number;
  seq_tup_read: number;
  idx_scan: number | null;
  total: number;
}

/** Most objects a part lists; the rest is "N more". */
const LIST = 5;
/** A table scanned sequentially fewer times is a one-off (a report, a migration), not a pattern. */
const MIN_SEQ_SCANS = 10;
const MB = 1024 * 1024;

const SYSTEM_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'`;

export async function checkIndexes(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { missingIndexRows, rowsPerSeqScan } = ctx.settings.limits;
  const [invalid, unused, seq, reset] = await Promise.all([
    ctx.query<InvalidRow>(
      `select quote_ident(n.nspname) || '.' || quote_ident(ci.relname) as name,
              quote_ident(n.nspname) || '.' || quote_ident(ct.relname) as table_name,
              pg_get_indexdef(i.indexrelid) as def, pg_relation_size(i.indexrelid)::float8 as bytes, i.indisunique as is_unique,
              ci.relkind = 'I' as partitioned,
              exists (select 1 from pg_stat_progress_create_index p where p.index_relid = i.indexrelid) as building,
              (count(*) over ())::int as total
       from pg_index i
       join pg_class ci on ci.oid = i.indexrelid
       join pg_class ct on ct.oid = i.indrelid
       join pg_namespace n on n.oid = ci.relnamespace
       where not i.indisvalid and ${SYSTEM_SCHEMAS}
       order by 1
       limit ${LIST}`,
    ),
    ctx.query<UnusedRow>(
      `select quote_ident(s.schemaname) || '.' || quote_ident(s.indexrelname) as name,
              quote_ident(s.schemaname) || '.' || quote_ident(s.relname) as table_name,
              pg_relation_size(s.indexrelid)::float8 as bytes, (count(*) over ())::int as total
       from pg_stat_user_indexes s
       join pg_index i on i.indexrelid = s.indexrelid
       where s.idx_scan = 0 and i.indisvalid and not i.indisunique and not i.indisprimary and not i.indisexclusion
         and not exists (select 1 from pg_constraint c where c.conindid = s.indexrelid)
         and pg_relation_size(s.indexrelid) >= $1::float8
       order by 3 desc
       limit ${LIST}`,
      [t.warn * MB],
    ),
    ctx.query<SeqRow>(
      `select s.relid::int8::text as relid, quote_ident(s.schemaname) || '.' || quote_ident(s.relname) as table_name, s.relname,
              s.n_live_tup::float8 as live, s.seq_scan::float8 as seq_scan, s.seq_tup_read::float8 as seq_tup_read,
              s.idx_scan::float8 as idx_scan, (count(*) over ())::int as total
       from pg_stat_user_tables s
       where s.n_live_tup >= $1::float8 and s.seq_scan >= $3::int and s.seq_scan > coalesce(s.idx_scan, 0)
         and s.seq_tup_read::float8 / s.seq_scan >= $2::float8
       order by s.seq_tup_read desc
       limit ${LIST}`,
      [missingIndexRows, rowsPerSeqScan, MIN_SEQ_SCANS],
    ),
    ctx.query<{ reset: Date | null }>(`select stats_reset as reset from pg_stat_database where datname = current_database()`),
  ]);
  const statements = seq.length ? await topStatements(ctx, seq) : undefined;
  const pg12 = ctx.server.versionNum >= 120000;
  const resetAt = reset[0]?.reset ?? null;
  const since = statsSince(resetAt);

  const lines: string[] = [];
  const fixes: string[] = [];
  const heads: string[] = [];
  const more = (shown: number, total: number) => (total > shown ? [`  ... and ${total - shown} more`] : []);

  if (invalid.length) {
    const total = invalid[0]!.total;
    heads.push(`${plural(total, 'INVALID index', 'INVALID indexes')} (${invalid.map((r) => r.name).slice(0, 2).join(', ')}${total > 2 ? ', ...' : ''})`);
    lines.push(`INVALID indexes (a failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY; written on every change, never read):`);
    for (const r of invalid) lines.push(`  ${invalidLine(r, pg12)}`);
    lines.push(...more(invalid.length, total));
    fixes.push('INVALID index: rebuild it with the statement in the detail (or drop it if it is not needed).');
  }
  if (unused.length) {
    const total = unused[0]!.total;
    heads.push(`${plural(total, `unused index over ${formatBytes(t.warn * MB)}`, `unused indexes over ${formatBytes(t.warn * MB)}`)} (${unused[0]!.name} ${formatBytes(unused[0]!.bytes)})`);
    lines.push(`Never scanned ${since} (not unique, not backing a constraint):`);
    for (const r of unused) lines.push(`  ${r.name} on ${r.table_name}: ${formatBytes(r.bytes)}, 0 scans`);
    lines.push(...more(unused.length, total));
    lines.push('  Counters are per server: an index used only on a replica, or only by a monthly job, shows 0 here.');
    fixes.push('Unused index: confirm on every replica and over a full business cycle that it is not used, then DROP INDEX CONCURRENTLY it.');
  }
  if (seq.length) {
    const total = seq[0]!.total;
    heads.push(`${plural(total, 'large table')} read by sequential scans (${seq[0]!.table_name})`);
    lines.push(`Likely missing index: over ${formatCount(missingIndexRows)} rows, at least ${MIN_SEQ_SCANS} sequential scans, more than index scans, and over ${formatCount(rowsPerSeqScan)} rows read per scan (${since}):`);
    for (const r of seq) {
      const perScan = r.seq_tup_read / r.seq_scan;
      lines.push(`  ${r.table_name}: ${formatCount(r.live)} rows, ${formatCount(r.seq_scan)} sequential scans reading ${formatCount(perScan)} rows each, ${formatCount(r.idx_scan ?? 0)} index scans`);
      const top = statements?.get(r.relid);
      if (top) lines.push(`    top statement on it by total time: ${top}`);
    }
    // Other roles' statements read "<insufficient privilege>": no statement named is not "none".
    if (statements && statements.size < seq.length && !canSeeAllSessions(ctx.server)) {
      lines.push(`  Statements of other roles are hidden from ${ctx.server.role} in pg_stat_statements: GRANT pg_read_all_stats (or pg_monitor) TO ${ctx.server.role}; to see which statement scans a table.`);
    }
    lines.push(...more(seq.length, total));
    fixes.push('Sequential scans: EXPLAIN the statement that scans the table, then add the index its WHERE or JOIN needs (CREATE INDEX CONCURRENTLY).');
  }
  const metrics = { invalid_indexes: invalid[0]?.total ?? 0, unused_large_indexes: unused[0]?.total ?? 0, seq_scanned_tables: seq[0]?.total ?? 0 };
  if (!heads.length) {
    return [finding('indexes', 'ok', `No invalid index, no unused index over ${formatBytes(t.warn * MB)}, no large table read mostly by sequential scans`, { metrics })];
  }
  return [finding('indexes', 'warn', heads.join('; '), { detail: lines.join('\n'), fix: fixes.join(' '), metrics })];
}

/** What an INVALID index is and the statements that deal with it. */
function invalidLine(r: InvalidRow, pg12: boolean): string {
  if (r.partitioned) {
    return `${r.name} on the partitioned table ${r.table_name}: valid once every partition has its index attached (a REINDEX does not help): for each partition without one, CREATE INDEX CONCURRENTLY on the partition, then ALTER INDEX ${r.name} ATTACH PARTITION <that index>;`;
  }
  // REINDEX CONCURRENTLY builds <name>_ccnew and swaps it for the old one, <name>_ccold: a failure
  // leaves either behind, and rebuilding the leftover would only leave another.
  const leftover = /_cc(new|old)\d*"?$/.exec(r.name);
  if (leftover) {
    return `${r.name} on ${r.table_name}, ${formatBytes(r.bytes)}: left by a failed REINDEX CONCURRENTLY (the ${leftover[1] === 'new' ? 'new copy that was being built' : 'old index it replaced'}): drop it: DROP INDEX CONCURRENTLY ${r.name};${leftover[1] === 'new' ? ' then run the REINDEX again' : ''}`;
  }
  const rebuild = pg12 ? `REINDEX INDEX CONCURRENTLY ${r.name};` : `DROP INDEX CONCURRENTLY ${r.name}; ${r.def.replace(/^CREATE (UNIQUE )?INDEX /, 'CREATE $1INDEX CONCURRENTLY ')};`;
  const notes = [
    r.building ? 'a concurrent build of it is running right now: let it finish first' : '',
    r.is_unique ? 'unique: if the build failed on duplicate keys, remove them first or the rebuild fails again' : '',
  ].filter(Boolean);
  return `${r.name} on ${r.table_name}, ${formatBytes(r.bytes)}: rebuild with ${rebuild}${notes.length ? ` (${notes.join('; ')})` : ''} or drop it: DROP INDEX CONCURRENTLY ${r.name};`;
}

/**
 * The statement with the most total time that names each table, from pg_stat_statements when it
 * is installed and loaded (undefined otherwise: the finding is complete without it). A table
 * whose statements this role may not read has none in the map.
 */
async function topStatements(ctx: CheckContext, tables: SeqRow[]): Promise<Map<string, string> | undefined> {
  const out = new Map<string, string>();
  const [ext] = await ctx.query<{ schema: string | null }>(
    `select extnamespace::regnamespace::text as schema from pg_extension where extname = 'pg_stat_statements'`,
  );
  if (!ext?.schema) return undefined;
  const total = ctx.server.versionNum >= 130000 ? 'total_exec_time' : 'total_time';
  let rows: { relid: string; query: string | null }[];
  try {
    rows = await ctx.query(
      `select distinct on (t.relid) t.relid, left(s.query, 1000) as query
       from unnest($1::text[], $2::text[]) as t(relid, relname)
       join ${ext.schema}.pg_stat_statements s
         on s.dbid = (select oid from pg_database where datname = current_database())
        and position(lower(t.relname) in lower(s.query)) > 0
        and s.query not like '/* chatops-probe */%'
        and s.query ~* '^\\s*(select|with|update|delete|insert)\\M'
       order by t.relid, s.${total} desc`,
      [tables.map((r) => r.relid), tables.map((r) => r.relname)],
    );
  } catch (e) {
    // Installed but not loaded (55000), or dropped meanwhile: no statement to name.
    if (['55000', '42P01'].includes(errorCode(e) ?? '')) return undefined;
    throw e;
  }
  for (const r of rows) out.set(r.relid, queryText(r.query));
  return out;
}
