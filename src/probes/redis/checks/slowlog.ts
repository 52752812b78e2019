// SLOWLOG GET: commands that ran longer than slowlog-log-slower-than. Entries newer than the
// previous run (entry ids only grow while the server runs) are a warning; on a first run, entries
// from the last 15 minutes. Arguments are redacted to the command and its key names, and the
// probe's own commands are left out.
import type { Finding } from '../../../report.ts';
import { PROBE_CLIENT_NAME, finding, type CheckContext } from '../check-context.ts';
import { formatWindow } from '../counters.ts';
import { parseCommandInfo, redactCommand, type CommandKeys } from '../redact-command.ts';
import { counted, formatDuration, formatMs } from '../../format.ts';

/** Entries read per run: Redis keeps 128 by default (slowlog-max-len). */
export const SLOWLOG_READ = 128;
/** Window of a first run, when no earlier run tells which entries are new. */
export const FIRST_RUN_WINDOW_S = 15 * 60;
const SHOWN = 10;

export interface SlowEntry {
  id: number;
  at: number;
  micros: number;
  argv: string[];
  addr: string;
  name: string;
}

export async function checkSlowlog(ctx: CheckContext): Promise<Finding[]> {
  const [rawEntries, threshold] = await Promise.all([ctx.call('SLOWLOG', 'GET', SLOWLOG_READ), ctx.config('slowlog-log-slower-than')]);
  const all = parseSlowlog(rawEntries);
  const maxId = all.reduce((m, e) => Math.max(m, e.id), -1);
  const { counters } = ctx;
  const prev = counters.previous;
  const sameServer = prev !== undefined && prev.runId === counters.current.runId;
  // -1 = an empty slowlog: every later entry is new.
  ctx.next.slowlogLastId = Math.max(maxId, sameServer ? (prev.slowlogLastId ?? -1) : -1);

  const entries = all.filter((e) => !isProbe(e, ctx.ownAddress));
  let window: string;
  let isNew: (e: SlowEntry) => boolean;
  if (sameServer && prev.slowlogLastId !== undefined && counters.sincePreviousS !== undefined) {
    const lastId = prev.slowlogLastId;
    window = `in the last ${formatWindow(counters.sincePreviousS)}`;
    isNew = (e) => e.id > lastId;
  } else if (prev !== undefined && !sameServer) {
    window = `since the server restarted ${formatDuration(counters.current.uptimeS)} ago`;
    isNew = () => true;
  } else {
    const from = ctx.serverNowS - FIRST_RUN_WINDOW_S;
    window = `in the last ${formatDuration(FIRST_RUN_WINDOW_S)}`;
    isNew = (e) => e.at >= from;
  }
  const fresh = entries.filter(isNew).sort((a, b) => b.micros - a.micros);
  const older = entries.length - fresh.length;

  const thresholdUs = threshold.ok && threshold.value !== undefined ? Number(threshold.value) : undefined;
  const logging = thresholdUs === undefined ? 'logging threshold unknown' + (threshold.ok ? '' : ` (${threshold.reason})`) : thresholdUs < 0 ? 'slowlog disabled' : `logged when slower than ${formatMicros(thresholdUs)}`;
  const metrics = { new_entries: fresh.length, entries: entries.length, slowest_us: fresh[0]?.micros ?? 0 };

  if (fresh.length === 0) {
    if (thresholdUs !== undefined && thresholdUs < 0) {
      return [
        finding('slowlog', 'unknown', 'Slowlog disabled (slowlog-log-slower-than -1): slow commands are not recorded', {
          fix: 'enable it: CONFIG SET slowlog-log-slower-than 10000 (10 ms), and in the config file.',
          metrics,
        }),
      ];
    }
    const olderPart = older > 0 ? ` (${counted(older, 'older entry', 'older entries')})` : '';
    return [finding('slowlog', 'ok', `No slow commands ${window}${olderPart}`, { detail: `${logging}`, metrics })];
  }

  const commands = await commandKeys(ctx, fresh.slice(0, SHOWN));
  const lines = fresh.slice(0, SHOWN).map((e) => describe(e, commands, ctx.serverNowS));
  if (fresh.length > SHOWN) lines.push(`… ${counted(fresh.length - SHOWN, 'more entry', 'more entries')}`);
  lines.push(logging + (commands ? '' : '; key names hidden: COMMAND INFO not available'));
  const slowest = fresh[0]!;
  return [
    finding('slowlog', 'warn', `${counted(fresh.length, 'slow command')} ${window}, slowest ${formatMicros(slowest.micros)}: ${redactCommand(slowest.argv, commands)}`, {
      detail: lines.join('\n'),
      metrics,
      fix: 'replace O(N) commands on large values (KEYS, SMEMBERS/HGETALL/LRANGE 0 -1 on big keys, large SORT or ZRANGE) with SCAN-family iteration or smaller ranges; split big keys.',
    }),
  ];
}

/**
 * The probe's own entries (with slowlog-log-slower-than 0 everything is logged): named
 * chatops-probe, or its HELLO, which runs before the name is set: from this connection's address,
 * or from an earlier run's, unnamed.
 */
function isProbe(e: SlowEntry, ownAddress: string | undefined): boolean {
  if (e.name === PROBE_CLIENT_NAME) return true;
  if (ownAddress && (e.addr === ownAddress || e.addr === ownAddress.replace(/^\[(.*)\]:/, '$1:'))) return true;
  const command = e.argv[0]?.toLowerCase();
  return e.name === '' && (command === 'hello' || command === 'auth');
}

/** 850 µs, 52 ms, 1.2 s. */
function formatMicros(us: number): string {
  return us < 1000 ? `${Math.round(us)} µs` : formatMs(us / 1000);
}

/** COMMAND INFO for the commands shown, to tell keys from values; undefined when not available. */
async function commandKeys(ctx: CheckContext, entries: SlowEntry[]): Promise<Map<string, CommandKeys> | undefined> {
  const names = [...new Set(entries.map((e) => e.argv[0]?.toLowerCase()).filter((n): n is string => !!n))];
  if (names.length === 0) return new Map();
  try {
    const reply = await ctx.call('COMMAND', 'INFO', ...names);
    const out = new Map<string, CommandKeys>();
    if (Array.isArray(reply)) {
      for (const entry of reply) {
        const info = parseCommandInfo(entry);
        if (info) out.set(info.name, info);
      }
    }
    return out;
  } catch {
    return undefined;
  }
}

function describe(e: SlowEntry, commands: Map<string, CommandKeys> | undefined, nowS: number): string {
  const who = e.name ? `${e.addr} (${e.name})` : e.addr;
  return `${formatMicros(e.micros)} ${redactCommand(e.argv, commands)} from ${who || 'unknown client'}, ${formatDuration(Math.max(0, nowS - e.at))} ago`;
}

/** SLOWLOG GET reply: [id, unix time, microseconds, argv, client addr, client name] per entry (addr and name since Redis 4). */
export function parseSlowlog(reply: unknown): SlowEntry[] {
  if (!Array.isArray(reply)) return [];
  const out: SlowEntry[] = [];
  for (const raw of reply) {
    if (!Array.isArray(raw) || raw.length < 4) continue;
    out.push({
      id: Number(raw[0]),
      at: Number(raw[1]),
      micros: Number(raw[2]),
      argv: Array.isArray(raw[3]) ? raw[3].map((a: unknown) => String(a)) : [],
      addr: typeof raw[4] === 'string' ? raw[4] : '',
      name: typeof raw[5] === 'string' ? raw[5] : '',
    });
  }
  return out;
}
