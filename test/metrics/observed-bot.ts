// The real bot in-process for the metrics tests, like test-bot.ts's, with its log lines kept for
// the test (and still recorded for the whole-suite secret scan), and its /metrics scraped and
// parsed: the exposition text as Prometheus reads it.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect, inject } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createLogger } from '../../src/logger.ts';
import { configSecrets } from '../../src/security/config-secrets.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { recordFile, recordSecrets } from '../support/suite-recording.ts';
import { BOT_TOKEN } from '../support/test-bot.ts';
import { testReplicaGroup } from '../support/test-replica-group.ts';

export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface ObservedBot {
  bot: RunningBot;
  /** Every line the bot logged (debug and up), parsed. */
  lines: LogLine[];
  /** GET /metrics, parsed. */
  scrape(): Promise<Scrape>;
  stop(): Promise<void>;
}

export interface Scrape {
  text: string;
  /** `# TYPE` of each family. */
  types: Map<string, string>;
  /** The sample's value, 0 when the scrape has no such sample. */
  value(name: string, labels?: Record<string, string>): number;
}

export async function startObservedBot(env: Record<string, string>, config: string): Promise<ObservedBot> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-bot-'));
  const configFile = path.join(dir, 'chatops.yml');
  writeFileSync(configFile, config);
  const fullEnv = { SLACK_BOT_TOKEN: BOT_TOKEN, DATABASE_URL: inject('pgUrl'), MONITORED_URL: inject('pgUrl'), CHATOPS_CONFIG: configFile, CHATOPS_REPLICA_GROUP: testReplicaGroup(), ...env };
  recordSecrets(`a metrics test bot's config and environment (${expect.getState().testPath ?? 'unknown file'})`, configSecrets(loadConfig({ file: configFile, env: fullEnv }), fullEnv));
  const lines: LogLine[] = [];
  const record = recordFile('log');
  const destination = new Writable({
    write(chunk, _encoding, done) {
      const text = String(chunk);
      if (record) appendFileSync(record, text);
      for (const line of text.split('\n')) if (line.trim()) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const bot = await startBot(fullEnv, createLogger({ level: 'debug', destination }));
  const base = `http://127.0.0.1:${bot.port}`;
  return {
    bot,
    lines,
    async scrape() {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      return parseScrape(await res.text());
    },
    stop: () => bot.stop(),
  };
}

export function parseScrape(text: string): Scrape {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(sampleKey(m[1]!, parseLabels(m[3] ?? '')), Number(m[4]));
  }
  return {
    text,
    types,
    value: (name, labels = {}) => samples.get(sampleKey(name, labels)) ?? 0,
  };
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return out;
}

function sampleKey(name: string, labels: Record<string, string>): string {
  return `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)))}`;
}

/** Every metric name a scrape can answer for: each family, and a histogram's _bucket, _sum and _count series. */
export function exportedNames(scrape: Scrape): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of scrape.types) {
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}
