// Busy tables (many dead rows, a large share of the table) and how long since they were last
// vacuumed. A busy table vacuumed recently is autovacuum keeping up; one not vacuumed for days is not.
import type { Finding, Remedy, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { formatCount, formatDuration, formatPct, plural } from '../../format.ts';

interface Row {
  schemaname: string;
  relname: string;
  live: number;
  dead: number;
  vacuum_age_s: number | null;
  analyze_age_s: number | null;
  autovacuum_off: boolean;
  busy_tables: number;
}

const MIN_DEAD_TUPLES = 10_000;
const MIN_DEAD_RATIO = 0.1;
const DAY = 86_400;

export async function checkVacuum(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(
    // One statistics lookup per table finds the candidates (offset 0 keeps the planner from
    // flattening the subquery); the other statistics are read only for those. The
    // pg_stat_user_tables view would compute a dozen of them for every table.
    `select n.nspname as schemaname, c.relname, c.live, c.dead,
            extract(epoch from now() - greatest(pg_stat_get_last_vacuum_time(c.oid), pg_stat_get_last_autovacuum_time(c.oid)))::float8 as vacuum_age_s,
            extract(epoch from now() - greatest(pg_stat_get_last_analyze_time(c.oid), pg_stat_get_last_autoanalyze_time(c.oid)))::float8 as analyze_age_s,
            coalesce('autovacuum_enabled=false' = any(c.reloptions), false) as autovacuum_off,
            (count(*) over ())::int as busy_tables
     from (select oid, relname, relnamespace, reloptions,
                  pg_stat_get_live_tuples(oid)::float8 as live, pg_stat_get_dead_tuples(oid)::float8 as dead
           from pg_class
           where relkind in ('r', 'm', 'p') and pg_stat_get_dead_tuples(oid) > $1::bigint
           offset 0 limit 1000) c
     join pg_namespace n on n.oid = c.relnamespace
     where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'
       and c.dead >= $2::float8 * (c.live + c.dead)
     order by greatest(pg_stat_get_last_vacuum_time(c.oid), pg_stat_get_last_autovacuum_time(c.oid)) nulls first, c.dead desc
     limit 5`,
    [MIN_DEAD_TUPLES, MIN_DEAD_RATIO],
  );
  if (rows.length === 0) {
    return [finding('vacuum', 'ok', 'No table with many dead rows awaiting vacuum', { metrics: { busy_tables: 0 } })];
  }
  // A busy table never vacuumed: we cannot tell for how long, so it is a warning, not a crisis.
  const statusOf = (r: Row): Status => (r.vacuum_age_s === null ? 'warn' : statusAbove(r.vacuum_age_s / DAY, t));
  const status = worstStatus(rows.map(statusOf));
  const flagged = rows.filter((r) => statusOf(r) !== 'ok');
  const first = flagged[0] ?? rows[0]!;
  const lines = rows.map((r) => {
    const ratio = (r.dead / (r.live + r.dead)) * 100;
    const vac = r.vacuum_age_s === null ? 'never vacuumed' : `vacuumed ${formatDuration(r.vacuum_age_s)} ago`;
    const ana = r.analyze_age_s === null ? 'never analyzed' : `analyzed ${formatDuration(r.analyze_age_s)} ago`;
    return `${r.schemaname}.${r.relname}: ${formatCount(r.dead)} dead rows (${formatPct(ratio)}), ${vac}, ${ana}${r.autovacuum_off ? ', autovacuum disabled on this table' : ''}`;
  });
  const metrics = { busy_tables: rows[0]!.busy_tables, max_dead_tuples: Math.max(...rows.map((r) => r.dead)) };
  if (status === 'ok') {
    return [
      finding('vacuum', 'ok', `${plural(rows[0]!.busy_tables, 'table')} with many dead rows, vacuumed recently`, { detail: lines.join('\n'), metrics }),
    ];
  }
  const remedies: Remedy[] = flagged.slice(0, 3).map((r) => ({
    action: 'postgres.vacuum_analyze',
    label: `VACUUM ANALYZE ${r.schemaname}.${r.relname}`,
    params: { database: ctx.server.database, schema: r.schemaname, table: r.relname },
  }));
  const since = first.vacuum_age_s === null ? 'never vacuumed' : `last vacuumed ${formatDuration(first.vacuum_age_s)} ago`;
  const title =
    flagged.length === 1
      ? `${first.schemaname}.${first.relname}: ${formatCount(first.dead)} dead rows, ${since}`
      : `${flagged.length} tables with many dead rows need vacuum; ${first.schemaname}.${first.relname} ${since}`;
  return [
    finding('vacuum', status, title, {
      detail: lines.join('\n'),
      fix: 'VACUUM ANALYZE the table; if autovacuum cannot keep up, lower autovacuum_vacuum_scale_factor for it or end the long transactions holding it back.',
      metrics,
      remedies,
    }),
  ];
}
