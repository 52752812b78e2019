// The oldest open transaction: it keeps every row version newer than its snapshot alive, so
// vacuum cannot clean up behind it, and it may hold locks others queue on.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, hiddenSessionsNote, notProbe, okOrBlind, statusAbove, type CheckContext } from '../check-context.ts';
import { backendRemedies } from '../backend-remedy.ts';
import { formatDuration, plural } from '../../format.ts';
import { MAX_LINES, sessionLine, type SessionRow } from '../session-line.ts';

interface Row extends SessionRow {
  state: string | null;
  age_s: number;
  over_warn: number;
}

export async function checkLongTransactions(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(
    `select a.pid, a.usename, a.application_name, a.datname, a.state, a.query,
            extract(epoch from now() - a.xact_start)::float8 as age_s,
            (count(*) filter (where now() - a.xact_start >= make_interval(secs => $1)) over ())::int as over_warn
     from pg_stat_activity a
     where a.backend_type = 'client backend' and a.xact_start is not null and ${notProbe('a')}
     order by a.xact_start
     limit ${MAX_LINES}`,
    [t.warn],
  );
  const offenders = rows.filter((r) => r.age_s >= t.warn);
  if (offenders.length === 0) {
    const age = rows[0]?.age_s ?? 0;
    return [await okOrBlind(ctx, 'long_transactions', rows.length ? `Oldest transaction ${formatDuration(age)}` : 'No open transaction', {
      metrics: { transactions: 0, oldest_s: Math.round(age) },
    })];
  }
  const note = hiddenSessionsNote(ctx.server, await ctx.hiddenSessions());
  const render = (listed: Row[], count: number): Finding[] => {
    const oldest = listed[0];
    if (!oldest) {
      return count > 0 ? [finding('long_transactions', 'warn', `${plural(count, 'more transaction')} open over ${formatDuration(t.warn)}`, { metrics: { transactions: count } })] : [];
    }
    const lines = listed.map((r) => sessionLine(r, r.age_s, r.state ?? undefined));
    lines.push('A long transaction also stops vacuum from removing dead rows anywhere in its database.');
    if (note) lines.push(note);
    return [
      finding(
        'long_transactions',
        statusAbove(oldest.age_s, t),
        `${plural(count, 'transaction')} open over ${formatDuration(t.warn)}, oldest ${formatDuration(oldest.age_s)} (pid ${oldest.pid})`,
        {
          detail: lines.join('\n'),
          fix: 'cancel or terminate it; set transaction_timeout (PG17+) or statement_timeout; split batch jobs.',
          metrics: { transactions: count, oldest_s: Math.round(oldest.age_s), oldest_pid: oldest.pid },
          remedies: backendRemedies('postgres.terminate_backend', listed),
        },
      ),
    ];
  };
  const findings = render(offenders, offenders[0]!.over_warn);
  ctx.evidence.sessions.set('long_transactions', {
    flagged: offenders.map((r) => ({ pid: r.pid, status: statusAbove(r.age_s, t), fact: `transaction open ${formatDuration(r.age_s)}` })),
    findings,
    without: (pids) => {
      const kept = offenders.filter((r) => !pids.has(r.pid));
      return render(kept, offenders[0]!.over_warn - (offenders.length - kept.length));
    },
  });
  return findings;
}
