// The bot's own state: PostgreSQL at DATABASE_URL, or an embedded PostgreSQL with its data in
// CHATOPS_DATA_DIR when none is given. Same SQL either way.
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { redactSecrets } from '../redact-secrets.ts';
import { UserError } from '../user-error.ts';
import { AuditLog } from './audit-log.ts';
import { PgProbeStateStore, type ProbeStateStore } from '../probes/probe-state.ts';
import { migrate } from './migrate.ts';
import { ReportHistory } from './report-history.ts';
import type { RunningPostgres } from './start-embedded-postgres.ts';
import { TIMER_WORKERS } from '../incidents/timer-workers.ts';

/**
 * Connections for everything but the escalation engine's timer workers, which each hold one for
 * their transaction: the page outbox's claims and updates (one statement at a time, no lock kept),
 * the incident messages, and the commands, presses, request ledger, action leases and digests that
 * run meanwhile. With 5 connections in all, a burst of SEV-1 declarations starved the commands.
 */
const OTHER_CONNECTIONS = 8;

/** The state store's pool: the timer workers plus room for the rest (12 with 4 workers). */
const STORE_POOL_MAX = TIMER_WORKERS + OTHER_CONNECTIONS;

export interface Store {
  pool: pg.Pool;
  audit: AuditLog;
  probeState: ProbeStateStore;
  /** Stored reports: digests' previous runs, trends, retention. */
  reportHistory: ReportHistory;
  embedded: boolean;
  /** The URL the pool connects with (DATABASE_URL or the embedded server's): it carries the password, so it is never logged. */
  url: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  databaseUrl?: string;
  dataDir: string;
  log: Logger;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const { log } = options;
  let embedded: RunningPostgres | undefined;
  let url = options.databaseUrl;
  if (!url) {
    const dataDir = path.resolve(options.dataDir, 'postgres');
    log.info({ dataDir }, 'DATABASE_URL is not set: starting an embedded PostgreSQL for the bot state');
    // Loaded only when needed: embedded-postgres installs process exit hooks when imported.
    const { startEmbeddedPostgres } = await import('./start-embedded-postgres.ts');
    embedded = await startEmbeddedPostgres({ dataDir, persistent: true, database: 'chatops', onNotice: (message) => log.warn(message) });
    url = embedded.url;
    log.info(
      embedded.socketDir ? { socketDir: embedded.socketDir, port: embedded.port, tcp: false } : { host: '127.0.0.1', port: embedded.port, tcp: true },
      embedded.socketDir ? 'embedded PostgreSQL is running on a Unix socket in its data dir (no TCP)' : 'embedded PostgreSQL is running on 127.0.0.1',
    );
  }
  const pool = new pg.Pool({ connectionString: url, max: STORE_POOL_MAX, application_name: 'chatops-store', connectionTimeoutMillis: 5_000, statement_timeout: 15_000 });
  pool.on('error', (err) => log.warn({ err }, 'state store connection error'));
  try {
    await migrate(pool, log);
  } catch (cause) {
    await pool.end().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    const why = cause instanceof Error ? redactSecrets(cause.message) : String(cause);
    throw new UserError(`cannot open the state store (${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}): ${why}`, { cause });
  }
  return {
    pool,
    audit: new AuditLog(pool),
    probeState: new PgProbeStateStore(pool),
    reportHistory: new ReportHistory(pool),
    embedded: embedded !== undefined,
    url,
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}
