// The bot as a process: malformed Slack requests and errors that escape a handler never take it
// down, and a bad SHUTDOWN_GRACE_MS is refused at start.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { BOT_SIGNING_SECRET, MAIN, healthz, isAlive, startBotProcess, waitHealthy, type BotProcess } from './support/bot-process.ts';
import { startFakeSocketMode, type FakeSocketMode } from './support/fake-socket-mode.ts';
import { postSigned } from './support/signed-slack-request.ts';
import { readShutdownGraceMs } from '../src/process-safety.ts';

const form = (payload: string) => new URLSearchParams({ payload }).toString();

/** A block_actions payload as Slack sends it, with the user taken out. */
function blockActionsWithoutUser(): string {
  return form(
    JSON.stringify({
      type: 'block_actions',
      team: { id: 'T0FAKE', domain: 'fake' },
      api_app_id: 'A0APP',
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0OPS', is_ephemeral: false },
      channel: { id: 'C0OPS', name: 'ops' },
      message: { type: 'message', ts: '1700000001.000100', text: 'report' },
      response_url: 'http://127.0.0.1:9/respond',
      actions: [{ type: 'button', action_id: 'remedy', block_id: 'b1', value: '{}', action_ts: '1700000002.000200' }],
    }),
  );
}

describe('a running bot process and malformed requests', () => {
  let bot: BotProcess;
  beforeAll(async () => {
    bot = await startBotProcess(inject('pgUrl'), { env: { LOG_LEVEL: 'info' } });
    await waitHealthy(bot);
  });
  afterAll(async () => {
    if (bot.child.exitCode === null) {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
    await bot.slack.close();
  });

  const bodies: Array<[string, string]> = [
    ['payload=null', 'payload=null'],
    ['payload={}', form('{}')],
    ['payload=[]', form('[]')],
    ['payload="x"', form('"x"')],
    ['payload=42', form('42')],
    ['payload=not json', form('not json')],
    ['a block_actions with no user', blockActionsWithoutUser()],
    ['a block_actions with user null', form(JSON.stringify({ type: 'block_actions', user: null, actions: [null] }))],
    ['a view_submission with no view', form(JSON.stringify({ type: 'view_submission', user: { id: 'U0ALICE' } }))],
    ['an empty body', ''],
    ['a slash command with no fields', 'command=%2Fdiag'],
  ];

  it.each(bodies)('survives %s, signed, and keeps answering /healthz', async (_name, body) => {
    const res = await postSigned(bot.url, body, { secret: BOT_SIGNING_SECRET });
    await res.body?.cancel();
    // Whatever the edge answers (400 for a malformed payload), the process must not have died.
    // Give a late rejection of this request the time to surface before looking.
    await new Promise((r) => setTimeout(r, 300));
    expect(isAlive(bot.child.pid!), bot.logs()).toBe(true);
    expect(bot.child.exitCode, bot.logs()).toBeNull();
    expect(await healthz(bot.port)).toBe(200);
  });

  it('still serves a well-formed request after all of them, and never logs the signing secret', async () => {
    for (const [, body] of bodies) {
      const res = await postSigned(bot.url, body, { secret: BOT_SIGNING_SECRET });
      await res.body?.cancel();
    }
    expect(await healthz(bot.port)).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${bot.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(isAlive(bot.child.pid!)).toBe(true);
    expect(bot.logs()).not.toContain(BOT_SIGNING_SECRET);
    expect(bot.logs()).not.toContain('xoxb-bot-process-token');
  });
});

describe('a running bot process in Socket Mode and malformed envelopes', () => {
  // Socket Mode has no HTTP edge in front of the handlers: whatever Slack (or a compromised app
  // token) pushes reaches Bolt as is.
  let bot: BotProcess;
  let socket: FakeSocketMode;
  beforeAll(async () => {
    bot = await startBotProcess(inject('pgUrl'), {
      env: { SLACK_APP_TOKEN: 'xapp-bot-process-app-token', SLACK_SIGNING_SECRET: '' },
      beforeStart: async (env) => {
        socket = await startFakeSocketMode({ upstreamApiUrl: env.SLACK_API_URL! });
        // Answers through response_url go to the fake Slack API, not to the socket stand-in.
        return { SLACK_API_URL: socket.apiUrl, SLACK_RESPONSE_URL_BASE: env.SLACK_API_URL! };
      },
    });
    await waitHealthy(bot);
    await socket.waitForConnections(1);
  });
  afterAll(async () => {
    if (bot.child.exitCode === null) {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
    await socket?.close();
    await bot.slack.close();
  });

  const envelopes: Array<[string, string, unknown]> = [
    ['interactive, payload null', 'interactive', null],
    ['interactive, payload {}', 'interactive', {}],
    ['interactive, payload []', 'interactive', []],
    ['interactive, payload "x"', 'interactive', 'x'],
    ['block_actions with no user', 'interactive', { type: 'block_actions', actions: [{ action_id: 'remedy', value: '{}', action_ts: '1.2' }], container: { channel_id: 'C0OPS' } }],
    ['block_actions with actions null', 'interactive', { type: 'block_actions', user: { id: 'U0ALICE' }, actions: null }],
    ['view_submission with no view', 'interactive', { type: 'view_submission', user: { id: 'U0ALICE' } }],
    ['slash command, payload null', 'slash_commands', null],
    ['slash command with no fields', 'slash_commands', { command: '/diag' }],
    ['events_api, payload null', 'events_api', null],
  ];

  it.each(envelopes)('survives %s and keeps answering /healthz', async (_name, type, payload) => {
    socket.push({ type, payload: payload as Record<string, unknown>, accepts_response_payload: type === 'slash_commands' });
    await new Promise((r) => setTimeout(r, 400));
    expect(isAlive(bot.child.pid!), bot.logs()).toBe(true);
    expect(bot.child.exitCode, bot.logs()).toBeNull();
    expect(await healthz(bot.port)).toBe(200);
  });

  it('still answers a well-formed /diag over the socket after all of them', async () => {
    const id = socket.pushSlashCommand({ command: '/diag', text: 'nosuch', responseUrl: bot.slack.responseUrl('after-malformed') });
    await socket.waitForAck(id);
    await bot.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'after-malformed'), 10_000);
    expect(bot.logs()).not.toContain('xapp-bot-process-app-token');
  });
});

/** Runs a module in a fresh node process and returns its exit code and output. */
function runScript(source: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--input-type=module', '-e', source], { timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

describe('the crash guards of src/main.ts', () => {
  const src = (file: string) => JSON.stringify(path.resolve(import.meta.dirname, '../src', file));

  it('log a rejection and an exception that escaped, without their secrets, and keep the process running', async () => {
    const { code, stdout, stderr } = await runScript(`
      import { createLogger } from ${src('logger.ts')};
      import { installCrashGuards } from ${src('process-safety.ts')};
      installCrashGuards(createLogger());
      Promise.reject(new TypeError("Cannot read properties of null (reading 'user') at postgres://app:hunter2-secret@db:5432/x"));
      Promise.reject(undefined);
      setTimeout(() => { throw new Error('thrown from a timer'); }, 10);
      // Still running after both: the process says so itself, then ends normally.
      setTimeout(() => { process.stdout.write(JSON.stringify({ msg: 'still alive' }) + '\\n'); }, 200);
    `);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const msgs = lines.map((l) => l.msg);
    expect(msgs.filter((m) => m === 'unhandled promise rejection (the bot keeps running)')).toHaveLength(2);
    expect(msgs).toContain('uncaught exception (the bot keeps running)');
    expect(msgs.at(-1)).toBe('still alive');
    expect(stdout).toContain("Cannot read properties of null (reading 'user')");
    expect(stdout).toContain('thrown from a timer');
    expect(stdout).not.toContain('hunter2-secret');
  });
});

describe('SHUTDOWN_GRACE_MS', () => {
  it('defaults to 25 s, under the 30 s Kubernetes gives a pod between SIGTERM and SIGKILL', () => {
    expect(readShutdownGraceMs({})).toBe(25_000);
    expect(readShutdownGraceMs({ SHUTDOWN_GRACE_MS: '' })).toBe(25_000);
    expect(readShutdownGraceMs({ SHUTDOWN_GRACE_MS: '5000' })).toBe(5_000);
  });

  it.each(['abc', '-5', '1.5', '0', '99', '99999999', '1e4'])('refuses %j, naming the value and what is accepted', (value) => {
    expect(() => readShutdownGraceMs({ SHUTDOWN_GRACE_MS: value })).toThrow(`SHUTDOWN_GRACE_MS=${JSON.stringify(value)} is not accepted: expected a whole number of milliseconds from 100 to 3600000`);
  });

  it('a bad value stops the bot at start with that message', async () => {
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [MAIN],
        { env: { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SHUTDOWN_GRACE_MS: '10s' }, timeout: 20_000 },
        (error, _o, err) => resolve({ code: error ? Number(error.code) : 0, stderr: err }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toContain('chatops: cannot start: SHUTDOWN_GRACE_MS="10s" is not accepted');
  });
});
