// Statements with the worst mean time in pg_stat_statements, for the target's database (the view
// covers the whole server). It keeps history since its last reset, so a slow statement shows here
// after it finished, unlike long_queries.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { errorCode } from '../classify-error.ts';
import { formatCount, formatMs } from '../../format.ts';
import { isHiddenQuery, queryText } from '../session-line.ts';

interface ExtensionRow {
  installed: string | null;
  schema: string | null;
  /** null when the role may not read shared_preload_libraries (superuser-only without pg_read_all_settings). */
  preloaded: boolean | null;
}

interface StatementRow {
  queryid: string | null;
  usename: string | null;
  calls: number;
  mean_ms: number;
  total_ms: number;
  query: string | null;
}

const LIMIT = 5;

/** Statements read from the view per ordering before the text filter. */
const CANDIDATES = 200;

/**
 * DDL, maintenance and lock statements are slow by nature and no index fixes them; leaving them
 * out keeps the finding about statements that EXPLAIN can help with. Leading comments are skipped.
 */
const MAINTENANCE_WORDS = [
  'create', 'alter', 'drop', 'vacuum', 'analyze', 'analyse', 'cluster', 'reindex', 'copy', 'grant', 'revoke', 'truncate',
  'comment', 'refresh', 'checkpoint', 'lock', 'listen', 'notify', 'security', 'import', 'reassign', 'load',
];
const MAINTENANCE_RE = String.raw`^(\s|/\*([^*]|\*+[^*/])*\*+/|--[^\n]*\n)*(${MAINTENANCE_WORDS.join('|')})\M`;

export async function checkSlowQueries(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const db = ctx.server.database;
  const [ext] = await ctx.query<ExtensionRow>(`
    select (select extversion from pg_extension where extname = 'pg_stat_statements') as installed,
           (select extnamespace::regnamespace::text from pg_extension where extname = 'pg_stat_statements') as schema,
           (select 'pg_stat_statements' = any(string_to_array(replace(setting, ' ', ''), ','))
            from pg_settings where name = 'shared_preload_libraries') as preloaded`);
  if (!ext?.installed) return [notEnabled(db, ext?.preloaded ?? null)];
  if (ext.preloaded === false) return [notEnabled(db, false)];

  // Column names changed in PG13 (mean_time -> mean_exec_time).
  const [mean, total] = ctx.server.versionNum >= 130000 ? ['mean_exec_time', 'total_exec_time'] : ['mean_time', 'total_time'];
  // One read of the view (it holds up to pg_stat_statements.max entries): candidates by mean and
  // by total time on the cheap columns, the text filter only on those. The extension may live in a
  // schema outside the search_path (regnamespace::text is already quoted).
  const sql = `
    with s as materialized (
      select s.queryid::text as queryid, s.userid, s.calls::float8 as calls,
             s.${mean}::float8 as mean_ms, s.${total}::float8 as total_ms, s.query
      from ${ext.schema ?? 'public'}.pg_stat_statements s
      where s.dbid = (select oid from pg_database where datname = current_database())
        and s.calls > 0 and s.query not like '/* chatops-probe */%'
    ),
    candidates as (
      (select * from s order by mean_ms desc limit ${CANDIDATES})
      union
      (select * from s order by total_ms desc limit ${CANDIDATES})
    ),
    ranked as (
      select c.*, row_number() over (order by c.mean_ms desc) as by_mean, row_number() over (order by c.total_ms desc) as by_total
      from candidates c
      where c.query !~* $1
    )
    select r.queryid, ro.rolname as usename, r.calls, r.mean_ms, r.total_ms, left(r.query, 1000) as query,
           r.by_mean::int as by_mean, r.by_total::int as by_total
    from ranked r left join pg_roles ro on ro.oid = r.userid
    where r.by_mean <= ${LIMIT} or r.by_total <= 3`;
  let rows: Array<StatementRow & { by_mean: number; by_total: number }>;
  try {
    rows = await ctx.query(sql, [MAINTENANCE_RE]);
  } catch (e) {
    // 55000: installed but not loaded; 42P01: dropped meanwhile.
    const code = errorCode(e);
    if (code === '55000') return [notEnabled(db, false)];
    if (code === '42P01') return [notEnabled(db, ext.preloaded)];
    throw e;
  }
  const byMean = rows.filter((r) => r.by_mean <= LIMIT).sort((a, b) => a.by_mean - b.by_mean);
  const byTotal = rows.filter((r) => r.by_total <= 3).sort((a, b) => a.by_total - b.by_total);
  const worst = byMean[0];
  if (!worst) {
    return [finding('slow_queries', 'ok', 'No query statements recorded in pg_stat_statements for this database yet', { metrics: { max_mean_ms: 0 } })];
  }
  const status = statusAbove(worst.mean_ms, t);
  const slow = byMean.filter((s) => s.mean_ms >= t.warn);
  const metrics = { max_mean_ms: round(worst.mean_ms), slow_statements: slow.length, top_total_ms: round(byTotal[0]?.total_ms ?? 0) };
  if (status === 'ok') {
    return [finding('slow_queries', 'ok', `Statements: slowest mean ${formatMs(worst.mean_ms)}`, { metrics })];
  }
  const lines = slow.map((s) => statementLine(s));
  // Statements that are individually quick but add up: only worth a line when they add up to much.
  const topTotal = byTotal.filter(
    (s) => s.total_ms >= t.crit && !slow.some((m) => m.queryid === s.queryid && m.usename === s.usename),
  );
  if (topTotal.length) {
    lines.push('most total time:');
    for (const s of topTotal.slice(0, 2)) lines.push(`  ${statementLine(s)}`);
  }
  if ([...slow, ...topTotal].some((s) => isHiddenQuery(s.query))) {
    lines.push(`Statement text of other roles is hidden: grant pg_read_all_stats (or pg_monitor) to ${ctx.server.role}`);
  }
  lines.push('Fix: EXPLAIN (ANALYZE, BUFFERS) the statement, add the missing index, or rewrite it.');
  return [
    finding(
      'slow_queries',
      status,
      `${slow.length === 1 ? 'A statement averages' : `${slow.length} statements average over ${formatMs(t.warn)}, slowest`} ${formatMs(worst.mean_ms)} over ${formatCount(worst.calls)} call${worst.calls === 1 ? '' : 's'}`,
      { detail: lines.join('\n'), metrics },
    ),
  ];
}

function notEnabled(database: string, preloaded: boolean | null): Finding {
  const title =
    preloaded === true
      ? `pg_stat_statements not enabled in database ${database}: run CREATE EXTENSION pg_stat_statements (already in shared_preload_libraries)`
      : preloaded === false
        ? `pg_stat_statements not loaded: add it to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements in database ${database}`
        : `pg_stat_statements not enabled in database ${database}: needs shared_preload_libraries = 'pg_stat_statements' and CREATE EXTENSION pg_stat_statements`;
  return finding('slow_queries', 'unknown', title, {
    detail:
      "1. postgresql.conf: shared_preload_libraries = 'pg_stat_statements' (restart required)\n" +
      `2. as a superuser or the database owner, in ${database}: CREATE EXTENSION pg_stat_statements;\n` +
      'Without it slow statements are only visible while they run (long_queries).',
  });
}

function statementLine(s: StatementRow): string {
  const who = s.usename ? `, user ${s.usename}` : '';
  return `mean ${formatMs(s.mean_ms)}, ${formatCount(s.calls)} call${s.calls === 1 ? '' : 's'}, total ${formatMs(s.total_ms)}${who}: ${queryText(s.query)}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
