// On a replica: how far replay is behind. On a primary: standbys' replay lag and replication
// slots that are inactive or retaining WAL (a dead slot fills the disk).
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { finding, statusAbove, type CheckContext } from '../check-context.ts';
import { formatBytes, formatDuration, plural } from '../../format.ts';

interface ReplicaRow {
  caught_up: boolean | null;
  behind_bytes: number | null;
  replay_age_s: number | null;
  receivers: number;
  receiver_status: string | null;
  sender_host: string | null;
  last_msg_s: number | null;
  /** primary_conninfo is not empty; null when the role may not read it. */
  streaming_configured: boolean | null;
  archive_configured: boolean | null;
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

/** WAL received but not replayed, when no replay time is known, worth a warning (a segment). */
const NOT_REPLAYED_WARN_BYTES = 16 * 1024 * 1024;

export async function checkReplication(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  return ctx.server.inRecovery ? await checkReplica(ctx, t) : await checkPrimary(ctx, t);
}

async function checkReplica(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  // pg_stat_wal_receiver has a row while the WAL receiver runs; its details are null for a role
  // without pg_read_all_stats. primary_conninfo is only compared with '' (it holds a password).
  const [row] = await ctx.query<ReplicaRow>(`
    select pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() as caught_up,
           pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 as behind_bytes,
           extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 as replay_age_s,
           (select count(*) from pg_stat_wal_receiver)::int as receivers,
           (select status from pg_stat_wal_receiver limit 1) as receiver_status,
           (select sender_host from pg_stat_wal_receiver limit 1) as sender_host,
           (select extract(epoch from now() - last_msg_receipt_time) from pg_stat_wal_receiver limit 1)::float8 as last_msg_s,
           (select setting <> '' from pg_settings where name = 'primary_conninfo') as streaming_configured,
           (select setting <> '' from pg_settings where name = 'restore_command') as archive_configured`);
  if (!row) return [finding('replication', 'unknown', 'Replica: could not read its recovery state')];
  const replayed = row.replay_age_s === null ? 'nothing replayed since the server started' : `last transaction replayed ${formatDuration(row.replay_age_s)} ago`;
  const fix = 'check the primary, the network between them and the replica log (pg_stat_wal_receiver, "could not connect to the primary server"); a replica far behind may need re-seeding.';

  if (row.receivers === 0) {
    // Not streaming: the replay lag would read as zero (nothing received is left to replay), which says nothing.
    const lines = [`No WAL receiver process: the replica is not streaming from a primary; ${replayed}.`];
    let status: Status;
    if (row.streaming_configured === true) {
      status = 'crit';
      lines.push('primary_conninfo is set, so it should be streaming: the connection to the primary is down or refused.');
    } else if (row.streaming_configured === false) {
      status = 'warn';
      lines.push(row.archive_configured ? 'primary_conninfo is empty: it only replays WAL from the archive (restore_command).' : 'primary_conninfo and restore_command are empty: nothing feeds it new WAL.');
    } else {
      status = 'warn';
      lines.push(`${ctx.server.role} may not read primary_conninfo (grant pg_monitor, which has pg_read_all_settings), so whether it should stream is unknown.`);
    }
    return [
      finding('replication', status, `Replica: WAL receiver not running; ${replayed}`, {
        detail: lines.join('\n'),
        fix,
        metrics: { wal_receiver: 0, ...(row.replay_age_s !== null && { replay_age_s: Math.round(row.replay_age_s) }) },
      }),
    ];
  }
  if (row.receiver_status === null) {
    return [
      finding('replication', 'unknown', `Replica: WAL receiver running, its state hidden from role ${ctx.server.role}`, {
        detail: `pg_stat_wal_receiver shows its details only to roles with pg_read_all_stats; ${replayed}.`,
        fix: `GRANT pg_monitor TO ${ctx.server.role};`,
        metrics: { wal_receiver: 1 },
      }),
    ];
  }
  const from = row.sender_host ? ` from ${row.sender_host}` : '';
  if (row.receiver_status !== 'streaming') {
    const heard = row.last_msg_s === null ? '' : `, last message from the primary ${formatDuration(row.last_msg_s)} ago`;
    return [
      finding('replication', 'warn', `Replica: WAL receiver ${row.receiver_status}${from}, not streaming${heard}`, {
        detail: `${replayed}.`,
        fix,
        metrics: { wal_receiver: 1 },
      }),
    ];
  }
  // With nothing new to replay the replay timestamp ages although the replica is current.
  const lag = row.caught_up ? 0 : row.replay_age_s;
  // Nothing replayed since the standby started: only the WAL received and not yet replayed tells.
  const behind = row.behind_bytes ?? 0;
  const status: Status = lag === null ? (behind < NOT_REPLAYED_WARN_BYTES ? 'ok' : 'warn') : statusAbove(lag, t);
  const title =
    lag === null
      ? `Replica: streaming${from}, no transaction replayed since it started, ${formatBytes(behind)} received not yet replayed`
      : `Replica: streaming${from}, replay lag ${formatDuration(lag)}`;
  return [
    finding('replication', status, title, {
      detail: `WAL receiver streaming${from}; ${replayed}.`,
      fix: status !== 'ok' && status !== 'unknown' ? fix : undefined,
      metrics: { wal_receiver: 1, ...(lag !== null && { lag_s: Math.round(lag * 10) / 10 }) },
    }),
  ];
}

async function checkPrimary(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const walStatus = ctx.server.versionNum >= 130000 ? 'wal_status' : 'null::text';
  const [standbys, slots] = await Promise.all([
    ctx.query<StandbyRow>(`
      select application_name, host(client_addr) as client_addr, state, extract(epoch from replay_lag)::float8 as replay_lag_s
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
  // A standby's state and lag are null for a role without pg_read_all_stats: not known, not zero.
  // A visible standby with a null lag has caught up and is idle.
  const hidden = standbys.filter((s) => s.state === null);
  const maxLag = Math.max(0, ...standbys.map((s) => s.replay_lag_s ?? 0));
  for (const s of standbys.slice(0, 5)) {
    statuses.push(s.state === null ? 'unknown' : statusAbove(s.replay_lag_s ?? 0, t));
    const lag = s.state === null ? 'replay lag hidden' : `replay lag ${s.replay_lag_s === null ? 'none (caught up)' : formatDuration(s.replay_lag_s)}`;
    lines.push(`standby ${s.application_name || '?'}${s.client_addr ? ` (${s.client_addr})` : ''}: ${s.state ?? 'state hidden'}, ${lag}`);
  }
  if (hidden.length) lines.push(`${plural(hidden.length, 'standby', 'standbys')} hidden from role ${ctx.server.role}: pg_stat_replication shows state and lag only to roles with pg_read_all_stats.`);
  const bad = slots.filter((s) => !s.active || (s.wal_status !== null && s.wal_status !== 'reserved'));
  for (const s of slots.slice(0, 5)) {
    if (!s.active || (s.wal_status !== null && s.wal_status !== 'reserved')) statuses.push('warn');
    lines.push(
      `slot ${s.slot_name} (${s.slot_type}${s.database ? `, db ${s.database}` : ''}): ${s.active ? 'active' : 'inactive'}` +
        `${s.wal_status ? `, WAL ${s.wal_status}` : ''}${s.retained_bytes !== null ? `, retains ${formatBytes(s.retained_bytes)}` : ''}`,
    );
  }
  const status = worstStatus(statuses);
  const title =
    bad.length > 0
      ? `${plural(bad.length, 'replication slot')} inactive or retaining WAL: ${bad[0]!.slot_name}${bad[0]!.retained_bytes !== null ? ` (${formatBytes(bad[0]!.retained_bytes)})` : ''}`
      : hidden.length === standbys.length && standbys.length > 0
        ? `Primary; ${plural(standbys.length, 'standby', 'standbys')}, replay lag hidden from role ${ctx.server.role}`
        : `Primary; ${plural(standbys.length, 'standby', 'standbys')}, max replay lag ${formatDuration(maxLag)}${hidden.length ? ` (${hidden.length} hidden)` : ''}`;
  const fix =
    status === 'warn' || status === 'crit'
      ? 'bring the standby or consumer back, or drop the dead slot (pg_drop_replication_slot) before WAL fills the disk.'
      : status === 'unknown'
        ? `GRANT pg_monitor TO ${ctx.server.role};`
        : undefined;
  return [
    finding('replication', status, title, {
      detail: lines.join('\n'),
      fix,
      metrics: { standbys: standbys.length, slots: slots.length, inactive_slots: bad.length, max_lag_s: Math.round(maxLag * 10) / 10 },
    }),
  ];
}
