// A run of the PostgreSQL kind: a warm pool per server (probe-pools.ts), connect and read the
// server's settings (the reachable check), then hand the checks a bounded query function.
import type pg from 'pg';
import type { KindRuntime, OpenContext } from '../probe-definition.ts';
import type { ProbeState } from '../probe-state.ts';
import { untilDeadline } from '../until-deadline.ts';
import { clientBackend, finding, notProbe, canSeeAllSessions, type CheckContext, type ServerInfo } from './check-context.ts';
import { describeCheckError, errorCode } from './classify-error.ts';
import { ConcurrencyLimit } from './concurrency-limit.ts';
import { POOL_MAX } from './pool-config.ts';
import { probePools } from './probe-pools.ts';
import type { PostgresTarget } from './postgres-kind.ts';
import { checkReachable, connectFailure } from './checks/reachable.ts';
import { endpointHost } from './postgres-endpoint.ts';
import { mergeRootCauses } from './merge-root-causes.ts';
import { RunEvidence } from './run-evidence.ts';
import { depthSettings } from './depth-settings.ts';
import { refusedStatement } from './refused-statement.ts';

export const postgresSession: KindRuntime<PostgresTarget, CheckContext> = {
  async open(target, run: OpenContext) {
    const { timeoutMs, signal } = run;
    const invalid = invalidUrl(target.url);
    if (invalid) {
      return {
        stop: [
          finding('reachable', 'unknown', `Target URL is not a PostgreSQL URL (${invalid})`, {
            config: true,
            fix: `write targets.${target.name}.url as postgres://user:password@host:5432/database (chatops.yml or the variable it reads)`,
          }),
        ],
      };
    }
    const where = { host: endpointHost(target.url), targetName: target.name };
    let pool: pg.Pool;
    try {
      pool = probePools.get(target.url, timeoutMs, run.log);
    } catch (e) {
      return { stop: [connectFailure(e, where, timeoutMs)] };
    }
    const reach = await untilDeadline(checkReachable(pool, timeoutMs, where), timeoutMs + 500, signal);
    if (reach === undefined) {
      return {
        stop: [
          signal.aborted
            ? finding('reachable', 'unknown', 'Probe cancelled before the server answered')
            : finding('reachable', 'crit', `Unreachable: timeout (no answer within ${timeoutMs} ms)`),
        ],
      };
    }
    if (!reach.ok) return { stop: [reach.finding] };
    const server = reach.server;
    const ctx = checkContext(pool, server, target, timeoutMs, run.state);
    return {
      lead: [reach.finding],
      ctx,
      budgetMs: timeoutMs,
      describeError: (e) => describeCheckError(e, server.role, timeoutMs),
      finish: (findings) => mergeRootCauses(findings, ctx.evidence),
    };
  },
  closeAll: () => probePools.closeAll(),
};

function checkContext(pool: pg.Pool, server: ServerInfo, target: PostgresTarget, timeoutMs: number, state: ProbeState): CheckContext {
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
  const readOnly = async <R extends object>(sql: string): Promise<R[]> => {
    const refused = refusedStatement(sql);
    if (refused) throw new Error(`refused to run: ${refused}`);
    await limit.acquire();
    try {
      const client = await pool.connect();
      try {
        await client.query('/* chatops-probe */ begin transaction read only');
        try {
          // Extended protocol: the server refuses more than one statement, so a `;` cannot end the
          // read-only transaction early.
          // (pg supports queryMode; its type declarations do not list it yet.)
          const statement = { text: `/* chatops-probe */ ${sql}`, values: [], queryMode: 'extended' };
          const res = await client.query(statement as pg.QueryConfig);
          return res.rows as R[];
        } finally {
          await client.query('rollback').catch(() => undefined);
        }
      } finally {
        // Closed, not returned to the pool: whatever a function of the statement left in the
        // session (a session-level lock, a setting) cannot reach the checks of later runs.
        client.release(true);
      }
    } finally {
      limit.release();
    }
  };
  let hidden: Promise<number> | undefined;
  return {
    query,
    readOnly,
    settings: depthSettings(target),
    server,
    targetName: target.name,
    timeoutMs,
    state,
    evidence: new RunEvidence(),
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
