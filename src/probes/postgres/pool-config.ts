// The probe's connection settings, all derived from the target's timeout so that one slow or
// silent server cannot hold a diagnosis for longer than the budget.
import type { PoolConfig } from 'pg';
import { PROBE_APPLICATION } from './check-context.ts';

export const POOL_MAX = 4;

/** Settings the probe must own: left in the URL, they would override the probe's (pg lets the URL win). */
const OWNED_PARAMS = ['application_name', 'statement_timeout', 'query_timeout', 'lock_timeout'];

export function poolConfig(url: string, timeoutMs: number): PoolConfig {
  // The server gives up a little before the client does, so a slow statement comes back as a
  // clean 57014 instead of a dropped connection.
  const statementTimeout = Math.max(50, Math.round(timeoutMs - Math.min(1000, timeoutMs * 0.2)));
  return {
    connectionString: withoutOwnedParams(url),
    max: POOL_MAX,
    application_name: PROBE_APPLICATION,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: statementTimeout,
    query_timeout: timeoutMs,
    // Never queue behind an exclusive lock (a migration) for long: waiting would also block others.
    lock_timeout: Math.min(1000, Math.round(statementTimeout / 2)),
    idleTimeoutMillis: 1000,
    allowExitOnIdle: true,
  };
}

function withoutOwnedParams(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!OWNED_PARAMS.some((p) => parsed.searchParams.has(p))) return url;
  for (const p of OWNED_PARAMS) parsed.searchParams.delete(p);
  return parsed.toString();
}

