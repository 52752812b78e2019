// Statements with the worst mean time in pg_stat_statements, for the target's database (the view
// covers the whole server). The view adds up every call since its last reset, so a statement is
// judged on the calls made since the previous run (calls and time kept per statement, user and
// database in the target's probe state). A first run has only the whole history, which may be an
// hour-old pg_sleep: it says since when, and is never judged worse than a warning.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { errorCode } from '../classify-error.ts';
import { formatCount, formatDuration, formatMs } from '../../format.ts';
import { isHiddenQuery, queryText } from '../session-line.ts';

interface ExtensionRow {
  installed: string | null;
  schema: string | null;
  /** pg_stat_statements_info exists (extension 1.9+, PostgreSQL 14+). */
  has_info: boolean;
  /** null when the role may not read shared_preload_libraries (superuser-only without pg_read_all_settings). */
  preloaded: boolean | null;
}

interface CounterRow {
  queryid: string | null;
  userid: string;
  dbid: string;
  calls: number;
  total_ms: number;
}

interface TextRow {
  queryid: string;
  userid: string;
  usename: string | null;
  query: string | null;
}

/** A statement as judged: over the calls since the previous run, or since the reset. */
interface Judged {
  key: string;
  queryid: string | null;
  userid: string;
  calls: number;
  total_ms: number;
  mean_ms: number;
  /**
   * Judged on its whole history: no previous run, or the previous run did not see it (new, or
   * read from another server); at most a warning.
   */
  history: boolean;
  usename?: string | null;
  query?: string | null;
}

interface Baseline {
  at: number;
  database: string;
  /** pg_stat_statements_info.stats_reset, when known: a change means the counters restarted. */
  reset: string | null;
  /** key -> [calls, total ms]. */
  counters: Record<string, [number, number]>;
}

const STATE_KEY = 'postgres.slow_queries';
/** A baseline older than this is stale (the target was not probed for a week). */
const BASELINE_TTL_MS = 7 * 86_400_000;

const LIMIT = 5;

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
           coalesce((select to_regclass(quote_ident(extnamespace::regnamespace::text) || '.pg_stat_statements_info') is not null
                     from pg_extension where extname = 'pg_stat_statements'), false) as has_info,
           (select 'pg_stat_statements' = any(string_to_array(replace(setting, ' ', ''), ','))
            from pg_settings where name = 'shared_preload_libraries') as preloaded`);
  if (!ext?.installed) return [notEnabled(db, ext?.preloaded ?? null)];
  if (ext.preloaded === false) return [notEnabled(db, false)];

  // Column names changed in PG13 (total_time -> total_exec_time). The extension may live in a
  // schema outside the search_path (regnamespace::text is already quoted).
  const total = ctx.server.versionNum >= 130000 ? 'total_exec_time' : 'total_time';
  const view = `${ext.schema ?? 'public'}.pg_stat_statements`;
  // Every statement's counters (numbers only; PG14+ splits a statement by toplevel, added up here).
  // The probe's own statements and maintenance ones are left out on the server.
  let counters: CounterRow[];
  let reset: string | null;
  try {
    [counters, reset] = await Promise.all([
      ctx.query<CounterRow>(
        `select s.queryid::text as queryid, s.userid::int8::text as userid, s.dbid::int8::text as dbid,
                sum(s.calls)::float8 as calls, sum(s.${total})::float8 as total_ms
         from ${view} s
         where s.dbid = (select oid from pg_database where datname = current_database())
           and s.calls > 0 and s.query not like '/* chatops-probe */%' and s.query !~* $1
         group by 1, 2, 3`,
        [MAINTENANCE_RE],
      ),
      ext.has_info
        ? ctx.query<{ reset: Date | null }>(`select stats_reset as reset from ${ext.schema ?? 'public'}.pg_stat_statements_info`).then((r) => r[0]?.reset?.toISOString() ?? null)
        : Promise.resolve(null),
    ]);
  } catch (e) {
    // 55000: installed but not loaded; 42P01: dropped meanwhile.
    const code = errorCode(e);
    if (code === '55000') return [notEnabled(db, false)];
    if (code === '42P01') return [notEnabled(db, ext.preloaded)];
    throw e;
  }

  const now = Date.now();
  const remembered = await ctx.state.get<Baseline>(STATE_KEY).catch(() => undefined);
  const before = remembered?.value;
  const usable = before !== undefined && now - before.at <= BASELINE_TTL_MS && before.database === db && (before.reset ?? reset) === (reset ?? before.reset);
  const keyOf = (r: CounterRow) => `${r.queryid ?? '?'}:${r.dbid}:${r.userid}`;
  const baseline: Baseline = { at: now, database: db, reset, counters: {} };
  const judged: Judged[] = [];
  for (const r of counters) {
    const key = keyOf(r);
    baseline.counters[key] = [r.calls, Math.round(r.total_ms * 1000) / 1000];
    const prev = usable ? before.counters[key] : undefined;
    // Counters that went down belong to an entry evicted and made again: all its calls are new.
    // One the previous run did not see may be new, or old: its history is all there is.
    const remade = prev !== undefined && r.calls < prev[0];
    const calls = prev && !remade ? r.calls - prev[0] : r.calls;
    const totalMs = prev && !remade ? Math.max(0, r.total_ms - prev[1]) : r.total_ms;
    if (calls > 0) judged.push({ key, queryid: r.queryid, userid: r.userid, calls, total_ms: totalMs, mean_ms: totalMs / calls, history: !prev });
  }
  await ctx.state.set(STATE_KEY, baseline).catch(() => undefined);

  const span = usable ? `in the last ${formatDuration((now - before.at) / 1000)}` : sinceReset(reset, ctx.server.versionNum);
  const byMean = [...judged].sort((a, b) => b.mean_ms - a.mean_ms).slice(0, LIMIT);
  const byTotal = [...judged].sort((a, b) => b.total_ms - a.total_ms).slice(0, 3);
  const worst = byMean[0];
  if (!worst) {
    const title = usable ? `No statement ran ${span}` : 'No query statements recorded in pg_stat_statements for this database yet';
    return [finding('slow_queries', 'ok', title, { metrics: { max_mean_ms: 0 } })];
  }
  // The whole history may be old news: at most a warning until a run sees calls of its own.
  const statusOf = (s: Judged): Status => {
    const judgedStatus = statusAbove(s.mean_ms, t);
    return s.history && judgedStatus === 'crit' ? 'warn' : judgedStatus;
  };
  const status = worstStatus(byMean.map(statusOf));
  const spanOf = (s: Judged) => (!s.history ? span : usable ? '(not seen by the previous run: all its calls)' : span);
  const slow = byMean.filter((s) => s.mean_ms >= t.warn);
  const metrics = { max_mean_ms: round(worst.mean_ms), slow_statements: slow.length, top_total_ms: round(byTotal[0]?.total_ms ?? 0) };
  if (status === 'ok') {
    return [finding('slow_queries', 'ok', `Statements ${span}: slowest mean ${formatMs(worst.mean_ms)}`, { metrics })];
  }
  // Statements that are individually quick but add up: only worth a line when they add up to much.
  const topTotal = byTotal.filter((s) => s.total_ms >= t.crit && !slow.some((m) => m.key === s.key));
  await withText(ctx, view, [...slow, ...topTotal]);
  const lines = slow.map((s) => statementLine(s) + (s.history && usable ? ' [not seen by the previous run: all its calls, at most a warning]' : ''));
  if (topTotal.length) {
    lines.push(`most total time ${span}:`);
    for (const s of topTotal.slice(0, 2)) lines.push(`  ${statementLine(s)}`);
  }
  if (!usable) {
    lines.push(`Judged on every call ${span}, which may be long past: at most a warning. The next run judges the calls made after this one.`);
  }
  if ([...slow, ...topTotal].some((s) => isHiddenQuery(s.query ?? null))) {
    lines.push(`Statement text of other roles is hidden: grant pg_read_all_stats (or pg_monitor) to ${ctx.server.role}`);
  }
  const averages = worst.history ? 'averages' : 'averaged';
  return [
    finding(
      'slow_queries',
      status,
      `${slow.length === 1 ? `A statement ${averages}` : `${slow.length} statements ${averages} over ${formatMs(t.warn)}, slowest`} ${formatMs(worst.mean_ms)} over ${formatCount(worst.calls)} call${worst.calls === 1 ? '' : 's'} ${spanOf(worst)}`,
      { detail: lines.join('\n'), fix: 'EXPLAIN (ANALYZE, BUFFERS) the statement, add the missing index, or rewrite it.', metrics },
    ),
  ];
}

/** "since stats reset 2026-12-01 22:27 UTC"; before PostgreSQL 14 the view does not say when. */
function sinceReset(reset: string | null, versionNum: number): string {
  if (reset) return `since stats reset ${reset.slice(0, 16).replace('T', ' ')} UTC`;
  return versionNum < 140000 ? 'since stats reset (date unknown before PostgreSQL 14)' : 'since stats reset (date unknown)';
}

/** Reads the text and user name of the statements shown (the counters were read without them). */
async function withText(ctx: CheckContext, view: string, shown: Judged[]): Promise<void> {
  const known = shown.filter((s) => s.queryid !== null);
  const texts = known.length
    ? await ctx.query<TextRow>(
        `select distinct on (s.queryid, s.userid) s.queryid::text as queryid, s.userid::int8::text as userid, ro.rolname as usename,
                left(s.query, 1000) as query
         from ${view} s left join pg_roles ro on ro.oid = s.userid
         where s.dbid = (select oid from pg_database where datname = current_database())
           and (s.queryid::text, s.userid::int8::text) in (select * from unnest($1::text[], $2::text[]))`,
        [known.map((s) => s.queryid), known.map((s) => s.userid)],
      )
    : [];
  const byKey = new Map(texts.map((r) => [`${r.queryid}:${r.userid}`, r]));
  for (const s of shown) {
    const text = byKey.get(`${s.queryid}:${s.userid}`);
    s.usename = text?.usename ?? null;
    s.query = text?.query ?? null;
  }
}

function notEnabled(database: string, preloaded: boolean | null): Finding {
  const title =
    preloaded === true
      ? `pg_stat_statements not enabled in database ${database}: run CREATE EXTENSION pg_stat_statements (already in shared_preload_libraries)`
      : preloaded === false
        ? `pg_stat_statements not loaded: add it to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements in database ${database}`
        : `pg_stat_statements not enabled in database ${database}: needs shared_preload_libraries = 'pg_stat_statements' and CREATE EXTENSION pg_stat_statements`;
  return finding('slow_queries', 'unknown', title, {
    detail: 'Without it slow statements are only visible while they run (long_queries).',
    fix:
      "1. postgresql.conf: shared_preload_libraries = 'pg_stat_statements' (restart required); " +
      `2. as a superuser or the database owner, in ${database}: CREATE EXTENSION pg_stat_statements;`,
  });
}

function statementLine(s: Judged): string {
  const who = s.usename ? `, user ${s.usename}` : '';
  return `mean ${formatMs(s.mean_ms)}, ${formatCount(s.calls)} call${s.calls === 1 ? '' : 's'}, total ${formatMs(s.total_ms)}${who}: ${queryText(s.query ?? null)}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
