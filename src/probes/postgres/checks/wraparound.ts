// Transaction ID age per database. Past autovacuum_freeze_max_age autovacuum forces freezing;
// near 2^31 the server stops accepting writes, so the absolute age is judged too.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, notProbe, statusAbove, type CheckContext } from '../check-context.ts';
import { formatDuration, formatPct } from '../../format.ts';

interface Row {
  datname: string;
  xid_age: number;
  mxid_age: number;
  freeze_max_age: number;
  mxid_freeze_max_age: number;
}

interface HolderRow {
  kind: string;
  name: string;
  age: number;
  duration_s: number | null;
}

/** Absolute xid ages (of the 2.1 billion limit) that are alarming whatever the settings. */
const ABSOLUTE = { warn: 1_300_000_000, crit: 1_400_000_000 };

export async function checkWraparound(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(`
    select datname, age(datfrozenxid)::float8 as xid_age, mxid_age(datminmxid)::float8 as mxid_age,
           current_setting('autovacuum_freeze_max_age')::float8 as freeze_max_age,
           current_setting('autovacuum_multixact_freeze_max_age')::float8 as mxid_freeze_max_age
    from pg_database
    order by age(datfrozenxid) desc
    limit 5`);
  const scored = rows.map((r) => {
    const xidPct = (r.xid_age / r.freeze_max_age) * 100;
    const mxidPct = (r.mxid_age / r.mxid_freeze_max_age) * 100;
    const pct = Math.max(xidPct, mxidPct);
    return { ...r, pct, mxid: mxidPct > xidPct, status: worstStatus([statusAbove(pct, t), statusAbove(r.xid_age, ABSOLUTE)]) };
  });
  const worst = [...scored].sort((a, b) => b.pct - a.pct)[0];
  if (!worst) return [finding('wraparound', 'unknown', 'No database visible in pg_database')];
  const status = worstStatus(scored.map((r) => r.status));
  const what = worst.mxid ? 'Multixact ID age' : 'Transaction ID age';
  const title = `${what} ${formatPct(worst.pct)} of ${worst.mxid ? 'autovacuum_multixact_freeze_max_age' : 'autovacuum_freeze_max_age'} (${worst.datname}, ${(worst.xid_age / 1e6).toFixed(0)} M)`;
  const metrics = { max_pct: Math.round(worst.pct * 10) / 10, max_xid_age: worst.xid_age, max_mxid_age: worst.mxid_age };
  if (status === 'ok') return [finding('wraparound', 'ok', title, { metrics })];

  const lines = scored.map((r) => `${r.datname}: xid age ${Math.round(r.xid_age).toLocaleString('en-US')} (${formatPct((r.xid_age / r.freeze_max_age) * 100)}), multixact age ${Math.round(r.mxid_age).toLocaleString('en-US')}`);
  // What holds the freeze horizon back: old snapshots, slots, prepared transactions.
  const holders = await ctx.query<HolderRow>(`
    (select 'session' as kind, 'pid ' || a.pid || coalesce(' (' || nullif(a.application_name, '') || ')', '') as name,
            age(a.backend_xmin)::float8 as age, extract(epoch from now() - a.xact_start)::float8 as duration_s
     from pg_stat_activity a where a.backend_xmin is not null and ${notProbe('a')}
     order by age(a.backend_xmin) desc limit 2)
    union all
    (select 'replication slot', slot_name::text, age(coalesce(xmin, catalog_xmin))::float8, null
     from pg_replication_slots where coalesce(xmin, catalog_xmin) is not null
     order by age(coalesce(xmin, catalog_xmin)) desc limit 2)
    union all
    (select 'prepared transaction', gid, age(transaction)::float8, extract(epoch from now() - prepared)::float8
     from pg_prepared_xacts order by age(transaction) desc limit 2)`);
  for (const h of holders.sort((a, b) => b.age - a.age).slice(0, 3)) {
    lines.push(`holding back freezing: ${h.kind} ${h.name}, ${Math.round(h.age).toLocaleString('en-US')} transactions old${h.duration_s !== null ? `, open ${formatDuration(h.duration_s)}` : ''}`);
  }
  return [
    finding('wraparound', status, title, {
      detail: lines.join('\n'),
      fix: 'VACUUM (FREEZE) the oldest tables of that database; end long transactions, drop stale replication slots and prepared transactions.',
      metrics,
    }),
  ];
}
