// The servers every probe scenario runs against: the shared PostgreSQL 17 of the test setup and a
// PostgreSQL 13 of the file's own, the oldest version the probe supports. A scenario is written
// once, in `describeOnEachServer`, and runs as one describe block per server; what 13 lacks is a
// branch on `pg.versionNum`.
import type pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { probePools } from '../../../src/probes/postgres/probe-pools.ts';
import { startPostgres13 } from '../../support/start-old-postgres.ts';
import { startTestPostgres } from '../../support/start-test-postgres.ts';
import { ClientBag, uniqueName, withDatabase } from './probe-helpers.ts';

export interface RunningServer {
  /** Superuser URL of the database `postgres`. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface ServerUnderTest {
  /** The major version, as test names show it. */
  label: string;
  start(): Promise<RunningServer>;
}

export const SERVERS: readonly ServerUnderTest[] = [
  // Shared by every test file, which is why each file works in databases of its own.
  { label: '17', start: async () => ({ adminUrl: inject('pgAdminUrl'), stop: async () => {} }) },
  // One per file, a second or two to start.
  {
    label: '13',
    start: async () => {
      const server = await startPostgres13();
      return { adminUrl: server.urlFor('postgres'), stop: () => server.stop() };
    },
  },
];

/**
 * Servers of the file's own, 17 and 13, for scenarios that read what the whole server shows (locks,
 * sessions) and must not see other files' faults, nor show them theirs.
 */
export const OWN_SERVERS: readonly ServerUnderTest[] = [
  {
    label: '17',
    start: async () => {
      const server = await startTestPostgres();
      return { adminUrl: server.urlFor('postgres'), stop: () => server.stop() };
    },
  },
  SERVERS[1]!,
];

export interface DatabaseOptions {
  /** CREATE EXTENSION pg_stat_statements (the servers preload the library). */
  pgStatStatements?: boolean;
}

/** One server as its describe block sees it, from the block's beforeAll on. */
export interface ServerInSuite<K extends string> {
  readonly label: string;
  /** Superuser URL of the database `postgres`. */
  readonly adminUrl: string;
  /** server_version_num, e.g. 130023. */
  readonly versionNum: number;
  /** Name of the database created for the block under `key`. */
  database(key: K): string;
  /** Superuser URL of that database. */
  url(key: K): string;
}

/**
 * `describe.each` over SERVERS, at the top level of a test file: the blocks are titled
 * `postgres probe on PostgreSQL <label>: <topic>`, and each gets databases of its own with unique
 * names. Every server starts as the file begins, so that PostgreSQL 13 boots while the block on 17
 * runs; when the file ends, the probe's warm pools are closed, the databases dropped and every
 * server that was started is stopped, also one whose tests a filter skipped.
 */
export function describeOnEachServer<K extends string>(
  topic: string,
  databases: Record<K, DatabaseOptions>,
  body: (pg: ServerInSuite<K>) => void,
  servers: readonly ServerUnderTest[] = SERVERS,
): void {
  const suites = servers.map((server) => serverInSuite(server, databases));
  beforeAll(() => {
    for (const s of suites) s.boot();
  });
  afterAll(async () => {
    await probePools.closeAll();
    const results = await Promise.allSettled(suites.map((s) => s.shutdown()));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
  describe.each(suites)(`postgres probe on PostgreSQL $label: ${topic}`, (suite) => {
    beforeAll(() => suite.prepare());
    body(suite);
  });
}

function serverInSuite<K extends string>(server: ServerUnderTest, databases: Record<K, DatabaseOptions>) {
  const keys = Object.keys(databases) as K[];
  const names = new Map(keys.map((k) => [k, uniqueName(`probe_${k}`)]));
  let started: Promise<RunningServer> | undefined;
  let prepared: Promise<void> | undefined;
  let running: RunningServer | undefined;
  let versionNum = 0;
  const ready = (): RunningServer => {
    if (!running) throw new Error(`PostgreSQL ${server.label} is not ready (its beforeAll failed?)`);
    return running;
  };

  const createDatabases = async (adminUrl: string): Promise<void> => {
    const bag = new ClientBag();
    try {
      const admin = await bag.open(adminUrl);
      const { rows } = await admin.query<{ v: number }>("select current_setting('server_version_num')::int as v");
      versionNum = rows[0]!.v;
      for (const key of keys) {
        await admin.query(`CREATE DATABASE ${names.get(key)}`);
        if (databases[key].pgStatStatements) {
          const db = await bag.open(withDatabase(adminUrl, names.get(key)!));
          await db.query('CREATE EXTENSION pg_stat_statements');
        }
      }
    } finally {
      await bag.closeAll();
    }
  };

  return {
    label: server.label,
    get adminUrl() {
      return ready().adminUrl;
    },
    get versionNum() {
      ready();
      return versionNum;
    },
    database: (key: K) => names.get(key)!,
    url: (key: K) => withDatabase(ready().adminUrl, names.get(key)!),

    /** Starts the server and creates the databases, without waiting; a failure surfaces in prepare(). */
    boot(): void {
      if (started) return;
      started = server.start();
      prepared = started.then((r) => createDatabases(r.adminUrl));
      prepared.catch(() => {});
    },

    /** Waits for the server and its databases. */
    async prepare(): Promise<void> {
      this.boot();
      await prepared;
      running = await started;
    },

    /** Drops the databases and stops the server, if it was started. */
    async shutdown(): Promise<void> {
      const up = await started?.catch(() => undefined);
      if (!up) return;
      await prepared?.catch(() => undefined);
      const bag = new ClientBag();
      try {
        const admin = await bag.open(up.adminUrl);
        for (const name of names.values()) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await bag.closeAll();
        await up.stop();
      }
    },
  };
}

/**
 * Sends the statistics this session has gathered to the shared views, so that the probe sees them.
 * From 15 the backend flushes on request; before that it reports to the statistics collector at the
 * end of a statement, at most every 500 ms, and the collector takes a moment more: call this in a
 * waitFor loop.
 */
export async function reportStatistics(client: pg.Client, versionNum: number): Promise<void> {
  if (versionNum >= 150000) await client.query('SELECT pg_stat_force_next_flush()');
  await client.query('SELECT 1');
}
