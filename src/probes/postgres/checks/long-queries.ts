// The longest running active statement; a cancel stops the statement but keeps the session.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { finding, notProbe, okOrBlind, statusAbove, withHiddenNote, type CheckContext } from '../check-context.ts';
import { backendRemedies } from '../backend-remedy.ts';
import { formatDuration, plural } from '../../format.ts';
import { MAX_LINES, sessionLine, type SessionRow } from '../session-line.ts';

interface Row extends SessionRow {
  age_s: number;
  wait_event_type: string | null;
  wait_event: string | null;
  over_warn: number;
}

export async function checkLongQueries(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const rows = await ctx.query<Row>(
    `select a.pid, a.usename, a.application_name, a.datname, a.query, a.wait_event_type, a.wait_event,
            extract(epoch from now() - a.query_start)::float8 as age_s,
            (count(*) filter (where now() - a.query_start >= make_interval(secs => $1)) over ())::int as over_warn
     from pg_stat_activity a
     where a.backend_type = 'client backend' and a.state = 'active' and a.query_start is not null and ${notProbe('a')}
     order by a.query_start
     limit ${MAX_LINES}`,
    [t.warn],
  );
  const offenders = rows.filter((r) => r.age_s >= t.warn);
  const longest = offenders[0];
  if (!longest) {
    const age = rows[0]?.age_s ?? 0;
    return [await okOrBlind(ctx, 'long_queries', rows.length ? `Longest running query ${formatDuration(age)}` : 'No query running', {
      metrics: { queries: 0, longest_s: Math.round(age) },
    })];
  }
  const lines = offenders.map((r) =>
    sessionLine(r, r.age_s, r.wait_event_type ? `waiting on ${r.wait_event_type}/${r.wait_event ?? '?'}` : undefined),
  );
  lines.push('Fix: cancel it (the session stays); set statement_timeout; EXPLAIN it for a missing index.');
  const remedies = backendRemedies('postgres.cancel_query', offenders);
  const title =
    longest.over_warn === 1
      ? `Query running ${formatDuration(longest.age_s)} (pid ${longest.pid})`
      : `${plural(longest.over_warn, 'query', 'queries')} running over ${formatDuration(t.warn)}, longest ${formatDuration(longest.age_s)} (pid ${longest.pid})`;
  return [
    finding('long_queries', statusAbove(longest.age_s, t), title, {
      detail: await withHiddenNote(ctx, lines),
      metrics: { queries: longest.over_warn, longest_s: Math.round(longest.age_s), longest_pid: longest.pid },
      remedies,
    }),
  ];
}
