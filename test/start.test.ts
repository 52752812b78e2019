// `npm start` on a machine that is not set up yet: a message, not a stack trace.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { freePort } from '../src/free-port.ts';
import { startFakeSlackApi } from './support/fake-slack-api.ts';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { testReplicaGroup } from './support/test-replica-group.ts';

const MAIN = path.resolve(import.meta.dirname, '../src/main.ts');
// Started away from the checkout: a chatops.yml there (the README's quick start makes one) must not
// be what these bots read.
const CWD = mkdtempSync(path.join(os.tmpdir(), 'chatops-start-cwd-'));

function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN], { cwd: CWD, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stderr });
    });
  });
}

describe('starting the bot', () => {
  it('with CHATOPS_MODE=slack and without Slack credentials names the missing variables and where they come from', async () => {
    const { code, stderr } = await start({ CHATOPS_MODE: 'slack' });
    expect(code).toBe(1);
    expect(stderr).toContain('missing SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
    expect(stderr).toContain('manifest.yml');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('with a bad config file names the key and stops before touching anything', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-start-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  db:\n    kind: oracle\n    url: x\n');
    const { code, stderr } = await start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CHATOPS_CONFIG: file });
    expect(code).toBe(1);
    expect(stderr).toContain('targets.db.kind: unknown kind "oracle"; accepted kinds: postgres');
    expect(stderr).not.toContain('xoxb-1');
  });

  it('a PromQL query naming a runbook that does not exist stops the start, naming the key and the known ids', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-start-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, `targets:
  prom:
    kind: prometheus
    url: http://127.0.0.1:9
    queries:
      - { name: errors, expression: 'sum(rate(x[5m]))', warn: 1, crit: 2, runbook: no-such-runbook }
`);
    const { code, stderr } = await start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CHATOPS_CONFIG: file });
    expect(code).toBe(1);
    expect(stderr).toContain('targets.prom.queries[0].runbook: no runbook has the id "no-such-runbook"');
    expect(stderr).toContain('prometheus-queries');
  });

  it('stops with a clear message when Slack rejects the token or cannot be reached', async () => {
    const slack = await startFakeSlackApi();
    slack.failNext('auth.test', 'invalid_auth');
    const rejected = await start({ SLACK_BOT_TOKEN: 'xoxb-bad-token-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: slack.apiUrl, DATABASE_URL: inject('pgUrl'), CHATOPS_REPLICA_GROUP: testReplicaGroup(), PORT: '0' });
    await slack.close();
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('SLACK_BOT_TOKEN was rejected by Slack (invalid_auth)');
    expect(rejected.stderr).not.toContain('xoxb-bad-token-1');

    const unreachable = await start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: 'http://127.0.0.1:9/api/', DATABASE_URL: inject('pgUrl'), CHATOPS_REPLICA_GROUP: testReplicaGroup(), PORT: '0' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach the Slack Web API at http://127.0.0.1:9/api/');
    expect(unreachable.stderr).not.toMatch(/\n\s+at /);
  }, 90_000); // two bot starts

  it('stops with a clear message when PORT is taken', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const slack = await startFakeSlackApi();
    try {
      const { code, stderr } = await start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: slack.apiUrl, DATABASE_URL: inject('pgUrl'), CHATOPS_REPLICA_GROUP: testReplicaGroup(), PORT: String(port) });
      expect(code).toBe(1);
      expect(stderr).toContain(`PORT=${port}: the port is already in use`);
    } finally {
      taken.close();
      await slack.close();
    }
  });

  it('with credentials and no DATABASE_URL: starts an embedded store, is ready, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-start-data-'));
    const port = await freePort();
    const slack = await startFakeSlackApi();
    const bot = spawn(process.execPath, [MAIN], {
      cwd: CWD,
      env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: slack.apiUrl, PORT: String(port), CHATOPS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    bot.stdout.on('data', (c: Buffer) => (logs += c.toString()));
    bot.stderr.on('data', (c: Buffer) => (logs += c.toString()));
    let ready: Response | undefined;
    // initdb of a fresh data dir takes tens of seconds on a loaded machine.
    for (let i = 0; i < 450 && !ready?.ok && bot.exitCode === null; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    }
    expect(ready?.status, logs).toBe(200);
    expect(logs).toContain('DATABASE_URL is not set: starting an embedded PostgreSQL');
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);
    const postmaster = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    // The store is on a Unix socket in the data dir (no TCP), with a random password never logged.
    expect(logs).toContain('embedded PostgreSQL is running on a Unix socket in its data dir (no TCP)');
    const pgPort = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
    expect(existsSync(path.join(dataDir, 'postgres', `.s.PGSQL.${pgPort}`))).toBe(true);
    const refused = await new Promise<boolean>((resolve) => {
      const s = net.connect(pgPort, '127.0.0.1').once('connect', () => (s.destroy(), resolve(false))).once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    const password = readFileSync(path.join(dataDir, 'postgres', 'chatops-superuser-password'), 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(logs).not.toContain(password);

    bot.kill('SIGTERM');
    const [code] = await once(bot, 'exit');
    expect(code, logs).toBe(0);
    expect(logs).toContain('shutting down');
    expect(() => process.kill(postmaster, 0)).toThrow(); // the embedded server is gone
    await slack.close();
  }, 150_000);
});
