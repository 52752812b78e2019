// What every Redis check receives: the INFO the probe read once, a bounded command function for
// the few checks that need more (SLOWLOG, CLIENT LIST, the doctors), CONFIG values that may be
// unavailable, the counters compared with the previous run, and what PING answered when the
// server answered it with an error (MISCONF, MASTERDOWN).
import type { Counters, Reading } from './counters.ts';
import type { Info } from './info.ts';
import type { Status } from '../../report.ts';
import { findingFor } from '../finding-for.ts';

export { statusAbove, statusBelow } from '../finding-for.ts';

export const KIND = 'redis';

/** The names of the Redis checks: a finding naming another is a type error. */
export type RedisCheckName =
  | 'reachable' | 'memory' | 'evictions' | 'hit_rate' | 'fragmentation' | 'clients' | 'slowlog' | 'persistence' | 'replication' | 'doctor';

/** A Redis finding; its fix, root cause, effects and configuration mark are kept as given. */
export const finding = findingFor<RedisCheckName>(KIND);

/** CLIENT SETNAME of the probe's own connections: client counts and the slowlog leave them out. */
export const PROBE_CLIENT_NAME = 'chatops-probe';

/** A CONFIG GET answer: the value (undefined when the server has no such parameter), or why it could not be read. */
export type ConfigValue = { ok: true; value: string | undefined } | { ok: false; reason: string };

/** An error reply to PING from a server that still answers INFO: "MISCONF ...", "MASTERDOWN ...". */
export interface PingReply {
  /** The reply's first word: MISCONF, MASTERDOWN. */
  code: string;
  message: string;
}

/**
 * What the memory, evictions and hit rate checks judged, for the session to tell them as one
 * story when a cache at its limit is what drives the evictions and the misses.
 */
export interface CacheObservations {
  memory?: {
    status: Status;
    /** maxmemory is set and the policy has keys it may evict. */
    evictingPolicy: boolean;
    /** Used memory at or above memory's warn threshold. */
    nearLimit: boolean;
    policy: string;
    usedBytes: number;
    maxmemoryBytes: number;
    pct: number;
  };
  evictions?: { status: Status; evicted: number; perSecond: number | undefined; phrase: string };
  hitRate?: { status: Status; pct: number; lookups: number; phrase: string; previousPct?: number };
}

export interface CheckContext {
  /** INFO (default sections), parsed. */
  info: Info;
  /** Runs one command on the probe's connection; rejects on any error (the caller turns it into `unknown`). */
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
  /** CONFIG GET of one parameter, read once per run; CONFIG may be renamed or denied by ACL. */
  config(name: string): Promise<ConfigValue>;
  /** Counters since the previous run of this target (or since server start on a first run). */
  counters: Counters;
  /** What is stored for the next run; a check may add its own marks (the last slowlog id). */
  next: Reading;
  /** The probe's own client address (ip:port) as the server sees it, when known: its HELLO is logged before it has a name. */
  ownAddress: string | undefined;
  /** The server's clock, seconds since the epoch (INFO server_time_usec, else ours). */
  serverNowS: number;
  timeoutMs: number;
  /** PING's error reply, when the server answered it with one (the checks that own its meaning report it). */
  pingReply?: PingReply;
  /** Filled by the memory, evictions and hit rate checks as they run. */
  observed: CacheObservations;
}

/** Rounds for metrics: numbers a renderer prints, not float noise. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
