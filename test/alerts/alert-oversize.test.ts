// A body above 1 MiB on the bot's webhook routes, sent as Alertmanager's Go client sends it: the
// declared length and the whole body written, the answer read after. The bot answers 413 with the
// reason and reads the rest of the body into nothing before it closes the connection, so the
// client reads the answer instead of a reset (closing with a body still arriving resets the
// connection, and the reset takes the answer with it). The same for a refused token. At most
// MAX_DRAINS refused bodies are drained at once: beyond that the connection is closed at once.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { MAX_DRAINS, answerJson } from '../../src/alerts/webhook-request.ts';
import { waitFor } from '../support/wait-for.ts';
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

/** A raw connection that sent a request's head and the first bytes of a 1 MiB body, and waits. */
interface SlowSender {
  socket: net.Socket;
  received: () => string;
  closed: () => boolean;
}

function slowSender(port: number): Promise<SlowSender> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    socket.once('connect', () => {
      socket.write('POST /alerts/alertmanager HTTP/1.1\r\nhost: bot\r\nauthorization: Bearer wrong\r\ncontent-length: 1048576\r\n\r\n{"alerts":[');
      resolve({ socket, received: () => text, closed: () => closed });
    });
    socket.once('error', reject);
  });
}

describe('drains of refused bodies', () => {
  it(`at most ${MAX_DRAINS} at once: beyond that the answer is written and the connection closed at once`, async () => {
    // The routes' own refusal, on a server that refuses every request with its body unread.
    const server = http.createServer((req, res) => answerJson(res, 401, { error: 'unauthorized' }, true));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const senders: SlowSender[] = [];
    try {
      for (let i = 0; i < MAX_DRAINS; i++) {
        const s = await slowSender(port);
        senders.push(s);
        // Answered, and held open while the rest of its body is read into nothing.
        await waitFor(async () => s.received().includes('{"error":"unauthorized"}') || undefined, 10_000, `the answer of sender ${i}`);
      }
      const beyond = await slowSender(port);
      await waitFor(async () => beyond.closed() || undefined, 10_000, 'the connection beyond the cap closed');
      expect(beyond.received()).toMatch(/^HTTP\/1\.1 401 /);
      expect(beyond.received()).toContain('{"error":"unauthorized"}');
      // Every drain under the cap is still open: their bodies have not ended.
      expect(senders.filter((s) => s.closed())).toHaveLength(0);

      // One sender finishes its body: its drain ends and its connection closes, which frees a place.
      const first = senders.shift()!;
      first.socket.write('x'.repeat(1_048_576 - '{"alerts":['.length));
      await waitFor(async () => first.closed() || undefined, 10_000, 'the drained connection closed');
      const next = await slowSender(port);
      senders.push(next);
      await waitFor(async () => next.received().includes('{"error":"unauthorized"}') || undefined, 10_000, 'the answer of the next sender');
      // Full again: the next one beyond the cap is closed at once, the drains stay open.
      const again = await slowSender(port);
      await waitFor(async () => again.closed() || undefined, 10_000, 'the next connection beyond the cap closed');
      expect(next.closed()).toBe(false);
    } finally {
      for (const s of senders) s.socket.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
