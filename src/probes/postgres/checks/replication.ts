// On a replica: how far replay is behind. On a primary: standbys' replay lag and replication
// slots that are inactive or retaining WAL (a dead slot fills the disk).
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { formatBytes, formatDuration, plural } from '../../format.ts';

interface ReplicaRow {
  lag_s: number | null;
  receiver_status: string | null;
  sender_host: string | null;
}

interface StandbyRow {
  application_name: string | null;
  client_addr: string | null;
  state: string | null;
  replay_lag_s: number | null;
}

interface SlotRow {
  slot_name: string;
  slot_type: string;
  database: string | null;
  active: boolean;
  wal_status: string | null;
  retained_bytes: number | null;
}

export async function checkReplication(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  return ctx.server.inRecovery ? await checkReplica(ctx, t) : await checkPrimary(ctx, t);
}

async function checkReplica(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  // With nothing new to replay the replay timestamp ages although the replica is current.
  const [row] = await ctx.query<ReplicaRow>(`
    select case when pg_last_wal_receive_lsn() is not null and pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                else extract(epoch from now() - pg_last_xact_replay_timestamp()) end::float8 as lag_s,
           (select status from pg_stat_wal_receiver limit 1) as receiver_status,
           (select sender_host from pg_stat_wal_receiver limit 1) as sender_host`);
  const lag = row?.lag_s ?? null;
  const statuses: Status[] = [];
  const lines: string[] = [];
  if (lag !== null) statuses.push(statusAbove(lag, t));
  if (!row?.receiver_status) {
    statuses.push('warn');
    lines.push('No WAL receiver: the replica is not streaming from a primary (archive recovery only, or the connection is down).');
  } else {
    lines.push(`WAL receiver ${row.receiver_status}${row.sender_host ? ` from ${row.sender_host}` : ''}`);
  }
  const status = statuses.length ? worstStatus(statuses) : 'unknown';
  if (status !== 'ok') lines.push('Fix: check the primary, the network between them and the replica log; a replica far behind may need re-seeding.');
  const title = lag === null ? 'Replica: replay lag unknown (nothing replayed yet)' : `Replica: replay lag ${formatDuration(lag)}`;
  return [finding('replication', status, title, { detail: lines.join('\n'), metrics: lag === null ? {} : { lag_s: Math.round(lag * 10) / 10 } })];
}

async function checkPrimary(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const walStatus = ctx.server.versionNum >= 130000 ? 'wal_status' : 'null::text';
  const [standbys, slots] = await Promise.all([
    ctx.query<StandbyRow>(`
      select application_name, client_addr::text, state, extract(epoch from replay_lag)::float8 as replay_lag_s
      from pg_stat_replication
      order by replay_lag desc nulls last
      limit 10`),
    ctx.query<SlotRow>(`
      select slot_name::text, slot_type, database::text, active, ${walStatus} as wal_status,
             pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::float8 as retained_bytes
      from pg_replication_slots
      order by active, pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) desc nulls last
      limit 10`),
  ]);
  if (standbys.length === 0 && slots.length === 0) {
    return [finding('replication', 'ok', 'Primary; no standbys or replication slots', { metrics: { standbys: 0, slots: 0 } })];
  }
  const statuses: Status[] = ['ok'];
  const lines: string[] = [];
  const maxLag = Math.max(0, ...standbys.map((s) => s.replay_lag_s ?? 0));
  for (const s of standbys.slice(0, 5)) {
    statuses.push(statusAbove(s.replay_lag_s ?? 0, t));
    lines.push(`standby ${s.application_name || '?'}${s.client_addr ? ` (${s.client_addr})` : ''}: ${s.state ?? 'state hidden'}, replay lag ${s.replay_lag_s === null ? 'n/a' : formatDuration(s.replay_lag_s)}`);
  }
  const bad = slots.filter((s) => !s.active || (s.wal_status !== null && s.wal_status !== 'reserved'));
  for (const s of slots.slice(0, 5)) {
    if (!s.active || (s.wal_status !== null && s.wal_status !== 'reserved')) statuses.push('warn');
    lines.push(
      `slot ${s.slot_name} (${s.slot_type}${s.database ? `, db ${s.database}` : ''}): ${s.active ? 'active' : 'inactive'}` +
        `${s.wal_status ? `, WAL ${s.wal_status}` : ''}${s.retained_bytes !== null ? `, retains ${formatBytes(s.retained_bytes)}` : ''}`,
    );
  }
  const status = worstStatus(statuses);
  if (status !== 'ok') lines.push('Fix: bring the standby or consumer back, or drop the dead slot (pg_drop_replication_slot) before WAL fills the disk.');
  const title =
    bad.length > 0
      ? `${plural(bad.length, 'replication slot')} inactive or retaining WAL: ${bad[0]!.slot_name}${bad[0]!.retained_bytes !== null ? ` (${formatBytes(bad[0]!.retained_bytes)})` : ''}`
      : `Primary; ${plural(standbys.length, 'standby', 'standbys')}, max replay lag ${formatDuration(maxLag)}`;
  return [
    finding('replication', status, title, {
      detail: lines.join('\n'),
      metrics: { standbys: standbys.length, slots: slots.length, inactive_slots: bad.length, max_lag_s: Math.round(maxLag * 10) / 10 },
    }),
  ];
}
