// `npm run bench`: speed figures that tests must not assert (shared, noisy machines). Each part
// prints its detail as it goes and returns its figures as rows (bench/bench-row.ts); at the end one
// table of every figure (median, p95/p99, ratio, target, met) is printed and written to
// bench/results.md (BENCH_RESULTS_FILE to write it elsewhere) with the date, the machine (cores,
// memory, load) and the parts that ran. BENCH_ONLY=<part>[,<part>...] runs some parts only (the
// words below in brackets); the table keeps the other parts' rows from earlier runs (kept as data in
// results.json beside it), each named with its own run's date and load. A part that cannot run here (a tool missing) is a row saying so; a
// part that fails is a row saying what failed, the others still run, and the exit code is 1.
//  1. /diag db report time against an empty database and one with 2,000 tables and 1,000 distinct
//     statements in pg_stat_statements (median, p95 of 20 runs; target: within 1.5x, under 300 ms).
//  3. /diag redis report time against a local redis-server, empty and with 1 million keys (median,
//     p95 of 20 runs; target: within 1.5x: the probe must not scan keys).
//  4. /diag all over 20 HTTP targets where one answers after 2 s (median of 5; target: total
//     within 1.2x of that slowest target alone).
//  5. A digest of 20 targets with 30 days of stored history (probe, store, compare, render,
//     post, chart): median of 5; and the trend chart alone: median of 10.
//  6. /diag k8s against a fake API server: 5,000 pods (2% in trouble), 2,000 Warning events, the probe
//     in a process of its own (median, p95 of 15 runs; idle and peak RSS; target: growth under
//     100 MB), and a healthy 5,000-pod namespace next to a 500-pod one (ratio of medians).
//  7. The incident escalation engine over 100,000 open incidents: 1,000 team-lead steps falling due
//     together (pages/s, due-to-sent delay median/p99, every page once), and the cost of a wake-up
//     with nothing due at 1,000 vs 100,000 open incidents, just after that burst and once the index
//     is vacuumed (target: within 1.5x).
//  2. Slack ack latency of /diag db over HTTP (signed requests) next to a bare Bolt app acking a
//     no-op command, measured in the same run (p50/p99 of 500 requests; target: within 1.3x).
//  8. `bin/chatops diag <postgres target>` as a whole process next to check_postgres running the
//     corresponding actions, one process each (median of 7; target: under 0.3x, peak RSS under
//     100 MiB), and what the CLI's start-up loads and costs (bench/cli-vs-check-postgres.ts).
//  9. /diag logs on a deployment of 50 pods with ~10 MB of logs each, in a process of its own (median,
//     p95 of 5 runs; bytes read from the API in all and per container against the stated bounds:
//     2 MiB per container, 20 MiB in all, 50 pods; RSS growth) (bench/logs-bench.ts).
// 10. /triage "the API is slow" over 10 configured local targets, every probe real (PostgreSQL,
//     redis-server, HTTP endpoints one of them slow, fake Prometheus and Kubernetes API), offline:
//     median, p95 of 15 runs; target: under 3 s median (bench/triage-bench.ts).
// 11. Alerts: the real bot receiving Alertmanager's webhook: from the POST to the alert message and
//     to the third diagnosis report in its thread (p50/p99 over 40 groups, 3 linked http targets;
//     targets: message p99 under 1 s, diagnosis p99 under 5 s), and 200 groups POSTed at once over
//     5 channels (40 s of pacing, past the 30 s claim lease), half of them moving on: each posted
//     once, showing its latest state, no channel above one message a second (bench/alerts-bench.ts).
// 12. Soak [soak]: 3 bot replicas as processes (npm start's heap flags) on one PostgreSQL and one
//     redis-server, 20 signed /diag db a second for BENCH_SOAK_SECONDS (default 600) next to a bare
//     Bolt app at the same rate: RSS trend per replica (target: under 1 MB/min after a 1-minute
//     warm-up), event-loop delay p99, ack p99 (target: within 1.3x of bare Bolt), every command
//     answered exactly once (bench/soak-bench.ts).
// 13. Playground start: `npm start` with no Slack credentials and no config, from the spawn until the
//     page's event stream carries the report of /diag db, with a fresh data dir (embedded PostgreSQL
//     initialised from nothing) and an initialised one (median of 3 and the longest; target: every
//     run under 5 s) (bench/playground-bench.ts).
// Parts: 1 [report], 2 [ack], 3 [redis], 4 [all], 5 [digest], 6 [k8s], 7 [incidents], 8 [cli],
// 9 [logs], 10 [triage], 11 [alerts], 12 [soak], 13 [playground].
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { once } from 'node:events';
import pg from 'pg';
import { silentLogger } from '../src/logger.ts';
import { parseConfig } from '../src/config/load-config.ts';
import { runProbe } from '../src/probes/run-probe.ts';
import { runAllProbes } from '../src/probes/run-all-probes.ts';
import { startTestRedis } from '../test/support/start-test-redis.ts';
import { WebClient } from '@slack/web-api';
import { runDigest } from '../src/digest/run-digest.ts';
import { renderTrendChart } from '../src/digest/render-trend-chart.ts';
import { createChannelPoster } from '../src/slack/create-channel-poster.ts';
import { openStore } from '../src/store/open-store.ts';
import { freePort } from '../src/free-port.ts';
import type { Finding, Report } from '../src/report.ts';
import { startEmbeddedPostgres } from '../src/store/start-embedded-postgres.ts';
import { startFakeSlackApi } from '../test/support/fake-slack-api.ts';
import { postSigned, slashCommandBody } from '../test/support/signed-slack-request.ts';
import { startFakeKubeApi, type FakeKubeApi } from '../test/support/fake-kube-api.ts';
import { addBeyondPods, addHealthyNamespace, addNodes, addTroubledNamespace } from './k8s-scenario.ts';
import { kubeNodeMetrics, kubePodMetrics } from '../test/support/kube-objects.ts';
import { migrate } from '../src/store/migrate.ts';
import { createLogger } from '../src/logger.ts';
import { EscalationEngine, SYSTEM_CLOCK } from '../src/incidents/escalation-engine.ts';
import { createSlackPager } from '../src/slack/create-slack-pager.ts';
import { createOnCallLookup } from '../src/oncall/on-call-lookup.ts';
import { OverrideStore } from '../src/oncall/override-store.ts';
import type { FakeSlackApi } from '../test/support/fake-slack-api.ts';
import { BENCH_INCIDENTS_CHANNEL, seedOpenIncidents } from './incident-scenario.ts';
import { benchCliVsCheckPostgres } from './cli-vs-check-postgres.ts';
import { benchLogs } from './logs-bench.ts';
import { benchTriage } from './triage-bench.ts';
import { benchAlerts } from './alerts-bench.ts';
import { benchSoak } from './soak-bench.ts';
import { benchPlayground } from './playground-bench.ts';
import { writeBenchResults } from './write-bench-results.ts';
import type { BenchRow } from './bench-row.ts';
import { randomBytes } from 'node:crypto';
import { staticKeyRing } from '../src/security/signing-keys.ts';
import { ValueSigner } from '../src/security/value-signer.ts';

const BENCH_SIGNER = new ValueSigner(staticKeyRing([{ id: 'bench', secret: randomBytes(32) }]));

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const ACKS = Number(process.env.BENCH_ACKS ?? 500);
const SECRET = 'bench-secret';
const SETTLE_MS = 30;

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const log = (line: string) => process.stdout.write(`${line}\n`);

async function sql(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function timeTarget(raw: Record<string, unknown>, label: string, runs = RUNS, warmup = 3) {
  const [target] = parseConfig({ targets: { t: raw } }, 'bench').targets;
  const times: number[] = [];
  for (let i = 0; i < runs + warmup; i++) {
    const t0 = performance.now();
    const report = await runProbe(target!, { log: silentLogger() });
    const dt = performance.now() - t0;
    if (i === 0) log(`  ${label}: status ${report.status}, ${report.findings.length} findings; first run (new connections) ${ms(dt)}`);
    if (i >= warmup) times.push(dt);
  }
  return { median: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

async function benchReportTime(pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>>): Promise<BenchRow[]> {
  log(`\n## /diag db report time (${RUNS} runs each)`);
  await sql(pgServer.urlFor('postgres'), 'CREATE DATABASE empty');
  await sql(pgServer.urlFor('postgres'), 'CREATE DATABASE big');
  for (const db of ['empty', 'big']) await sql(pgServer.urlFor(db), 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const big = pgServer.urlFor('big');
  log('  preparing: 2,000 tables and 1,000 distinct statements...');
  await sql(big, `DO $$ BEGIN FOR i IN 1..2000 LOOP
      EXECUTE format('CREATE TABLE t_%s (id bigserial PRIMARY KEY, v text)', i);
    END LOOP; END $$`);
  await sql(big, `DO $$ DECLARE n bigint; BEGIN FOR i IN 1..1000 LOOP
      EXECUTE format('SELECT count(*) FROM t_%s WHERE v IS NOT NULL', i) INTO n;
    END LOOP; END $$`);
  const c = new pg.Client({ connectionString: big });
  await c.connect();
  const { rows } = await c.query('SELECT count(*)::int AS n FROM pg_stat_statements');
  await c.end();
  log(`  pg_stat_statements entries: ${rows[0].n}`);
  const empty = await timeTarget({ kind: 'postgres', url: pgServer.urlFor('empty') }, 'empty database');
  const large = await timeTarget({ kind: 'postgres', url: big }, '2,000 tables');
  log(`  empty database : median ${ms(empty.median)}, p95 ${ms(empty.p95)}`);
  log(`  2,000 tables   : median ${ms(large.median)}, p95 ${ms(large.p95)}`);
  const ratio = large.median / empty.median;
  log(`  ratio (median) : ${ratio.toFixed(2)}x (target <= 1.5x); median under 300 ms: ${large.median < 300 ? 'yes' : 'NO'}`);
  const note = `${RUNS} runs`;
  return [
    { part: 'report', name: '/diag db, empty database', figure: 'report time', unit: 'ms', ...empty, note },
    { part: 'report', name: '/diag db, 2,000 tables + 1,000 statements', figure: 'report time', unit: 'ms', ...large, ratio, target: '<= 1.5x the empty one, median < 300 ms', met: ratio <= 1.5 && large.median < 300, note: `${note}; ratio of medians` },
  ];
}

async function timeAcks(send: () => Promise<Response>, afterEach: () => Promise<void>, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await send();
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`ack failed with HTTP ${res.status}`);
    await afterEach();
    // Pace requests: let the app finish its follow-up work (report, audit row, pool teardown)
    // so each figure is the ack itself, not the queue behind the previous command.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  }
  return times;
}

async function benchAckLatency(pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>>): Promise<BenchRow[]> {
  log(`\n## Slack ack latency over HTTP (${ACKS} signed requests each)`);
  // Both apps run in processes of their own, as they would in production: the load generator and
  // the fake Slack API must not share an event loop with the app under test.
  const slack = await startFakeSlackApi();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-'));
  const configFile = path.join(dir, 'chatops.yml');
  writeFileSync(configFile, `targets:\n  db:\n    kind: postgres\n    url: ${pgServer.urlFor('empty')}\n`);
  const [botPort, barePort] = [await freePort(), await freePort()];
  const common = { PATH: process.env.PATH, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, LOG_LEVEL: 'warn' };
  const bot = spawnApp(path.resolve(import.meta.dirname, '../src/main.ts'), { ...common, SLACK_BOT_TOKEN: 'xoxb-bench', PORT: String(botPort), DATABASE_URL: pgServer.urlFor('postgres'), CHATOPS_CONFIG: configFile });
  const bare = spawnApp(path.resolve(import.meta.dirname, 'bare-bolt-app.ts'), { ...common, PORT: String(barePort) });
  const bareUrl = `http://127.0.0.1:${barePort}/slack/events`;
  const botUrl = `http://127.0.0.1:${botPort}/slack/events`;
  await Promise.all([waitForHttp(`http://127.0.0.1:${botPort}/readyz`), waitForHttp(bareUrl)]);
  const body = (command: string) => slashCommandBody({ command, text: command === '/diag' ? 'db' : '', responseUrl: slack.responseUrl() });

  // Each /diag db request waits for its report before the next one, so probes do not pile up and
  // the figure is the ack itself. Alternate blocks so both apps see the same machine noise.
  const ours: number[] = [];
  const baseline: number[] = [];
  const block = 50;
  for (let done = 0; done < ACKS; done += block) {
    const n = Math.min(block, ACKS - done);
    baseline.push(...(await timeAcks(() => postSigned(bareUrl, body('/noop'), { secret: SECRET }), async () => {}, n)));
    ours.push(
      ...(await timeAcks(
        () => postSigned(botUrl, body('/diag'), { secret: SECRET }),
        async () => {
          const updates = slack.callsTo('chat.update').length;
          await slack.waitFor((calls) => calls.filter((c) => c.method === 'chat.update').length > updates, 20_000);
          slack.reset();
        },
        n,
      )),
    );
  }
  const p = (v: number[]) => ({ p50: quantile(v, 0.5), p99: quantile(v, 0.99) });
  const o = p(ours);
  const b = p(baseline);
  log(`  bare Bolt no-op : p50 ${ms(b.p50)}, p99 ${ms(b.p99)}`);
  log(`  /diag db        : p50 ${ms(o.p50)}, p99 ${ms(o.p99)}`);
  const ratio = o.p50 / b.p50;
  log(`  ratio (p50)     : ${ratio.toFixed(2)}x (target <= 1.3x)`);
  bare.kill('SIGTERM');
  bot.kill('SIGTERM');
  await Promise.all([once(bare, 'exit'), once(bot, 'exit')]);
  await slack.close();
  const note = `${ACKS} signed requests each, one at a time, in alternating blocks`;
  return [
    { part: 'ack', name: 'bare Bolt app, no-op command', figure: 'ack latency', unit: 'ms', median: b.p50, p99: b.p99, note },
    { part: 'ack', name: 'bot, /diag db', figure: 'ack latency', unit: 'ms', median: o.p50, p99: o.p99, ratio, target: '<= 1.3x bare Bolt (p50)', met: ratio <= 1.3, note: `ratio of p50s (p99s: ${(o.p99 / b.p99).toFixed(2)}x)` },
  ];
}

function spawnApp(file: string, env: Record<string, string | undefined>): ChildProcess {
  const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && code !== null) log(`  ${path.basename(file)} exited with ${code}`);
  });
  return child;
}

async function waitForHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

async function benchRedis(): Promise<BenchRow[]> {
  log(`\n## /diag redis report time (${RUNS} runs each)`);
  const redis = await startTestRedis({ 'enable-debug-command': 'yes' });
  try {
    const empty = await timeTarget({ kind: 'redis', url: redis.url }, 'empty server');
    const client = new Redis(redis.url);
    await client.call('DEBUG', 'POPULATE', '1000000');
    log(`  keys after DEBUG POPULATE: ${await client.dbsize()}`);
    client.disconnect();
    const full = await timeTarget({ kind: 'redis', url: redis.url }, '1 million keys');
    log(`  empty server   : median ${ms(empty.median)}, p95 ${ms(empty.p95)}`);
    log(`  1 million keys : median ${ms(full.median)}, p95 ${ms(full.p95)}`);
    const ratio = full.median / empty.median;
    log(`  ratio (median) : ${ratio.toFixed(2)}x (target <= 1.5x)`);
    return [
      { part: 'redis', name: '/diag redis, empty server', figure: 'report time', unit: 'ms', ...empty, note: `${RUNS} runs` },
      { part: 'redis', name: '/diag redis, 1 million keys', figure: 'report time', unit: 'ms', ...full, ratio, target: '<= 1.5x the empty one', met: ratio <= 1.5, note: 'ratio of medians' },
    ];
  } finally {
    await redis.stop();
  }
}

async function benchDiagAll(): Promise<BenchRow[]> {
  log('\n## /diag all over 20 HTTP targets, one answering after 2 s (5 runs each)');
  const server = http.createServer((req, res) => {
    const delay = req.url === '/slow' ? 2_000 : 0;
    setTimeout(() => res.end('ok'), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const targets = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`api-${i}`, { kind: 'http', url: i === 7 ? `${base}/slow` : `${base}/health/${i}`, timeoutMs: 5_000 }]));
    const config = parseConfig({ targets }, 'bench');
    const slowest = config.targets.find((t) => t.name === 'api-7')!;
    const single: number[] = [];
    const all: number[] = [];
    for (let i = 0; i < 5; i++) {
      let t0 = performance.now();
      await runProbe(slowest, { log: silentLogger() });
      single.push(performance.now() - t0);
      t0 = performance.now();
      const set = await runAllProbes(config.targets, { log: silentLogger() });
      all.push(performance.now() - t0);
      if (i === 0) log(`  ${set.reports.length} targets, status ${set.status}`);
    }
    const s = quantile(single, 0.5);
    const a = quantile(all, 0.5);
    log(`  slowest target alone : median ${ms(s)}`);
    log(`  all 20 targets       : median ${ms(a)}`);
    log(`  ratio (median)       : ${(a / s).toFixed(2)}x (target <= 1.2x)`);
    return [
      { part: 'all', name: '/diag of the slowest target alone (2 s)', figure: 'report time', unit: 'ms', median: s, note: '5 runs' },
      { part: 'all', name: '/diag all, 20 HTTP targets', figure: 'report time', unit: 'ms', median: a, ratio: a / s, target: '<= 1.2x the slowest alone', met: a / s <= 1.2, note: '5 runs; ratio of medians' },
    ];
  } finally {
    server.close();
  }
}

async function benchDigest(pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>>): Promise<BenchRow[]> {
  log('\n## digest of 20 targets with 30 days of history');
  await sql(pgServer.urlFor('postgres'), 'CREATE DATABASE digestbench');
  const store = await openStore({ databaseUrl: pgServer.urlFor('digestbench'), dataDir: '/nonexistent', log: silentLogger() });
  const slack = await startFakeSlackApi();
  try {
    const watched = pgServer.urlFor('digestbench');
    const targets = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`db-${i}`, { kind: 'postgres', url: watched }]));
    const config = parseConfig({ targets, digests: { morning: { cron: '0 8 * * *', channel: 'C0BENCH' } } }, 'bench');
    // 30 days x 4 runs a day of history for every target, with the charted metrics.
    const now = Date.now();
    for (let run = 30 * 4; run > 0; run--) {
      const at = new Date(now - run * 6 * 3_600_000);
      const reports = config.targets.map((t, i): Report => {
        const findings: Finding[] = [
          { check: 'postgres.connections', status: 'ok', title: 'Connections', metrics: { pct: 30 + ((run * 7 + i * 13) % 50) } },
          { check: 'postgres.cache_hit', status: 'ok', title: 'Cache hit', metrics: { hit_pct: 95 + ((run + i) % 5) } },
        ];
        return { target: t.name, kind: 'postgres', status: 'ok', startedAt: at.toISOString(), durationMs: 20, findings };
      });
      await store.reportHistory.record(reports, 'digest:morning', { runAt: at });
    }
    log(`  stored reports: ${(await store.pool.query('SELECT count(*)::int AS n FROM report_history')).rows[0].n}`);
    const services = {
      config, runbooks: { all: [], byId: new Map(), byCheck: new Map() }, probeState: store.probeState, history: store.reportHistory,
      log: silentLogger(), poster: createChannelPoster(new WebClient('xoxb-bench', { slackApiUrl: slack.apiUrl }), BENCH_SIGNER),
    };
    const digest = config.digests[0]!;
    const builds: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await runDigest(digest, services, { slot: new Date(now + i * 60_000) });
      builds.push(performance.now() - t0);
    }
    const from = new Date(now - 7 * 86_400_000);
    const series = [];
    for (const t of config.targets) series.push({ target: t.name, metric: 'connections used %', unit: '%' as const, points: await store.reportHistory.metricSeries(t.name, 'postgres.connections', 'pct', from) });
    const charts: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await renderTrendChart(series, { from, to: new Date(now) });
      charts.push(performance.now() - t0);
    }
    log(`  digest build and post : median ${ms(quantile(builds, 0.5))} (uploads: ${slack.uploads.length})`);
    log(`  trend chart alone     : median ${ms(quantile(charts, 0.5))}`);
    return [
      { part: 'digest', name: 'digest of 20 targets, 30 days of history', figure: 'build and post', unit: 'ms', median: quantile(builds, 0.5), note: '5 runs; probe, store, compare, render, post, chart' },
      { part: 'digest', name: 'trend chart of 20 series', figure: 'render time', unit: 'ms', median: quantile(charts, 0.5), note: '10 runs' },
    ];
  } finally {
    await store.close();
    await slack.close();
  }
}

interface K8sChildResult {
  namespace: string;
  idleRssMb: number;
  peakRssMb: number;
  sampledPeakRssMb: number;
  maxRssMb: number;
  maxRssAtIdleMb: number;
  growthMb: number;
  retainedHeapMb: number;
  times: number[];
  findings: number;
  statuses: Record<string, number>;
  checks: Record<string, Record<string, number>>;
  apiTitle: string;
}

const K8S_RUNS = Number(process.env.BENCH_K8S_RUNS ?? 15);
/** The V8 heap flags `npm start` runs the bot with: the child is measured as the bot runs. */
const BOT_NODE_FLAGS = [...(JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.matchAll(/--max-[a-z-]+=\d+/g)].map((m) => m[0]);
const K8S_GROWTH_TARGET_MB = 100;
/** The checks of the k8s report before services, ingresses, volumes, autoscalers, jobs, budgets, certificates and resource usage. */
const POD_ERA_CHECKS = ['api', 'crashloop', 'oomkilled', 'image_pull', 'pending', 'deployments', 'restarts', 'readiness', 'nodes', 'warning_events'];

/** Runs the probe in a bot-like process of its own, so the fake server's memory stays out of its figures. */
async function runK8sChild(api: FakeKubeApi, kubeconfig: string, namespace: string, runs: number, checks?: readonly string[]): Promise<K8sChildResult> {
  const child = spawn(process.execPath, [...BOT_NODE_FLAGS, '--expose-gc', path.resolve(import.meta.dirname, 'k8s-probe-child.ts'), kubeconfig, namespace, String(runs)], {
    env: { PATH: process.env.PATH, ...(checks && { BENCH_K8S_CHECKS: checks.join(',') }) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  // The fake server records every request; the bench has no use for them.
  api.requests.length = 0;
  const line = out.trim().split('\n').at(-1);
  if (code !== 0 || !line) throw new Error(`k8s probe child for ${namespace} exited with ${code}: ${out}`);
  return JSON.parse(line) as K8sChildResult;
}

const notOk = (r: K8sChildResult, check: string) => Object.entries(r.checks[`k8s.${check}`] ?? {}).some(([status, n]) => status !== 'ok' && n > 0);
const mb = (v: number) => `${v.toFixed(1)} MB`;

async function benchK8s(): Promise<BenchRow[]> {
  log(`\n## /diag k8s report time and memory (probe in its own process with the bot's heap flags ${BOT_NODE_FLAGS.join(' ') || '(none)'}, 1 warm-up + ${K8S_RUNS} runs)`);
  const api = await startFakeKubeApi();
  try {
    const kubeconfig = api.writeKubeconfig(mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-kube-')));
    const t0 = performance.now();
    addNodes(api);
    const scenario = addTroubledNamespace(api, 'bench', { deployments: 100, events: 2_000 });
    const beyond = addBeyondPods(api, 'bench', scenario.deployments);
    const healthySmall = addHealthyNamespace(api, 'healthy-500', 10);
    const healthyLarge = addHealthyNamespace(api, 'healthy-5000', 100);
    // metrics-server installed: a measurement for every pod and node (as k8s.resources reads them).
    api.metricsServer('installed');
    for (const pod of api.list('Pod')) api.add(kubePodMetrics({ namespace: pod.metadata.namespace, pod: pod.metadata.name, labels: pod.metadata.labels, containers: pod.spec.containers.map((c: { name: string }) => ({ name: c.name, cpu: '2718948n', memory: '55200Ki' })) }));
    for (const n of api.list('Node')) api.add(kubeNodeMetrics({ name: n.metadata.name, cpu: '812000000n', memory: '4194304Ki' }));
    const troubled = Object.entries(scenario.unhealthy).map(([k, n]) => `${n} ${k}`).join(', ');
    log(`  namespace bench: ${scenario.pods.toLocaleString('en-US')} pods (${troubled}), ${scenario.deployments} deployments, ${scenario.events.toLocaleString('en-US')} Warning events, ${beyond.toLocaleString('en-US')} objects beyond pods (services, endpoint slices, PDBs, HPAs, claims, jobs, ingresses, cronjobs), 3 nodes; filled in ${ms(performance.now() - t0)}`);

    const r = await runK8sChild(api, kubeconfig, 'bench', K8S_RUNS);
    // A probe that lists nothing or judges nothing is fast and meaningless: refuse the figures.
    const expected = ['crashloop', 'oomkilled', 'image_pull', 'deployments', 'services', 'jobs'];
    const missed = expected.filter((c) => !notOk(r, c));
    const podsSeen = r.apiTitle.includes(`${scenario.pods.toLocaleString('en-US')} pods`);
    if (missed.length > 0 || !podsSeen) {
      process.stderr.write(`error: the k8s report did not see the planted problems (missing: ${missed.join(', ') || 'none'}; api: "${r.apiTitle}")\n${JSON.stringify(r.checks)}\n`);
      throw new Error('k8s benchmark: the probe report is not meaningful, no figures');
    }
    const problems = Object.entries(r.checks)
      .filter(([, by]) => Object.entries(by).some(([s, n]) => s !== 'ok' && n > 0))
      .map(([check, by]) => `${check} ${Object.entries(by).filter(([s]) => s !== 'ok').map(([s, n]) => `${n} ${s}`).join('/')}`);
    log(`  report: ${r.findings} findings (${Object.entries(r.statuses).map(([s, n]) => `${n} ${s}`).join(', ')})`);
    log(`  not ok: ${problems.join(', ')}`);
    log(`  report time    : median ${ms(quantile(r.times, 0.5))}, p95 ${ms(quantile(r.times, 0.95))}`);
    log(`  idle RSS       : ${mb(r.idleRssMb)} (bot modules loaded, after GC)`);
    log(`  peak RSS       : ${mb(r.peakRssMb)} (sampled every 5 ms ${mb(r.sampledPeakRssMb)}, maxRSS ${mb(r.maxRssMb)})`);
    log(`  RSS growth     : ${mb(r.growthMb)} (target < ${K8S_GROWTH_TARGET_MB} MB): ${r.growthMb < K8S_GROWTH_TARGET_MB ? 'yes' : 'NO'}`);
    log(`  heap retained  : ${mb(r.retainedHeapMb)} after the runs and a full GC (a leak shows here, a grown heap does not)`);

    // The same namespace with only the pod and workload checks the report had before the checks
    // beyond pods and resource usage: what those checks add, measured in this run.
    const podEra = await runK8sChild(api, kubeconfig, 'bench', K8S_RUNS, POD_ERA_CHECKS);
    const [before, after] = [quantile(podEra.times, 0.5), quantile(r.times, 0.5)];
    log(`  pod checks only: median ${ms(before)}, p95 ${ms(quantile(podEra.times, 0.95))} (${POD_ERA_CHECKS.join(', ')}); RSS growth ${mb(podEra.growthMb)}`);
    log(`  all checks / pod checks only (median): ${(after / before).toFixed(2)}x (target <= 1.5x): ${after / before <= 1.5 ? 'yes' : 'NO'}`);

    // Fewer runs: this is a ratio of medians, not a memory figure.
    const runs = Math.max(3, Math.round(K8S_RUNS / 2));
    const small = await runK8sChild(api, kubeconfig, 'healthy-500', runs);
    const large = await runK8sChild(api, kubeconfig, 'healthy-5000', runs);
    for (const h of [small, large]) {
      if (h.statuses.ok !== h.findings) throw new Error(`k8s benchmark: healthy namespace ${h.namespace} was not reported healthy: ${JSON.stringify(h.checks)}`);
    }
    const [s, l] = [quantile(small.times, 0.5), quantile(large.times, 0.5)];
    log(`  healthy ${healthySmall.toLocaleString('en-US')} pods   : median ${ms(s)} (${runs} runs)`);
    log(`  healthy ${healthyLarge.toLocaleString('en-US')} pods : median ${ms(l)} (${runs} runs)`);
    log(`  ratio (median) : ${(l / s).toFixed(2)}x for ${(healthyLarge / healthySmall).toFixed(0)}x the pods`);
    const name = `/diag k8s, ${scenario.pods.toLocaleString('en-US')} pods, 2% in trouble`;
    const note = `${K8S_RUNS} runs in a process of its own`;
    return [
      { part: 'k8s', name, figure: 'report time', unit: 'ms', median: after, p95: quantile(r.times, 0.95), ratio: after / before, target: '<= 1.5x the pod checks only', met: after / before <= 1.5, note: `${note}; ratio over the pod checks only (${ms(before)} median)` },
      { part: 'k8s', name, figure: 'idle RSS', unit: 'MB', value: r.idleRssMb, note: 'bot modules loaded, after GC' },
      { part: 'k8s', name, figure: 'peak RSS', unit: 'MB', value: r.peakRssMb },
      { part: 'k8s', name, figure: 'RSS growth', unit: 'MB', value: r.growthMb, target: `< ${K8S_GROWTH_TARGET_MB} MB`, met: r.growthMb < K8S_GROWTH_TARGET_MB },
      { part: 'k8s', name, figure: 'heap retained after GC', unit: 'MB', value: r.retainedHeapMb },
      { part: 'k8s', name: `/diag k8s, healthy ${healthyLarge.toLocaleString('en-US')} vs ${healthySmall.toLocaleString('en-US')} pods`, figure: 'report time', unit: 'ms', median: l, ratio: l / s, note: `${runs} runs; ${(healthyLarge / healthySmall).toFixed(0)}x the pods, ${ms(s)} median for the small one` },
    ];
  } finally {
    await api.close();
  }
}

const INC_OPEN = 100_000;
const INC_DUE = 1_000;
const INC_SMALL = 1_000;
const INC_TICKS = Number(process.env.BENCH_INCIDENT_TICKS ?? 200);
/** The due steps fall due this long after they are written: the engine is asleep by then. */
const INC_LEAD_MS = 3_000;
const INC_TICK_TARGET = 1.5;
const n = (v: number) => v.toLocaleString('en-US');

/** A migrated database with the bot's own pool settings (src/store/open-store.ts). */
async function incidentDatabase(pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>>, name: string): Promise<pg.Pool> {
  await sql(pgServer.urlFor('postgres'), `CREATE DATABASE ${name}`);
  const pool = new pg.Pool({ connectionString: pgServer.urlFor(name), max: 5, statement_timeout: 15_000 });
  // Connections still closing when the server stops at the end report an error: not ours to act on.
  pool.on('error', () => undefined);
  await migrate(pool, silentLogger());
  return pool;
}

/** The engine as the bot builds it (src/start-bot.ts): real clock, Slack pager, no rotations (the steps name people). */
function benchEngine(pool: pg.Pool, slack: FakeSlackApi, problems: string[]): EscalationEngine {
  // Warnings and errors are kept: a figure from an engine that was failing is not a figure.
  const log = createLogger({ level: 'warn', destination: { write: (line: string) => void problems.push(line.trim()) } });
  return new EscalationEngine({
    pool,
    pager: createSlackPager({ token: 'xoxb-bench', apiUrl: slack.apiUrl, incidentsChannel: BENCH_INCIDENTS_CHANNEL, clock: SYSTEM_CLOCK, signer: BENCH_SIGNER }),
    oncall: createOnCallLookup([], new OverrideStore(pool)),
    groupMembers: async () => [],
    incidentsChannel: BENCH_INCIDENTS_CHANNEL,
    clock: SYSTEM_CLOCK,
    log,
  });
}

/** One wake-up with nothing due, as the engine's loop does it: when is the next thing due, and is anything due now. */
async function idleTick(engine: EscalationEngine): Promise<number> {
  const start = performance.now();
  const next = await engine.nextDueAt();
  const stats = await engine.runDue();
  const dt = performance.now() - start;
  // A tick that found work measures the work, not the scheduler.
  if (!next || next.getTime() <= Date.now() || stats.fired + stats.sent + stats.failed > 0) {
    throw new Error(`incidents benchmark: something was due during the idle ticks (next ${next?.toISOString()}, ${JSON.stringify(stats)})`);
  }
  return dt;
}

async function idleTicks(small: EscalationEngine, big: EscalationEngine): Promise<Record<'small' | 'big', { median: number; p95: number }>> {
  const times = { small: [] as number[], big: [] as number[] };
  for (let i = 0; i < 20; i++) {
    await idleTick(small);
    await idleTick(big);
  }
  // Alternate blocks so both sizes see the same machine noise.
  const block = 20;
  for (let done = 0; done < INC_TICKS; done += block) {
    const k = Math.min(block, INC_TICKS - done);
    for (let i = 0; i < k; i++) times.small.push(await idleTick(small));
    for (let i = 0; i < k; i++) times.big.push(await idleTick(big));
  }
  const stat = (v: number[]) => ({ median: quantile(v, 0.5), p95: quantile(v, 0.95) });
  return { small: stat(times.small), big: stat(times.big) };
}

async function benchIncidents(pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>>): Promise<BenchRow[]> {
  log(`\n## incidents: escalation engine over ${n(INC_OPEN)} open SEV-2 incidents, ${n(INC_DUE)} team-lead steps due at once`);
  const slack = await startFakeSlackApi();
  const problems: string[] = [];
  const big = await incidentDatabase(pgServer, 'incidents_big');
  const small = await incidentDatabase(pgServer, 'incidents_small');
  const watcher = new pg.Client({ connectionString: pgServer.urlFor('incidents_big') });
  await watcher.connect();
  try {
    // Not yet due: declared 10 to 50 min ago, so the team lead is 10 to 50 min away.
    const quiet = INC_OPEN - INC_DUE;
    let t0 = performance.now();
    await seedOpenIncidents(big, { firstId: 1, count: quiet, declaredAt: new Date(Date.now() - 10 * 60_000), spreadS: 40 * 60 });
    const insertMs = performance.now() - t0;
    t0 = performance.now();
    await big.query('VACUUM ANALYZE incidents, incident_timers, incident_pages');
    const analyzeMs = performance.now() - t0;
    const counts = (await big.query<{ timers: number; pages: number }>(
      `SELECT (SELECT count(*)::int FROM incident_timers) AS timers, (SELECT count(*)::int FROM incident_pages) AS pages`)).rows[0]!;
    log(`  setup: ${n(quiet)} incidents (${n(counts.timers)} timers, ${n(counts.pages)} sent on-call pages) inserted in ${ms(insertMs)}, VACUUM ANALYZE ${ms(analyzeMs)}`);

    // The due ones are written last, just before the engine starts, so their due time is still ahead.
    const firstDue = quiet + 1;
    const dueAt = new Date(Date.now() + INC_LEAD_MS);
    t0 = performance.now();
    await seedOpenIncidents(big, { firstId: firstDue, count: INC_DUE, declaredAt: new Date(dueAt.getTime() - 3_600_000), spreadS: 1 });
    log(`  ${n(INC_DUE)} incidents declared 1 h before the due moment (team lead and SEV-2 acknowledge deadline both due then) inserted in ${ms(performance.now() - t0)}`);
    if (Date.now() >= dueAt.getTime()) throw new Error('incidents benchmark: setup overran the due moment; raise INC_LEAD_MS');

    const engine = benchEngine(big, slack, problems);
    engine.start();
    // Each due incident: the team lead by DM and in the channel, and the missed-deadline note in its thread.
    const expected = new Set<string>();
    for (let id = firstDue; id < firstDue + INC_DUE; id++) {
      for (const dest of ['sev2:s1a0/dm:U0LEAD', `sev2:s1a0/channel:${BENCH_INCIDENTS_CHANNEL}`, 'sev2:deadline/thread']) expected.add(`INC-${id}/${dest}`);
    }
    const waitUntil = Date.now() + 180_000;
    for (;;) {
      const { rows } = await watcher.query<{ sent: number }>(
        `SELECT count(*)::int AS sent FROM incident_pages WHERE incident_id >= $1 AND point <> 'sev2:s0a0' AND state = 'sent'`, [firstDue]);
      if (rows[0]!.sent >= expected.size) break;
      if (Date.now() > waitUntil) {
        await engine.stop();
        throw new Error(`incidents benchmark: only ${rows[0]!.sent} of ${expected.size} pages sent 180 s after starting; engine said: ${problems.slice(0, 3).join(' | ') || 'nothing'}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await engine.stop();

    const { rows: pages } = await watcher.query<{ key: string; point: string; state: string; late_ms: number | null; sent_at: Date | null }>(
      `SELECT key, point, state, late_ms, sent_at FROM incident_pages WHERE incident_id >= $1 AND point <> 'sev2:s0a0'`, [firstDue]);
    const keyed = slack.messagesIn().map((m) => m.metadata?.event_payload.key).filter((k): k is string => typeof k === 'string');
    const unique = new Set(keyed);
    const wrong = [
      ...[...expected].filter((k) => !unique.has(k)).slice(0, 3).map((k) => `missing in Slack: ${k}`),
      ...[...unique].filter((k) => !expected.has(k)).slice(0, 3).map((k) => `unexpected in Slack: ${k}`),
      ...pages.filter((p) => p.state !== 'sent').slice(0, 3).map((p) => `${p.key} is ${p.state}`),
    ];
    if (keyed.length !== expected.size || unique.size !== expected.size || pages.length !== expected.size || wrong.length > 0) {
      process.stderr.write(`error: Slack accepted ${keyed.length} page messages (${unique.size} distinct keys), the store has ${pages.length} rows; expected ${expected.size} once each\n${wrong.join('\n')}\n`);
      throw new Error('incidents benchmark: pages were lost or sent twice, no figures');
    }
    const late = pages.map((p) => p.late_ms!);
    const lead = pages.filter((p) => p.point === 'sev2:s1a0');
    const lastSent = Math.max(...pages.map((p) => p.sent_at!.getTime()));
    const lastLead = Math.max(...lead.map((p) => p.sent_at!.getTime()));
    const span = lastSent - dueAt.getTime();
    const lateLead = lead.map((p) => p.late_ms!);
    log(`  sent: ${n(pages.length)} pages (${n(lead.length)} team lead DM + channel, ${n(pages.length - lead.length)} deadline notes), each once; ${n(slack.callsTo('chat.update').length)} incident message updates`);
    log(`  due -> last page     : ${ms(span)} (${(pages.length / (span / 1000)).toFixed(0)} pages/s); last team-lead page ${ms(lastLead - dueAt.getTime())} (${(lead.length / ((lastLead - dueAt.getTime()) / 1000)).toFixed(0)} pages/s)`);
    log(`  due -> sent, all     : median ${ms(quantile(late, 0.5))}, p99 ${ms(quantile(late, 0.99))}, max ${ms(Math.max(...late))}`);
    log(`  due -> sent, team lead: median ${ms(quantile(lateLead, 0.5))}, p99 ${ms(quantile(lateLead, 0.99))}, max ${ms(Math.max(...lateLead))}`);

    // Steady load: steps falling due one after another (two per second), the engine sleeping
    // between them: how long after its due time does a page leave?
    // Ids well past what the burst created (seeded timer ids are 2 × incident id).
    const steadyFirst = INC_OPEN + 50_000;
    const steadyCount = 30;
    const lastDue = Date.now() + 2_000 + 15_000;
    await seedOpenIncidents(big, { firstId: steadyFirst, count: steadyCount, declaredAt: new Date(lastDue - 3_600_000), spreadS: 15 });
    const steadyEngine = benchEngine(big, slack, problems);
    steadyEngine.start();
    const steadyUntil = Date.now() + 60_000;
    for (;;) {
      const { rows } = await watcher.query<{ sent: number }>(
        `SELECT count(*)::int AS sent FROM incident_pages WHERE incident_id >= $1 AND point = 'sev2:s1a0' AND state = 'sent'`, [steadyFirst]);
      if (rows[0]!.sent >= steadyCount * 2) break;
      if (Date.now() > steadyUntil) throw new Error('incidents benchmark: the steady-load pages did not all go out within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await steadyEngine.stop();
    const steady = (await watcher.query<{ late_ms: number }>(
      `SELECT late_ms FROM incident_pages WHERE incident_id >= $1 AND point = 'sev2:s1a0' AND state = 'sent'`, [steadyFirst])).rows.map((r) => r.late_ms);
    log(`  steady load (${steadyCount} team-lead steps due over 15 s): due -> sent median ${ms(quantile(steady, 0.5))}, p99 ${ms(quantile(steady, 0.99))}, max ${ms(Math.max(...steady))} (target: within 2 s): ${Math.max(...steady) <= 2_000 ? 'yes' : 'NO'}`);

    // A wake-up with nothing due: what the engine does every time it sleeps out MAX_SLEEP_MS.
    t0 = performance.now();
    await seedOpenIncidents(small, { firstId: 1, count: INC_SMALL, declaredAt: new Date(Date.now() - 10 * 60_000), spreadS: 40 * 60 });
    await small.query('VACUUM ANALYZE incidents, incident_timers, incident_pages');
    log(`  setup: ${n(INC_SMALL)} incidents for the tick comparison in ${ms(performance.now() - t0)}`);
    const smallEngine = benchEngine(small, slack, problems);
    const bigEngine = benchEngine(big, slack, problems);
    // Right after the burst the fired timers' entries still lead incident_timers_due and every look
    // steps over them, until a vacuum cleans the index (a plain one may skip that for so few dead
    // rows). The 1,000-incident side has no such history, so the target is judged after the cleanup.
    const fresh = await idleTicks(smallEngine, bigEngine);
    log(`  idle tick just after the burst: ${n(INC_SMALL)} open ${ms(fresh.small.median)}, ${n(INC_OPEN)} open ${ms(fresh.big.median)} (p95 ${ms(fresh.big.p95)}): ${(fresh.big.median / fresh.small.median).toFixed(2)}x`);
    t0 = performance.now();
    for (const pool of [small, big]) await pool.query('VACUUM (INDEX_CLEANUP ON) incident_timers, incident_pages');
    log(`  VACUUM (INDEX_CLEANUP ON) of timers and pages: ${ms(performance.now() - t0)}`);
    const { small: a, big: b } = await idleTicks(smallEngine, bigEngine);
    log(`  idle tick, ${`${n(INC_SMALL)} open`.padEnd(13)}: median ${ms(a.median)}, p95 ${ms(a.p95)} (${INC_TICKS} ticks: nextDueAt + runDue)`);
    log(`  idle tick, ${`${n(INC_OPEN)} open`.padEnd(13)}: median ${ms(b.median)}, p95 ${ms(b.p95)} (${INC_TICKS} ticks: nextDueAt + runDue)`);
    const ratio = b.median / a.median;
    log(`  ratio (median)       : ${ratio.toFixed(2)}x for ${INC_OPEN / INC_SMALL}x the open incidents (target <= ${INC_TICK_TARGET}x): ${ratio <= INC_TICK_TARGET ? 'yes' : 'NO'}`);
    if (problems.length > 0) log(`  engine warnings/errors: ${problems.length}; first: ${problems[0]}`);
    const burst = `${n(INC_DUE)} steps due at once, ${n(INC_OPEN)} open`;
    const warned = problems.length > 0 ? `; ${problems.length} engine warnings` : '';
    return [
      { part: 'incidents', name: burst, figure: 'pages sent', unit: '/s', value: pages.length / (span / 1000), note: `${n(pages.length)} pages, each once; last ${ms(span)} after due${warned}` },
      { part: 'incidents', name: burst, figure: 'due -> sent, all pages', unit: 'ms', median: quantile(late, 0.5), p99: quantile(late, 0.99) },
      { part: 'incidents', name: burst, figure: 'due -> sent, team lead', unit: 'ms', median: quantile(lateLead, 0.5), p99: quantile(lateLead, 0.99) },
      { part: 'incidents', name: `${steadyCount} steps due over 15 s`, figure: 'due -> sent', unit: 'ms', value: Math.max(...steady), median: quantile(steady, 0.5), p99: quantile(steady, 0.99), target: 'max within 2 s', met: Math.max(...steady) <= 2_000, note: 'value: the max' },
      { part: 'incidents', name: `idle tick just after the burst, ${n(INC_OPEN)} vs ${n(INC_SMALL)} open`, figure: 'nextDueAt + runDue', unit: 'ms', median: fresh.big.median, p95: fresh.big.p95, ratio: fresh.big.median / fresh.small.median, note: 'before the index is vacuumed; no target' },
      { part: 'incidents', name: `idle tick, ${n(INC_OPEN)} vs ${n(INC_SMALL)} open`, figure: 'nextDueAt + runDue', unit: 'ms', median: b.median, p95: b.p95, ratio, target: `<= ${INC_TICK_TARGET}x`, met: ratio <= INC_TICK_TARGET, note: `${INC_TICKS} ticks each; ${ms(a.median)} median at ${n(INC_SMALL)} open` },
    ];
  } finally {
    await watcher.end();
    await big.end();
    await small.end();
    await slack.close();
  }
}

interface Part {
  name: string;
  /** Needs the embedded PostgreSQL the parts share. */
  database: boolean;
  run: () => Promise<BenchRow[]>;
}

// In this order; `alerts` late: it closes the probes' warm connections when it ends; `soak` last: the longest.
const PARTS: Part[] = [
  { name: 'report', database: true, run: () => benchReportTime(pgServer!) },
  { name: 'redis', database: false, run: () => benchRedis() },
  { name: 'all', database: false, run: () => benchDiagAll() },
  { name: 'digest', database: true, run: () => benchDigest(pgServer!) },
  { name: 'k8s', database: false, run: () => benchK8s() },
  { name: 'incidents', database: true, run: () => benchIncidents(pgServer!) },
  {
    name: 'ack',
    database: true,
    run: async () => {
      // The report part made it when it ran; alone, this part makes it.
      await sql(pgServer!.urlFor('postgres'), 'CREATE DATABASE empty').catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err;
      });
      return await benchAckLatency(pgServer!);
    },
  },
  { name: 'cli', database: true, run: () => benchCliVsCheckPostgres(pgServer!, log) },
  { name: 'logs', database: false, run: () => benchLogs(log, BOT_NODE_FLAGS) },
  { name: 'alerts', database: false, run: () => benchAlerts(log) },
  { name: 'triage', database: false, run: () => benchTriage(log) },
  { name: 'playground', database: false, run: () => benchPlayground(log) },
  { name: 'soak', database: true, run: () => benchSoak(pgServer!, log, BOT_NODE_FLAGS) },
];

/** A part that cannot run on this machine (a tool missing) says so; anything else is a failure. */
const CANNOT_RUN = /not on PATH|is missing|not installed|command not found|ENOENT/i;

// BENCH_ONLY: one part or several, comma-separated (BENCH_ONLY=redis,all); unset: every part.
const only = process.env.BENCH_ONLY?.split(',').map((w) => w.trim()).filter(Boolean);
const unknown = only?.filter((w) => !PARTS.some((p) => p.name === w)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`BENCH_ONLY names no part: ${unknown.join(', ')}; the parts are ${PARTS.map((p) => p.name).join(', ')} (comma-separated for several, unset for all)\n`);
  process.exit(2);
}
const selected = PARTS.filter((p) => !only || only.includes(p.name));
const resultsFile = process.env.BENCH_RESULTS_FILE ?? path.resolve(import.meta.dirname, 'results.md');
const startedAt = new Date();
const loadAtStart = os.loadavg();
const rows: BenchRow[] = [];
const ran: string[] = [];
let pgServer: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
let pgProblem: string | undefined;
log(`# chatops benchmarks (node ${process.version}, ${os.cpus().length} cores, load ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}; parts: ${selected.map((p) => p.name).join(', ')})`);
// Parts that need no database are not kept waiting for the embedded server to start.
if (selected.some((p) => p.database)) {
  try {
    pgServer = await startEmbeddedPostgres({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-pg-')), persistent: false, database: 'postgres', listen: 'tcp' });
  } catch (err) {
    pgProblem = `the embedded PostgreSQL did not start: ${(err as Error).message.split('\n')[0]}`;
    process.stderr.write(`${pgProblem}\n`);
  }
}
let failed = 0;
try {
  for (const part of selected) {
    if (part.database && !pgServer) {
      rows.push({ part: part.name, name: `(the ${part.name} part)`, figure: '-', failed: pgProblem });
      failed += 1;
      continue;
    }
    const t0 = performance.now();
    try {
      rows.push(...(await part.run()));
      ran.push(part.name);
    } catch (err) {
      const message = (err as Error).message.split('\n')[0] ?? String(err);
      if (CANNOT_RUN.test(message)) {
        log(`\n  ${part.name}: cannot run on this machine: ${message}`);
        rows.push({ part: part.name, name: `(the ${part.name} part)`, figure: '-', skipped: message });
      } else {
        process.stderr.write(`\nerror: the ${part.name} part failed after ${ms(performance.now() - t0)}: ${(err as Error).stack ?? message}\n`);
        rows.push({ part: part.name, name: `(the ${part.name} part)`, figure: '-', failed: message });
        failed += 1;
      }
    }
  }
} finally {
  await pgServer?.stop();
}
// The parts not run this time keep their rows from earlier runs, named with their own run's date and load.
const results = writeBenchResults({
  file: resultsFile,
  run: { startedAt, endedAt: new Date(), parts: selected.map((p) => p.name), loadAtStart, rows },
  order: PARTS.map((p) => p.name),
  warn: (line) => log(`warning: ${line}`),
});
log(`\n${results}`);
log(`(written to ${path.relative(process.cwd(), resultsFile) || resultsFile})`);
if (failed > 0) process.exitCode = 1;
