// The playground's start (`BENCH_ONLY=playground`): `npm start` as a fresh clone runs it, with no
// Slack credentials and no chatops.yml, in a directory of its own. The clock starts when the
// process is spawned and stops when the page's event stream carries the report of `/diag db` on
// the built-in demo-db: the page is fetched, its event stream opened and the command posted as
// the page's script does, as soon as the process prints its address. Twice: with an empty data dir
// (the embedded PostgreSQL initialised from nothing, as on a fresh clone) and with one a previous
// run initialised. Median of BENCH_PLAYGROUND_RUNS (default 3) runs each, and the longest;
// target: every run under 5 s.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startPlaygroundProcess } from '../test/support/playground-process.ts';
import { serverSentEvents } from '../test/support/server-sent-events.ts';
import type { BenchRow } from './bench-row.ts';

const RUNS = Number(process.env.BENCH_PLAYGROUND_RUNS ?? 3);
const TARGET_MS = 5_000;
/** A run that takes this long has failed (a start that hangs), not measured a slow start. */
const GIVE_UP_MS = 120_000;
const TOKEN_HEADER = 'x-playground-token';

interface StartRun {
  /** Spawn to the bot's first log line: loading its modules. */
  loadedMs?: number;
  /** Spawn to its embedded PostgreSQL running (initdb included on a fresh data dir). */
  storeMs?: number;
  /** Spawn to the page's HTML served. */
  pageMs: number;
  /** Spawn to the report of /diag db on the page's event stream. */
  reportMs: number;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
const secs = (v: number) => `${(v / 1000).toFixed(2)} s`;

/** The page's token, as the page carries it for its script. */
export function pageToken(html: string): string {
  const m = /name="playground-token" content="([^"]+)"/.exec(html) ?? /data-token="([^"]+)"/.exec(html);
  if (!m) throw new Error('the playground page carries no token (meta playground-token or data-token)');
  return m[1]!;
}

/** One start: spawn, wait for the address, fetch the page, open /events, post /diag db, wait for its report. */
async function timeStart(cwd: string, dataDir: string): Promise<StartRun> {
  const t0 = performance.now();
  const spawnedAt = Date.now();
  const bot = await startPlaygroundProcess({ cwd, env: { PORT: '0', CHATOPS_DATA_DIR: dataDir }, timeoutMs: GIVE_UP_MS });
  const abort = new AbortController();
  const giveUp = setTimeout(() => abort.abort(new Error(`no /diag db report within ${GIVE_UP_MS / 1000} s; the bot's output:\n${bot.output().slice(-4000)}`)), GIVE_UP_MS);
  try {
    const page = await fetch(bot.url, { signal: abort.signal });
    if (page.status !== 200) throw new Error(`GET ${bot.url} answered ${page.status}`);
    const token = pageToken(await page.text());
    const pageMs = performance.now() - t0;
    const events = await fetch(new URL('/events', bot.url), { signal: abort.signal });
    if (!events.ok || !events.body) throw new Error(`GET /events answered ${events.status}`);
    const report = waitForReport(events.body);
    // Awaited below; until then a failed post must not leave its rejection unhandled.
    report.catch(() => undefined);
    const posted = await fetch(new URL('/api/command', bot.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify({ channel: 'C0OPS', text: '/diag db' }),
      signal: abort.signal,
    });
    if (posted.status !== 202) throw new Error(`POST /api/command answered ${posted.status}: ${await posted.text()}`);
    await report;
    const reportMs = performance.now() - t0;
    // Where the time went, from the bot's own log lines (their time is this machine's clock).
    const at = (pattern: RegExp) => {
      const line = bot.output().split('\n').find((l) => l.startsWith('{') && pattern.test(l));
      const time = line ? (JSON.parse(line) as { time?: string }).time : undefined;
      return time ? Date.parse(time) - spawnedAt : undefined;
    };
    return { loadedMs: at(/./), storeMs: at(/embedded PostgreSQL is running/), pageMs, reportMs };
  } finally {
    clearTimeout(giveUp);
    abort.abort();
    await bot.stop(30_000);
  }
}

/** Reads the server-sent events until the progress message of /diag db is replaced by demo-db's report. */
async function waitForReport(body: ReadableStream<Uint8Array>): Promise<void> {
  let progressTs: string | undefined;
  for await (const raw of serverSentEvents(body)) {
    const event = raw as { type: string; channel?: string; ts?: string; created?: boolean; html?: string };
    if (event.type !== 'message' || event.channel !== 'C0OPS') continue;
    if (event.created && event.html?.includes('diagnostics on')) progressTs = event.ts;
    else if (!event.created && event.ts === progressTs && event.html?.includes('demo-db')) return;
  }
  throw new Error('the event stream ended before the report of /diag db arrived');
}

async function timeStarts(label: string, fresh: boolean, log: (line: string) => void): Promise<StartRun[]> {
  const runs: StartRun[] = [];
  // A clone of its own: no chatops.yml in the working directory, so the built-in demo is loaded.
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-playground-'));
  try {
    const kept = path.join(cwd, '.chatops');
    if (!fresh) {
      // Initialised once, untimed, as by an earlier `npm start`.
      const first = await timeStart(cwd, kept);
      log(`  ${label}: initialising run ${secs(first.reportMs)} (not counted)`);
    }
    for (let i = 0; i < RUNS; i++) {
      const dataDir = fresh ? path.join(cwd, `.chatops-${i}`) : kept;
      const run = await timeStart(cwd, dataDir);
      const phases = [run.loadedMs !== undefined && `first log line ${secs(run.loadedMs)}`, run.storeMs !== undefined && `state store running ${secs(run.storeMs)}`].filter(Boolean);
      log(`  ${label}, run ${i + 1}: ${[...phases, `page ${secs(run.pageMs)}`, `/diag db report ${secs(run.reportMs)}`].join(', ')}`);
      runs.push(run);
      if (fresh) rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return runs;
}

export async function benchPlayground(log: (line: string) => void): Promise<BenchRow[]> {
  log(`\n## Playground start: npm start with no Slack credentials and no config, until the page answers /diag db (${RUNS} runs each)`);
  const rows: BenchRow[] = [];
  for (const [label, fresh] of [['fresh data dir', true], ['initialised data dir', false]] as const) {
    const runs = await timeStarts(label, fresh, log);
    const report = runs.map((r) => r.reportMs);
    const page = runs.map((r) => r.pageMs);
    const longest = Math.max(...report);
    log(`  ${label}: /diag db report median ${secs(quantile(report, 0.5))}, longest ${secs(longest)} (target under ${secs(TARGET_MS)}: ${longest < TARGET_MS ? 'yes' : 'NO'})`);
    const name = `npm start, no credentials, no config, ${label}`;
    const store = runs.flatMap((r) => (r.storeMs === undefined ? [] : [r.storeMs]));
    rows.push(
      ...(store.length > 0 ? [{ part: 'playground', name, figure: 'start -> state store running', unit: 's' as const, median: quantile(store, 0.5) / 1000, value: Math.max(...store) / 1000, note: `${store.length} runs; value: the longest; from the bot's log` }] : []),
      { part: 'playground', name, figure: 'start -> page served', unit: 's', median: quantile(page, 0.5) / 1000, value: Math.max(...page) / 1000, note: `${RUNS} runs; value: the longest` },
      { part: 'playground', name, figure: 'start -> /diag db report', unit: 's', median: quantile(report, 0.5) / 1000, value: longest / 1000, target: 'every run < 5 s', met: longest < TARGET_MS, note: `${RUNS} runs; value: the longest` },
    );
  }
  return rows;
}
