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
