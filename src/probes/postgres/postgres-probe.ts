// The PostgreSQL probe: reachable first, then every other check at once over a small pool, each
// bounded by the target's timeout and turned into an `unknown` finding when it cannot run.
import pg from 'pg';
import { z } from 'zod';
import type { Finding } from '../../report.ts';
import { scrubFindings, urlSecrets } from '../scrub-findings.ts';
import { resolveThresholds, type CheckSpec, type ProbeContext, type ProbeDefinition, type TargetBase } from '../probe-definition.ts';
import { clientBackend, finding, notProbe, canSeeAllSessions, type Check, type CheckContext, type ServerInfo } from './check-context.ts';
import { classifyConnectError, describeCheckError, errorCode, errorMessage } from './classify-error.ts';
import { ConcurrencyLimit } from './concurrency-limit.ts';
import { POOL_MAX } from './pool-config.ts';
import { probePools } from './probe-pools.ts';
import { untilDeadline } from '../until-deadline.ts';
import { checkSpecs, runGuarded, type CheckEntry as GenericCheckEntry } from '../guarded-check.ts';
import type { ProbeState } from '../probe-state.ts';
import { checkBlockingLocks } from './checks/blocking-locks.ts';
import { checkCacheHit } from './checks/cache-hit.ts';
import { checkConnections } from './checks/connections.ts';
import { checkDatabaseSize } from './checks/database-size.ts';
import { checkDeadlocks } from './checks/deadlocks.ts';
import { checkIdleInTransaction } from './checks/idle-in-transaction.ts';
import { checkLongQueries } from './checks/long-queries.ts';
import { checkLongTransactions } from './checks/long-transactions.ts';
import { checkReachable } from './checks/reachable.ts';
import { checkReplication } from './checks/replication.ts';
import { checkSequences } from './checks/sequences.ts';
import { checkSlowQueries } from './checks/slow-queries.ts';
import { checkVacuum } from './checks/vacuum.ts';
import { checkWraparound } from './checks/wraparound.ts';

export type PostgresTarget = TargetBase & { url: string };

type CheckEntry = GenericCheckEntry<CheckContext>;

const ENTRIES: CheckEntry[] = [
  {
    name: 'reachable',
    label: 'Reachability',
    description: 'Connect and `select 1` within the timeout; the error class when it fails (refused, auth, too many clients, timeout, DNS).',
  },
  {
    name: 'connections',
    label: 'Connections',
    description: 'Client backends against max_connections minus reserved slots, by state, application and database.',
    thresholds: { warn: 80, crit: 95, unit: '%' },
    run: checkConnections,
  },
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
    description: 'The longest running active statements.',
    thresholds: { warn: 120, crit: 300, unit: 's' },
    run: checkLongQueries,
  },
  {
    name: 'blocking_locks',
    label: 'Lock waits',
    description: 'Sessions waiting on a lock, the session blocking them, and for how long; any chain is a warning.',
    thresholds: { warn: 60, crit: 120, unit: 's waited' },
    run: checkBlockingLocks,
  },
  {
    name: 'slow_queries',
    label: 'Slow statements',
    description: 'pg_stat_statements: statements with the highest mean and total time.',
    thresholds: { warn: 100, crit: 1000, unit: 'ms mean' },
    run: checkSlowQueries,
  },
  {
    name: 'cache_hit',
    label: 'Cache hit ratio',
    description: 'Share of block reads served from shared_buffers, per database.',
    thresholds: { warn: 98, crit: 90, unit: '% hit (below)' },
    run: checkCacheHit,
  },
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
    description: 'Replica replay lag; on a primary, standby lag and inactive or WAL-retaining slots.',
    thresholds: { warn: 5, crit: 30, unit: 's lag' },
    run: checkReplication,
  },
  {
    name: 'sequences',
    label: 'Sequences',
    description: 'Sequences close to the maximum of their own range or of the column they feed (a bigint sequence on an integer column ends at 2^31).',
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
    description: 'New deadlocks since the previous run (warn) and the share of rolled back transactions.',
    thresholds: { warn: 10, crit: 50, unit: '% rollbacks' },
    run: checkDeadlocks,
  },
];

const CHECKS: readonly CheckSpec[] = checkSpecs(ENTRIES);

export const postgresProbe: ProbeDefinition<PostgresTarget> = {
  kind: 'postgres',
  aliases: ['db', 'pg', 'postgresql'],
  description: 'PostgreSQL: reachability, connections, stuck sessions, locks, slow statements, vacuum, wraparound, replication',
  checks: CHECKS,
  // vacuumTimeoutMs: the statement_timeout of the VACUUM ANALYZE remedy (default 30 min).
  targetSchema: z.object({ url: z.string(), vacuumTimeoutMs: z.number().int().min(1_000).max(86_400_000).optional() }),
  fromUrl: (url) => ({ url }),
  run: runPostgresProbe,
  close: () => probePools.closeAll(),
};

async function runPostgresProbe(target: PostgresTarget, ctx: ProbeContext): Promise<Finding[]> {
  const timeoutMs = target.timeoutMs > 0 ? target.timeoutMs : 5_000;
  const secrets = urlSecrets(target.url);
  const scrub = (findings: Finding[]) => scrubFindings(findings, secrets);
  if (ctx.signal.aborted) return [finding('reachable', 'unknown', 'Probe cancelled before it started')];

  const invalid = invalidUrl(target.url);
  if (invalid) return scrub([finding('reachable', 'crit', `Unreachable: invalid URL (${invalid})`, { detail: 'Expected a URL like postgres://host:5432/database, with user and password before the host.' })]);

  let pool: pg.Pool;
  try {
    pool = probePools.get(target.url, timeoutMs, ctx.log);
  } catch (e) {
    const f = classifyConnectError(e, timeoutMs);
    return scrub([finding('reachable', 'crit', `Unreachable: ${f.kind} (${f.message})`, { detail: f.fix })]);
  }

  try {
    const reach = await untilDeadline(checkReachable(pool, timeoutMs), timeoutMs + 500, ctx.signal);
    if (reach === undefined) {
      return scrub([
        ctx.signal.aborted
          ? finding('reachable', 'unknown', 'Probe cancelled before the server answered')
          : finding('reachable', 'crit', `Unreachable: timeout (no answer within ${timeoutMs} ms)`),
      ]);
    }
    if (!reach.ok) return scrub([reach.finding]);

    const checkCtx = checkContext(pool, reach.server, target, timeoutMs, ctx.state);
    const runnable = ENTRIES.filter((e): e is CheckEntry & { run: Check } => e.run !== undefined);
    const results: Array<Finding[] | undefined> = runnable.map(() => undefined);
    const all = Promise.all(
      runnable.map(async (entry, i) => {
        results[i] = await guarded(entry, checkCtx);
      }),
    );
    await untilDeadline(all, timeoutMs, ctx.signal);
    const unfinished = ctx.signal.aborted ? 'probe cancelled' : `did not finish within ${timeoutMs} ms`;
    const findings = runnable.flatMap(
      (entry, i) => results[i] ?? [finding(entry.name, 'unknown', `${entry.label}: could not check (${unfinished})`)],
    );
    return scrub([reach.finding, ...findings]);
  } catch (e) {
    // Every check is guarded; this is the net under the net, so the caller still gets a finding.
    ctx.log.error({ err: e }, 'postgres probe failed');
    return scrub([finding('reachable', 'unknown', `Probe failed: ${errorMessage(e)}`)]);
  }
}

function checkContext(pool: pg.Pool, server: ServerInfo, target: PostgresTarget, timeoutMs: number, state: ProbeState): CheckContext {
  const thresholds = resolveThresholds({ checks: CHECKS }, target.thresholds);
  const limit = new ConcurrencyLimit(POOL_MAX);
  const query = async <R extends object>(sql: string, params?: unknown[]): Promise<R[]> => {
    for (let attempt = 0; ; attempt++) {
      await limit.acquire();
      try {
        // The tag lets slow_queries leave the probe's own statements out of pg_stat_statements.
        const res = await pool.query(`/* chatops-probe */ ${sql}`, params);
        return res.rows as R[];
      } catch (e) {
        // A nearly full server refused one more connection: carry on over the ones we have.
        if (errorCode(e) === '53300' && attempt < 3 && pool.totalCount > 0) {
          limit.shrink(pool.totalCount);
          continue;
        }
        throw e;
      } finally {
        limit.release();
      }
    }
  };
  let hidden: Promise<number> | undefined;
  return {
    query,
    thresholds: (check) => thresholds[check] ?? { warn: Infinity, crit: Infinity },
    server,
    targetName: target.name,
    timeoutMs,
    state,
    hiddenSessions: () => {
      if (canSeeAllSessions(server)) return Promise.resolve(0);
      hidden ??= query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity a
         where ${clientBackend('a')} and a.state is null and ${notProbe('a')}`,
      ).then(
        (rows) => rows[0]?.n ?? 0,
        () => 0,
      );
      return hidden;
    },
  };
}

function guarded(entry: CheckEntry & { run: Check }, ctx: CheckContext): Promise<Finding[]> {
  return runGuarded(entry, ctx, (check, title) => finding(check, 'unknown', title), (e) => describeCheckError(e, ctx.server.role, ctx.timeoutMs));
}

/** Why a URL cannot be a PostgreSQL connection string, or undefined when it can. */
function invalidUrl(url: string): string | undefined {
  // pg also accepts a socket directory and socket: URLs.
  if (url.startsWith('/') || url.startsWith('socket:')) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') return `scheme ${parsed.protocol} is not postgres:`;
  if (!parsed.hostname && !parsed.searchParams.has('host')) return 'no host';
  return undefined;
}

