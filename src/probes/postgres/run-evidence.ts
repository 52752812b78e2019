// What the session checks of one run saw, kept for the run's finish: the lock chains (who blocks
// whom) and, per check, the sessions it flagged and how to say its finding again without some of
// them. The finish merges findings that blame the session at the head of a chain into that chain's
// root cause, and drops the chain's victims from the other findings.
import type { Finding, Status } from '../../report.ts';
import type { PostgresCheckName } from './check-context.ts';

/** A session at the head of a lock chain, and every session waiting on it, directly or not. */
export interface LockRoot {
  /** 0 for a prepared transaction. */
  pid: number;
  waiters: number[];
}

/** A session a check flagged: what the check says about it and how bad that is. */
export interface FlaggedSession {
  pid: number;
  status: Status;
  /** Words for the root cause's detail ("idle in transaction 2 min"). */
  fact: string;
}

/** What one session check found, and its findings said again without some sessions. */
export interface FlaggedBy {
  flagged: readonly FlaggedSession[];
  /** The findings the check returned. */
  findings: readonly Finding[];
  /** The findings without these sessions: empty when none is left to report. */
  without(pids: ReadonlySet<number>): Finding[];
}

export class RunEvidence {
  /** Heads of lock chains, when blocking_locks saw any. */
  lockRoots: LockRoot[] = [];
  readonly sessions = new Map<PostgresCheckName, FlaggedBy>();
}
