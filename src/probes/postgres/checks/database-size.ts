// Informational: the size of this database and its largest tables, for capacity. The database
// size is estimated from pg_class.relpages (as of the last VACUUM/ANALYZE): pg_database_size
// stats every file of the database, which grows with the number of tables.
import type { Finding } from '../../../report.ts';
import { finding, type CheckContext } from '../check-context.ts';
import { formatBytes } from '../../format.ts';

interface DbRow {
  bytes: number;
  relations: number;
}

interface TableRow {
  schema: string;
  table: string;
  bytes: number;
}

export async function checkDatabaseSize(ctx: CheckContext): Promise<Finding[]> {
  const [dbRows, tables] = await Promise.all([
    // An estimate from the page counts in pg_class: exact sizes would stat every file.
    ctx.query<DbRow>(`
      select (sum(relpages)::float8 * current_setting('block_size')::float8) as bytes, count(*)::int as relations
      from pg_class
      where relpersistence <> 't'`),
    // Candidates by relpages, exact sizes only for those. Tables locked exclusively are skipped:
    // measuring them would wait for the lock.
    ctx.query<TableRow>(`
      select n.nspname as schema, c.relname as table, pg_total_relation_size(c.oid)::float8 as bytes
      from (select oid, relname, relnamespace from pg_class
            where relkind in ('r', 'm') and relpersistence <> 't'
              and relnamespace not in ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
            order by relpages desc
            limit 10) c
      join pg_namespace n on n.oid = c.relnamespace
      where not exists (select 1 from pg_locks l
                        where l.locktype = 'relation' and l.relation = c.oid and l.mode = 'AccessExclusiveLock'
                          and l.database = (select oid from pg_database where datname = current_database()))
      order by bytes desc
      limit 5`),
  ]);
  const estimate = dbRows[0]?.bytes ?? 0;
  const largest = tables[0];
  const title =
    `Database ${ctx.server.database} about ${formatBytes(estimate)}` +
    (largest ? `; largest table ${largest.schema}.${largest.table} ${formatBytes(largest.bytes)}` : '');
  const lines = [`${ctx.server.database}: about ${formatBytes(estimate)} in ${dbRows[0]?.relations ?? 0} relations (estimate from pg_class; SELECT pg_database_size(current_database()) for the exact size)`];
  if (tables.length) lines.push(`largest tables: ${tables.map((t) => `${t.schema}.${t.table} ${formatBytes(t.bytes)}`).join(', ')}`);
  return [
    finding('database_size', 'ok', title, {
      detail: lines.join('\n'),
      metrics: { database_bytes: Math.round(estimate), largest_table_bytes: largest?.bytes ?? 0 },
    }),
  ];
}
