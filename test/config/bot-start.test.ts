// The bot at start reads its configuration to the end: it stops naming every problem that is not
// a target's own, and starts with a warning per problem when they all are.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/free-port.ts';
import { startFakeSlackApi } from '../support/fake-slack-api.ts';
import { testReplicaGroup } from '../support/test-replica-group.ts';

const MAIN = path.resolve(import.meta.dirname, '../../src/main.ts');
// Away from the checkout: its chatops.yml is never read.
const CWD = mkdtempSync(path.join(os.tmpdir(), 'chatops-bot-start-cwd-'));

function configFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-bot-start-')), 'chatops.yml');
  writeFileSync(file, text);
  return file;
}

describe('the bot reads its configuration at start', () => {
  it('stops on problems that are not a target\'s own, listing every problem of the file, one per line', async () => {
    const file = configFile('targets:\n  db:\n    kind: postgres\n    url: ${DB_URL}\n  old:\n    kind: oracle\ndigests:\n  morning:\n    cron: "every morning"\n    channel: "#ops"\n');
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, [MAIN], { cwd: CWD, env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CHATOPS_CONFIG: file }, timeout: 30_000 }, (error, _stdout, err) => {
        resolve({ code: error ? Number(error.code) : 0, stderr: err });
      });
    });
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      `chatops: cannot start: ${file}: 4 problems:`,
      expect.stringMatching(/^ {2}targets\.db\.url: environment variable DB_URL is not set/),
      expect.stringMatching(/^ {2}targets\.old\.kind: unknown kind "oracle"; accepted kinds: postgres/),
      expect.stringMatching(/^ {2}digests\.morning\.cron: not a valid cron expression/),
      expect.stringMatching(/^ {2}digests\.morning\.channel: a Slack channel id like C0123ABCD/),
      "chatops: 'chatops config check' lists them again without starting the bot",
      '',
    ]);
  });

  it('starts when every problem is a target\'s own, with a warning per problem in its log', async () => {
    const file = configFile('targets:\n  db:\n    kind: postgres\n    url: ${DB_URL}\n    timeoutMs: 5\n');
    const slack = await startFakeSlackApi();
    const port = await freePort();
    const bot = spawn(process.execPath, [MAIN], {
      cwd: CWD,
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: slack.apiUrl, DATABASE_URL: inject('pgUrl'), PORT: String(port), CHATOPS_CONFIG: file, CHATOPS_REPLICA_GROUP: testReplicaGroup() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    bot.stdout.on('data', (c: Buffer) => (logs += c.toString()));
    bot.stderr.on('data', (c: Buffer) => (logs += c.toString()));
    try {
      let ready: Response | undefined;
      for (let i = 0; i < 300 && !ready?.ok && bot.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 200));
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      }
      expect(ready?.status, logs).toBe(200);
      // The warnings are logged once the bot has started, which /readyz may answer just before.
      const warned = () => logs.split('\n').filter((l) => l.includes('configuration problem')).length >= 2;
      for (let i = 0; i < 100 && !warned() && bot.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      const warnings = logs.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string; target?: string; key?: string }).filter((l) => l.level === 'warn' && l.msg.startsWith('configuration problem'));
      expect(warnings.map((w) => [w.target, w.key])).toEqual([['db', 'targets.db.url'], ['db', 'targets.db.timeoutMs']]);
      expect(warnings[0]!.msg).toMatch(/db is not checked until it is fixed: targets\.db\.url: environment variable DB_URL is not set/);
    } finally {
      bot.kill('SIGTERM');
      await once(bot, 'exit');
      await slack.close();
    }
  }, 90_000);
});
