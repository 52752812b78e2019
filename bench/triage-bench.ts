// The /triage benchmark (`BENCH_ONLY=triage`): "the API is slow" over 10 configured local targets,
// every probe real: two PostgreSQL databases of an embedded server, two redis-servers, four HTTP
// health endpoints (one of them answering after 1.2 s, over its latency warning: the slow API),
// a fake Prometheus and a fake Kubernetes API. runTriage as /triage runs it (ranking, plan,
// concurrent bounded probes, weighing), offline, no model; 1 warm-up and BENCH_TRIAGE_RUNS runs
// (default 15): median and p95 answer time, which targets ran and what came first.
// Target: under 3 s median.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { parseConfig } from '../src/config/load-config.ts';
import { silentLogger } from '../src/logger.ts';
import { allCheckIds } from '../src/probes/probe-registry.ts';
import { closeProbes } from '../src/probes/probe-registry.ts';
import { MemoryProbeStateStore } from '../src/probes/probe-state.ts';
import { loadRunbooks } from '../src/runbooks/load-runbooks.ts';
import { startEmbeddedPostgres } from '../src/store/start-embedded-postgres.ts';
import { runTriage, type TriageRun } from '../src/triage/run-triage.ts';
import { startFakeKubeApi } from '../test/support/fake-kube-api.ts';
import { kubeDeployment, kubeNode, kubePod } from '../test/support/kube-objects.ts';
import { startTestRedis } from '../test/support/start-test-redis.ts';
import { FakeHttpServer, prometheusRoutes } from '../test/probes/http/fake-http-services.ts';
import type { BenchRow } from './bench-row.ts';

const RUNS = Number(process.env.BENCH_TRIAGE_RUNS ?? 15);
const WARMUP = 1;
const SYMPTOM = 'the API is slow';
const TARGET_MEDIAN_MS = 3_000;
const SLOW_MS = 1_200;

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (v: number) => `${v.toFixed(0)} ms`;

/** A health endpoint answering 200 after `delayMs`. */
async function healthServer(delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export async function benchTriage(log: (line: string) => void): Promise<BenchRow[]> {
  log(`\n## /triage "${SYMPTOM}" over 10 local targets (every probe real, no model; ${WARMUP} warm-up + ${RUNS} runs)`);
  const pgServer = await startEmbeddedPostgres({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-triage-pg-')), persistent: false, database: 'postgres', listen: 'tcp' });
  const redises = await Promise.all([startTestRedis(), startTestRedis()]);
  const endpoints = await Promise.all([healthServer(5), healthServer(5), healthServer(5), healthServer(SLOW_MS)]);
  const prom = await FakeHttpServer.start(prometheusRoutes());
  const kube = await startFakeKubeApi();
  try {
    for (const db of ['orders', 'billing']) {
      const admin = new pg.Client({ connectionString: pgServer.urlFor('postgres') });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${db}`);
      await admin.end();
    }
    kube.add(kubeNode({ name: 'node-1' }));
    kube.metricsServer('installed');
    kube.add(kubeDeployment({ namespace: 'prod', name: 'web', replicas: 2 }));
    for (const p of ['aaaaa', 'bbbbb']) kube.add(kubePod({ namespace: 'prod', name: `web-5d4f8c7b9-${p}`, owner: { kind: 'Deployment', name: 'web' } }));
    const kubeconfig = kube.writeKubeconfig(mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-triage-kube-')));
    const config = parseConfig(
      {
        targets: {
          'orders-db': { kind: 'postgres', url: pgServer.urlFor('orders') },
          'billing-db': { kind: 'postgres', url: pgServer.urlFor('billing') },
          sessions: { kind: 'redis', url: redises[0]!.url },
          cache: { kind: 'redis', url: redises[1]!.url },
          'shop-api': { kind: 'http', url: endpoints[0]!.url },
          'auth-api': { kind: 'http', url: endpoints[1]!.url },
          'search-api': { kind: 'http', url: endpoints[2]!.url },
          'checkout-api': { kind: 'http', url: endpoints[3]!.url },
          prom: { kind: 'prometheus', url: prom.url },
          prod: { kind: 'k8s', kubeconfig, namespaces: ['prod'] },
        },
      },
      'bench-triage',
      {},
    );
    if (config.problems.length > 0) throw new Error(`bench config: ${config.problems.map((p) => p.message).join('; ')}`);
    const runbooks = loadRunbooks(path.resolve(import.meta.dirname, '../runbooks'), allCheckIds());
    const state = new MemoryProbeStateStore();
    const times: number[] = [];
    let last: TriageRun | undefined;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const t0 = performance.now();
      last = await runTriage(SYMPTOM, { targets: config.targets, runbooks, log: silentLogger(), state, secrets: [] });
      const dt = performance.now() - t0;
      if (i === 0) log(`  first run (new connections): ${ms(dt)}`);
      if (i >= WARMUP) times.push(dt);
    }
    const { result, reports } = last!;
    log(`  targets run: ${reports.map((r) => `${r.target} (${r.findings.length} findings)`).join(', ')} of ${config.targets.length} configured`);
    const top = result.causes[0];
    log(`  first cause: ${top ? `${top.runbook} ${Math.round(top.confidence * 100)}%${top.confirmed ? '' : ' (not confirmed)'}: ${top.evidence.find((e) => e.supports)?.title ?? top.next}` : 'none'}; ${result.causes.length} causes, ${result.ruledOut.length} ruled out, ${result.notChecked?.length ?? 0} not checked`);
    const median = quantile(times, 0.5);
    log(`  answer time: median ${ms(median)}, p95 ${ms(quantile(times, 0.95))} (the slowest endpoint alone answers after ${ms(SLOW_MS)})`);
    log(`  target: median under ${ms(TARGET_MEDIAN_MS)}: ${median < TARGET_MEDIAN_MS ? 'yes' : 'NO'}`);
    return [{ part: 'triage', name: `/triage "${SYMPTOM}", 10 local targets`, figure: 'answer time', unit: 'ms', median, p95: quantile(times, 0.95), target: `median < ${ms(TARGET_MEDIAN_MS)}`, met: median < TARGET_MEDIAN_MS, note: `${RUNS} runs, every probe real, no model` }];
  } finally {
    await closeProbes();
    await Promise.all([...redises.map((r) => r.stop()), ...endpoints.map((e) => e.close()), prom.close(), kube.close()]);
    await pgServer.stop();
  }
}
