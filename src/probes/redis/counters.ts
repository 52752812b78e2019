// Counters that only mean something as a rate (evicted keys, rejected connections, keyspace hits
// and misses) grow from server start. The probe keeps the previous run's reading in the state
// store and reports the difference over the time between the two runs. A restart (new run_id) or
// CONFIG RESETSTAT (a counter went down) starts a new baseline: the totals since then are reported
// as such, never a negative rate. Totals since server start (a first run) say what happened over
// the server's whole life, not what happens now: they may warn, never go crit.
import type { Status } from '../../report.ts';
import type { Remembered } from '../probe-state.ts';
import { formatDuration } from '../format.ts';
import { errorCount, num, type Info } from './info.ts';

/** Key in the target's probe state. */
export const STATE_KEY = 'redis.counters';

export interface Reading {
  runId: string;
  uptimeS: number;
  evictedKeys: number;
  rejectedConnections: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  /** Highest slowlog entry id seen (-1: none), so the next run reports only newer entries. */
  slowlogLastId?: number;
  /** Commands refused with OOM since server start (INFO errorstats, Redis 6.2+; 0 before). */
  oomErrors?: number;
  /** The hit rate (%) this run judged over its window, shown as "was" by the next run. */
  hitPct?: number;
}

export type CounterName = 'evictedKeys' | 'rejectedConnections' | 'keyspaceHits' | 'keyspaceMisses';

/**
 * What `delta` covers:
 * - `previous-run`: the same server process since the previous run (`windowS` seconds);
 * - `server-start`: no earlier run, totals since the server started (or its stats were last reset);
 * - `restart`: the server restarted since the previous run, totals since the restart;
 * - `stats-reset`: same server, but counters went down (CONFIG RESETSTAT), totals since that reset.
 */
export type Basis = 'previous-run' | 'server-start' | 'restart' | 'stats-reset';

export interface Counters {
  basis: Basis;
  current: Reading;
  /** The previous run's reading, whatever the basis (the slowlog compares entry ids). */
  previous?: Reading;
  /** Seconds `delta` covers, when known. */
  windowS?: number;
  /** Seconds since the previous run, when there was one. */
  sincePreviousS?: number;
  /** Growth over the window, never negative. */
  delta(name: CounterName): number;
  /** "in the last 5 min", "since the server started 3 d ago", ... */
  phrase: string;
}

export function readingFromInfo(info: Info): Reading {
  return {
    runId: info.get('run_id') ?? '',
    uptimeS: num(info, 'uptime_in_seconds') ?? 0,
    evictedKeys: num(info, 'evicted_keys') ?? 0,
    rejectedConnections: num(info, 'rejected_connections') ?? 0,
    keyspaceHits: num(info, 'keyspace_hits') ?? 0,
    keyspaceMisses: num(info, 'keyspace_misses') ?? 0,
    oomErrors: errorCount(info, 'OOM') ?? 0,
  };
}

const COUNTERS: readonly CounterName[] = ['evictedKeys', 'rejectedConnections', 'keyspaceHits', 'keyspaceMisses'];

export function compareCounters(current: Reading, remembered: Remembered<unknown> | undefined, now = Date.now()): Counters {
  const previous = remembered && isReading(remembered.value) ? remembered.value : undefined;
  const sincePreviousS = previous && remembered ? Math.max(0, (now - remembered.at.getTime()) / 1000) : undefined;
  const totals = (name: CounterName) => current[name];
  if (!previous || sincePreviousS === undefined) {
    return { basis: 'server-start', current, windowS: current.uptimeS, delta: totals, phrase: `since the server started ${formatDuration(current.uptimeS)} ago` };
  }
  // A new run id, or an uptime shorter than the time since the last run, is a restart.
  if (previous.runId !== current.runId || current.uptimeS + 1 < previous.uptimeS) {
    return {
      basis: 'restart',
      current,
      previous,
      windowS: current.uptimeS,
      sincePreviousS,
      delta: totals,
      phrase: `since the server restarted ${formatDuration(current.uptimeS)} ago`,
    };
  }
  if (COUNTERS.some((c) => current[c] < previous[c])) {
    return {
      basis: 'stats-reset',
      current,
      previous,
      sincePreviousS,
      delta: totals,
      phrase: `since the statistics were reset (within the last ${formatWindow(sincePreviousS)})`,
    };
  }
  return {
    basis: 'previous-run',
    current,
    previous,
    windowS: sincePreviousS,
    sincePreviousS,
    delta: (name) => Math.max(0, current[name] - previous[name]),
    phrase: `in the last ${formatWindow(sincePreviousS)}`,
  };
}

/**
 * The status a counter-based check may give: on a first run (totals since server start) crit is
 * lowered to warn, the next run judges the window since this one.
 */
export function lifetimeCap(status: Status, counters: Counters): Status {
  return counters.basis === 'server-start' && status === 'crit' ? 'warn' : status;
}

/** "0.4 s" for the short windows of back-to-back runs, else "5 min", "2 h 5 min". */
export function formatWindow(seconds: number): string {
  if (seconds < 10) return `${Math.max(0.1, seconds).toFixed(1)} s`;
  return formatDuration(seconds);
}

/** The stored value comes from a database: trust nothing about its shape. */
function isReading(v: unknown): v is Reading {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const n = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return (
    typeof r.runId === 'string' &&
    n(r.uptimeS) &&
    COUNTERS.every((c) => n(r[c])) &&
    (r.slowlogLastId === undefined || (typeof r.slowlogLastId === 'number' && Number.isInteger(r.slowlogLastId) && r.slowlogLastId >= -1)) &&
    (r.oomErrors === undefined || n(r.oomErrors)) &&
    (r.hitPct === undefined || (n(r.hitPct) && (r.hitPct as number) <= 100))
  );
}
