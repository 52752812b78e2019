// Role and replication links. On a replica the link to the master is what matters: down means
// the replica serves stale data (or nothing, with replica-serve-stale-data no) and will need a
// resync. On a master: the connected replicas, their state and lag, for the detail.
import type { Finding } from '../../../report.ts';
import { finding, type CheckContext } from '../check-context.ts';
import { num, subfields } from '../info.ts';
import { counted, formatDuration } from '../../format.ts';

export async function checkReplication(ctx: CheckContext): Promise<Finding[]> {
  const { info } = ctx;
  const role = info.get('role');
  if (role === 'slave' || role === 'replica') return [await replica(ctx)];
  if (role !== 'master') return [finding('replication', 'unknown', `Replication: INFO reports no role${role ? ` (${role})` : ''}`)];

  const count = num(info, 'connected_slaves') ?? 0;
  const replicas: Array<{ addr: string; state: string; lag: number | undefined }> = [];
  for (let i = 0; i < count && i < 50; i++) {
    const f = subfields(info.get(`slave${i}`));
    if (f.size === 0) continue;
    const lag = f.get('lag');
    replicas.push({ addr: `${f.get('ip') ?? '?'}:${f.get('port') ?? '?'}`, state: f.get('state') ?? '?', lag: lag === undefined ? undefined : Number(lag) });
  }
  const lines = replicas.map((r) => `replica ${r.addr}: ${r.state}${r.lag !== undefined ? `, last ack ${formatDuration(r.lag)} ago` : ''}`);
  lines.push(`repl-backlog ${info.get('repl_backlog_active') === '1' ? 'active' : 'inactive'}, ${num(info, 'repl_backlog_size') ?? 0} bytes`);
  const notOnline = replicas.filter((r) => r.state !== 'online');
  const maxLag = replicas.reduce((m, r) => Math.max(m, r.lag ?? 0), 0);
  let title: string;
  if (count === 0) title = 'Master without replicas';
  else {
    title = `Master with ${counted(count, 'replica')}`;
    title += notOnline.length ? `, ${notOnline.length} syncing (${notOnline.map((r) => r.state).join(', ')})` : `, all online (last ack ≤ ${formatDuration(maxLag)} ago)`;
  }
  return [finding('replication', 'ok', title, { detail: lines.join('\n'), metrics: { role_master: 1, connected_replicas: count, max_lag_s: maxLag } })];
}

async function replica(ctx: CheckContext): Promise<Finding> {
  const { info } = ctx;
  const master = `${info.get('master_host') ?? '?'}:${info.get('master_port') ?? '?'}`;
  const link = info.get('master_link_status');
  const lastIo = num(info, 'master_last_io_seconds_ago');
  const downSince = num(info, 'master_link_down_since_seconds');
  const syncing = num(info, 'master_sync_in_progress') === 1;
  const lines = [
    `master ${master}, link ${link ?? '?'}, last I/O ${lastIo === undefined || lastIo < 0 ? 'never' : `${formatDuration(lastIo)} ago`}`,
    `replica offset ${info.get('slave_repl_offset') ?? '?'}, read-only ${info.get('slave_read_only') === '1' ? 'yes' : 'no'}`,
  ];
  if (syncing) lines.push(`initial sync in progress: ${info.get('master_sync_total_bytes') ?? '?'} bytes, ${info.get('master_sync_read_bytes') ?? '?'} read`);
  const metrics: Record<string, number> = { role_master: 0, link_up: link === 'up' ? 1 : 0 };
  if (lastIo !== undefined) metrics.master_last_io_s = lastIo;

  if (link !== 'up') {
    const since = downSince === undefined || downSince < 0 ? 'never connected since the replica started' : `down for ${formatDuration(downSince)}`;
    if (downSince !== undefined && downSince >= 0) metrics.link_down_s = downSince;
    // With replica-serve-stale-data no, every data command answers MASTERDOWN: the replica serves nothing.
    const staleServed = ctx.pingReply?.code === 'MASTERDOWN' ? false : await servesStaleData(ctx);
    if (ctx.pingReply?.code === 'MASTERDOWN') lines.push(`PING answers: ${ctx.pingReply.message}`);
    const serving = staleServed === false ? ': serves no data (replica-serve-stale-data no, clients get MASTERDOWN)' : staleServed === true ? ': serves stale data' : '';
    return finding('replication', 'crit', `Replica of ${master}: link down (${syncing ? 'sync in progress, ' : ''}${since})${serving}`, {
      detail: lines.join('\n'),
      metrics,
      fix:
        `check that the master ${master} is up and reachable from the replica (network, firewall), that masterauth/masteruser match the master, and the replica log; ` +
        (staleServed === false ? 'meanwhile point clients at the master or a healthy replica, or promote this one (REPLICAOF NO ONE) if the master is gone for good; ' : '') +
        'after a long outage a full resync follows: a larger repl-backlog-size lets short outages resume with a partial sync.',
    });
  }
  return finding('replication', 'ok', `Replica of ${master}: link up, last I/O ${lastIo === undefined ? '?' : `${formatDuration(lastIo)} ago`}`, { detail: lines.join('\n'), metrics });
}

/** Whether a replica with its link down answers reads: replica-serve-stale-data, when CONFIG GET reads it. */
async function servesStaleData(ctx: CheckContext): Promise<boolean | undefined> {
  const c = await ctx.config('replica-serve-stale-data');
  return c.ok && c.value !== undefined ? c.value === 'yes' : undefined;
}
