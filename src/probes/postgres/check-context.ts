// What every check receives: a bounded query function and what is known about the server.
import type { Finding } from '../../report.ts';
import type { ProbeState } from '../probe-state.ts';
import { findingFor } from '../finding-for.ts';
import type { RunEvidence } from './run-evidence.ts';
import type { DepthSettings } from './depth-settings.ts';

export { statusAbove, statusBelow } from '../finding-for.ts';

export const KIND = 'postgres';

/** The names of the PostgreSQL checks: a finding naming another is a type error. */
export type PostgresCheckName =
  | 'reachable' | 'connections' | 'idle_in_transaction' | 'long_transactions' | 'long_queries' | 'blocking_locks' | 'slow_queries'
  | 'cache_hit' | 'vacuum' | 'wraparound' | 'replication' | 'sequences' | 'database_size' | 'deadlocks'
  | 'backups' | 'indexes' | 'bloat' | 'checkpoints';

export const finding = findingFor<PostgresCheckName>(KIND);

/** application_name of the probe's own sessions: every check leaves them out. */
export const PROBE_APPLICATION = 'chatops-probe';

/** SQL condition that leaves out the probe's sessions; `a` is the pg_stat_activity alias. */
export function notProbe(alias = 'a'): string {
  return `${alias}.pid <> pg_backend_pid() and coalesce(${alias}.application_name, '') <> '${PROBE_APPLICATION}'`;
}

/**
 * SQL condition for client sessions in pg_stat_activity. Without pg_read_all_stats the rows of
 * other roles show backend_type null; a database and a user tell their client sessions apart
 * from background processes.
 */
export function clientBackend(alias = 'a'): string {
  return `(${alias}.backend_type = 'client backend' or (${alias}.backend_type is null and ${alias}.datname is not null and ${alias}.usename is not null))`;
}

export interface ServerInfo {
  /** server_version_num, e.g. 170002. */
  versionNum: number;
  /** server_version, e.g. "17.2". */
  version: string;
  role: string;
  database: string;
  superuser: boolean;
  /** Member of pg_monitor. */
  monitor: boolean;
  /** Member of pg_read_all_stats (part of pg_monitor): sees other roles' sessions and queries. */
  readAllStats: boolean;
  inRecovery: boolean;
}

export interface CheckContext {
  /** Runs one statement on the probe's pool; rejects on any error (the caller turns it into `unknown`). */
  query<R extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  server: ServerInfo;
  /** Name of the configured target, to key state kept between runs. */
  targetName: string;
  timeoutMs: number;
  /** Values kept from the previous run of this target (counters turned into rates). */
  state: ProbeState;
  /** Client sessions of other roles whose state and query this role cannot see (0 with pg_monitor). */
  hiddenSessions(): Promise<number>;
  /** What the session checks of this run saw, for the run's finish to merge findings that share a culprit. */
  evidence: RunEvidence;
  /** The target's settings for the backups, indexes and bloat checks (backupCheck, limits). */
  settings: DepthSettings;
  /**
   * Runs one statement given in the bot's config (backupCheck.query) in a READ ONLY transaction,
   * as a single statement (extended protocol), under the pool's statement_timeout; rolled back,
   * and its connection closed after it. Rejects without running what refusedStatement refuses.
   */
  readOnly<R extends object = Record<string, unknown>>(sql: string): Promise<R[]>;
}

export function canSeeAllSessions(server: ServerInfo): boolean {
  return server.superuser || server.readAllStats;
}

/** The sentence that replaces silence when the role cannot see other roles' sessions. */
export function hiddenSessionsNote(server: ServerInfo, hidden: number): string | undefined {
  if (hidden <= 0 || canSeeAllSessions(server)) return undefined;
  return (
    `${hidden} session${hidden === 1 ? '' : 's'} of other roles hidden (state and query text): ` +
    `grant pg_monitor to ${server.role}`
  );
}

/**
 * An `ok` that rests on sessions the role cannot see is not an ok: it becomes `unknown` and says
 * what is missing.
 */
export async function okOrBlind(ctx: CheckContext, check: PostgresCheckName, okTitle: string, extra: Omit<Finding, 'check' | 'status' | 'title'> = {}): Promise<Finding> {
  const hidden = await ctx.hiddenSessions();
  const note = hiddenSessionsNote(ctx.server, hidden);
  if (!note) return finding(check, 'ok', okTitle, extra);
  return finding(check, 'unknown', `${okTitle} among visible sessions; ${hidden} of other roles hidden`, {
    ...extra,
    detail: [extra.detail, note].filter(Boolean).join('\n'),
    fix: `GRANT pg_monitor TO ${ctx.server.role};`,
  });
}

/** Adds the hidden-sessions note to a detail when some sessions were invisible. */
export async function withHiddenNote(ctx: CheckContext, lines: string[]): Promise<string> {
  const note = hiddenSessionsNote(ctx.server, await ctx.hiddenSessions());
  return (note ? [...lines, note] : lines).join('\n');
}
