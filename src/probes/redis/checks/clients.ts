// connected_clients against maxclients (the probe's own connections left out), blocked clients
// (BLPOP and friends: normal for queue consumers, worth knowing when a queue stalls) and
// rejected_connections growth since the previous run. CLIENT LIST names the top holders; on a
// server with thousands of clients it is skipped to keep the probe light.
import type { Finding, Status } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { worstStatus } from '../../../report.ts';
import { PROBE_CLIENT_NAME, finding, round, statusAbove, type CheckContext } from '../check-context.ts';
import { describeCheckError } from '../classify-error.ts';
import { num } from '../info.ts';
import { counted, formatCount, formatDuration, formatPct } from '../../format.ts';

/** Above this many clients the probe does not fetch CLIENT LIST (about 300 bytes per client). */
export const CLIENT_LIST_MAX = 5_000;

export interface ClientEntry {
  addr: string;
  name: string;
  user: string;
  flags: string;
  cmd: string;
  age: number;
  idle: number;
}

export async function checkClients(ctx: CheckContext, t: Thresholds): Promise<Finding[]> {
  const { info, counters } = ctx;
  const connected = num(info, 'connected_clients') ?? 0;
  const blocked = num(info, 'blocked_clients') ?? 0;
  const statuses: Status[] = ['ok'];
  const lines: string[] = [];

  let list: ClientEntry[] | undefined;
  if (connected <= CLIENT_LIST_MAX) {
    try {
      list = parseClientList(String(await ctx.call('CLIENT', 'LIST'))).filter((c) => !/[SM]/.test(c.flags));
    } catch (e) {
      lines.push(`CLIENT LIST not available (${describeCheckError(e, ctx.timeoutMs)}): no per-application breakdown`);
    }
  } else {
    lines.push(`CLIENT LIST skipped: ${formatCount(connected)} clients`);
  }
  const own = list ? Math.max(1, list.filter((c) => c.name === PROBE_CLIENT_NAME).length) : 1;
  const clients = Math.max(0, connected - own);

  let maxclients = num(info, 'maxclients');
  let maxNote: string | undefined;
  if (maxclients === undefined) {
    const c = await ctx.config('maxclients');
    if (c.ok && c.value !== undefined && Number.isFinite(Number(c.value))) maxclients = Number(c.value);
    else maxNote = c.ok ? 'maxclients unknown' : `maxclients unknown: ${c.reason}`;
  }

  let title: string;
  const metrics: Record<string, number> = { clients, blocked };
  if (maxclients && maxclients > 0) {
    const pct = (clients / maxclients) * 100;
    metrics.maxclients = maxclients;
    metrics.pct = round(pct);
    statuses.push(statusAbove(pct, t));
    title = `Clients ${formatCount(clients)}/${formatCount(maxclients)} (${formatPct(pct)})`;
  } else {
    title = `Clients ${formatCount(clients)} (maxclients unknown)`;
    if (maxNote) lines.push(maxNote);
  }
  if (blocked > 0) {
    title += `, ${formatCount(blocked)} blocked`;
    const cmds = list ? top(countBy(list.filter((c) => c.flags.includes('b')), (c) => c.cmd.toUpperCase()), 3) : '';
    if (cmds) title += ` (${cmds})`;
  }

  const rejected = counters.delta('rejectedConnections');
  metrics.rejected = rejected;
  if (rejected > 0) {
    statuses.push('warn');
    title += `; ${counted(rejected, 'connection')} rejected ${counters.phrase}`;
    lines.push('Connections are refused once maxclients is reached: the clients that got "max number of clients reached" failed.');
  }

  if (list) {
    const others = list.filter((c) => c.name !== PROBE_CLIENT_NAME);
    if (others.length > 0) {
      lines.push(`by name: ${top(countBy(others, (c) => c.name || '(no name)'), 5)}`);
      lines.push(`by address: ${top(countBy(others, (c) => hostOf(c.addr)), 5)}`);
      const users = countBy(others, (c) => c.user || 'default');
      if (users.size > 1 || !users.has('default')) lines.push(`by user: ${top(users, 5)}`);
    }
    const blockedClients = others.filter((c) => c.flags.includes('b')).sort((a, b) => b.idle - a.idle);
    for (const c of blockedClients.slice(0, 5)) {
      lines.push(`blocked: ${c.addr}${c.name ? ` (${c.name})` : ''} in ${c.cmd.toUpperCase()} for ${formatDuration(c.idle)}`);
    }
    if (blockedClients.length > 5) lines.push(`… ${blockedClients.length - 5} more blocked clients`);
    const idle = others.filter((c) => c.idle >= 3600).length;
    if (idle > 0) lines.push(`${counted(idle, 'client')} idle for over an hour (a leak, or a pool larger than needed)`);
  }
  lines.push(`the probe's own connection${own > 1 ? 's' : ''} (${PROBE_CLIENT_NAME}) not counted`);

  const status = worstStatus(statuses);
  const fix = status !== 'ok'
    ? 'find the application holding the most connections above; make it use a connection pool of bounded size; raise maxclients only if the host has file descriptors and memory to spare.'
    : undefined;
  return [finding('clients', status, title, { detail: lines.join('\n'), metrics, ...(fix !== undefined && { fix }) })];
}

/** CLIENT LIST text: one client per line, `key=value` fields separated by spaces. */
export function parseClientList(text: string): ClientEntry[] {
  const out: ClientEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = new Map<string, string>();
    for (const part of line.trim().split(' ')) {
      const eq = part.indexOf('=');
      if (eq > 0) f.set(part.slice(0, eq), part.slice(eq + 1));
    }
    out.push({
      addr: f.get('addr') ?? '?',
      name: f.get('name') ?? '',
      user: f.get('user') ?? '',
      flags: f.get('flags') ?? '',
      cmd: f.get('cmd') ?? '',
      age: Number(f.get('age') ?? 0),
      idle: Number(f.get('idle') ?? 0),
    });
  }
  return out;
}

/** "10.0.0.5:51234" -> "10.0.0.5", "[::1]:6379" -> "::1", unix sockets as they are. */
function hostOf(addr: string): string {
  const m = /^\[?(.*?)\]?:\d+$/.exec(addr);
  return m?.[1] || addr;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return out;
}

function top(map: Map<string, number>, max: number): string {
  const entries = [...map.entries()].sort((a, b) => b[1] - a[1]);
  const shown = entries.slice(0, max).map(([k, n]) => `${k} ${formatCount(n)}`);
  if (entries.length > max) shown.push(`${entries.length - max} more`);
  return shown.join(', ');
}
