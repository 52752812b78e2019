// `npm start` on a machine with no Slack app and no config: the bot runs the playground with its
// built-in demo, and `/diag db` typed on the page diagnoses the bot's own embedded PostgreSQL.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { startBot } from '../../src/start-bot.ts';
import { commandLine, descendants, isAlive } from '../support/bot-process.ts';
import { testBotLogger } from '../support/suite-recording.ts';
import { serverSentEvents } from '../support/server-sent-events.ts';
import { testReplicaGroup } from '../support/test-replica-group.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/main.ts');
/** npm start's node flags, read from package.json, so the process is the one `npm start` makes. */
const START_FLAGS = [...(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.matchAll(/--[a-z-]+=\S+/g)].map((m) => m[0]);

function startFails(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'chatops-playground-cwd-'));
  return new Promise((resolve) => {
    execFile(process.execPath, [...START_FLAGS, MAIN], { cwd, env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stderr });
    });
  });
}

/** The server-sent events of the page: each `data:` parsed. */
async function openEvents(url: string): Promise<{ events: Array<Record<string, unknown>>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${url}events`, { signal: abort.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const events: Array<Record<string, unknown>> = [];
  void (async () => {
    try {
      for await (const event of serverSentEvents(res.body as unknown as AsyncIterable<Uint8Array>)) events.push(event);
    } catch {
      // closed by the test
    }
  })();
  return { events, close: () => abort.abort() };
}

describe('starting the playground', () => {
  it('runs the playground with the built-in demo: the page answers /diag db about the bot\'s own PostgreSQL', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'chatops-playground-cwd-'));
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-playground-data-'));
    const bot = spawn(process.execPath, [...START_FLAGS, MAIN], { cwd, env: { PATH: process.env.PATH, HOME: cwd, CHATOPS_DATA_DIR: dataDir, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    bot.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), (output += c.toString())));
    bot.stderr.on('data', (c: Buffer) => (output += c.toString()));
    try {
      // The plain line npm start prints for a person (the log's JSON line says it too).
      let printed: RegExpExecArray | null = null;
      // initdb of a fresh data dir takes tens of seconds on a loaded machine.
      for (let i = 0; i < 600 && !printed && bot.exitCode === null; i++) {
        await new Promise((r) => setTimeout(r, 200));
        printed = /^playground: (http:\/\/127\.0\.0\.1:(\d+)\/)$/m.exec(stdout);
      }
      expect(printed, output).not.toBeNull();
      const url = printed![1]!;
      expect(stdout).toMatch(/^playground: listening on 127\.0\.0\.1 only/m);
      expect(stdout).toMatch(/^playground: to run in Slack instead, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET \(or SLACK_BOT_TOKEN and SLACK_APP_TOKEN for Socket Mode\); CHATOPS_MODE=slack/m);
      expect(output).toContain('"msg":"playground: http://127.0.0.1:');
      expect(output).not.toContain('missing SLACK_BOT_TOKEN');

      const page = await fetch(url);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('built-in playground demo (src/playground/demo.yml)');
      expect(html).toContain('chatops.example.yml');
      const token = /<meta name="playground-token" content="([^"]+)">/.exec(html)?.[1];
      expect(token).toBeTruthy();
      expect((await fetch(`${url}healthz`)).status).toBe(200);
      expect((await fetch(`${url}readyz`)).status).toBe(200);
      expect(await (await fetch(`${url}metrics`)).text()).toContain('# HELP');

      const stream = await openEvents(url);
      try {
        const typed = await fetch(`${url}api/command`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-playground-token': token! },
          body: JSON.stringify({ channel: 'C0OPS', text: '/diag db' }),
        });
        expect(typed.status).toBe(202);
        // The "running" message is replaced in place by the report, which names the target and its checks.
        let report: Record<string, unknown> | undefined;
        for (let i = 0; i < 300 && !report; i++) {
          await new Promise((r) => setTimeout(r, 200));
          report = stream.events.find((e) => e.type === 'message' && e.created === false && String(e.html).includes('demo-db') && String(e.html).includes('reachable'));
        }
        expect(report, `events: ${JSON.stringify(stream.events).slice(0, 3000)}\noutput:\n${output.slice(-3000)}`).toBeDefined();
        expect(report).toMatchObject({ channel: 'C0OPS', panel: false });
        // The store's password is in the demo's target URL: never on the page nor in the output.
        const password = readFileSync(path.join(dataDir, 'postgres', 'chatops-superuser-password'), 'utf8').trim();
        expect(JSON.stringify(stream.events)).not.toContain(password);
        expect(html).not.toContain(password);
        expect(output).not.toContain(password);
      } finally {
        stream.close();
      }

      // A redis-server of its own for demo-cache, when one is on PATH: stopped with the bot.
      const redis = descendants(bot.pid!).filter((p) => commandLine(p).includes('redis-server'));
      if (html.includes('demo-cache a redis-server of its own')) expect(redis.length).toBe(1);
      else expect(html).toContain('redis-server');
      bot.kill('SIGTERM');
      const [code] = await once(bot, 'exit');
      expect(code, output).toBe(0);
      for (const pid of redis) expect(isAlive(pid)).toBe(false);
    } finally {
      if (bot.exitCode === null && bot.signalCode === null) bot.kill('SIGKILL');
    }
  }, 150_000);

  it('with CHATOPS_MODE=slack stops and names the missing variables instead', async () => {
    const { code, stderr } = await startFails({ CHATOPS_MODE: 'slack' });
    expect(code).toBe(1);
    expect(stderr).toContain('missing SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
    expect(stderr).not.toContain('playground: http');
  });

  it('a CHATOPS_MODE of another value stops naming it and the accepted ones', async () => {
    const { code, stderr } = await startFails({ CHATOPS_MODE: 'bogus' });
    expect(code).toBe(1);
    expect(stderr).toContain('chatops: cannot start: CHATOPS_MODE="bogus" is not accepted: expected slack');
    expect(stderr).toContain('playground');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('a bad playground setting stops naming the variable', async () => {
    const { code, stderr } = await startFails({ CHATOPS_PLAYGROUND_USER: 'alice' });
    expect(code).toBe(1);
    expect(stderr).toContain('chatops: cannot start: CHATOPS_PLAYGROUND_USER="alice" is not accepted');
  });

  it('with CHATOPS_MODE=playground: the user\'s own config instead of the demo, the bot\'s routes on the page\'s port, and a warning when the page is reachable from other machines', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-playground-own-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${MONITORED_URL}\n    timeoutMs: 3000\nheartbeats:\n  nightly: { every: 1h, grace: 5m, channel: C0OPS }\n');
    const bot = await startBot(
      {
        // Slack credentials set, and still the playground: CHATOPS_MODE says so.
        CHATOPS_MODE: 'playground', SLACK_BOT_TOKEN: 'xoxb-not-used', SLACK_SIGNING_SECRET: 'not-used',
        CHATOPS_CONFIG: file, DATABASE_URL: inject('pgUrl'), MONITORED_URL: inject('pgUrl'), CHATOPS_REPLICA_GROUP: testReplicaGroup(),
        PORT: '0', PLAYGROUND_HOST: '0.0.0.0', CHATOPS_PLAYGROUND_USER: 'U0ALICE', ALERTS_TOKEN: 'playground-alerts-token',
      },
      testBotLogger(),
    );
    try {
      expect(bot.mode).toBe('playground');
      expect(bot.services.config.source).toBe(file);
      expect(bot.services.config.targets.map((t) => t.name)).toEqual(['main-db']);
      expect(bot.notice[0]).toMatch(/^playground: http:\/\/0\.0\.0\.0:\d+\/$/);
      expect(bot.notice[1]).toContain('WARNING: listening on 0.0.0.0: the page is reachable from other machines and has no login');
      expect(bot.notice[2]).toContain('SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');

      const page = await fetch(`http://127.0.0.1:${bot.port}/`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`config: ${file}`);
      expect(html).toContain('content="U0ALICE"');
      // Every interface: an address names it, a DNS name other than this machine's does not (rebinding).
      const refused = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: bot.port, path: '/', headers: { host: `attacker.example:${bot.port}` } }, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject);
      });
      expect(refused).toBe(421);

      // The heartbeat route (its name a segment of the path) and health, on the page's port.
      const beat = await fetch(`http://127.0.0.1:${bot.port}/heartbeats/nightly`, { method: 'POST', headers: { authorization: 'Bearer playground-alerts-token' } });
      expect(beat.status).toBe(200);
      expect(await beat.json()).toMatchObject({ status: expect.stringMatching(/recorded|recovered/) });
      const unknown = await fetch(`http://127.0.0.1:${bot.port}/heartbeats/weekly`, { method: 'POST', headers: { authorization: 'Bearer playground-alerts-token' } });
      expect(unknown.status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${bot.port}/readyz`)).status).toBe(200);
    } finally {
      await bot.stop();
    }
  }, 60_000);
});
