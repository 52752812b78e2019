// A throwaway PostgreSQL of a test's own, for faults that would disturb other tests
// (a small max_connections, a server that is stopped mid-test).
import os from 'node:os';
import path from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/store/start-embedded-postgres.ts';

export async function startTestPostgres(settings: Record<string, string> = {}): Promise<RunningPostgres> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'chatops-test-pg-'));
  return await startEmbeddedPostgres({ dataDir, persistent: false, database: 'app', settings, listen: 'tcp' });
}
