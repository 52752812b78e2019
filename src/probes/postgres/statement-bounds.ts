// How long each SQL statement a remedy runs may wait for a lock and may run at all. Set on the
// action's own session (VACUUM cannot run inside a transaction block, so SET LOCAL is no option),
// said in the confirmation, and named in the error when a bound is hit.
import type { Target } from '../../config/config.ts';
import { formatDuration } from '../format.ts';

export interface StatementBounds {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** pg_cancel_backend / pg_terminate_backend: a function call that returns at once. */
export const SIGNAL_BOUNDS: StatementBounds = { lockTimeoutMs: 2_000, statementTimeoutMs: 5_000 };

/** VACUUM waits this long for its lock: a busy table is left alone rather than queued behind. */
export const VACUUM_LOCK_TIMEOUT_MS = 5_000;
/** How long a VACUUM ANALYZE may run unless the target's `vacuumTimeoutMs` says otherwise. */
export const DEFAULT_VACUUM_TIMEOUT_MS = 30 * 60_000;

export function vacuumBounds(target: Target): StatementBounds {
  const configured = target.vacuumTimeoutMs;
  return { lockTimeoutMs: VACUUM_LOCK_TIMEOUT_MS, statementTimeoutMs: typeof configured === 'number' && configured > 0 ? configured : DEFAULT_VACUUM_TIMEOUT_MS };
}

/** "lock_timeout 2 s, statement_timeout 5 s", for confirmations and messages. */
export function describeBounds(b: StatementBounds): string {
  return `lock_timeout ${formatBound(b.lockTimeoutMs)}, statement_timeout ${formatBound(b.statementTimeoutMs)}`;
}

/** The SET statements for a session (milliseconds, so no unit parsing on the server). */
export function setBoundsSql(b: StatementBounds): string {
  return `SET lock_timeout = ${Math.floor(b.lockTimeoutMs)}; SET statement_timeout = ${Math.floor(b.statementTimeoutMs)}`;
}

export function formatBound(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return formatDuration(ms / 1000);
}

/** SQLSTATE of "canceling statement due to lock timeout" and "... due to statement timeout". */
export const LOCK_NOT_AVAILABLE = '55P03';
export const QUERY_CANCELED = '57014';

/** The SQLSTATE of a pg error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
