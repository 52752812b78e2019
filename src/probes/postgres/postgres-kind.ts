// The PostgreSQL kind: reachable first, then every other check at once over a small pool, each
// bounded by the target's timeout. Its checks, thresholds, buttons and trend metrics are declared
// here; pg itself is loaded by postgres-session.ts on the first run of a postgres target.
import { z } from 'zod';
import type { ActionDefinition } from '../../actions/action-definition.ts';
import { DEFAULT_VACUUM_TIMEOUT_MS, describeBounds, formatBound, SIGNAL_BOUNDS, VACUUM_LOCK_TIMEOUT_MS } from './statement-bounds.ts';
import type { CheckDefinition, KindDefinition, KindTarget } from '../probe-definition.ts';
import { urlSecrets } from '../scrub-findings.ts';
import type { CheckContext, PostgresCheckName } from './check-context.ts';
import { PG_IDENTIFIER, PG_PID } from './postgres-params.ts';
import { describePostgresEndpoint } from './postgres-endpoint.ts';
import { checkBlockingLocks } from './checks/blocking-locks.ts';
import { checkCacheHit } from './checks/cache-hit.ts';
import { checkConnections } from './checks/connections.ts';
import { checkDatabaseSize } from './checks/database-size.ts';
import { checkDeadlocks } from './checks/deadlocks.ts';
import { checkIdleInTransaction } from './checks/idle-in-transaction.ts';
import { checkLongQueries } from './checks/long-queries.ts';
import { checkLongTransactions } from './checks/long-transactions.ts';
import { checkReplication } from './checks/replication.ts';
import { checkSequences } from './checks/sequences.ts';
import { checkSlowQueries } from './checks/slow-queries.ts';
import { checkVacuum } from './checks/vacuum.ts';
import { checkWraparound } from './checks/wraparound.ts';
import { checkBackups } from './checks/backups.ts';
import { checkIndexes } from './checks/indexes.ts';
import { checkBloat } from './checks/bloat.ts';
import { checkCheckpoints } from './checks/checkpoints.ts';
import { backupCheckSchema, limitsSchema } from './depth-settings.ts';

const targetSchema = z.object({
  url: z
    .string()
    .refine(isPostgresUrl, { message: 'must be a postgres:// or postgresql:// URL (or a libpq key=value string), like postgres://user:password@host:5432/db' })
    .describe('`postgres://user:password@host:5432/db`; a role with `pg_monitor` sees every session\'s query text'),
  vacuumTimeoutMs: z
    .number().int().min(1_000).max(86_400_000).optional()
    .describe('statement_timeout of the VACUUM ANALYZE button, 1000 to 86400000 (default 1800000 = 30 min)'),
  backupCheck: backupCheckSchema,
  limits: limitsSchema,
});

export type PostgresTarget = KindTarget<typeof targetSchema>;

/** A URL of the postgres scheme, or a libpq key=value string (no scheme at all). */
function isPostgresUrl(url: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url.trim());
  return scheme === null ? /\w=/.test(url) : ['postgres', 'postgresql'].includes(scheme[1]!.toLowerCase());
}

type PostgresCheck = CheckDefinition<CheckContext> & { name: PostgresCheckName };

const reachable: PostgresCheck = {
  name: 'reachable',
  label: 'Reachability',
  description: 'Connect and `select 1` within the timeout; the error class when it fails (refused, auth, too many clients, timeout). A host name that does not resolve is the bot\'s configuration (unknown), not an outage.',
};
const connections: PostgresCheck = {
  name: 'connections',
  label: 'Connections',
  description: 'Client backends against max_connections minus reserved slots, by state, application and database.',
  thresholds: { warn: 80, crit: 95, unit: '%' },
  run: checkConnections,
};
const cacheHit: PostgresCheck = {
  name: 'cache_hit',
  label: 'Cache hit ratio',
  description: 'Share of block reads served from shared_buffers, per database, since the previous run; on a first run since the stats reset, at most a warning.',
  thresholds: { warn: 98, crit: 90, unit: '% hit (below)' },
  run: checkCacheHit,
};

const checks: readonly PostgresCheck[] = [
  reachable,
  connections,
  {
    name: 'idle_in_transaction',
    label: 'Sessions idle in transaction',
    description: 'Sessions idle inside an open transaction, and for how long.',
    thresholds: { warn: 60, crit: 300, unit: 's' },
    run: checkIdleInTransaction,
  },
  {
    name: 'long_transactions',
    label: 'Long transactions',
    description: 'The oldest open transactions among client sessions.',
    thresholds: { warn: 300, crit: 1800, unit: 's' },
    run: checkLongTransactions,
  },
  {
    name: 'long_queries',
    label: 'Long queries',
    description: 'The longest running active statements; a statement waiting on a lock is the lock\'s effect, not judged here and given no button.',
    thresholds: { warn: 120, crit: 300, unit: 's' },
    run: checkLongQueries,
  },
  {
    name: 'blocking_locks',
    label: 'Lock waits',
    description: 'The session at the head of each lock chain as the report\'s root cause (with what other checks found about it), the sessions waiting on it as its effects, and one button: cancel its statement, or terminate it when idle in transaction. Any chain is a warning; the longest wait decides more.',
    thresholds: { warn: 60, crit: 120, unit: 's waited' },
    run: checkBlockingLocks,
  },
  {
    name: 'slow_queries',
    label: 'Slow statements',
    description: 'pg_stat_statements: statements with the highest mean and total time over the calls since the previous run; on a first run, since the stats reset and at most a warning.',
    thresholds: { warn: 100, crit: 1000, unit: 'ms mean' },
    run: checkSlowQueries,
  },
  cacheHit,
  {
    name: 'vacuum',
    label: 'Vacuum',
    description: 'Tables with over 10,000 dead rows making up 10% or more, and days since their last vacuum.',
    thresholds: { warn: 1, crit: 2, unit: 'days since vacuum' },
    run: checkVacuum,
  },
  {
    name: 'wraparound',
    label: 'Transaction ID wraparound',
    description: 'age(datfrozenxid) per database as a share of autovacuum_freeze_max_age (absolute 1.3 B / 1.4 B).',
    thresholds: { warn: 90, crit: 95, unit: '% of autovacuum_freeze_max_age' },
    run: checkWraparound,
  },
  {
    name: 'replication',
    label: 'Replication',
    description: 'On a replica: whether its WAL receiver runs, and replay lag while it streams; on a primary, standby lag and inactive or WAL-retaining slots. What the role may not see is unknown, not zero.',
    thresholds: { warn: 5, crit: 30, unit: 's lag' },
    run: checkReplication,
  },
  {
    name: 'sequences',
    label: 'Sequences',
    description: 'Sequences close to the maximum of their own range or of the column they feed (a bigint sequence on an integer column ends at 2^31). A sequence the role may not read (pg_monitor gives no SELECT on sequences) is unknown, with the GRANT.',
    thresholds: { warn: 85, crit: 95, unit: '%' },
    run: checkSequences,
  },
  {
    name: 'database_size',
    label: 'Database size',
    description: 'Size of the target database (estimated from pg_class) and its largest tables (informational).',
    run: checkDatabaseSize,
  },
  {
    name: 'deadlocks',
    label: 'Deadlocks and rollbacks',
    description: 'New deadlocks since the previous run (warn) and the share of rolled back transactions since then (on a first run since the stats reset, at most a warning).',
    thresholds: { warn: 10, crit: 50, unit: '% rollbacks' },
    run: checkDeadlocks,
  },
  {
    name: 'backups',
    label: 'Backups and WAL archiving',
    description: 'pg_stat_archiver: a failure newer than the last success and still being retried (within 15 min) is critical (the WAL segment, the failure count); no segment archived for hours while completed segments wait is a warning; archive_mode off is ok and says point-in-time recovery is not possible. With `backupCheck`, the newest backup\'s age from one query run read-only (a statement that is not a query or calls a function acting on the server is refused unrun): over maxAge warn, over twice crit.',
    thresholds: { warn: 1, crit: Infinity, unit: 'h since the last archived WAL segment while segments wait (warn only by default)' },
    run: checkBackups,
  },
  {
    name: 'indexes',
    label: 'Indexes',
    description: 'In the target\'s database: INVALID indexes (a failed CREATE INDEX CONCURRENTLY) with the statement that rebuilds them; indexes never scanned since the stats reset (not unique nor backing a constraint) over the size threshold; tables over `limits.missingIndexRows` rows read mostly by sequential scans of over `limits.rowsPerSeqScan` rows each, with the top statement on them from pg_stat_statements. All warnings.',
    thresholds: { warn: 100, crit: Infinity, unit: 'MB: an unused index this large is reported (warn only)' },
    run: checkIndexes,
  },
  {
    name: 'bloat',
    label: 'Table bloat',
    description: 'Estimated from the planner statistics (no table is read) for tables whose heap is over `limits.bloatTableMb` (1 GB): the share of the heap beyond what its rows need at its fillfactor (TOAST shown, not estimated). A warning at most; tables whose statistics the role cannot read make it unknown, a table without statistics is named and left out.',
    thresholds: { warn: 50, crit: Infinity, unit: '% of the table estimated as bloat (warn only)' },
    run: checkBloat,
  },
  {
    name: 'checkpoints',
    label: 'Checkpoints',
    description: 'Share of requested (WAL volume, CHECKPOINT, CREATE DATABASE, backups) checkpoints among at least `limits.minCheckpoints` (10) since the previous run (pg_stat_checkpointer on 17+, pg_stat_bgwriter before); on a first run the figure since the stats reset is shown, not judged.',
    thresholds: { warn: 30, crit: Infinity, unit: '% of checkpoints requested (warn only by default)' },
    run: checkCheckpoints,
  },
];

/**
 * A button naming a backend lives an hour, not a report's day: a pid is reused once its session
 * ends, and a day-old button would cancel or terminate another session.
 */
const PID_BUTTON_TTL_MS = 60 * 60_000;

/** The executors hold pg: loaded on the first press. */
const executors = async () => (await import('./postgres-actions.ts')).POSTGRES_EXECUTORS;

const actions: readonly ActionDefinition<PostgresTarget>[] = [
  {
    id: 'postgres.cancel_query',
    title: 'Cancel query',
    destructive: true,
    params: { pid: PG_PID },
    buttonTtlMs: PID_BUTTON_TTL_MS,
    describe: (p, target) => `Cancel the running statement of backend ${p.pid} on ${target} (pg_cancel_backend); the session stays connected. Bounded by ${describeBounds(SIGNAL_BOUNDS)}.`,
    executor: async () => (await executors())['postgres.cancel_query'],
  },
  {
    id: 'postgres.terminate_backend',
    title: 'Terminate session',
    destructive: true,
    params: { pid: PG_PID },
    buttonTtlMs: PID_BUTTON_TTL_MS,
    describe: (p, target) => `Terminate backend ${p.pid} on ${target} (pg_terminate_backend): its open transaction is rolled back and the client disconnected. Bounded by ${describeBounds(SIGNAL_BOUNDS)}.`,
    executor: async () => (await executors())['postgres.terminate_backend'],
  },
  {
    id: 'postgres.vacuum_analyze',
    title: 'VACUUM ANALYZE',
    // Not destructive to data, but heavy I/O on a busy table: confirmed and granted like one.
    destructive: true,
    params: { database: PG_IDENTIFIER, schema: PG_IDENTIFIER, table: PG_IDENTIFIER },
    describe: (p, target) => `Run VACUUM (ANALYZE) on ${p.schema}.${p.table} in database ${p.database} of ${target}: reclaims dead rows and refreshes statistics; reads the whole table. Waits at most ${formatBound(VACUUM_LOCK_TIMEOUT_MS)} for its lock (lock_timeout) and runs at most ${formatBound(DEFAULT_VACUUM_TIMEOUT_MS)} (statement_timeout; the target's vacuumTimeoutMs when set).`,
    executor: async () => (await executors())['postgres.vacuum_analyze'],
  },
];

export const postgresKind: KindDefinition<PostgresTarget, CheckContext> = {
  kind: 'postgres',
  aliases: ['db', 'pg', 'postgresql'],
  description: 'PostgreSQL: reachability, connections, stuck sessions, locks, slow statements, vacuum, wraparound, replication, backups, indexes, bloat, checkpoints',
  targetSchema,
  fromUrl: (url) => ({ url }),
  checks,
  actions,
  trends: [
    { check: connections, metric: 'pct', label: 'connections used %' },
    { check: cacheHit, metric: 'hit_pct', label: 'cache hit %' },
  ],
  secrets: (target) => urlSecrets(target.url),
  describeEndpoint: (target) => describePostgresEndpoint(target.url),
  runtime: async () => (await import('./postgres-session.ts')).postgresSession,
};
