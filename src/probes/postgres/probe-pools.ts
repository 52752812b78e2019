// One small connection pool per monitored server, kept between runs and closed when idle.
// Reusing backends saves a connect and login per connection on every /diag, and a warm backend
// reads the catalogue from its caches: on a database with thousands of tables a cold backend
// spends most of a run loading them.
import pg from 'pg';
import type { Logger } from '../../logger.ts';
import { poolConfig } from './pool-config.ts';

/** Idle connections close after this long, so the bot holds no slots between incidents. */
const IDLE_CLOSE_MS = 15_000;

class ProbePools {
  readonly #pools = new Map<string, pg.Pool>();

  get(url: string, timeoutMs: number, log: Logger): pg.Pool {
    const key = `${timeoutMs}\u0000${url}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new pg.Pool({ ...poolConfig(url, timeoutMs), idleTimeoutMillis: IDLE_CLOSE_MS });
      // Errors of idle clients (server restart, network drop) would otherwise crash the process;
      // the pool drops the broken client and the next run connects afresh.
      pool.on('error', (e) => log.debug({ err: e }, 'postgres probe: idle connection error'));
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /** Closes every pool (shutdown, tests). */
  async closeAll(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  }
}

export const probePools = new ProbePools();
