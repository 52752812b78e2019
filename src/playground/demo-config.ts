// The playground's built-in config (demo.yml), for a start with no chatops.yml and no
// CHATOPS_CONFIG: the bot's own PostgreSQL as target demo-db, a redis-server of its own as
// demo-cache when one could be started, a demo incident ladder with placeholder people, and access
// rules that let the playground's user press every remedy. Validated by the same parseConfig as a
// user's file, so the demo cannot drift from the schema unnoticed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Config } from '../config/config.ts';
import { parseConfig } from '../config/load-config.ts';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { redisServerOnPath, startLocalRedis, type LocalRedis } from './local-redis.ts';

export const DEMO_CONFIG_FILE = path.join(import.meta.dirname, 'demo.yml');
export const DEMO_CONFIG_SOURCE = 'built-in playground demo (src/playground/demo.yml)';

/** The placeholder people of the demo's rotation and ladder, as the page names them. */
export const DEMO_PEOPLE: ReadonlyArray<readonly [string, string]> = [
  ['U0ONCALL', 'oncall (placeholder)'],
  ['U0LEAD', 'team lead (placeholder)'],
  ['U0EM', 'engineering manager (placeholder)'],
  ['U0VP', 'VP (placeholder)'],
];

export interface DemoConfigOptions {
  /** The state store's URL (it holds the password: it goes into the config, whose secrets are masked). */
  databaseUrl: string;
  /** A redis-server started for the demo; without one the demo has no demo-cache. */
  redisUrl?: string;
  /** The playground's user, granted every remedy and incident step. */
  userId: string;
}

export function demoConfig(options: DemoConfigOptions): Config {
  const raw = parse(readFileSync(DEMO_CONFIG_FILE, 'utf8')) as { targets: Record<string, unknown> };
  if (!options.redisUrl) delete raw.targets['demo-cache'];
  // The demo's ${...} are the playground's own values, never the process environment.
  const env = { DEMO_DB_URL: options.databaseUrl, DEMO_CACHE_URL: options.redisUrl ?? '', PLAYGROUND_USER: options.userId };
  return parseConfig(raw, DEMO_CONFIG_SOURCE, env, path.dirname(DEMO_CONFIG_FILE), 'strict');
}

/** The playground runs the demo when the user has no config of their own: no CHATOPS_CONFIG, no chatops.yml here. */
export function usesDemoConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): boolean {
  return !env.CHATOPS_CONFIG && !existsSync(path.resolve(cwd, 'chatops.yml'));
}

export interface RunningDemo {
  config: Config;
  /** The demo's own redis-server, when one was started. */
  redis?: LocalRedis;
  /** Why there is no demo-cache, when there is none. */
  noRedis?: string;
  stop(): Promise<void>;
}

/** The demo config, with a redis-server of its own when one is on PATH (a failed one leaves demo-cache out, said in the log). */
export async function startDemo(o: { databaseUrl: string; userId: string; env: NodeJS.ProcessEnv; log: Logger; embeddedPool?: pg.Pool }): Promise<RunningDemo> {
  if (o.embeddedPool) {
    // The embedded server preloads pg_stat_statements; created in its database, demo-db's slow-query
    // check sees statements instead of asking for the extension. Never done to a DATABASE_URL of the user's.
    await o.embeddedPool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch((err: unknown) => {
      o.log.warn({ err }, 'playground demo: pg_stat_statements could not be created in the embedded PostgreSQL; demo-db says how to enable it');
    });
  }
  const executable = redisServerOnPath(o.env);
  let redis: LocalRedis | undefined;
  let noRedis: string | undefined;
  if (!executable) {
    noRedis = 'redis-server is not on PATH, so the demo has no demo-cache target (Debian/Ubuntu: apt-get install redis-server)';
  } else {
    try {
      redis = await startLocalRedis(executable);
      o.log.info({ port: redis.port }, 'playground demo: a redis-server of its own is running on 127.0.0.1 (target demo-cache)');
    } catch (error) {
      noRedis = `the demo has no demo-cache target: ${(error as Error).message}`;
    }
  }
  if (noRedis) o.log.warn(noRedis);
  try {
    const config = demoConfig({ databaseUrl: o.databaseUrl, userId: o.userId, ...(redis && { redisUrl: redis.url }) });
    return { config, ...(redis && { redis }), ...(noRedis && { noRedis }), stop: async () => await redis?.stop() };
  } catch (error) {
    await redis?.stop();
    throw error;
  }
}
