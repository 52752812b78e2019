// Shared by the PostgreSQL probe tests: run the probe the way the bot does, find a finding,
// wait for a condition without tight timing.
import pg from 'pg';
import type { Finding } from '../../../src/report.ts';
import type { Thresholds } from '../../../src/probes/probe-definition.ts';
import { silentLogger } from '../../../src/logger.ts';
import { postgresKind } from '../../../src/probes/postgres/postgres-kind.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';

/** Shared by the runs of a test file (keyed by server URL), as the state store is by the bot's runs. */
const testState = new MemoryProbeStateStore();

export async function runProbe(
  url: string,
  options: { thresholds?: Record<string, Thresholds>; timeoutMs?: number; name?: string } = {},
): Promise<Finding[]> {
  return await runKindChecks(
    postgresKind,
    { name: options.name ?? 'test-db', kind: 'postgres', url, thresholds: options.thresholds ?? {}, timeoutMs: options.timeoutMs ?? 5_000 },
    { signal: new AbortController().signal, log: silentLogger(), state: testState.forTarget(url) },
  );
}

export function findingOf(findings: Finding[], check: string): Finding {
  const f = findings.find((x) => x.check === `postgres.${check}`);
  if (!f) throw new Error(`no postgres.${check} finding in: ${findings.map((x) => x.check).join(', ')}`);
  return f;
}

import { waitFor } from '../../support/wait-for.ts';
export { sleep, waitFor } from '../../support/wait-for.ts';

/** A client that is closed by `closeAll`, whatever state the test left it in. */
export class ClientBag {
  #clients: pg.Client[] = [];

  async open(url: string, applicationName = 'probe-test'): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url, application_name: applicationName });
    // A terminated backend makes the client emit 'error'; the test does not care.
    client.on('error', () => {});
    await client.connect();
    this.#clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    const clients = this.#clients.splice(0);
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  }
}

export async function pidOf(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return rows[0]!.pid;
}

/**
 * One real deadlock on `table` (rows with ids 1 and 2 and a column v): two sessions each update one
 * row and then the other's. Returns both sessions, rolled back, and what each update ended with
 * (exactly one is chosen as the victim: "deadlock detected").
 */
export async function causeDeadlock(bag: ClientBag, admin: pg.Client, url: string, table: string): Promise<{ sessions: pg.Client[]; outcomes: string[] }> {
  const a = await bag.open(url, 'deadlock-a');
  const b = await bag.open(url, 'deadlock-b');
  const aPid = await pidOf(a);
  for (const c of [a, b]) {
    // A quick deadlock detector (superuser-only setting, so per session is enough).
    await c.query("SET deadlock_timeout = '100ms'");
    await c.query('BEGIN');
  }
  await a.query(`UPDATE ${table} SET v = 1 WHERE id = 1`);
  await b.query(`UPDATE ${table} SET v = 1 WHERE id = 2`);
  const first = a.query(`UPDATE ${table} SET v = 2 WHERE id = 2`).then(() => 'ok', (e: Error) => e.message);
  await waitFor(async () => (await admin.query('SELECT 1 FROM pg_locks WHERE pid = $1 AND NOT granted', [aPid])).rowCount, 10_000, 'a to wait for b');
  const second = b.query(`UPDATE ${table} SET v = 2 WHERE id = 1`).then(() => 'ok', (e: Error) => e.message);
  const outcomes = await Promise.all([first, second]);
  await Promise.all([a.query('ROLLBACK'), b.query('ROLLBACK')]);
  return { sessions: [a, b], outcomes };
}

/** postgres://user:password@host:port/db with another user, password or database. */
export function withCredentials(url: string, user: string, password: string, database?: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  if (database) u.pathname = `/${database}`;
  return u.toString();
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
