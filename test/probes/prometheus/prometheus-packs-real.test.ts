// The default query packs evaluated by a real Prometheus (the `prometheus` binary, 2.42 or later):
// two servers, one scraping the recorded output of healthy exporters (node_exporter,
// postgres_exporter, redis_exporter, an HTTP service), one the output of broken ones, from a local
// HTTP server that serves test/fixtures/exporters/*.prom. Counters (and histograms) grow between
// scrapes at the rate each file states (`counters grow at value/<seconds> per second`: their
// average since the process started), so rate() and increase() have something to measure.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusKind } from '../../../src/probes/prometheus/prometheus-kind.ts';
import { QUERY_PACK_NAMES, queryPack } from '../../../src/probes/prometheus/query-packs.ts';
import type { Finding } from '../../../src/report.ts';
import { closedPort } from '../http/fake-http-services.ts';
import { runKind } from '../http/probe-helpers.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/exporters');
const HEALTHY = ['node-healthy', 'postgres-healthy', 'redis-healthy', 'redis-no-maxmemory', 'http-app-healthy', 'http-app-idle'];
const BROKEN = ['node-broken', 'postgres-broken', 'postgres-down', 'redis-broken', 'http-app-broken'];
/** A Prometheus that scrapes only an HTTP service with no traffic: the node, postgres and redis metrics do not exist there. */
const HTTP_ONLY = ['http-app-idle'];
/** How long a Prometheus may take to start and scrape 3 times on a loaded 2-core machine. */
const READY_MS = 90_000;

/** One exposition file whose counter and histogram samples grow with the time since `start`. */
function advance(text: string, secondsSinceStart: number): string {
  const over = /counters grow at value\/(\d+) per second/.exec(text);
  if (!over) throw new Error('fixture without its "counters grow at value/<seconds> per second" line');
  const factor = 1 + secondsSinceStart / Number(over[1]);
  let type = '';
  return text
    .split('\n')
    .map((line) => {
      const t = /^# TYPE \S+ (\w+)/.exec(line);
      if (t) type = t[1]!;
      if (line.startsWith('#') || line.trim() === '' || (type !== 'counter' && type !== 'histogram')) return line;
      const cut = line.lastIndexOf(' ');
      const value = Number(line.slice(cut + 1));
      // A histogram's sum grows too; its buckets and count keep their proportions.
      return `${line.slice(0, cut)} ${value * factor}`;
    })
    .join('\n');
}

/** Serves /<name> from the fixtures, advanced to now. */
async function exporterServer(): Promise<{ server: http.Server; port: number; scrapes: Map<string, number> }> {
  const files = new Map<string, string>();
  for (const name of [...HEALTHY, ...BROKEN]) files.set(name, await readFile(path.join(FIXTURES, `${name}.prom`), 'utf8'));
  const started = performance.now();
  const scrapes = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1).split('?')[0]!;
    const text = files.get(name);
    if (text === undefined) {
      res.writeHead(404).end('not found\n');
      return;
    }
    scrapes.set(name, (scrapes.get(name) ?? 0) + 1);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(advance(text, (performance.now() - started) / 1000));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, scrapes };
}

interface RunningPrometheus {
  url: string;
  process: ChildProcess;
  dir: string;
  log: string[];
}

/**
 * A Prometheus scraping `files`, registered in `running` as soon as it is spawned (so afterAll
 * stops it whatever fails next). The port is picked free just before; when another process took
 * it in between, Prometheus exits at once and it is started again on another one.
 */
async function startPrometheus(exporterPort: number, files: string[], running: RunningPrometheus[]): Promise<RunningPrometheus> {
  for (let attempt = 1; ; attempt++) {
    const p = await spawnPrometheus(exporterPort, files);
    running.push(p);
    const exit = await Promise.race([
      new Promise<'exited'>((resolve) => p.process.once('exit', () => resolve('exited'))),
      untilReady(p),
    ]);
    if (exit !== 'exited' || attempt === 3 || !/address already in use/.test(p.log.join(''))) return p;
    await stopPrometheus(p);
  }
}

/** Resolves once /-/ready answers 200 (or the process is gone, or READY_MS passed): the caller looks at which. */
async function untilReady(p: RunningPrometheus): Promise<'ready' | 'gave up'> {
  const until = Date.now() + READY_MS;
  while (Date.now() < until && p.process.exitCode === null && p.process.signalCode === null) {
    try {
      const res = await fetch(`${p.url}/-/ready`, { signal: AbortSignal.timeout(2000) });
      await res.body?.cancel();
      if (res.ok) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return 'gave up';
}

async function spawnPrometheus(exporterPort: number, files: string[]): Promise<RunningPrometheus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chatops-prom-'));
  const port = await closedPort();
  const jobs = files
    .map((f) => `  - job_name: ${f}\n    metrics_path: /${f}\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']`)
    .join('\n');
  await writeFile(path.join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n${jobs}\n`);
  const log: string[] = [];
  const child = spawn('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  child.on('error', (e) => log.push(`could not start prometheus (${e.message}): install Prometheus 2.42 or later so that \`prometheus\` is on PATH`));
  return { url: `http://127.0.0.1:${port}`, process: child, dir, log };
}

async function stopPrometheus(p: RunningPrometheus): Promise<void> {
  if (p.process.pid !== undefined && p.process.exitCode === null && p.process.signalCode === null) {
    const exited = new Promise<void>((resolve) => p.process.once('exit', () => resolve()));
    p.process.kill('SIGTERM');
    const timer = setTimeout(() => p.process.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  await rm(p.dir, { recursive: true, force: true });
}

/** The value of a scalar-valued expression, or undefined while Prometheus cannot answer it. */
async function scalar(url: string, expression: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    const v = body.data?.result?.[0]?.value[1];
    return v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

/** Until every scrape job of `p` has 3 successful scrapes (two intervals for rate()); throws with the log after READY_MS. */
async function waitForSamples(p: RunningPrometheus, jobs: number): Promise<void> {
  const until = Date.now() + READY_MS;
  while (Date.now() < until) {
    if (p.process.exitCode !== null || p.process.signalCode !== null || p.process.pid === undefined) {
      throw new Error(`prometheus is not running (exit ${p.process.exitCode ?? p.process.signalCode}): ${p.log.join('').slice(-2000)}`);
    }
    const ready = await scalar(p.url, 'count(sum_over_time(up[1m]) >= 3)');
    if (ready === jobs) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`prometheus at ${p.url} did not get 3 scrapes of each of ${jobs} jobs within ${READY_MS / 1000} s: ${p.log.join('').slice(-2000)}`);
}

const allPacks = [...QUERY_PACK_NAMES];
const statusOf = (findings: Finding[]) =>
  Object.fromEntries(findings.filter((f) => f.check.startsWith('prometheus.query.')).map((f) => [f.check.slice('prometheus.query.'.length), f.status]));
const titleOf = (findings: Finding[], name: string) => findings.find((f) => f.check === `prometheus.query.${name}`)?.title ?? '(none)';

describe('the default query packs on a real Prometheus', () => {
  let exporter: Awaited<ReturnType<typeof exporterServer>> | undefined;
  const running: RunningPrometheus[] = [];
  let healthy: RunningPrometheus;
  let broken: RunningPrometheus;
  let httpOnly: RunningPrometheus;

  beforeAll(async () => {
    exporter = await exporterServer();
    const port = exporter.port;
    [healthy, broken, httpOnly] = await Promise.all([
      startPrometheus(port, HEALTHY, running),
      startPrometheus(port, BROKEN, running),
      startPrometheus(port, HTTP_ONLY, running),
    ]);
    await Promise.all([waitForSamples(healthy, HEALTHY.length), waitForSamples(broken, BROKEN.length), waitForSamples(httpOnly, HTTP_ONLY.length)]);
  }, 2 * READY_MS + 10_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => stopPrometheus(p)));
    if (exporter) {
      exporter.server.closeAllConnections();
      await new Promise<void>((resolve) => exporter!.server.close(() => resolve()));
    }
  }, 30_000);

  it('healthy exporters: every pack query returns series and is ok', async () => {
    const findings = await runKind(prometheusKind, { url: healthy.url, queryPacks: allPacks }, { timeoutMs: 20_000 });
    const expected = Object.fromEntries(allPacks.flatMap((p) => queryPack(p).map((q) => [q.name, 'ok'])));
    expect(statusOf(findings), JSON.stringify(findings.filter((f) => f.status !== 'ok'), null, 1)).toEqual(expected);
    for (const name of Object.keys(expected)) expect(titleOf(findings, name), name).not.toMatch(/no series|no data|NaN|Inf/);
    // The recorded values, read back through the expressions; the idle HTTP service (no request in
    // the window) is left out of the ratio and the quantile rather than judged as NaN.
    expect(titleOf(findings, 'http_5xx_ratio')).toBe('http_5xx_ratio: 0.2% (warns at or above 5%)');
    expect(titleOf(findings, 'http_latency_p99')).toMatch(/^http_latency_p99: 24\d ms \(warns at or above 1 s\)$/);
    expect(titleOf(findings, 'node_disk_free')).toBe('node_disk_free: 3 series, none below 10% (worst 55%)');
    expect(titleOf(findings, 'node_memory_available')).toBe('node_memory_available: 40% (warns at or below 10%)');
    expect(titleOf(findings, 'node_cpu_busy')).toMatch(/^node_cpu_busy: (9\.9\d*|10(\.0\d*)?)% \(warns at or above 80%\)$/);
    expect(titleOf(findings, 'postgres_connections_used')).toBe('postgres_connections_used: 23.7% (warns at or above 80%)');
    // The instance without maxmemory (redis_memory_max_bytes 0) is left out, not divided into +Inf.
    expect(titleOf(findings, 'redis_memory_used')).toBe('redis_memory_used: 29.3% (warns at or above 90%)');
    expect(titleOf(findings, 'redis_up')).toBe('redis_up: 2 series, none below 0 (worst 1)');
  }, 60_000);

  it('a Prometheus that scrapes no node, postgres or redis exporter: those pack queries are unknown (no data), never ok; an HTTP service without traffic is no series, not NaN', async () => {
    const findings = await runKind(prometheusKind, { url: httpOnly.url, queryPacks: allPacks }, { timeoutMs: 20_000 });
    const expected = Object.fromEntries(allPacks.flatMap((p) => queryPack(p).map((q) => [q.name, p === 'http' ? 'ok' : 'unknown'])));
    expect(statusOf(findings)).toEqual(expected);
    expect(titleOf(findings, 'http_latency_p99')).toBe('http_latency_p99: no series');
    expect(titleOf(findings, 'http_5xx_ratio')).toBe('http_5xx_ratio: no series');
    expect(titleOf(findings, 'postgres_up')).toBe('postgres_up: no data: no pg_up series (is its exporter scraped?)');
    expect(titleOf(findings, 'node_disk_free')).toBe('node_disk_free: no data: no node_filesystem_avail_bytes series (is its exporter scraped?)');
    expect(findings.find((f) => f.check === 'prometheus.query.redis_up')!.fix).toMatch(/scrapes it/);
  }, 60_000);

  it('broken exporters: the pack queries are warn or crit where the recorded values cross', async () => {
    const findings = await runKind(prometheusKind, { url: broken.url, queryPacks: allPacks }, { timeoutMs: 20_000 });
    expect(statusOf(findings)).toEqual({
      http_5xx_ratio: 'warn',
      http_latency_p99: 'crit',
      node_disk_free: 'crit',
      node_memory_available: 'warn',
      node_cpu_busy: 'crit',
      node_oom_kills: 'ok',
      postgres_up: 'crit',
      postgres_connections_used: 'warn',
      postgres_deadlocks: 'crit',
      redis_up: 'ok',
      redis_memory_used: 'warn',
      redis_rejected_connections: 'crit',
    });
    expect(titleOf(findings, 'http_5xx_ratio')).toBe('http_5xx_ratio: 1 of 1 series above 5%, worst 7% {job="http-app-broken"}');
    expect(titleOf(findings, 'node_disk_free')).toBe(
      // The labels that say where come first, so the title names the host and the mount.
      `node_disk_free: 2 of 3 series below 10% (1 below 5%), worst 3% {instance="127.0.0.1:${exporter!.port}", mountpoint="/", job="node-broken", ...}`,
    );
    expect(titleOf(findings, 'postgres_up')).toBe(`postgres_up: 1 of 2 series at or below 0, worst 0 pg_up{instance="127.0.0.1:${exporter!.port}", job="postgres-down"}`);
    expect(titleOf(findings, 'postgres_connections_used')).toMatch(/^postgres_connections_used: 1 of 1 series above 80%, worst 87\.6% /);
    const disk = findings.find((f) => f.check === 'prometheus.query.node_disk_free')!;
    expect(disk.detail).toContain('mountpoint="/var/lib/postgresql"');
    expect(disk.detail).not.toContain('mountpoint="/run"');
    expect(disk.fix).toMatch(/du -xh/);
    expect(exporter!.scrapes.get('postgres-down')).toBeGreaterThanOrEqual(3);
  }, 60_000);
});
