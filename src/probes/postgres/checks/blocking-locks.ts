// Sessions waiting on a lock and the sessions at the head of each chain. pg_locks and
// pg_blocking_pids are readable without pg_monitor, so this check sees every wait; only the
// query text of other roles may be hidden. Each head of a chain is a root cause of its own: its
// finding names it, lists the sessions waiting on it as effects, and offers the one button that
// ends the chain (cancel a running statement, terminate a session idle in transaction).
import type { Finding, Remedy, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, PROBE_APPLICATION, statusAbove, withHiddenNote, type CheckContext } from '../check-context.ts';
import { backendRemedy } from '../backend-remedy.ts';
import { formatDuration, plural } from '../../format.ts';
import { queryText, sessionLine, type SessionRow } from '../session-line.ts';

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

/** Effects listed under one root cause; the rest are counted. */
const MAX_EFFECT_LINES = 5;
/** Root causes reported one by one; further heads of chains are counted in the last one. */
const MAX_ROOTS = 3;

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
  const victims = new Map<number, WaiterRow[]>();
  for (const w of blocked) {
    for (const r of new Set(rootsOf(w.pid))) {
      if (r === w.pid) continue;
      victims.set(r, [...(victims.get(r) ?? []), w]);
    }
  }
  // A cycle (a deadlock about to be broken) has no head outside it: its members are their own roots.
  for (const w of blocked) if (![...victims.values()].some((v) => v.includes(w))) victims.set(w.pid, [w]);
  const roots = [...victims.entries()].sort((a, b) => b[1].length - a[1].length || maxWait(b[1]) - maxWait(a[1]));
  ctx.evidence.lockRoots = roots.map(([pid, v]) => ({ pid, waiters: v.map((w) => w.pid).filter((p) => p !== pid) }));

  const shown = roots.slice(0, MAX_ROOTS);
  const findings: Finding[] = [];
  for (const [i, [pid, waiting]] of shown.entries()) {
    const longest = maxWait(waiting);
    // Any chain is worth a look; the wait time decides whether it is urgent.
    const byWait = statusAbove(longest, t);
    const status: Status = byWait === 'ok' ? 'warn' : byWait;
    const blocker = blockerByPid.get(pid);
    const effects = waiting.slice(0, MAX_EFFECT_LINES).map((w) => effectLine(w, pid));
    if (waiting.length > MAX_EFFECT_LINES) effects.push(`and ${plural(waiting.length - MAX_EFFECT_LINES, 'more session')} waiting`);
    const lines = [blockerLine(pid, blocker)];
    for (const w of waiting.slice(0, MAX_EFFECT_LINES)) {
      lines.push(`pid ${w.pid} waits for ${w.mode} on ${w.relation ? `table ${w.relation}` : w.locktype}`);
    }
    const last = i === shown.length - 1;
    if (last && roots.length > shown.length) lines.push(`and ${plural(roots.length - shown.length, 'other session')} at the head of a lock chain`);
    findings.push(
      finding('blocking_locks', status, rootTitle(pid, blocker, waiting), {
        rootCause: true,
        detail: await withHiddenNote(ctx, lines),
        effects,
        fix: rootFix(pid, blocker),
        metrics: { waiting: waiting.length, max_wait_s: Math.round(longest), blockers: roots.length, root_blocker_pid: pid },
        remedies: rootRemedies(pid, blocker),
      }),
    );
  }
  return findings;
}

function maxWait(waiting: readonly WaiterRow[]): number {
  return Math.max(0, ...waiting.map((w) => w.wait_s ?? 0));
}

/** "billing-worker pid 23238, idle in transaction 2 min, blocks 1 api session". */
function rootTitle(pid: number, b: BlockerRow | undefined, waiting: readonly WaiterRow[]): string {
  const blocks = `blocks ${blockedSessions(waiting)}`;
  if (pid === 0) return `A prepared transaction ${blocks}`;
  if (!b) return `pid ${pid} (gone since the probe looked) ${blocks}`;
  const who = b.application_name ? `${b.application_name} pid ${pid}` : b.usename ? `pid ${pid} (user ${b.usename})` : `pid ${pid}`;
  return `${who}, ${stateWords(b)}, ${blocks}`;
}

function stateWords(b: BlockerRow): string {
  const age = b.state_age_s !== null ? ` ${formatDuration(b.state_age_s)}` : '';
  switch (b.state) {
    case null:
      return b.xact_age_s !== null ? `transaction open ${formatDuration(b.xact_age_s)}` : 'state hidden';
    case 'active':
      return `running a statement for${age || ' a while'}`;
    default:
      return `${b.state}${age}`;
  }
}

/** "1 api session", "3 sessions (2 api, 1 cron)". */
function blockedSessions(waiting: readonly WaiterRow[]): string {
  const byApp = new Map<string, number>();
  for (const w of waiting) {
    const app = w.application_name || '(no application_name)';
    byApp.set(app, (byApp.get(app) ?? 0) + 1);
  }
  if (byApp.size === 1) {
    const [app] = byApp.keys();
    return app === '(no application_name)' ? plural(waiting.length, 'session') : `${waiting.length} ${app} session${waiting.length === 1 ? '' : 's'}`;
  }
  const apps = [...byApp.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 3).map(([app, n]) => `${n} ${app}`);
  return `${plural(waiting.length, 'session')} (${apps.join(', ')}${byApp.size > 3 ? ', ...' : ''})`;
}

/** "pid 4242 (api) waits 1 min: UPDATE accounts SET ..."; behind another waiter when not directly. */
function effectLine(w: WaiterRow, root: number): string {
  const app = w.application_name ? ` (${w.application_name})` : w.usename ? ` (user ${w.usename})` : '';
  const behind = w.blocked_by.includes(root) ? '' : ` behind pid ${w.blocked_by.join(', ')}`;
  return `pid ${w.pid}${app} waits ${formatDuration(w.wait_s ?? 0)}${behind}: ${queryText(w.query)}`;
}

function blockerLine(pid: number, b: BlockerRow | undefined): string {
  if (pid === 0) return 'blocker: a prepared transaction (see pg_prepared_xacts)';
  if (!b) return `blocker pid ${pid} (already gone)`;
  const state = b.state ?? 'state hidden';
  const label = `blocker, ${state}${b.xact_age_s !== null ? `, transaction open ${formatDuration(b.xact_age_s)}` : ''}`;
  return sessionLine(b, null, label);
}

function rootFix(pid: number, b: BlockerRow | undefined): string {
  if (pid === 0) return 'COMMIT PREPARED or ROLLBACK PREPARED the transaction (its gid is in pg_prepared_xacts); then find the transaction manager that left it.';
  if (!b) return 'run the diagnosis again: the blocker ended, the sessions behind it may be free now.';
  if (b.state === 'active') {
    return `cancel the statement of pid ${pid} (the session stays); terminate it if it does not stop. Do not cancel the waiters: they are the effect. Set lock_timeout for migrations.`;
  }
  return (
    `terminate pid ${pid}: ${b.state?.startsWith('idle in transaction') ? 'it is idle in transaction, so there is no statement to cancel; ' : ''}` +
    'its transaction is rolled back and every lock it holds released. Do not cancel the waiters: they are the effect. ' +
    'Then make the application commit or roll back, and set idle_in_transaction_session_timeout.'
  );
}

/** One button: the one that ends the chain. */
function rootRemedies(pid: number, b: BlockerRow | undefined): Remedy[] {
  if (pid <= 0 || !b) return [];
  return [backendRemedy(b.state === 'active' ? 'postgres.cancel_query' : 'postgres.terminate_backend', pid)];
}
