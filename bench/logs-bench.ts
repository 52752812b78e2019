// The /diag logs benchmark (`BENCH_ONLY=logs`): one deployment of 50 pods, each with ~10 MB of logs
// in the window, read by diagLogs (what `/diag logs` runs) in a bot-like process of its own, 1
// warm-up + 5 runs. A counting proxy between it and the fake API server measures the bytes of every
// pods/log answer, to show the reads stay within the stated bounds (2 MiB per container, 20 MiB in
// all, 50 pods) however large the logs are.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { startFakeKubeApi } from '../test/support/fake-kube-api.ts';
import { DEFAULT_LOG_BOUNDS } from '../src/probes/kubernetes/logs/read-pod-logs.ts';
import { MAX_LOG_PODS } from '../src/probes/kubernetes/logs/diag-logs.ts';
import { addLogsScenario } from './logs-scenario.ts';
import type { BenchRow } from './bench-row.ts';

const PODS = 50;
const BYTES_PER_POD = 10 * 1024 * 1024;
const RUNS = Number(process.env.BENCH_LOGS_RUNS ?? 5);
const WARMUP = 1;
const MIB = 1024 * 1024;

interface ChildResult {
  idleRssMb: number;
  peakRssMb: number;
  growthMb: number;
  times: number[];
  status: string;
  findings: number;
  patterns: number;
  summary: { status: string; title: string; detail: string; metrics: Record<string, number> };
}

interface LogRead {
  pod: string;
  container: string;
  previous: boolean;
  tail: boolean;
  bytes: number;
  /** From the request to the end of the answer: mostly the fake server rebuilding 10 MB with timestamps. */
  ms: number;
}

/** Forwards every request to `upstream` and records the body size of each pods/log answer. */
async function countingProxy(upstream: string, reads: LogRead[]): Promise<{ url: string; close: () => void }> {
  const target = new URL(upstream);
  const server = http.createServer((req, res) => {
    const start = performance.now();
    const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const url = new URL(req.url ?? '/', 'http://proxy');
      const m = /\/namespaces\/[^/]+\/pods\/([^/]+)\/log$/.exec(url.pathname);
      let bytes = 0;
      answer.on('data', (chunk: Buffer) => (bytes += chunk.length));
      answer.on('end', () => {
        if (m) reads.push({ pod: m[1]!, container: url.searchParams.get('container') ?? '', previous: url.searchParams.get('previous') === 'true', tail: url.searchParams.has('tailLines'), bytes, ms: performance.now() - start });
      });
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const mib = (v: number) => `${(v / MIB).toFixed(2)} MiB`;

export async function benchLogs(log: (line: string) => void, nodeFlags: readonly string[]): Promise<BenchRow[]> {
  log(`\n## /diag logs: a deployment of ${PODS} pods with ~${BYTES_PER_POD / MIB} MB of logs each (reader in its own process, ${WARMUP} warm-up + ${RUNS} runs)`);
  const api = await startFakeKubeApi();
  const reads: LogRead[] = [];
  const proxy = await countingProxy(api.url, reads);
  try {
    let t0 = performance.now();
    const scenario = addLogsScenario(api, { namespace: 'shop', deployment: 'web', pods: PODS, bytesPerPod: BYTES_PER_POD });
    log(`  setup: ${scenario.pods} pods, ~${mib(scenario.bytesPerPod)} / ${scenario.linesPerPod.toLocaleString('en-US')} lines each (${scenario.errorLinesPerPod.toLocaleString('en-US')} error lines, ~20 patterns, stack traces), ${mib(scenario.pods * scenario.bytesPerPod)} in the window in all; generated in ${ms(performance.now() - t0)}`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-logs-'));
    const direct = api.writeKubeconfig(dir);
    const kubeconfig = path.join(dir, 'via-proxy.yml');
    writeFileSync(kubeconfig, readFileSync(direct, 'utf8').split(api.url).join(proxy.url));

    t0 = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, '--expose-gc', path.resolve(import.meta.dirname, 'logs-diag-child.ts'), kubeconfig, scenario.namespace, scenario.deployment, String(RUNS)], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    const wall = performance.now() - t0;
    api.requests.length = 0;
    const line = out.trim().split('\n').at(-1);
    if (code !== 0 || !line) throw new Error(`logs benchmark: the reader process exited with ${code}: ${out}`);
    const r = JSON.parse(line) as ChildResult;
    // A report that read nothing or grouped nothing is fast and meaningless: refuse the figures.
    if (!(r.summary.metrics.lines! > 0) || !(r.summary.metrics.errorLines! > 0) || r.patterns < 2) {
      process.stderr.write(`error: the /diag logs report did not see the planted error lines: ${JSON.stringify(r)}\n`);
      throw new Error('logs benchmark: the report is not meaningful, no figures');
    }

    // Every run reads the same (the logs do not change): per-run figures are the totals over the runs.
    const total = WARMUP + RUNS;
    const perRun = reads.reduce((n, x) => n + x.bytes, 0) / total;
    const byContainer = new Map<string, number>();
    for (const x of reads) byContainer.set(`${x.pod}/${x.container}${x.previous ? ' previous' : ''}`, (byContainer.get(`${x.pod}/${x.container}${x.previous ? ' previous' : ''}`) ?? 0) + x.bytes / total);
    const first = reads.filter((x) => !x.tail);
    const tails = reads.filter((x) => x.tail);
    const maxFirst = Math.max(0, ...first.map((x) => x.bytes));
    const maxTail = Math.max(0, ...tails.map((x) => x.bytes));
    const perContainer = [...byContainer.values()];
    const maxContainer = Math.max(0, ...perContainer);
    const podsRead = new Set(reads.map((x) => x.pod)).size;
    const b = DEFAULT_LOG_BOUNDS;

    log(`  report: ${r.status}, ${r.findings} findings (${r.patterns} pattern findings); summary ${r.summary.status}: ${r.summary.title}`);
    if (r.summary.detail) log(`  summary detail: ${r.summary.detail.split('\n').join(' | ')}`);
    log(`  report time    : median ${ms(quantile(r.times, 0.5))}, p95 ${ms(quantile(r.times, 0.95))} (the reader process, ${total} runs, took ${ms(wall)} in all)`);
    const apiMs = reads.reduce((n, x) => n + x.ms, 0) / total;
    log(`  pods/log answers: ${ms(apiMs)} per run summed over requests (median ${ms(quantile(reads.map((x) => x.ms), 0.5))} each; the fake server filters and stamps the whole 10 MB per request, ${b.concurrency} at a time)`);
    log(`  stated bounds  : ${mib(b.perContainerBytes)} per container read, ${mib(b.totalBytes)} in all, ${MAX_LOG_PODS} pods, ${b.concurrency} pods at a time`);
    log(`  read per run   : ${mib(perRun)} from the API in ${(reads.length / total).toFixed(0)} pods/log requests (${(first.length / total).toFixed(0)} first reads, ${(tails.length / total).toFixed(0)} tailLines re-reads), ${podsRead} of ${PODS} pods, ${byContainer.size} containers`);
    log(`  per container  : median ${mib(quantile(perContainer, 0.5))}, max ${mib(maxContainer)} (largest first read ${mib(maxFirst)}, largest re-read ${mib(maxTail)}); ${(PODS * scenario.bytesPerPod / Math.max(1, perRun)).toFixed(0)}x less than the logs in the window`);
    log(`  RSS            : idle ${r.idleRssMb.toFixed(1)} MB, peak ${r.peakRssMb.toFixed(1)} MB, growth ${r.growthMb.toFixed(1)} MB`);
    // A re-read is paid from the total before it is sent: the total holds, re-reads included.
    log(`  bounded: ${perRun <= b.totalBytes ? 'yes' : 'NO'}: ${mib(perRun)} read per run, re-reads included, against ${mib(b.totalBytes)} in all`);
    log(`  bounded: ${maxFirst <= b.perContainerBytes && maxTail <= b.perContainerBytes ? 'yes' : 'NO'}: every single read at most ${mib(b.perContainerBytes)} (first ${mib(maxFirst)}, re-read ${mib(maxTail)})`);
    log(`  bounded: ${podsRead <= MAX_LOG_PODS ? 'yes' : 'NO'}: ${podsRead} pods read (cap ${MAX_LOG_PODS})`);
    const name = `/diag logs, ${PODS} pods x ~${BYTES_PER_POD / MIB} MB of logs`;
    const maxRead = Math.max(maxFirst, maxTail);
    return [
      { part: 'logs', name, figure: 'report time', unit: 'ms', median: quantile(r.times, 0.5), p95: quantile(r.times, 0.95), note: `${RUNS} runs in a process of its own` },
      { part: 'logs', name, figure: 'read from the API per run', unit: 'MiB', value: perRun / MIB, target: `<= ${b.totalBytes / MIB} MiB`, met: perRun <= b.totalBytes, note: 're-reads included' },
      { part: 'logs', name, figure: 'largest single read', unit: 'MiB', value: maxRead / MIB, target: `<= ${b.perContainerBytes / MIB} MiB`, met: maxRead <= b.perContainerBytes },
      { part: 'logs', name, figure: 'pods read', value: podsRead, target: `<= ${MAX_LOG_PODS}`, met: podsRead <= MAX_LOG_PODS },
      { part: 'logs', name, figure: 'RSS growth', unit: 'MB', value: r.growthMb, note: `idle ${r.idleRssMb.toFixed(1)} MB, peak ${r.peakRssMb.toFixed(1)} MB` },
    ];
  } finally {
    proxy.close();
    await api.close();
  }
}
