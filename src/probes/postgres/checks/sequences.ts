// Sequences close to their maximum: when one runs out, every insert into its table fails.
// The limit that matters is the smaller of the sequence's maximum and its column's type: a bigint
// sequence feeding an integer column (common after upgrades from before PostgreSQL 10) fails at
// 2^31. Finding that column costs a catalogue lookup per sequence, so the list of sequences that
// can run out at all is kept per target for a few minutes (it changes only with DDL); their current
// values are read on every run.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { formatPct } from '../../format.ts';

interface Row {
  schemaname: string;
  sequencename: string;
  data_type: string;
  readable: boolean;
  last_value: number | null;
  pct: number | null;
  unreadable: number;
}

/** How long the list of sequences worth reading is reused before the catalogue is read again. */
export const SEQUENCE_LIST_TTL_MS = 5 * 60_000;
/** A sequence whose effective maximum is above this cannot run out in practice (bigint on bigint). */
const FAR_LIMIT = 1e15;
/** Unreadable sequences named in the finding (the count says how many in all). */
const MAX_NAMED = 5;

const watched = new Map<string, { at: number; oids: number[] }>();

export async function checkSequences(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const oids = await sequencesThatCanRunOut(ctx);
  if (oids.length === 0) {
    return [finding('sequences', 'ok', 'No sequence can run out: every one feeds a bigint range', { metrics: { max_pct: 0, watched: 0 } })];
  }
  // A sequence the role may not read (no SELECT or USAGE on it: pg_monitor does not give that)
  // has no value to judge: it is counted and named, never taken for "not used yet".
  // pg_sequence_last_value is null for a sequence never used.
  const rows = await ctx.query<Row>(
    `${EFFECTIVE_RANGE_SQL}
     , valued as (
       select r.*, has_sequence_privilege(r.seqrelid, 'SELECT,USAGE') as readable
       from ranged r
     ), counted as (
       select v.*, (count(*) filter (where not v.readable) over ())::int as unreadable,
              case when v.readable then pg_sequence_last_value(v.seqrelid)::float8 end as last_value
       from valued v
     ), judged as (
       select c.*, (100 * case when c.seqincrement > 0 then (c.last_value - c.min_value) / nullif(c.max_value - c.min_value, 0)
                             else (c.max_value - c.last_value) / nullif(c.max_value - c.min_value, 0) end)::float8 as pct
       from counted c
     )
     select n.nspname as schemaname, c.relname as sequencename, j.data_type, j.readable, j.last_value, j.pct, j.unreadable
     from ((select * from judged where readable and last_value is not null order by pct desc nulls last limit 5)
           union all
           (select * from judged where not readable limit ${MAX_NAMED})) j
     join pg_class c on c.oid = j.seqrelid join pg_namespace n on n.oid = c.relnamespace`,
    [oids],
  );
  const readable = rows.filter((r) => r.readable && r.pct !== null).sort((a, b) => b.pct! - a.pct!);
  const hidden = rows.filter((r) => !r.readable);
  const unreadable = rows[0]?.unreadable ?? 0;
  const worst = readable[0];
  const metrics = { max_pct: worst ? Math.round(worst.pct! * 100) / 100 : 0, watched: oids.length, unreadable };
  const status = worst ? statusAbove(worst.pct!, t) : 'ok';
  const lines = readable
    .filter((r) => r.pct! >= t.warn)
    .map((r) => `${r.schemaname}.${r.sequencename} (${r.data_type}): ${formatPct(r.pct!)} used, last value ${Math.round(r.last_value!).toLocaleString('en-US')}`);
  // A bigint sequence runs out at its own MAXVALUE or at its column's type, not for being too small a type.
  const bigintFix = worst?.data_type === 'bigint'
    ? `the sequence is already bigint: its limit is its MAXVALUE or its column's type; raise the limit (ALTER SEQUENCE ${worst.schemaname}.${worst.sequencename} NO MAXVALUE, or a larger one) and, if its column is integer, migrate the column (ALTER TABLE ... TYPE bigint) before it runs out.`
    : 'migrate the sequence and its column to bigint (ALTER SEQUENCE ... AS bigint, ALTER TABLE ... TYPE bigint) before it runs out.';
  if (unreadable > 0) {
    const names = hidden.map((r) => `${r.schemaname}.${r.sequencename}`);
    const more = unreadable > names.length ? ` and ${unreadable - names.length} more` : '';
    lines.push(`Not readable by ${ctx.server.role} (no SELECT or USAGE privilege; pg_monitor does not give it): ${names.join(', ')}${more}`);
    const grant =
      `GRANT SELECT ON SEQUENCE ${names.join(', ')} TO ${ctx.server.role};` +
      (more ? ` (or GRANT SELECT ON ALL SEQUENCES IN SCHEMA <schema> TO ${ctx.server.role};)` : '') +
      (ctx.server.versionNum >= 140000 ? ` On PostgreSQL 14+ GRANT pg_read_all_data TO ${ctx.server.role}; gives it every sequence, but also every table's rows.` : '');
    if (status === 'ok') {
      const seen = worst ? `; the readable ones at most ${formatPct(worst.pct!)} used` : '';
      return [
        finding('sequences', 'unknown', `Sequences: ${unreadable} of ${oids.length} integer-range sequences not readable by role ${ctx.server.role}${seen}`, {
          detail: lines.join('\n'),
          fix: grant,
          metrics,
        }),
      ];
    }
    const title = `Sequence ${worst!.schemaname}.${worst!.sequencename} ${formatPct(worst!.pct!)} used; ${unreadable} more not readable`;
    return [finding('sequences', status, title, { detail: lines.join('\n'), fix: `${bigintFix} To see the others: ${grant}`, metrics })];
  }
  if (!worst) return [finding('sequences', 'ok', `None of ${oids.length} integer-range sequences used yet`, { metrics })];
  const title = `Sequence ${worst.schemaname}.${worst.sequencename} ${formatPct(worst.pct!)} used`;
  if (status === 'ok') return [finding('sequences', 'ok', title, { metrics })];
  return [finding('sequences', status, title, { detail: lines.join('\n'), fix: bigintFix, metrics })];
}

/** Effective range of sequences: the smaller of the sequence's own and its owning column's. */
const EFFECTIVE_RANGE_SQL = `
  with ranged as (
    select s.seqrelid, s.seqincrement, s.seqmin::float8 as min_value,
           least(s.seqmax::float8, case col.atttypid when 'int2'::regtype then 32767::float8
                                                      when 'int4'::regtype then 2147483647::float8
                                                      else s.seqmax::float8 end) as max_value,
           coalesce(format_type(col.atttypid, null), format_type(s.seqtypid, null)) as data_type
    from pg_sequence s
    -- The owning column, looked up per sequence through the indexes (a join would hash all of
    -- pg_attribute on a large catalogue).
    left join lateral (
      select a.atttypid from pg_depend d
      join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
      where d.classid = 'pg_class'::regclass and d.objid = s.seqrelid and d.objsubid = 0
        and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      limit 1
    ) col on true
    where not s.seqcycle and ($1::oid[] is null or s.seqrelid = any($1::oid[]))
  )`;

async function sequencesThatCanRunOut(ctx: CheckContext): Promise<number[]> {
  const key = `${ctx.targetName}\u0000${ctx.server.database}`;
  const cached = watched.get(key);
  if (cached && Date.now() - cached.at < SEQUENCE_LIST_TTL_MS) return cached.oids;
  const rows = await ctx.query<{ oid: number }>(
    `${EFFECTIVE_RANGE_SQL}
     select seqrelid::int8 as oid from ranged
     where seqincrement < 0 or max_value < ${FAR_LIMIT}`,
    [null],
  );
  const oids = rows.map((r) => Number(r.oid));
  watched.set(key, { at: Date.now(), oids });
  return oids;
}

/** Forgets the cached sequence lists (tests that create sequences between runs). */
export function forgetSequenceLists(): void {
  watched.clear();
}
