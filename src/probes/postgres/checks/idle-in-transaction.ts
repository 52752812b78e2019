// A session idle in a transaction holds its locks and its snapshot (which stops vacuum) while
// doing nothing: usually an application that forgot to commit.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, hiddenSessionsNote, notProbe, okOrBlind, statusAbove, type CheckContext } from '../check-context.ts';
import { backendRemedies } from '../backend-remedy.ts';
import { formatDuration, plural } from '../../format.ts';
import { MAX_LINES, sessionLine, type SessionRow } from '../session-line.ts';

interface Row extends SessionRow {
  state: string;
  age_s: number;
  holds_xmin: boolean;
  over_warn: number;
}

export async function checkIdleInTransaction(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(
    `select a.pid, a.usename, a.application_name, a.datname, a.state, a.query,
            extract(epoch from now() - a.state_change)::float8 as age_s,
            a.backend_xmin is not null as holds_xmin,
            (count(*) filter (where now() - a.state_change >= make_interval(secs => $1)) over ())::int as over_warn
     from pg_stat_activity a
     where a.state in ('idle in transaction', 'idle in transaction (aborted)') and ${notProbe('a')}
     order by a.state_change
     limit ${MAX_LINES}`,
    [t.warn],
  );
  const offenders = rows.filter((r) => r.age_s >= t.warn);
  if (offenders.length === 0) {
    return [await okOrBlind(ctx, 'idle_in_transaction', `No session idle in transaction for over ${formatDuration(t.warn)}`, {
      metrics: { sessions: 0, oldest_s: Math.round(rows[0]?.age_s ?? 0) },
    })];
  }
  const note = hiddenSessionsNote(ctx.server, await ctx.hiddenSessions());
  const render = (listed: Row[], count: number): Finding[] => {
    const oldest = listed[0];
    if (!oldest) {
      return count > 0 ? [finding('idle_in_transaction', 'warn', `${plural(count, 'more session')} idle in transaction over ${formatDuration(t.warn)}`, { metrics: { sessions: count } })] : [];
    }
    const lines = listed.map((r) => sessionLine(r, r.age_s, r.state === 'idle in transaction (aborted)' ? 'aborted transaction' : undefined));
    if (listed.some((r) => r.holds_xmin)) lines.push('Their open snapshots also stop vacuum from removing dead rows.');
    if (note) lines.push(note);
    return [
      finding(
        'idle_in_transaction',
        statusAbove(oldest.age_s, t),
        `${plural(count, 'session')} idle in transaction, oldest ${formatDuration(oldest.age_s)} (pid ${oldest.pid})`,
        {
          detail: lines.join('\n'),
          fix: 'terminate the session (there is no statement to cancel); set idle_in_transaction_session_timeout; make the application commit or roll back.',
          metrics: { sessions: count, oldest_s: Math.round(oldest.age_s), oldest_pid: oldest.pid },
          remedies: backendRemedies('postgres.terminate_backend', listed),
        },
      ),
    ];
  };
  const findings = render(offenders, offenders[0]!.over_warn);
  ctx.evidence.sessions.set('idle_in_transaction', {
    flagged: offenders.map((r) => ({ pid: r.pid, status: statusAbove(r.age_s, t), fact: `${r.state} ${formatDuration(r.age_s)}` })),
    findings,
    without: (pids) => {
      const kept = offenders.filter((r) => !pids.has(r.pid));
      return render(kept, offenders[0]!.over_warn - (offenders.length - kept.length));
    },
  });
  return findings;
}
