// A session idle in a transaction holds its locks and its snapshot (which stops vacuum) while
// doing nothing: usually an application that forgot to commit.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, notProbe, okOrBlind, statusAbove, withHiddenNote, type CheckContext } from '../check-context.ts';
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
  const oldest = offenders[0];
  if (!oldest) {
    return [await okOrBlind(ctx, 'idle_in_transaction', `No session idle in transaction for over ${formatDuration(t.warn)}`, {
      metrics: { sessions: 0, oldest_s: Math.round(rows[0]?.age_s ?? 0) },
    })];
  }
  const count = oldest.over_warn;
  const lines = offenders.map((r) =>
    sessionLine(r, r.age_s, r.state === 'idle in transaction (aborted)' ? 'aborted transaction' : undefined),
  );
  if (offenders.some((r) => r.holds_xmin)) lines.push('Their open snapshots also stop vacuum from removing dead rows.');
  lines.push('Fix: terminate the session; set idle_in_transaction_session_timeout; make the application commit or roll back.');
  const remedies = backendRemedies('postgres.terminate_backend', offenders);
  return [
    finding(
      'idle_in_transaction',
      statusAbove(oldest.age_s, t),
      `${plural(count, 'session')} idle in transaction, oldest ${formatDuration(oldest.age_s)} (pid ${oldest.pid})`,
      {
        detail: await withHiddenNote(ctx, lines),
        metrics: { sessions: count, oldest_s: Math.round(oldest.age_s), oldest_pid: oldest.pid },
        remedies,
      },
    ),
  ];
}
