// A body above 1 MiB on the bot's webhook routes, sent as Alertmanager's Go client sends it: the
// declared length and the whole body written, the answer read after. The bot answers 413 with the
// reason and reads the rest of the body into nothing before it closes the connection, so the
// client reads the answer instead of a reset (closing with a body still arriving resets the
// connection, and the reset takes the answer with it). The same for a refused token.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { ALERTS_TOKEN, startAlertBot } from './alert-harness.ts';
import { postgresDownFiring } from './alertmanager-payloads.ts';

let slack: FakeSlackApi;
let bot: RunningBot;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  bot = await startAlertBot(slack.apiUrl, await freshDatabaseUrl('alerts_oversize'));
});
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
});

interface Answer {
  status: number;
  /** The body was written whole, without a reset or a broken pipe (the bot read it to its end). */
  written: boolean;
  connection: string | undefined;
  body: Record<string, unknown>;
}

/**
 * POSTs `body` whole, with its length declared (no Expect: 100-continue), on a fresh connection,
 * and reads the answer only once all of it is written: a client busy writing (Go's transport
 * writes the body whole and reads the answer from the same connection) meets a reset then.
 */
function postWhole(body: Buffer, token: string, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: bot.port,
      path: '/alerts/alertmanager',
      method: 'POST',
      agent: false,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length }), 'user-agent': 'Alertmanager/0.27.0' },
    });
    req.on('socket', (socket) => {
      socket.pause();
      req.once('finish', () => setTimeout(() => socket.resume(), 50));
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const answer = { status: res.statusCode ?? 0, connection: res.headers.connection, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> };
        // The connection's close, once the answer is read: clean, or a reset of the body's write.
        res.socket.once('close', (hadError: boolean) => resolve({ ...answer, written: finished && !hadError && !failed }));
        if (res.socket.destroyed) resolve({ ...answer, written: finished && !failed });
      });
      res.on('error', reject);
    });
    let finished = false;
    let failed = false;
    req.once('finish', () => (finished = true));
    // A reset before the answer was read is the failure this file is about; one after it, a body
    // the bot did not read to its end.
    req.on('error', (err) => {
      failed = true;
      reject(err);
    });
    if (!chunked) return void req.end(body);
    // In pieces, as a sender streaming its body does: the answer comes once 1 MiB is read.
    for (let at = 0; at < body.length; at += 64 * 1024) req.write(body.subarray(at, at + 64 * 1024));
    req.end();
  });
}

/** A real notification padded to `bytes` with a long description: JSON, just too big. */
function paddedNotification(bytes: number): Buffer {
  const p = postgresDownFiring();
  const base = Buffer.byteLength(JSON.stringify({ ...p, commonAnnotations: { description: '' } }));
  return Buffer.from(JSON.stringify({ ...p, commonAnnotations: { description: 'x'.repeat(bytes - base) } }));
}

describe('a body above 1 MiB', () => {
  it('a 2 MiB POST sent whole reads its 413 with the reason, every time, and nothing is recorded', async () => {
    const body = paddedNotification(2 * 1024 * 1024);
    expect(body.length).toBe(2 * 1024 * 1024);
    // Several times over, some at once: a reset is a race the client loses only sometimes.
    const answers = [...(await Promise.all([1, 2, 3].map(() => postWhole(body, ALERTS_TOKEN))))];
    for (let i = 0; i < 5; i++) answers.push(await postWhole(body, ALERTS_TOKEN));
    for (const a of answers) {
      expect(a.status).toBe(413);
      expect(a.connection).toBe('close');
      expect(a.written).toBe(true);
      expect(String(a.body.error)).toBe('body too large: at most 1 MiB (lower max_alerts on the receiver)');
    }
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a 2 MiB chunked POST sent whole reads its 413 too (refused once 1 MiB is read, the rest drained)', async () => {
    const body = paddedNotification(2 * 1024 * 1024);
    for (let i = 0; i < 5; i++) {
      const a = await postWhole(body, ALERTS_TOKEN, true);
      expect(a.status).toBe(413);
      expect(String(a.body.error)).toMatch(/^body too large: at most 1 MiB/);
      expect(a.written).toBe(true);
    }
  });

  it('a 2 MiB POST with a wrong token reads its 401 (the body is not read, but drained before the close)', async () => {
    const body = paddedNotification(2 * 1024 * 1024);
    for (let i = 0; i < 3; i++) {
      const a = await postWhole(body, 'not-the-token-at-all');
      expect(a.status).toBe(401);
      expect(String(a.body.error)).toMatch(/^unauthorized: send Authorization: Bearer/);
    }
  });

  it('the bot still answers a notification of the right size afterwards', async () => {
    const a = await postWhole(Buffer.from(JSON.stringify(postgresDownFiring())), ALERTS_TOKEN);
    expect(a).toMatchObject({ status: 200, body: { status: 'recorded' } });
  });
});
