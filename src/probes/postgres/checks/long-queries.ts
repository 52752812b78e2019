// The longest running active statements; a cancel stops the statement but keeps the session. A
// statement waiting on a lock another session holds is not slow, it is blocked: it is the effect
// of that session (blocking_locks names it), so it is neither judged nor offered a button here.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, hiddenSessionsNote, notProbe, okOrBlind, statusAbove, type CheckContext } from '../check-context.ts';
import { backendRemedies } from '../backend-remedy.ts';
import { formatDuration, plural } from '../../format.ts';
import { MAX_LINES, sessionLine, type SessionRow } from '../session-line.ts';

interface Row extends SessionRow {
  age_s: number;
  wait_event_type: string | null;
  wait_event: string | null;
  over_warn: number;
  lock_waiting: number;
}

export async function checkLongQueries(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(
    `select a.pid, a.usename, a.application_name, a.datname, a.query, a.wait_event_type, a.wait_event,
            extract(epoch from now() - a.query_start)::float8 as age_s,
            (count(*) filter (where now() - a.query_start >= make_interval(secs => $1)) over ())::int as over_warn,
            (count(*) filter (where now() - a.query_start >= make_interval(secs => $1) and a.wait_event_type = 'Lock') over ())::int as lock_waiting
     from pg_stat_activity a
     where a.backend_type = 'client backend' and a.state = 'active' and a.query_start is not null and ${notProbe('a')}
     order by (a.wait_event_type is not distinct from 'Lock'), a.query_start
     limit ${MAX_LINES}`,
    [t.warn],
  );
  const running = rows.filter((r) => r.wait_event_type !== 'Lock');
  const offenders = running.filter((r) => r.age_s >= t.warn);
  const lockWaiting = rows[0]?.lock_waiting ?? 0;
  const blockedNote = lockWaiting > 0 ? `${plural(lockWaiting, 'more statement')} running over ${formatDuration(t.warn)} only because ${lockWaiting === 1 ? 'it waits' : 'they wait'} on a lock: see the lock waits finding (end the blocker, not the waiter)` : undefined;
  if (offenders.length === 0) {
    const age = running[0]?.age_s ?? 0;
    const okTitle = running.length ? `Longest running query ${formatDuration(age)}` : 'No query running';
    return [await okOrBlind(ctx, 'long_queries', lockWaiting > 0 ? `${okTitle}, besides ${plural(lockWaiting, 'statement')} waiting on a lock` : okTitle, {
      detail: blockedNote,
      metrics: { queries: 0, longest_s: Math.round(age), lock_waiting: lockWaiting },
    })];
  }
  const note = hiddenSessionsNote(ctx.server, await ctx.hiddenSessions());
  const total = offenders[0]!.over_warn - lockWaiting;
  const render = (listed: Row[], count: number): Finding[] => {
    const longest = listed[0];
    if (!longest) {
      return count > 0 ? [finding('long_queries', 'warn', `${plural(count, 'more query', 'more queries')} running over ${formatDuration(t.warn)}`, { metrics: { queries: count } })] : [];
    }
    const lines = listed.map((r) => sessionLine(r, r.age_s, r.wait_event_type ? `waiting on ${r.wait_event_type}/${r.wait_event ?? '?'}` : undefined));
    if (blockedNote) lines.push(blockedNote);
    if (note) lines.push(note);
    const title =
      count === 1
        ? `Query running ${formatDuration(longest.age_s)} (pid ${longest.pid})`
        : `${plural(count, 'query', 'queries')} running over ${formatDuration(t.warn)}, longest ${formatDuration(longest.age_s)} (pid ${longest.pid})`;
    return [
      finding('long_queries', statusAbove(longest.age_s, t), title, {
        detail: lines.join('\n'),
        fix: 'cancel it (the session stays); set statement_timeout; EXPLAIN it for a missing index.',
        metrics: { queries: count, longest_s: Math.round(longest.age_s), longest_pid: longest.pid, lock_waiting: lockWaiting },
        remedies: backendRemedies('postgres.cancel_query', listed),
      }),
    ];
  };
  const findings = render(offenders, total);
  ctx.evidence.sessions.set('long_queries', {
    flagged: offenders.map((r) => ({ pid: r.pid, status: statusAbove(r.age_s, t), fact: `statement running ${formatDuration(r.age_s)}` })),
    findings,
    without: (pids) => {
      const kept = offenders.filter((r) => !pids.has(r.pid));
      return render(kept, total - (offenders.length - kept.length));
    },
  });
  return findings;
}
