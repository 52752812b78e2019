// The real bot as a process of its own (`node src/main.ts`, `npm start`, or under a wrapper), with
// a fake Slack API and the shared test PostgreSQL as its state store; and the process tree it made.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/free-port.ts';
import { startFakeSlackApi, type FakeSlackApi } from './fake-slack-api.ts';
import { testReplicaGroup } from './test-replica-group.ts';
import { inject } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const MAIN = path.join(ROOT, 'src/main.ts');
export const BOT_SIGNING_SECRET = 'bot-process-signing-secret';

export interface BotProcess {
  child: ChildProcess;
  port: number;
  slack: FakeSlackApi;
  /** Everything the process tree wrote to stdout and stderr so far. */
  logs(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** POST /slack/events with a raw body. */
  url: string;
}

export interface BotProcessOptions {
  /** How the bot is started: `node src/main.ts` (default), `npm start`, or a command of the test's own. */
  command?: (env: Record<string, string>) => { file: string; args: string[] };
  env?: Record<string, string>;
  /** Runs before the process starts, with its environment; returns more variables (e.g. a fake Socket Mode URL). */
  beforeStart?: (env: Record<string, string>) => Promise<Record<string, string>>;
}

export async function startBotProcess(databaseUrl: string, options: BotProcessOptions = {}): Promise<BotProcess> {
  const slack = await startFakeSlackApi();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-proc-'));
  const configFile = path.join(dir, 'chatops.yml');
  writeFileSync(configFile, 'targets:\n  main-db:\n    kind: postgres\n    url: ${MONITORED_URL}\n    timeoutMs: 3000\n');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    SLACK_BOT_TOKEN: 'xoxb-bot-process-token',
    SLACK_SIGNING_SECRET: BOT_SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    MONITORED_URL: databaseUrl,
    CHATOPS_CONFIG: configFile,
    CHATOPS_DATA_DIR: dir,
    // On the suite's shared store, a bot of its own (see test-replica-group.ts).
    ...(databaseUrl === inject('pgUrl') && { CHATOPS_REPLICA_GROUP: testReplicaGroup() }),
    ...options.env,
  };
  Object.assign(env, await options.beforeStart?.(env));
  const { file, args } = options.command?.(env) ?? { file: process.execPath, args: [MAIN] };
  const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (logs += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, slack, logs: () => logs, exited, url: `http://127.0.0.1:${port}/slack/events` };
}

export async function healthz(port: number): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  await res?.body?.cancel();
  return res?.status;
}

/** Waits until /healthz answers 200; fails with the process's logs when it does not within 60 s. */
export async function waitHealthy(bot: BotProcess): Promise<void> {
  let exited = false;
  void bot.exited.then(() => (exited = true));
  for (let i = 0; i < 300 && !exited; i++) {
    if ((await healthz(bot.port)) === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the bot did not become healthy on port ${bot.port}; its output:\n${bot.logs()}`);
}

/** Every live descendant of `pid`, from /proc (children of children included). */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so parse after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift()!;
    for (const [child, parent] of parentOf) {
      if (parent !== p) continue;
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) is not running.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Waits (up to `timeoutMs`) until none of `pids` is alive; returns those still alive. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    alive = alive.filter(isAlive);
  }
  return alive;
}

/** Test cleanup: SIGKILL whatever of `pids` is still alive (only processes the test started). */
export function killLeftovers(pids: number[]): void {
  for (const pid of pids) {
    try {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
