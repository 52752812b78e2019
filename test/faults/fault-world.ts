// What the fault tests are made of: replicas of the real bot as child processes sharing one state
// store and one fake Slack API (each with a token of its own, so a call says which replica made
// it), a target that answers slowly (a digest run or a /diag is under way while the test breaks
// something), a digest scheduled at one given second, and the state store's rows as read back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/free-port.ts';
import { BOT_SIGNING_SECRET, startBotProcess, waitHealthy, type BotProcess } from '../support/bot-process.ts';
import { postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { waitFor } from '../support/wait-for.ts';

export interface SlowTarget {
  url: string;
  /** Requests received so far (answered or not). */
  hits(): number;
  close(): Promise<void>;
}

/** An HTTP health endpoint that answers 200 after `delayMs`. */
export async function startSlowTarget(delayMs: number): Promise<SlowTarget> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const timer = setTimeout(() => res.end('ok'), delayMs);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A 6-field cron expression (seconds first, read in UTC) that fires once a day at `at`'s second. */
export function cronAt(at: Date): string {
  return `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
}

/** The next whole second at least `aheadMs` from now. */
export function slotIn(aheadMs: number): Date {
  return new Date(Math.ceil((Date.now() + aheadMs) / 1000) * 1000);
}

/** Writes a config file and returns its path. */
export function writeConfig(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-fault-')), 'chatops.yml');
  writeFileSync(file, yaml);
  return file;
}

export interface Replica extends BotProcess {
  name: string;
  token: string;
}

/**
 * One replica of the bot: `node src/main.ts` with the shared fake Slack API, `config` and the
 * state store at `databaseUrl`; its Slack token names it (xoxb-replica-<name>).
 */
export async function startReplica(name: string, databaseUrl: string, slack: FakeSlackApi, config: string, env: Record<string, string> = {}): Promise<Replica> {
  const token = `xoxb-replica-${name}`;
  const bot = await startBotProcess(databaseUrl, { env: { SLACK_API_URL: slack.apiUrl, SLACK_BOT_TOKEN: token, CHATOPS_CONFIG: config, ...env } });
  const replica = Object.assign(bot, { name, token });
  try {
    await waitHealthy(bot);
    // Alive first (a start's own health server may answer), then ready: Slack requests are served.
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${bot.port}/readyz`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      await res?.body?.cancel();
      return res?.status === 200;
    }, 60_000, `replica ${name} to be ready; its output:\n${bot.logs()}`, 100);
  } catch (err) {
    await stopReplica(replica);
    throw err;
  }
  return replica;
}

/** Test cleanup: SIGKILL the replica if it still runs and close its own (unused) fake Slack. */
export async function stopReplica(replica: BotProcess): Promise<void> {
  if (replica.child.exitCode === null && replica.child.signalCode === null) replica.child.kill('SIGKILL');
  await replica.exited;
  await replica.slack.close();
}

/** Which replica made a recorded call, by its token. */
export function madeBy(call: { authorization?: string }, replica: Replica): boolean {
  return call.authorization === `Bearer ${replica.token}`;
}

/** One query against the state store, on a connection of its own. */
export async function queryRows<T extends pg.QueryResultRow>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return (await db.query<T>(sql, params)).rows;
  } finally {
    await db.end();
  }
}

export interface DigestRow {
  claimed_by: string;
  outcome: string | null;
  finished: boolean;
  late: boolean;
}

export async function digestRow(databaseUrl: string, digest: string, slot: Date): Promise<DigestRow | undefined> {
  const rows = await queryRows<DigestRow>(databaseUrl, 'SELECT claimed_by, outcome, finished_at IS NOT NULL AS finished, late FROM digest_runs WHERE digest = $1 AND slot = $2', [digest, slot]);
  return rows[0];
}

/** Top-level messages the fake Slack API stored in `channel`. */
export function headersIn(slack: FakeSlackApi, channel: string): number {
  return slack.messagesIn(channel).filter((m) => !m.thread_ts).length;
}

/** A ladder whose first step DMs two people at once (U0ONE and U0TWO), for every severity; incidents announced in C0INCIDENTS. */
export const TWO_DM_LADDER = `incidents:
  channel: C0INCIDENTS
  ladder:
${[1, 2, 3, 4].map((sev) => `    sev${sev}:
      ackWithin: 1h
      steps:
        - { label: on-call, after: 0s, notify: [{ user: U0ONE }, { user: U0TWO }], via: [dm], until: resolved }`).join('\n')}
`;

/** A slash command to a replica, as Slack sends it (signed), answered at `response/<id>` of the fake Slack API. */
export async function slash(replica: BotProcess, slack: FakeSlackApi, command: string, text: string, id: string): Promise<void> {
  const res = await postSigned(replica.url, slashCommandBody({ command, text, responseUrl: slack.responseUrl(id) }), { secret: BOT_SIGNING_SECRET });
  await res.body?.cancel();
  if (res.status !== 200) throw new Error(`${command} ${text}: HTTP ${res.status} from replica; its output:\n${replica.logs()}`);
}

/** DMs the fake Slack API stored for `user` (the bot's DM channel with them is D<user>). */
export function dmsTo(slack: FakeSlackApi, user: string): number {
  return slack.messagesIn(`D${user}`).length;
}

export interface PageRow {
  recipient: string;
  state: string;
}

/** The incident's DM pages as the state store has them. */
export async function dmPages(databaseUrl: string): Promise<PageRow[]> {
  return await queryRows<PageRow>(databaseUrl, "SELECT recipient->>'dm' AS recipient, state FROM incident_pages WHERE recipient ? 'dm' ORDER BY recipient->>'dm'");
}

export interface KillableRedis {
  url: string;
  /** SIGKILL: no save, no goodbye to clients. */
  kill(): Promise<void>;
  /** Starts redis-server again on the same port (empty: it keeps no data). */
  restart(): Promise<void>;
}

/** A redis-server of a test's own that can be killed and started again on the same port. */
export async function startKillableRedis(): Promise<KillableRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', os.tmpdir()], { stdio: 'ignore' });
    await waitFor(async () => {
      const r = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
      return r.stdout?.trim() === 'PONG';
    }, 10_000, `redis-server on port ${port}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async kill() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
    restart: start,
  };
}
