// The alerts benchmark (`BENCH_ONLY=alerts`, or `node bench/alerts-bench.ts`): the real bot (HTTP
// mode, an embedded PostgreSQL store, the fake Slack API stamping each message with the time it
// took it) receiving Alertmanager's version 4 notifications on POST /alerts/alertmanager.
//  1. Latency: 40 groups, one every 250 ms, spread over 20 channels (one route each, three http
//     targets linked, local endpoints answering at once): from the POST to the alert message in
//     Slack, and to the third diagnosis report in its thread (p50/p99). Targets: message p99 under
//     1 s, diagnosis p99 under 5 s.
//  2. A burst: 200 groups within one second over 5 channels (routes without targets), then a
//     second notification (an alert joining) for half of them: every group posted exactly once,
//     its message showing its latest state, no channel above Slack's rate (the least gap between
//     two calls of one channel, and the most calls in any 1-second window), and how long it took
//     to drain.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { silentLogger } from '../src/logger.ts';
import { startBot, type RunningBot } from '../src/start-bot.ts';
import { startEmbeddedPostgres } from '../src/store/start-embedded-postgres.ts';
import { startFakeSlackApi, type PostedSlackMessage } from '../test/support/fake-slack-api.ts';
import { errorRateAlert, errorRateGroup } from '../test/alerts/alertmanager-payloads.ts';
import type { BenchRow } from './bench-row.ts';

const TOKEN = 'bench-alerts-token-0123456789abcdef';
const LATENCY_CHANNELS = 20;
const LATENCY_GROUPS = 40;
const LATENCY_SPACING_MS = 250;
// 40 groups a channel: its last post waits ~40 s, past the 30 s claim lease (no group may be posted twice for it).
const BURST_CHANNELS = 5;
const BURST_GROUPS = 200;
const MESSAGE_P99_TARGET_MS = 1_000;
const DIAGNOSIS_P99_TARGET_MS = 5_000;

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const ms = (v: number) => `${v.toFixed(0)} ms`;
const tsMs = (ts: string) => Number(ts) * 1000;
const sleep = (t: number) => new Promise((resolve) => setTimeout(resolve, t));

async function healthServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const channelId = (prefix: string, i: number) => `C0${prefix}${String(i).padStart(3, '0')}`;

function config(endpoints: readonly string[]): string {
  const targets = endpoints.map((url, i) => `  api-${i}:\n    kind: http\n    url: ${url}\n`).join('');
  const routes = [
    ...Array.from({ length: LATENCY_CHANNELS }, (_, i) => `    - match: { team: lat${i} }\n      channel: ${channelId('LAT', i)}\n      targets: [api-0, api-1, api-2]\n`),
    ...Array.from({ length: BURST_CHANNELS }, (_, i) => `    - match: { team: burst${i} }\n      channel: ${channelId('BURST', i)}\n`),
  ].join('');
  return `targets:\n${targets}alerts:\n  routes:\n${routes}`;
}

/** A group of one HighErrorRate alert for `service`, routed by its team label. */
function group(service: string, team: string, extra = false): Record<string, unknown> {
  const key = `{}:{alertname="HighErrorRate",service="${service}"}`;
  const withTeam = (a: ReturnType<typeof errorRateAlert>) => ({ ...a, labels: { ...a.labels, team } });
  const fp = Buffer.from(service).toString('hex').slice(0, 16).padEnd(16, '0');
  const alerts = [withTeam(errorRateAlert(service, '2026-12-02T03:00:00Z', fp))];
  if (extra) alerts.push(withTeam(errorRateAlert(`${service}-b`, '2026-12-02T03:01:00Z', `${fp.slice(0, 15)}f`)));
  return errorRateGroup(alerts, key);
}

async function send(port: number, body: unknown): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/alerts/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export async function benchAlerts(log: (line: string) => void): Promise<BenchRow[]> {
  log('\n## Alerts: POST /alerts/alertmanager to the message and its diagnosis (real bot, embedded PostgreSQL, fake Slack API)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-alerts-'));
  const store = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false, database: 'postgres', listen: 'tcp' });
  const slack = await startFakeSlackApi();
  // Each message stamped with the time Slack took it.
  slack.setClock(() => Date.now());
  const endpoints = await Promise.all([healthServer(), healthServer(), healthServer()]);
  const configFile = path.join(dir, 'chatops.yml');
  writeFileSync(configFile, config(endpoints.map((e) => e.url)));
  let bot: RunningBot | undefined;
  try {
    bot = await startBot({ SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: 'bench', SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: store.url, CHATOPS_CONFIG: configFile, ALERTS_TOKEN: TOKEN }, silentLogger());
    const port = bot.port;

    // 1. Latency.
    const sentAt = new Map<string, number>();
    for (let i = 0; i < LATENCY_GROUPS; i++) {
      const service = `lat-svc-${i}`;
      sentAt.set(service, Date.now());
      const status = await send(port, group(service, `lat${i % LATENCY_CHANNELS}`));
      if (status !== 200) throw new Error(`POST answered ${status}`);
      await sleep(LATENCY_SPACING_MS);
    }
    const parentOf = (service: string): PostedSlackMessage | undefined => slack.messagesIn().find((m) => !m.thread_ts && m.text.endsWith(`on ${service}`) && m.text.startsWith('Firing'));
    await waitUntil(() => [...sentAt.keys()].every((s) => {
      const p = parentOf(s);
      return p && slack.messagesIn(p.channel).filter((m) => m.thread_ts === p.ts).length >= 3;
    }), 120_000, 'every latency group diagnosed');
    const messageMs: number[] = [];
    const diagnosisMs: number[] = [];
    for (const [service, t0] of sentAt) {
      const parent = parentOf(service)!;
      messageMs.push(tsMs(parent.ts) - t0);
      const replies = slack.messagesIn(parent.channel).filter((m) => m.thread_ts === parent.ts);
      diagnosisMs.push(Math.max(...replies.map((r) => tsMs(r.ts))) - t0);
    }
    const m99 = quantile(messageMs, 0.99);
    const d99 = quantile(diagnosisMs, 0.99);
    log(`${LATENCY_GROUPS} groups over ${LATENCY_CHANNELS} channels, 3 linked targets each`);
    log(`  receipt -> message posted:        p50 ${ms(quantile(messageMs, 0.5))}, p99 ${ms(m99)} (target < ${ms(MESSAGE_P99_TARGET_MS)}: ${m99 < MESSAGE_P99_TARGET_MS ? 'met' : 'NOT met'})`);
    log(`  receipt -> 3rd report in thread:  p50 ${ms(quantile(diagnosisMs, 0.5))}, p99 ${ms(d99)} (target < ${ms(DIAGNOSIS_P99_TARGET_MS)}: ${d99 < DIAGNOSIS_P99_TARGET_MS ? 'met' : 'NOT met'})`);

    // 2. Burst.
    slack.reset();
    const burstStart = Date.now();
    const services = Array.from({ length: BURST_GROUPS }, (_, i) => `burst-svc-${i}`);
    const answers = await Promise.all(services.map((s, i) => send(port, group(s, `burst${i % BURST_CHANNELS}`))));
    const sentIn = Date.now() - burstStart;
    // Half of them move on while the first posts are still paced out.
    const movedOn = services.filter((_, i) => i % 2 === 0);
    const second = await Promise.all(movedOn.map((s) => send(port, group(s, `burst${services.indexOf(s) % BURST_CHANNELS}`, true))));
    const refused = [...answers, ...second].filter((s) => s !== 200).length;
    const pool = new pg.Pool({ connectionString: store.url, max: 1 });
    const deadline = Date.now() + 600_000;
    for (;;) {
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM alert_groups WHERE group_key LIKE '%burst-svc-%' AND (version > shown_version OR message_ts IS NULL)");
      if (rows[0]!.n === 0) break;
      if (Date.now() > deadline) throw new Error('burst not drained in 10 min');
      await sleep(100);
    }
    await pool.end();
    const drainedMs = Date.now() - burstStart;
    const posts = slack.callsTo('chat.postMessage');
    const postsPer = new Map<string, number>();
    for (const p of posts) {
      const service = /on (burst-svc-\d+)$/.exec(String(p.args.text))?.[1];
      if (service) postsPer.set(service, (postsPer.get(service) ?? 0) + 1);
    }
    const once = services.every((s) => postsPer.get(s) === 1);
    const latest = movedOn.every((s) => {
      const parent = slack.messagesIn().find((m) => m.text.endsWith(`on ${s}`) && !m.thread_ts);
      // Posted after the second notification came, the post itself shows it; else its last update.
      const post = slack.callsTo('chat.postMessage').find((c) => String(c.args.text).endsWith(`on ${s}`) && c.args.thread_ts === undefined);
      const last = slack.callsTo('chat.update').filter((c) => c.args.ts === parent?.ts).at(-1) ?? post;
      return last !== undefined && JSON.stringify(last.args.blocks).includes('2 firing');
    });
    // Per channel: the least gap between two calls Slack took, and the most in any second.
    let minGap = Infinity;
    let maxPerSecond = 0;
    for (let c = 0; c < BURST_CHANNELS; c++) {
      const channel = channelId('BURST', c);
      const times = slack.messagesIn(channel).map((m) => tsMs(m.ts)).sort((a, b) => a - b);
      for (let i = 1; i < times.length; i++) minGap = Math.min(minGap, times[i]! - times[i - 1]!);
      for (let i = 0; i < times.length; i++) maxPerSecond = Math.max(maxPerSecond, times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length);
    }
    const updates = slack.callsTo('chat.update').length;
    log(`${BURST_GROUPS} groups POSTed at once, all answered within ${ms(sentIn)}, over ${BURST_CHANNELS} channels, then ${movedOn.length} of them with an alert joining (${refused} refused)`);
    log(`  every group posted exactly once: ${once ? 'yes' : 'NO'}; each moved-on message shows its latest state: ${latest ? 'yes' : 'NO'} (${updates} updates for the ${movedOn.length} groups that moved on: the others were posted with it)`);
    log(`  per channel: least gap between posts ${ms(minGap)}, at most ${maxPerSecond} post(s) in any second (Slack: about 1/s); drained in ${ms(drainedMs)}`);
    const latency = `${LATENCY_GROUPS} Alertmanager groups, 3 linked targets each`;
    const burst = `${BURST_GROUPS} groups at once over ${BURST_CHANNELS} channels`;
    return [
      { part: 'alerts', name: latency, figure: 'POST -> alert message', unit: 'ms', median: quantile(messageMs, 0.5), p99: m99, target: `p99 < ${ms(MESSAGE_P99_TARGET_MS)}`, met: m99 < MESSAGE_P99_TARGET_MS },
      { part: 'alerts', name: latency, figure: 'POST -> 3rd diagnosis report', unit: 'ms', median: quantile(diagnosisMs, 0.5), p99: d99, target: `p99 < ${ms(DIAGNOSIS_P99_TARGET_MS)}`, met: d99 < DIAGNOSIS_P99_TARGET_MS },
      { part: 'alerts', name: burst, figure: 'groups posted exactly once, latest state shown', value: services.filter((s) => postsPer.get(s) === 1).length, target: `all ${BURST_GROUPS}, latest state`, met: once && latest && refused === 0, note: `${refused} POSTs refused; drained in ${ms(drainedMs)}` },
      { part: 'alerts', name: burst, figure: 'most posts in any second of one channel', value: maxPerSecond, target: '<= 1', met: maxPerSecond <= 1, note: `least gap between two posts ${ms(minGap)}` },
    ];
  } finally {
    await bot?.stop().catch(() => undefined);
    await Promise.all(endpoints.map((e) => e.close()));
    await slack.close();
    await store.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await benchAlerts((line) => console.log(line));
}
