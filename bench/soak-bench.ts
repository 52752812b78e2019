// The soak benchmark (`BENCH_ONLY=soak`): three replicas of the bot as processes of their own (the
// heap flags of `npm start`) on one PostgreSQL and one redis-server (REDIS_URL set for all three),
// a fake Slack Web API, and signed `/diag db` slash commands at BENCH_SOAK_RATE a second (default
// 20) spread round-robin over the replicas for BENCH_SOAK_SECONDS (default 600), the target being
// that same PostgreSQL. A bare Bolt app (bench/bare-bolt-app.ts) gets a no-op command at the same
// rate in the same run, so both see the same machine. Every 10 s: each replica's RSS
// (/proc/<pid>/status VmRSS) and event-loop delay (GET /metrics when the bot serves
// chatops_process_nodejs_eventloop_lag_p99_seconds, else a preload's histogram:
// bench/soak-lag-preload.ts). Each command posts in a channel of its own, so "answered once" is
// checked per command: one chat.postMessage and its chat.update in that channel.
// Targets: no RSS growth trend (least-squares slope after the warm-up under 1 MB/min on every
// replica; judged only with 5 minutes or more after the warm-up), ack p99 within 1.3x of the bare
// Bolt app's, every command answered exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../src/free-port.ts';
import type { RunningPostgres } from '../src/store/start-embedded-postgres.ts';
import { startFakeSlackApi, type RecordedCall } from '../test/support/fake-slack-api.ts';
import { startTestRedis } from '../test/support/start-test-redis.ts';
import { slackSignature, slashCommandBody } from '../test/support/signed-slack-request.ts';
import type { BenchRow } from './bench-row.ts';
import { leastSquaresSlope } from './least-squares-slope.ts';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const RATE = Number(process.env.BENCH_SOAK_RATE ?? 20);
const REPLICAS = 3;
const SAMPLE_MS = 10_000;
/** RSS and latency figures leave out the first minute (start-up, JIT, pools filling); a quarter of shorter runs. */
const WARMUP_MS = Math.min(60_000, (SECONDS * 1000) / 4);
const SLOPE_TARGET_MB_PER_MIN = 1;
/** A shorter soak still runs and prints its slope, but does not judge it: the heap is still finding its size. */
const TREND_MIN_MS = 5 * 60_000;
const ACK_RATIO_TARGET = 1.3;
const SECRET = 'bench-soak-secret';
const ANSWER_WAIT_MS = 120_000;
/** An ack not answered by then counts as this late (a lower bound): Slack itself gives up after 3 s. */
const ACK_TIMEOUT_MS = 15_000;
const SLACK_ACK_LIMIT_MS = 3_000;
const LAG_METRIC = 'chatops_process_nodejs_eventloop_lag_p99_seconds';
const ROOT = path.resolve(import.meta.dirname, '..');

interface Spawned {
  name: string;
  child: ChildProcess;
  /** The last lines it wrote (warnings and errors: the bot runs at LOG_LEVEL=warn). */
  output: string[];
  /** How many lines it wrote. */
  lines: number;
  /** The lines by their message (a pino line's `msg`, else the line's start): what the warnings were about. */
  byMessage: Map<string, number>;
}

interface Replica extends Spawned {
  port: number;
  lagFile: string;
}

interface Sample {
  atMs: number;
  rssMb: Record<string, number>;
  /** Event-loop delay p99 of the last window, from GET /metrics, when served. */
  metricsLagMs: Record<string, number>;
}

interface Sent {
  at: number;
  ackMs?: number;
  status?: number | string;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : (Number(kb) * 1024) / 1e6;
  } catch {
    return undefined;
  }
}

function spawnNode(name: string, args: string[], env: Record<string, string | undefined>): Spawned {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned: Spawned = { name, child, output: [], lines: 0, byMessage: new Map() };
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      spawned.lines += 1;
      const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line.slice(0, 120);
      spawned.byMessage.set(msg, (spawned.byMessage.get(msg) ?? 0) + 1);
      spawned.output.push(`${name}: ${line.slice(0, 400)}`);
      if (spawned.output.length > 20) spawned.output.shift();
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return spawned;
}

async function waitForHttp(url: string, p: Spawned): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (p.child.exitCode !== null) break;
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    await res?.arrayBuffer().catch(() => undefined);
    if (res && res.status < 500) return;
    await sleep(100);
  }
  throw new Error(`soak benchmark: ${p.name} did not come up at ${url}; its output:\n${p.output.join('\n')}`);
}

/** SIGTERM, and SIGKILL what has not exited 15 s later. */
async function stopAll(children: ChildProcess[]): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  const exited = running.map((c) => new Promise((r) => c.once('exit', r)));
  for (const c of running) c.kill('SIGTERM');
  const timer = setTimeout(() => running.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')), 15_000);
  await Promise.all(exited);
  clearTimeout(timer);
}

async function createDatabase(server: RunningPostgres, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: server.urlFor('postgres') });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return server.urlFor(name);
}

/** A signed slash command POSTed as Slack sends it; the time to its HTTP answer is the ack. */
async function sendCommand(url: string, body: string, record: Sent): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': slackSignature(SECRET, timestamp, body) },
      body,
      signal: AbortSignal.timeout(ACK_TIMEOUT_MS),
    });
    await res.arrayBuffer();
    record.ackMs = performance.now() - record.at;
    record.status = res.status;
  } catch (err) {
    record.status = (err as Error).name;
    if (record.status === 'TimeoutError') record.ackMs = ACK_TIMEOUT_MS;
  }
}

async function metricsLagMs(port: number): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  if (!res) return undefined;
  const text = await res.text().catch(() => '');
  if (res.status !== 200) return undefined;
  const m = new RegExp(`^${LAG_METRIC}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) * 1000 : undefined;
}

interface GcKind {
  n: number;
  ms: number;
  max: number;
}

function lagWindows(file: string): { at: number; p99: number; gc?: { minor: GcKind; major: GcKind } }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { at: number; p99: number; gc?: { minor: GcKind; major: GcKind } });
}

export async function benchSoak(server: RunningPostgres, log: (line: string) => void, startFlags: readonly string[]): Promise<BenchRow[]> {
  // BENCH_SOAK_NODE_FLAGS (space-separated) replaces npm start's flags for the replicas: to measure another heap setting.
  const nodeFlags = process.env.BENCH_SOAK_NODE_FLAGS ? process.env.BENCH_SOAK_NODE_FLAGS.split(/\s+/).filter(Boolean) : startFlags;
  if (!(SECONDS > 0) || !(RATE > 0)) throw new Error(`soak benchmark: BENCH_SOAK_SECONDS (${process.env.BENCH_SOAK_SECONDS}) and BENCH_SOAK_RATE (${process.env.BENCH_SOAK_RATE}) must be positive numbers`);
  log(`\n## soak: ${REPLICAS} bot replicas (${nodeFlags.join(' ')}), one PostgreSQL, one redis-server, ${RATE} signed /diag db a second for ${SECONDS} s; a bare Bolt app at the same rate (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const redis = await startTestRedis();
  const slack = await startFakeSlackApi();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-soak-'));
  const children: ChildProcess[] = [];
  try {
    const store = await createDatabase(server, 'soak_store');
    const target = await createDatabase(server, 'soak_target');
    const configFile = path.join(dir, 'chatops.yml');
    writeFileSync(configFile, `targets:\n  db:\n    kind: postgres\n    url: ${target}\n`, { mode: 0o600 });
    const common = { PATH: process.env.PATH, HOME: process.env.HOME ?? dir, SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, LOG_LEVEL: 'warn' };
    const replicas: Replica[] = [];
    for (let i = 0; i < REPLICAS; i++) {
      const name = `replica-${i + 1}`;
      const port = await freePort();
      const lagFile = path.join(dir, `${name}-lag.jsonl`);
      // BENCH_SOAK_PROFILE_DIR: the first replica writes a CPU profile there when it exits.
      const profile = i === 0 && process.env.BENCH_SOAK_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SOAK_PROFILE_DIR}`] : [];
      // BENCH_SOAK_FIRST_REPLICA_FLAGS: the first replica runs with these flags instead, the others as
      // they are, so one run compares two heap settings on the same machine (acks are printed per replica).
      const flags = i === 0 && process.env.BENCH_SOAK_FIRST_REPLICA_FLAGS ? process.env.BENCH_SOAK_FIRST_REPLICA_FLAGS.split(/\s+/).filter(Boolean) : nodeFlags;
      const p = spawnNode(name, [...flags, ...profile, '--import', path.join(ROOT, 'bench/soak-lag-preload.ts'), path.join(ROOT, 'src/main.ts')], {
        ...common,
        SLACK_BOT_TOKEN: 'xoxb-bench-soak',
        PORT: String(port),
        DATABASE_URL: store,
        REDIS_URL: redis.url,
        CHATOPS_CONFIG: configFile,
        CHATOPS_DATA_DIR: path.join(dir, name),
        BENCH_LAG_FILE: lagFile,
        BENCH_LAG_WINDOW_MS: String(SAMPLE_MS),
      });
      children.push(p.child);
      replicas.push(Object.assign(p, { port, lagFile }));
      // The first one migrates the store alone; the others start together once it is up.
      if (i === 0) await waitForHttp(`http://127.0.0.1:${port}/readyz`, p);
    }
    await Promise.all(replicas.slice(1).map((r) => waitForHttp(`http://127.0.0.1:${r.port}/readyz`, r)));
    const barePort = await freePort();
    const bareApp = spawnNode('bare-bolt', [path.join(ROOT, 'bench/bare-bolt-app.ts')], { ...common, PORT: String(barePort) });
    const bare = bareApp.child;
    children.push(bare);
    const bareUrl = `http://127.0.0.1:${barePort}/slack/events`;
    await waitForHttp(bareUrl, bareApp);
    const metricsServed = (await metricsLagMs(replicas[0]!.port)) !== undefined;
    log(`  ${REPLICAS} replicas ready (pids ${replicas.map((r) => r.child.pid).join(', ')}), bare Bolt pid ${bare.pid}; event-loop delay from ${metricsServed ? `GET /metrics (${LAG_METRIC})` : 'the preload histogram (GET /metrics does not serve it yet)'}`);

    // Slack's calls are counted as they come and let go, so a long soak does not keep them all.
    const posts = new Map<string, number>();
    const updates = new Map<string, number>();
    let otherCalls = 0;
    const drain = () => {
      const batch: RecordedCall[] = slack.calls.splice(0);
      slack.reset();
      for (const c of batch) {
        const channel = String(c.args.channel);
        if (c.method === 'chat.postMessage') posts.set(channel, (posts.get(channel) ?? 0) + 1);
        else if (c.method === 'chat.update') updates.set(channel, (updates.get(channel) ?? 0) + 1);
        else otherCalls += 1;
      }
    };

    const samples: Sample[] = [];
    const bareRss: { atMs: number; mb: number }[] = [];
    const start = performance.now();
    const sample = async () => {
      const atMs = performance.now() - start;
      const s: Sample = { atMs, rssMb: {}, metricsLagMs: {} };
      for (const r of replicas) {
        const mb = rssMb(r.child.pid);
        if (mb !== undefined) s.rssMb[r.name] = mb;
        if (metricsServed) {
          const lag = await metricsLagMs(r.port);
          if (lag !== undefined) s.metricsLagMs[r.name] = lag;
        }
      }
      const b = rssMb(bare.pid);
      if (b !== undefined) bareRss.push({ atMs, mb: b });
      samples.push(s);
      drain();
      const answered = [...posts.values()].reduce((a, v) => a + v, 0);
      log(`  ${(atMs / 1000).toFixed(0).padStart(4)} s: RSS ${replicas.map((r) => `${(s.rssMb[r.name] ?? NaN).toFixed(1)}`).join(' / ')} MB, bare Bolt ${(b ?? NaN).toFixed(1)} MB; ${sent.length} sent, ${answered} answered; load ${os.loadavg()[0]!.toFixed(2)}`);
    };

    // Open loop: command k leaves at start + k / RATE whatever the answers before it did; the bare
    // Bolt app's no-op leaves half an interval later.
    const sent: (Sent & { replica: number; channel: string })[] = [];
    const bareSent: Sent[] = [];
    const pending: Promise<void>[] = [];
    const interval = 1000 / RATE;
    const total = Math.floor(SECONDS * RATE);
    let nextSample = 0;
    /** How far behind its schedule the load generator fell: on a busy machine it sends in bursts to catch up. */
    let maxBehindMs = 0;
    for (let k = 0; k < total; k++) {
      const due = start + k * interval;
      maxBehindMs = Math.max(maxBehindMs, performance.now() - due);
      if (due >= start + nextSample) {
        void sample();
        nextSample += SAMPLE_MS;
      }
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const replica = k % REPLICAS;
      const channel = `C0S${k.toString(36).toUpperCase().padStart(6, '0')}`;
      const record = { at: performance.now(), replica, channel };
      sent.push(record);
      const body = slashCommandBody({ command: '/diag', text: 'db', channelId: channel, userId: `U0S${(k % 50).toString().padStart(4, '0')}`, responseUrl: slack.responseUrl(channel) });
      pending.push(sendCommand(`http://127.0.0.1:${replicas[replica]!.port}/slack/events`, body, record));
      setTimeout(() => {
        const b: Sent = { at: performance.now() };
        bareSent.push(b);
        pending.push(sendCommand(bareUrl, slashCommandBody({ command: '/noop', text: '', responseUrl: slack.responseUrl('noop') }), b));
      }, interval / 2);
      // The pending acks of the past are settled; keep the list short.
      if (pending.length > 4 * RATE * 15) await Promise.all(pending.splice(0, pending.length - RATE * 15));
    }
    const loadEndMs = performance.now() - start;
    await Promise.all(pending);
    await sample();
    // Every command answered: its progress message posted and updated with the report.
    const deadline = Date.now() + ANSWER_WAIT_MS;
    for (;;) {
      drain();
      if (sent.every((s) => (posts.get(s.channel) ?? 0) >= 1 && (updates.get(s.channel) ?? 0) >= 1) || Date.now() > deadline) break;
      await sleep(250);
    }
    drain();
    const loadAvgEnd = os.loadavg();

    // Answers.
    const unanswered = sent.filter((s) => (posts.get(s.channel) ?? 0) === 0);
    const postedTwice = sent.filter((s) => (posts.get(s.channel) ?? 0) > 1);
    const notUpdated = sent.filter((s) => (posts.get(s.channel) ?? 0) >= 1 && (updates.get(s.channel) ?? 0) === 0);
    const updatedTwice = sent.filter((s) => (updates.get(s.channel) ?? 0) > 1);
    const badAcks = sent.filter((s) => s.status !== 200);
    const named = new Set(sent.map((s) => s.channel));
    const strays = [...posts.keys()].filter((c) => !named.has(c)).length;
    const once = sent.filter((s) => posts.get(s.channel) === 1 && updates.get(s.channel) === 1).length;
    const lateAcks = sent.filter((s) => s.ackMs !== undefined && s.ackMs > SLACK_ACK_LIMIT_MS).length;

    // Acks after the warm-up, both sides.
    const steady = <T extends Sent>(v: T[]) => v.filter((s) => s.at - start >= WARMUP_MS && s.ackMs !== undefined).map((s) => s.ackMs!);
    const ours = steady(sent);
    const theirs = steady(bareSent);
    const ackP99 = quantile(ours, 0.99);
    const bareP99 = quantile(theirs, 0.99);
    const ackRatio = ackP99 / bareP99;

    // RSS trend per replica after the warm-up.
    const after = samples.filter((s) => s.atMs >= WARMUP_MS);
    const trend = (series: { atMs: number; mb: number }[]) => ({
      slope: leastSquaresSlope(series.filter((p) => p.atMs >= WARMUP_MS).map((p) => ({ x: p.atMs / 60_000, y: p.mb }))),
      first: series[0]?.mb ?? NaN,
      firstAfter: series.find((p) => p.atMs >= WARMUP_MS)?.mb ?? NaN,
      last: series.at(-1)?.mb ?? NaN,
      max: Math.max(...series.map((p) => p.mb)),
    });
    const perReplica = replicas.map((r) => ({ r, ...trend(samples.filter((s) => s.rssMb[r.name] !== undefined).map((s) => ({ atMs: s.atMs, mb: s.rssMb[r.name]! }))) }));
    const bareTrend = trend(bareRss);
    const judged = loadEndMs - WARMUP_MS >= TREND_MIN_MS;

    // Event-loop delay per replica: p99 of each 10 s window after the warm-up.
    const lagOf = (r: Replica): { source: string; p99s: number[] } => {
      const fromMetrics = after.map((s) => s.metricsLagMs[r.name]).filter((v): v is number => v !== undefined);
      if (metricsServed && fromMetrics.length > 0) return { source: 'GET /metrics', p99s: fromMetrics };
      const startWall = Date.now() - (performance.now() - start);
      return { source: 'preload histogram', p99s: lagWindows(r.lagFile).filter((w) => w.at - startWall >= WARMUP_MS && w.at - startWall <= loadEndMs + SAMPLE_MS).map((w) => w.p99) };
    };

    log(`  load: ${sent.length} commands in ${(loadEndMs / 1000).toFixed(0)} s (${(sent.length / (loadEndMs / 1000)).toFixed(1)}/s; the generator fell at most ${ms(maxBehindMs)} behind its schedule), load average at the end ${loadAvgEnd.map((l) => l.toFixed(2)).join(' ')}`);
    log(`  answers: ${sent.length - unanswered.length} of ${sent.length} commands posted (${postedTwice.length} twice), ${notUpdated.length} without their report, ${updatedTwice.length} updated more than once, ${badAcks.length} acks not 200${badAcks.length ? ` (${[...new Set(badAcks.map((s) => s.status))].join(', ')})` : ''}, ${strays} posts in channels no command named, ${otherCalls} other Web API calls`);
    for (const p of perReplica) {
      log(`  ${p.r.name} RSS: ${p.first.toFixed(1)} MB at the start, ${p.firstAfter.toFixed(1)} MB after the warm-up, ${p.last.toFixed(1)} MB at the end (max ${p.max.toFixed(1)}); trend ${p.slope.toFixed(3)} MB/min (target < ${SLOPE_TARGET_MB_PER_MIN}): ${!judged ? `not judged, under ${TREND_MIN_MS / 60_000} min after the warm-up` : p.slope < SLOPE_TARGET_MB_PER_MIN ? 'yes' : 'NO'}`);
    }
    log(`  bare Bolt RSS: ${bareTrend.first.toFixed(1)} -> ${bareTrend.last.toFixed(1)} MB, trend ${bareTrend.slope.toFixed(3)} MB/min`);
    const lags = replicas.map((r) => ({ r, ...lagOf(r) }));
    for (const l of lags) log(`  ${l.r.name} event-loop delay (${l.source}): p99 of ${l.p99s.length} windows: median ${l.p99s.length ? ms(quantile(l.p99s, 0.5)) : 'n/a'}, worst ${l.p99s.length ? ms(Math.max(...l.p99s)) : 'n/a'}`);
    // Garbage-collection pauses per replica over the load (the preload's windows), by kind.
    for (const r of replicas) {
      const startWall = Date.now() - (performance.now() - start);
      const windows = lagWindows(r.lagFile).filter((w) => w.gc && w.at - startWall >= WARMUP_MS && w.at - startWall <= loadEndMs + SAMPLE_MS);
      const sum = (k: 'minor' | 'major') => windows.reduce((a, w) => ({ n: a.n + w.gc![k].n, ms: a.ms + w.gc![k].ms, max: Math.max(a.max, w.gc![k].max) }), { n: 0, ms: 0, max: 0 });
      const [minor, major] = [sum('minor'), sum('major')];
      if (windows.length > 0) log(`  ${r.name} GC after the warm-up (${windows.length} windows): ${minor.n} scavenges, ${ms(minor.ms)} in all, longest ${ms(minor.max)}; ${major.n} mark-compacts, ${ms(major.ms)} in all, longest ${ms(major.max)}`);
    }
    for (const r of replicas) {
      const mine = steady(sent.filter((s) => replicas[s.replica] === r));
      if (mine.length > 0) log(`  ${r.name} ack after the warm-up: p50 ${ms(quantile(mine, 0.5))}, p99 ${ms(quantile(mine, 0.99))} (${mine.length})`);
    }
    log(`  acks later than Slack's ${SLACK_ACK_LIMIT_MS / 1000} s: ${lateAcks} of ${sent.length} (timeouts counted as ${ACK_TIMEOUT_MS / 1000} s)`);
    log(`  ack, after the warm-up: bot p50 ${ms(quantile(ours, 0.5))}, p99 ${ms(ackP99)} (${ours.length}); bare Bolt p50 ${ms(quantile(theirs, 0.5))}, p99 ${ms(bareP99)} (${theirs.length}); ratio of p99s ${ackRatio.toFixed(2)}x (target <= ${ACK_RATIO_TARGET}x): ${ackRatio <= ACK_RATIO_TARGET ? 'yes' : 'NO'}`);
    const problems = replicas.reduce((n, r) => n + r.lines, 0);
    if (problems > 0) {
      const byMessage = new Map<string, number>();
      for (const r of replicas) for (const [m, n] of r.byMessage) byMessage.set(m, (byMessage.get(m) ?? 0) + n);
      log(`  the replicas wrote ${problems} warning/error lines: ${[...byMessage].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([m, n]) => `${n}x "${m}"`).join('; ')}; the last:\n    ${replicas.flatMap((r) => r.output.slice(-2)).join('\n    ')}`);
    }

    const machine = `${os.cpus().length} cores shared with other work, load average ${loadAvgEnd[0]!.toFixed(2)} at the end`;
    const soakName = `${REPLICAS} replicas, ${RATE} /diag db a second, ${SECONDS} s`;
    const rows: BenchRow[] = [
      { part: 'soak', name: soakName, figure: 'commands answered exactly once', value: once, target: `all ${sent.length}`, met: once === sent.length, note: `${unanswered.length} unanswered, ${postedTwice.length + updatedTwice.length} answered twice, ${notUpdated.length} without report; the replicas logged ${problems} warning/error lines` },
      { part: 'soak', name: soakName, figure: 'ack latency (bot)', unit: 'ms', median: quantile(ours, 0.5), p99: ackP99, ratio: ackRatio, target: `p99 <= ${ACK_RATIO_TARGET}x bare Bolt`, met: ackRatio <= ACK_RATIO_TARGET, note: `${ours.length} commands after the ${WARMUP_MS / 1000} s warm-up; ratio of p99s; ${lateAcks} acks over Slack's 3 s, ${badAcks.length} not 200; generator up to ${ms(maxBehindMs)} behind; ${machine}` },
      { part: 'soak', name: `bare Bolt app, ${RATE} no-op commands a second`, figure: 'ack latency', unit: 'ms', median: quantile(theirs, 0.5), p99: bareP99, note: `${theirs.length} commands, same run` },
    ];
    for (const p of perReplica) {
      const short = judged ? '' : `; not judged: ${((loadEndMs - WARMUP_MS) / 60_000).toFixed(1)} min after the warm-up, a trend needs ${TREND_MIN_MS / 60_000}`;
      rows.push({ part: 'soak', name: `${soakName}: ${p.r.name}`, figure: 'RSS trend after warm-up', unit: 'MB/min', value: p.slope, target: `< ${SLOPE_TARGET_MB_PER_MIN} MB/min`, ...(judged && { met: p.slope < SLOPE_TARGET_MB_PER_MIN }), note: `${p.first.toFixed(1)} MB at start, ${p.firstAfter.toFixed(1)} after warm-up, ${p.last.toFixed(1)} at end, max ${p.max.toFixed(1)}; ${after.length} samples${short}` });
    }
    rows.push({ part: 'soak', name: `bare Bolt app`, figure: 'RSS trend after warm-up', unit: 'MB/min', value: bareTrend.slope, note: `${bareTrend.first.toFixed(1)} -> ${bareTrend.last.toFixed(1)} MB: the baseline's own drift` });
    for (const l of lags) {
      if (l.p99s.length === 0) rows.push({ part: 'soak', name: `${soakName}: ${l.r.name}`, figure: 'event-loop delay p99 (10 s windows)', skipped: `no window after the warm-up from ${l.source}` });
      else rows.push({ part: 'soak', name: `${soakName}: ${l.r.name}`, figure: 'event-loop delay p99 (10 s windows)', unit: 'ms', median: quantile(l.p99s, 0.5), value: Math.max(...l.p99s), note: `value: the worst window; ${l.p99s.length} windows, ${l.source}` });
    }
    return rows;
  } finally {
    await stopAll(children);
    await slack.close();
    await redis.stop();
  }
}
