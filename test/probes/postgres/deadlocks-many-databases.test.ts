// A server with more databases than the deadlock check reads at once: a deadlock in a quiet one is
// still reported (the databases that ever had one are read first, then the busiest).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPostgres } from '../../../src/store/start-embedded-postgres.ts';
import { startTestPostgres } from '../../support/start-test-postgres.ts';
import { causeDeadlock, ClientBag, findingOf, runProbe, waitFor } from './probe-helpers.ts';
import { reportStatistics } from './servers-under-test.ts';

/** More than the 50 databases the check used to read, ordered by traffic alone. */
const BUSY_DATABASES = 55;
/** Transactions in each busy database: more than the quiet one gets from the probe's own runs. */
const BUSY_TRANSACTIONS = 400;

describe('deadlocks on a server with many databases', () => {
  let server: RunningPostgres;
  const bag = new ClientBag();

  beforeAll(async () => {
    // Durability is not this test's business: fsync off makes its 56 CREATE DATABASEs quick.
    server = await startTestPostgres({ fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
    const admin = new pg.Client({ connectionString: server.urlFor('postgres') });
    await admin.connect();
    try {
      for (let i = 0; i < BUSY_DATABASES; i++) await admin.query(`CREATE DATABASE busy_${i}`);
      await admin.query('CREATE DATABASE quiet');
    } finally {
      await admin.end();
    }
    // Every busy database gets more transactions than the quiet one will have.
    // One transaction per statement, five databases at a time.
    const busy = async (i: number) => {
      const c = new pg.Client({ connectionString: server.urlFor(`busy_${i}`) });
      await c.connect();
      for (let n = 0; n < BUSY_TRANSACTIONS; n++) await c.query('SELECT 1');
      await c.end();
    };
    for (let i = 0; i < BUSY_DATABASES; i += 5) await Promise.all([0, 1, 2, 3, 4].filter((k) => i + k < BUSY_DATABASES).map((k) => busy(i + k)));
  }, 120_000);

  afterAll(async () => {
    await bag.closeAll();
    await server?.stop();
  });

  it('reports a new deadlock in the quietest database', async () => {
    const url = server.urlFor('quiet');
    const admin = await bag.open(url);
    await admin.query('CREATE TABLE dl (id int primary key, v int)');
    await admin.query('INSERT INTO dl VALUES (1, 0), (2, 0)');
    const thresholds = { deadlocks: { warn: 101, crit: 102 } };
    // The baseline, then one deadlock.
    await runProbe(url, { thresholds });
    const { sessions, outcomes } = await causeDeadlock(bag, admin, url, 'dl');
    expect(outcomes.filter((o) => o.includes('deadlock detected'))).toHaveLength(1);
    const versionNum = Number((await admin.query<{ v: string }>('SHOW server_version_num')).rows[0]!.v);

    // The quiet database is the least busy of the server: ordered by traffic alone it is not read.
    const least = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_stat_database WHERE datname LIKE 'busy\\_%' OR datname = 'quiet' ORDER BY xact_commit + xact_rollback LIMIT 1",
    );
    expect(least.rows[0]?.datname).toBe('quiet');

    const f = await waitFor(
      async () => {
        for (const c of sessions) await reportStatistics(c, versionNum);
        const x = findingOf(await runProbe(url, { thresholds }), 'deadlocks');
        return x.status !== 'ok' ? x : undefined;
      },
      30_000,
      'the deadlock in the quiet database to be reported',
    );
    expect(f.status).toBe('warn');
    expect(f.detail).toContain('quiet: 1 new deadlock');
  }, 60_000);
});
