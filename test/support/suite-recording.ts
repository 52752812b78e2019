// The whole-suite secret scan (test/global-setup.ts) reads what the suite recorded here: every
// request the fake Slack API received, every line the test bots logged, and the secrets their
// configs and environments held. Each worker process appends to files of its own in the directory
// the global setup names in CHATOPS_TEST_RECORD_DIR; without it (a file run outside the suite's
// setup) nothing is recorded.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { createLogger, type Logger } from '../../src/logger.ts';

export const RECORD_DIR_ENV = 'CHATOPS_TEST_RECORD_DIR';

/** What a recorded file holds: `slack` requests, `log` lines, `secrets` (one JSON line each). */
export type RecordKind = 'slack' | 'log' | 'secrets';

export function recordFile(kind: RecordKind): string | undefined {
  const dir = process.env[RECORD_DIR_ENV];
  return dir ? path.join(dir, `${kind}-${process.pid}.jsonl`) : undefined;
}

/** Appends one request as the fake Slack API received it: path, raw body and the parsed arguments. */
export function recordSlackRequest(pathname: string, rawBody: string, parsed: unknown): void {
  const file = recordFile('slack');
  if (file) appendFileSync(file, `${JSON.stringify({ path: pathname, raw: rawBody, parsed })}\n`);
}

/** Registers secrets the scan must not find anywhere; `source` says where they were configured. */
export function recordSecrets(source: string, secrets: readonly string[]): void {
  const file = recordFile('secrets');
  if (file && secrets.length > 0) appendFileSync(file, secrets.map((secret) => `${JSON.stringify({ source, secret })}\n`).join(''));
}

/**
 * A test bot's logger: every line at debug and above is recorded for the scan; with TEST_BOT_LOG
 * set (a level), lines at that level and above are also printed to stderr.
 */
export function testBotLogger(): Logger {
  const file = recordFile('log');
  const print = process.env.TEST_BOT_LOG;
  const streams: pino.StreamEntry[] = [];
  if (file) streams.push({ level: 'debug', stream: pino.destination({ dest: file, sync: true, append: true }) });
  if (print) streams.push({ level: print as pino.Level, stream: process.stderr });
  if (streams.length === 0) return createLogger({ level: 'silent' });
  return createLogger({ level: file ? 'debug' : print, destination: pino.multistream(streams) });
}
