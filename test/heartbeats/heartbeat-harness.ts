// The real bot with heartbeats configured (ALERTS_TOKEN set), on a store of its own, seeing the
// time of a clock the test moves: what a test needs to beat as a cron job does (POST with the
// bearer token) and to wait until a heartbeat's message shows its latest state.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import type pg from 'pg';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Clock } from '../../src/incidents/clock.ts';
import { configSecrets } from '../../src/security/config-secrets.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { recordSecrets, testBotLogger } from '../support/suite-recording.ts';
import { BOT_TOKEN } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

export const ALERTS_TOKEN = 'hb-webhook-token-3d9e1f7a5c2b4e6d';
export const SIGNING_SECRET = 'test-signing-secret';

export const HEARTBEATS_CONFIG = `heartbeats:
  nightly-backup: { every: 1h, grace: 10m, channel: C0OPS }
  watchdog: { every: 1m, grace: 2m, channel: C0ALERTS }
  never-ran: { every: 10m, grace: 5m, channel: C0NEVER }
`;

/** A clock the test moves by hand; it starts at a fixed time of day so the messages' HH:MM are known. */
export class FakeClock implements Clock {
  #ms: number;
  constructor(start: Date) {
    this.#ms = start.getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
}

/** The real bot, in-process (as test/support/test-bot.ts starts it), with `clock` for its heartbeats. */
export async function startHeartbeatBot(env: Record<string, string>, clock: Clock, config = HEARTBEATS_CONFIG): Promise<RunningBot> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-heartbeats-'));
  const configFile = path.join(dir, 'chatops.yml');
  writeFileSync(configFile, config);
  const fullEnv = { SLACK_BOT_TOKEN: BOT_TOKEN, CHATOPS_CONFIG: configFile, ALERTS_TOKEN, ...env };
  recordSecrets(`a heartbeat test bot (${expect.getState().testPath ?? 'unknown file'})`, [...configSecrets(loadConfig({ file: configFile, env: fullEnv }), fullEnv), ALERTS_TOKEN]);
  return await startBot(fullEnv, testBotLogger(), { clock });
}

/** POSTs a beat as a cron job does; `token` null: no Authorization header. */
export async function beat(port: number, name: string, token: string | null = ALERTS_TOKEN, body?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/heartbeats/${name}`, {
    method: 'POST',
    headers: { 'user-agent': 'curl/8.5.0', ...(token !== null && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body }),
  });
  const text = await res.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

export interface HeartbeatDbRow {
  name: string;
  status: string;
  outage: number;
  version: number;
  shown_version: number;
  watched_since: Date;
  last_beat_at: Date | null;
  message_ts: string | null;
  message_outage: number | null;
  posting_since: Date | null;
}

export async function heartbeatRow(pool: pg.Pool, name: string): Promise<HeartbeatDbRow | undefined> {
  return (await pool.query<HeartbeatDbRow>('SELECT * FROM heartbeats WHERE name = $1', [name])).rows[0];
}

/** The heartbeat's row once its message shows its latest state. */
export async function shown(pool: pg.Pool, name: string): Promise<HeartbeatDbRow> {
  return await waitFor(async () => {
    const r = await heartbeatRow(pool, name);
    return r && r.version === r.shown_version ? r : undefined;
  }, 20_000, `heartbeat ${name} shown`);
}
