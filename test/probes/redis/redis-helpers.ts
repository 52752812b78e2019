// Shared by the Redis probe tests: run the probe the way the bot does (with a state store that
// lives as long as the test wants), find a finding, open clients that are always closed, and wait
// for a condition without tight timing.
import { Redis, type RedisOptions } from 'ioredis';
import { afterEach } from 'vitest';
import { startTestRedis, type RunningRedis } from '../../support/start-test-redis.ts';
import type { Finding } from '../../../src/report.ts';
import type { Thresholds } from '../../../src/probes/probe-definition.ts';
import { silentLogger } from '../../../src/logger.ts';
import { redisKind } from '../../../src/probes/redis/redis-kind.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import { MemoryProbeStateStore, type ProbeStateStore } from '../../../src/probes/probe-state.ts';

export interface RunOptions {
  thresholds?: Record<string, Thresholds>;
  timeoutMs?: number;
  name?: string;
  /** Keep one store across runs to compare counters; a fresh one (a first run) when not given. */
  store?: ProbeStateStore;
}

export async function runRedisProbe(url: string, options: RunOptions = {}): Promise<Finding[]> {
  const name = options.name ?? 'test-redis';
  const store = options.store ?? new MemoryProbeStateStore();
  return await runKindChecks(
    redisKind,
    { name, kind: 'redis', url, thresholds: options.thresholds ?? {}, timeoutMs: options.timeoutMs ?? 5_000 },
    { signal: new AbortController().signal, log: silentLogger(), state: store.forTarget(name) },
  );
}

/** Runs the probe and returns the findings and the wall time. */
export async function timedRun(url: string, options: RunOptions = {}): Promise<{ findings: Finding[]; elapsed: number }> {
  const started = performance.now();
  const findings = await runRedisProbe(url, options);
  return { findings, elapsed: performance.now() - started };
}

export function findingOf(findings: Finding[], check: string): Finding {
  const f = findings.find((x) => x.check === `redis.${check}`);
  if (!f) throw new Error(`no redis.${check} finding in: ${findings.map((x) => `${x.check} ${x.title}`).join('; ')}`);
  return f;
}

/** Clients a test opens; `closeAll` disconnects them whatever state the test left them in. */
export class ClientBag {
  #clients: Redis[] = [];

  async open(url: string, name = 'probe-test', options: RedisOptions = {}): Promise<Redis> {
    const client = new Redis(url, { lazyConnect: true, connectionName: name, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, ...options });
    // A killed server or a disconnect mid-command makes the client emit 'error'; the test does not care.
    client.on('error', () => {});
    this.#clients.push(client);
    await client.connect();
    return client;
  }

  closeAll(): void {
    for (const c of this.#clients.splice(0)) c.disconnect();
  }
}

export { sleep, waitFor } from '../../support/wait-for.ts';

/** One INFO field from a test client. */
export async function infoField(client: Redis, section: string, name: string): Promise<string | undefined> {
  const text = await client.info(section);
  return new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

/** redis://user:password@host:port with the given credentials. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * Private redis-servers for one test file, stopped (with the file's clients closed) after each
 * test: `const server = privateServers(bag); const s = await server({ maxmemory: '2mb' })`.
 */
export function privateServers(bag: ClientBag): (settings?: Record<string, string>) => Promise<RunningRedis> {
  const servers: RunningRedis[] = [];
  afterEach(async () => {
    bag.closeAll();
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  return async (settings = {}) => {
    const s = await startTestRedis(settings);
    servers.push(s);
    return s;
  };
}
