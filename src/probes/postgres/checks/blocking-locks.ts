// Sessions waiting on a lock and the session at the root of the chain. pg_locks and
// pg_blocking_pids are readable without pg_monitor, so this check sees every wait; only the
// query text of other roles may be hidden.
import type { Finding, Remedy, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, PROBE_APPLICATION, statusAbove, withHiddenNote, type CheckContext } from '../check-context.ts';
import { backendRemedy } from '../backend-remedy.ts';
import { formatDuration, plural } from '../../format.ts';
import { sessionLine, type SessionRow } from '../session-line.ts';

interface WaiterRow extends SessionRow {
  locktype: string;
  mode: string;
  relation: string | null;
  wait_s: number | null;
  blocked_by: number[];
}

interface BlockerRow extends SessionRow {
  state: string | null;
  xact_age_s: number | null;
  state_age_s: number | null;
}

const MAX_WAITER_LINES = 4;

export async function checkBlockingLocks(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  // pg_locks.waitstart exists from PG14; before that the statement start is the best bound.
  const waitstart = ctx.server.versionNum >= 140000 ? 'l.waitstart' : 'null::timestamptz';
  const waiters = await ctx.query<WaiterRow>(`
    with waiting as (
      select distinct on (l.pid) l.pid, l.locktype, l.mode, ${waitstart} as waitstart,
             case when l.database = (select oid from pg_database where datname = current_database())
                  then l.relation::regclass::text end as relation
      from pg_locks l
      where not l.granted and l.pid is not null and l.pid <> pg_backend_pid()
      order by l.pid
      limit 50
    )
    select w.pid, w.locktype, w.mode, w.relation,
           a.usename, a.application_name, a.datname, a.query,
           extract(epoch from now() - coalesce(w.waitstart, a.query_start))::float8 as wait_s,
           pg_blocking_pids(w.pid) as blocked_by
    from waiting w left join pg_stat_activity a on a.pid = w.pid
    where coalesce(a.application_name, '') <> '${PROBE_APPLICATION}'
    order by wait_s desc nulls last
    limit 20`);
  // A waiter whose blockers already left is no longer blocked.
  const blocked = waiters.filter((w) => w.blocked_by.length > 0);
  if (blocked.length === 0) {
    return [finding('blocking_locks', 'ok', 'No session waiting on a lock', { metrics: { waiting: 0, max_wait_s: 0 } })];
  }

  const waitingPids = new Set(blocked.map((w) => w.pid));
  const blockerPids = [...new Set(blocked.flatMap((w) => w.blocked_by))];
  const blockers = await ctx.query<BlockerRow>(
    `select a.pid, a.usename, a.application_name, a.datname, a.state, a.query,
            extract(epoch from now() - a.xact_start)::float8 as xact_age_s,
            extract(epoch from now() - a.state_change)::float8 as state_age_s
     from pg_stat_activity a
     where a.pid = any($1::int[])
     limit 20`,
    [blockerPids.filter((p) => p > 0)],
  );
  const blockerByPid = new Map(blockers.map((b) => [b.pid, b]));

  // Walk each waiter up to the sessions that block without waiting themselves (the roots).
  const byPid = new Map(blocked.map((w) => [w.pid, w]));
  const rootsOf = (pid: number, seen = new Set<number>()): number[] => {
    if (seen.has(pid)) return [];
    seen.add(pid);
    const w = byPid.get(pid);
    if (!w) return [pid];
    const roots = w.blocked_by.flatMap((b) => (waitingPids.has(b) ? rootsOf(b, seen) : [b]));
    return roots.length ? roots : [pid];
  };
  const rootCount = new Map<number, number>();
  for (const w of blocked) for (const r of new Set(rootsOf(w.pid))) rootCount.set(r, (rootCount.get(r) ?? 0) + 1);
  const roots = [...rootCount.entries()].sort((a, b) => b[1] - a[1]).map(([pid]) => pid);
  const root = roots[0]!;

  const maxWait = Math.max(0, ...blocked.map((w) => w.wait_s ?? 0));
  // Any chain is worth a look; the wait time decides whether it is urgent.
  const byWait = statusAbove(maxWait, t);
  const status: Status = byWait === 'ok' ? 'warn' : byWait;

  const lines: string[] = [];
  for (const pid of roots.slice(0, 2)) lines.push(blockerLine(pid, blockerByPid.get(pid)));
  for (const w of blocked.slice(0, MAX_WAITER_LINES)) {
    const what = `waiting for ${w.mode} on ${w.relation ? `table ${w.relation}` : w.locktype} behind pid ${w.blocked_by.join(', ')}`;
    lines.push(`  ${sessionLine(w, w.wait_s, what)}`);
  }
  if (blocked.length > MAX_WAITER_LINES) lines.push(`  and ${blocked.length - MAX_WAITER_LINES} more waiting`);
  lines.push("Fix: cancel the blocker's query, or terminate it when it is idle in transaction; set lock_timeout for migrations.");

  const remedies: Remedy[] = [];
  for (const pid of roots.slice(0, 2)) {
    if (pid <= 0) continue;
    if (blockerByPid.get(pid)?.state === 'active') {
      remedies.push(backendRemedy('postgres.cancel_query', pid));
    }
    remedies.push(backendRemedy('postgres.terminate_backend', pid));
  }

  const others = roots.length > 1 ? ` and ${plural(roots.length - 1, 'other')}` : '';
  const heldBy = root > 0 ? `pid ${root}${others}` : `a prepared transaction${others}`;
  return [
    finding(
      'blocking_locks',
      status,
      `${plural(blocked.length, 'session')} waiting on locks held by ${heldBy}, longest wait ${formatDuration(maxWait)}`,
      {
        detail: await withHiddenNote(ctx, lines),
        metrics: { waiting: blocked.length, max_wait_s: Math.round(maxWait), blockers: roots.length, root_blocker_pid: root },
        remedies,
      },
    ),
  ];
}

function blockerLine(pid: number, b: BlockerRow | undefined): string {
  if (pid === 0) return 'blocker: a prepared transaction (see pg_prepared_xacts; COMMIT PREPARED or ROLLBACK PREPARED it)';
  if (!b) return `blocker pid ${pid} (already gone)`;
  const state = b.state ?? 'state hidden';
  const label = `blocker, ${state}${b.xact_age_s !== null ? `, transaction open ${formatDuration(b.xact_age_s)}` : ''}`;
  return sessionLine(b, null, label);
}
