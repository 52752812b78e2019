// The playground's HTTP server over a real workspace, transport and playground bot: the page, its
// assets, the event stream (replay, then live), files, the page's actions, and every refusal that
// keeps another site (or a DNS-rebinding page) from driving the bot.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.ts';
import type { AppServices } from '../../src/app-services.ts';
import { createLogger } from '../../src/logger.ts';
import { simpleMessage } from '../../src/message/message.ts';
import { PlaygroundBot } from '../../src/playground/playground-bot.ts';
import { MAX_BODY_BYTES, PlaygroundServer } from '../../src/playground/playground-server.ts';
import { createPlaygroundTransport } from '../../src/playground/playground-transport.ts';
import { PlaygroundWorkspace } from '../../src/playground/playground-workspace.ts';
import { serverSentEvents } from '../support/server-sent-events.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

const TOKEN = 'test-token-of-this-page';
const log = createLogger({ level: 'silent' });
const workspace = new PlaygroundWorkspace({
  channels: [{ id: 'C0OPS', name: 'ops' }, { id: 'C0INCIDENTS', name: 'incidents' }],
  people: new Map([['U0YOU', 'you'], ['U0ONCALL', 'oncall (placeholder)']]),
});
const transport = createPlaygroundTransport({ workspace, signer: TEST_SIGNER, secrets: ['hunter2-secret'] });
// The refusals and the unknown command below are answered before any service is used.
const bot = new PlaygroundBot({ workspace, transport, services: {} as AppServices, commands: COMMANDS, signer: TEST_SIGNER, user: 'U0YOU', log });
let server: PlaygroundServer;
const beats: string[] = [];

beforeAll(async () => {
  server = await PlaygroundServer.start({
    workspace, bot, log, token: TOKEN,
    user: { id: 'U0YOU', name: 'you' },
    host: '127.0.0.1',
    port: 0,
    title: 'chatops playground',
    banner: { config: 'config: a test', lines: ['a line of the banner'] },
    routes: [
      { path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}') },
      {
        path: '/heartbeats/:name',
        method: ['POST'],
        handler: (req, res) => {
          beats.push((req as http.IncomingMessage & { params?: Record<string, string> }).params?.name ?? '');
          req.resume();
          res.writeHead(200).end();
        },
      },
    ],
  });
});

afterAll(async () => {
  await server?.close();
  await bot.settled();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request: unlike fetch, it can send any Host header. */
function request(method: string, path: string, o: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers: { host: `127.0.0.1:${server.port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

/** A POST whose body goes in chunks without a content-length, as a streaming client sends it. */
function requestChunked(path: string, chunks: Buffer[]): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path, headers: { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json', 'x-playground-token': TOKEN, 'transfer-encoding': 'chunked' } }, (res) => {
      const got: Buffer[] = [];
      res.on('data', (c: Buffer) => got.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(got).toString('utf8') }));
    });
    req.on('error', reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request('POST', path, { headers: { 'content-type': 'application/json', 'x-playground-token': TOKEN, ...headers }, body: JSON.stringify(body) });
}

/** The event stream as the page reads it: every `data:` event, parsed. */
async function openEvents(): Promise<{ events: Array<Record<string, unknown>>; until(test: (e: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>; close(): void; headers: Headers }> {
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${server.port}/events`, { signal: abort.signal });
  const events: Array<Record<string, unknown>> = [];
  const waiting = new Set<() => void>();
  void (async () => {
    try {
      for await (const event of serverSentEvents(res.body as unknown as AsyncIterable<Uint8Array>)) {
        events.push(event);
        for (const w of waiting) w();
      }
    } catch {
      // aborted
    }
  })();
  return {
    events,
    headers: res.headers,
    async until(test, what) {
      for (let i = 0; i < 200; i++) {
        const found = events.find(test);
        if (found) return found;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiting.delete(wake);
            resolve();
          };
          waiting.add(wake);
          setTimeout(wake, 100);
        });
      }
      throw new Error(`no event ${what} within 20 s; got ${JSON.stringify(events).slice(0, 2000)}`);
    },
    close: () => abort.abort(),
  };
}

describe('the playground server', () => {
  it('serves the page with its token and the security headers, and the two assets only', async () => {
    const page = await request('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`content="${TOKEN}"`);
    expect(page.body).toContain('config: a test');
    expect(page.body).toContain(`http://127.0.0.1:${server.port}/`);
    expect(page.headers['content-security-policy']).toBe("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');

    const js = await request('GET', '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await request('GET', '/assets/app.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const path of ['/assets/playground-server.ts', '/assets/..%2fplayground-server.ts', '/assets/%2e%2e/render-page.ts', '/assets/', '/assets/app.js/..', '/nothing-here', '/api']) {
      const refused = await request('GET', path);
      expect(refused.status, path).toBe(404);
      expect(refused.body, path).not.toContain('import ');
    }
  });

  it('answers only to its own name in the Host header (DNS rebinding)', async () => {
    expect((await request('GET', '/', { headers: { host: `localhost:${server.port}` } })).status).toBe(200);
    for (const host of [`evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, 'localhost', `127.0.0.1.nip.io:${server.port}`]) {
      const refused = await request('GET', '/', { headers: { host } });
      expect(refused.status, host).toBe(421);
      expect(JSON.parse(refused.body).error, host).toContain(`127.0.0.1:${server.port}`);
      expect(refused.body).not.toContain(TOKEN);
    }
    // The bot's own routes, the event stream and the files are behind the same check.
    await transport.channelPoster.uploadPng('C0OPS', Buffer.from([0x89, 0x50, 0x4e, 0x47]), { filename: 'host.png', title: 'Host' });
    const file = workspace.messages().at(-1)!.files![0]!;
    for (const path of ['/healthz', '/events', `/files/${file.id}`]) {
      const refused = await request('GET', path, { headers: { host: `evil.example:${server.port}` } });
      expect(refused.status, path).toBe(421);
      expect(refused.body, path).not.toContain('Host</');
    }
    expect((await request('GET', '/healthz')).status).toBe(200);
    expect((await request('GET', `/files/${file.id}`)).status).toBe(200);
  });

  it('never allows another origin to read an answer (no CORS header), whatever Origin a request names', async () => {
    const origin = { origin: 'https://evil.example' };
    const answers = [
      await request('GET', '/', { headers: origin }),
      await request('GET', '/assets/app.js', { headers: origin }),
      await request('OPTIONS', '/api/command', { headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-playground-token' } }),
      await post('/api/command', { channel: 'C0OPS', text: '/nosuchcommand' }, origin),
    ];
    const stream = await fetch(`http://127.0.0.1:${server.port}/events`, { headers: origin });
    try {
      expect(stream.status).toBe(200);
      expect([...stream.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    } finally {
      await stream.body?.cancel();
    }
    for (const a of answers) expect(Object.keys(a.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    // A preflight is not answered as allowed: a page of another origin cannot send the token header.
    expect(answers[2]!.status).toBe(404);
  });

  it('closes with a page still reading its event stream: the stream ends and nothing keeps the port', async () => {
    const own = await PlaygroundServer.start({ workspace, bot, log, token: TOKEN, user: { id: 'U0YOU', name: 'you' }, host: '127.0.0.1', port: 0, title: 't', banner: { config: 'c', lines: [] } });
    const res = await fetch(`http://127.0.0.1:${own.port}/events`);
    const reader = res.body!.getReader();
    await reader.read();
    await own.close();
    // Whatever was replayed is read to its end: the server ended the stream rather than leaving it open.
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read());
    await expect(fetch(`http://127.0.0.1:${own.port}/`)).rejects.toThrow();
  });

  it('serves the extra routes with their named segments', async () => {
    const res = await request('POST', '/heartbeats/nightly-backup');
    expect(res.status).toBe(200);
    expect(beats).toContain('nightly-backup');
  });

  it('replays what the user may see in ts order, then sends each change live, never another user\'s private message', async () => {
    const top = await transport.channelPoster.post('C0OPS', simpleMessage('first in #ops, with hunter2-secret'));
    await transport.channelPoster.reply(top, simpleMessage('a reply in its thread'));
    await transport.replier({ channel: 'C0OPS', user: 'U0OTHER' }).ephemeral(simpleMessage('only for U0OTHER'));
    await transport.replier({ channel: 'C0OPS', user: 'U0YOU' }).ephemeral(simpleMessage('only for you'));
    await transport.channelPoster.post('U0ONCALL', simpleMessage('a page to the on-call'));
    await transport.channelPoster.uploadPng('C0OPS', Buffer.from([0x89, 0x50, 0x4e, 0x47]), { filename: 'chart.png', title: 'A chart' });

    const stream = await openEvents();
    try {
      expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      await stream.until((e) => String(e.html).includes('A chart'), 'for the chart');
      const replayed = stream.events.filter((e) => e.type === 'message');
      const all = workspace.messages();
      expect(replayed.map((e) => e.ts)).toEqual(all.filter((m) => m.ephemeralTo !== 'U0OTHER').map((m) => m.ts));
      expect(JSON.stringify(stream.events)).not.toContain('only for U0OTHER');
      expect(JSON.stringify(stream.events)).not.toContain('hunter2-secret');
      const reply = replayed.find((e) => String(e.html).includes('a reply in its thread'))!;
      expect(reply).toMatchObject({ channel: 'C0OPS', threadTs: top.ts, panel: false, ephemeral: false, created: true });
      expect(replayed.find((e) => String(e.html).includes('only for you'))).toMatchObject({ ephemeral: true, panel: false });
      expect(replayed.find((e) => String(e.html).includes('a page to the on-call'))).toMatchObject({ channel: 'U0ONCALL', panel: true });

      // Live: a command typed on the page is answered on the stream.
      const typed = await post('/api/command', { channel: 'C0OPS', text: '/nosuchcommand now' });
      expect(typed.status).toBe(202);
      expect(JSON.parse(typed.body)).toEqual({ ok: true });
      const answer = await stream.until((e) => String(e.html).includes('nosuchcommand'), 'answering the unknown command');
      expect(answer).toMatchObject({ type: 'message', channel: 'C0OPS', ephemeral: true, created: true });
      // An update in place comes as the same ts, not created.
      const posted = await transport.replier({ channel: 'C0OPS', user: 'U0YOU' }).post(simpleMessage('running…'));
      await posted.update(simpleMessage('done now'));
      const updated = await stream.until((e) => String(e.html).includes('done now'), 'for the update');
      expect(updated.created).toBe(false);
      const running = stream.events.find((e) => String(e.html).includes('running…'))!;
      expect(running.ts).toBe(updated.ts);
      // Each version of a message is named (a press says which one it was made on).
      expect(updated.version).toBe(workspace.message(updated.ts as string)!.nonce);
      expect(running.version).not.toBe(updated.version);
    } finally {
      stream.close();
    }
  });

  it('serves an uploaded file with its content type; an unknown id is 404', async () => {
    await transport.channelPoster.uploadPng('C0OPS', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2]), { filename: 'trend.png', title: 'Trend' });
    const file = workspace.messages().flatMap((m) => m.files ?? []).find((f) => f.filename === 'trend.png')!;
    const res = await fetch(`http://127.0.0.1:${server.port}/files/${file.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2]));
    expect((await request('GET', '/files/FNOSUCHFILE')).status).toBe(404);
    // A file of another user's private message is not this page's to read.
    const theirs = workspace.post({ channel: 'C0OPS', ephemeralTo: 'U0OTHER', message: simpleMessage('for U0OTHER only'), buttons: [], nonce: 'n', files: [{ id: 'FTHEIRS1', title: 'Theirs', filename: 'theirs.txt', contentType: 'text/plain', bytes: Buffer.from('private') }] });
    const refused = await request('GET', '/files/FTHEIRS1');
    expect(refused.status).toBe(404);
    expect(refused.body).not.toContain('private');
    expect(JSON.parse(refused.body).error).toContain('FTHEIRS1');
    workspace.replace(theirs.ts, { message: simpleMessage('for U0OTHER only'), buttons: [], nonce: 'n2', files: [] });
    expect((await request('GET', '/files/..%2f..%2fpackage.json')).status).toBe(404);
  });

  it('refuses a POST without the page\'s token, with another content type, too large, or not valid JSON', async () => {
    const body = { channel: 'C0OPS', text: '/diag db' };
    const noToken = await request('POST', '/api/command', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(noToken.status).toBe(403);
    expect(JSON.parse(noToken.body).error).toContain('x-playground-token');
    expect((await post('/api/command', body, { 'x-playground-token': `${TOKEN}x` })).status).toBe(403);

    const form = await request('POST', '/api/command', { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-playground-token': TOKEN }, body: 'channel=C0OPS&text=/diag' });
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body).error).toContain('application/json');
    const plain = await request('POST', '/api/command', { headers: { 'content-type': 'text/plain', 'x-playground-token': TOKEN }, body: JSON.stringify(body) });
    expect(plain.status).toBe(415);

    const huge = await post('/api/command', { channel: 'C0OPS', text: 'x'.repeat(MAX_BODY_BYTES) });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).error).toContain(String(MAX_BODY_BYTES));

    // Without a content-length (chunked), the limit is found while reading: still answered, not a reset connection.
    const chunked = await requestChunked('/api/command', [Buffer.from('{"channel":"C0OPS","text":"'), Buffer.alloc(MAX_BODY_BYTES, 'x'), Buffer.from('"}')]);
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error).toContain(String(MAX_BODY_BYTES));

    const broken = await request('POST', '/api/command', { headers: { 'content-type': 'application/json', 'x-playground-token': TOKEN }, body: '{"channel":' });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error).toMatch(/^the body is not valid JSON \(.+\): send a JSON object$/);
    const list = await request('POST', '/api/command', { headers: { 'content-type': 'application/json', 'x-playground-token': TOKEN }, body: '[]' });
    expect(list.status).toBe(400);
    expect(JSON.parse(list.body).error).toBe('the body must be a JSON object, got an array');
    expect(JSON.parse(huge.body).error).toMatch(/^body too large: \d+ bytes, at most 65536 are accepted$/);
  });

  it('refuses a body of the wrong shape naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/api/command', { text: '/diag db' }, 'channel'],
      ['/api/command', { channel: 'C0OPS', text: 42 }, 'text'],
      ['/api/press', { ts: '1.2', button: 'first', version: 'v' }, 'button'],
      ['/api/press', { ts: '1.2', button: -1, version: 'v' }, 'button'],
      ['/api/press', { button: 0, version: 'v' }, 'ts'],
      ['/api/press', { ts: '1.2', button: 0 }, 'version'],
      ['/api/dialog', { dialog: 'D1', values: { block: { action: 3 } } }, 'values'],
      ['/api/dialog', { values: {} }, 'dialog'],
      ['/api/dialog/close', {}, 'dialog'],
    ];
    for (const [path, body, name] of cases) {
      const res = await post(path, body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(JSON.parse(res.body).error, path).toMatch(new RegExp(`^${name}: expected`));
    }
    const unknownApi = await post('/api/nothing', {});
    expect(unknownApi.status).toBe(404);
    expect(JSON.parse(unknownApi.body).error).toContain('not found: POST /api/nothing; the page posts to /api/command');
    // Any other route or asset: named, with the ones there are.
    const elsewhere = await request('GET', '/admin');
    expect(JSON.parse(elsewhere.body).error).toMatch(/^not found: GET \/admin; the page's routes are GET \/, .*POST \/api\/command/);
    const asset = await request('GET', '/assets/nope.js');
    expect(JSON.parse(asset.body).error).toBe('no asset "nope.js": the assets are app.js and app.css');
  });

  it('answers the bot\'s refusals as 400 naming what was wrong', async () => {
    const press = await post('/api/press', { ts: '1234.567890', button: 0, version: 'v' });
    expect(press.status).toBe(400);
    expect(JSON.parse(press.body).error).toContain('1234.567890');
    const channel = await post('/api/command', { channel: 'C0NOPE', text: '/diag db' });
    expect(channel.status).toBe(400);
    expect(JSON.parse(channel.body).error).toContain('C0NOPE');
    const dialog = await post('/api/dialog', { dialog: 'DNOSUCH', values: {} });
    expect(dialog.status).toBe(400);
    expect(JSON.parse(dialog.body).error).toContain('DNOSUCH');
    const close = await post('/api/dialog/close', { dialog: 'DNOSUCH' });
    expect(close.status).toBe(400);
    // A button index past the message's buttons.
    const plain = await transport.channelPoster.post('C0OPS', simpleMessage('no buttons here'));
    const version = workspace.message(plain.ts)!.nonce;
    const past = await post('/api/press', { ts: plain.ts, button: 3, version });
    expect(past.status).toBe(400);
    expect(JSON.parse(past.body).error).toContain('it has no buttons');
    // A press on a version of the message the bot has replaced since: nothing is pressed.
    await transport.alertPoster.update({ channel: 'C0OPS', ts: plain.ts }, simpleMessage('updated'));
    const stale = await post('/api/press', { ts: plain.ts, button: 0, version });
    expect(stale.status).toBe(400);
    expect(JSON.parse(stale.body).error).toContain(`message ${plain.ts} was updated after the page showed it`);
  });
});
