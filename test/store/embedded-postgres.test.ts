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
