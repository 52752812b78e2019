// Client backends against the slots ordinary roles can use: max_connections minus the slots
// reserved for superusers (and, PG16+, for pg_use_reserved_connections).
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { clientBackend, finding, hiddenSessionsNote, notProbe, statusAbove, type CheckContext } from '../check-context.ts';
import { formatPct } from '../../format.ts';

interface LimitsRow {
  max_connections: number;
  superuser_reserved: number;
  reserved: number;
}

interface GroupRow {
  state: string | null;
  usename: string | null;
  application_name: string | null;
  datname: string | null;
  n: number;
}

export async function checkConnections(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const reserved = ctx.server.versionNum >= 160000 ? `current_setting('reserved_connections')::int` : '0';
  const [limitsRows, groups] = await Promise.all([
    ctx.query<LimitsRow>(`
      select current_setting('max_connections')::int as max_connections,
             current_setting('superuser_reserved_connections')::int as superuser_reserved,
             ${reserved} as reserved`),
    ctx.query<GroupRow>(`
      select a.state, a.usename, a.application_name, a.datname, count(*)::int as n
      from pg_stat_activity a
      where ${clientBackend('a')} and ${notProbe('a')}
      group by 1, 2, 3, 4
      order by n desc
      limit 500`),
  ]);
  const limits = limitsRows[0]!;
  const usable = Math.max(1, limits.max_connections - limits.superuser_reserved - limits.reserved);
  const byState = new Map<string, number>();
  const byApp = new Map<string, number>();
  const byDb = new Map<string, number>();
  let total = 0;
  let hidden = 0;
  for (const g of groups) {
    total += g.n;
    if (g.state === null) hidden += g.n;
    add(byState, g.state ?? '(hidden)', g.n);
    add(byApp, `${g.application_name || '(no application_name)'} as ${g.usename ?? '?'}`, g.n);
    add(byDb, g.datname ?? '(none)', g.n);
  }
  const pct = (total / usable) * 100;
  const status = statusAbove(pct, t);
  const title = `Connections ${total}/${usable} (${formatPct(pct)})`;
  const lines = [
    `by state: ${top(byState, 6)}`,
    `by application: ${top(byApp, 5)}`,
    `by database: ${top(byDb, 5)}`,
    `max_connections ${limits.max_connections}, reserved ${limits.superuser_reserved + limits.reserved}`,
  ];
  const note = hiddenSessionsNote(ctx.server, hidden);
  if (note) lines.push(note);
  return [
    finding('connections', status, title, {
      detail: total > 0 || note ? lines.join('\n') : undefined,
      fix: status !== 'ok' ? 'find the application holding the most connections, put a pooler (PgBouncer) in front, terminate idle sessions.' : undefined,
      metrics: {
        connections: total,
        usable,
        max_connections: limits.max_connections,
        pct: Math.round(pct * 10) / 10,
        active: byState.get('active') ?? 0,
        idle: byState.get('idle') ?? 0,
        idle_in_transaction: (byState.get('idle in transaction') ?? 0) + (byState.get('idle in transaction (aborted)') ?? 0),
      },
    }),
  ];
}

function add(map: Map<string, number>, key: string, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function top(map: Map<string, number>, max: number): string {
  const entries = [...map.entries()].sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, max).map(([k, n]) => `${k} ${n}`);
  if (entries.length > max) shown.push(`${entries.length - max} more`);
  return shown.join(', ') || 'none';
}
