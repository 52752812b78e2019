// The playground's HTTP server (node:http, no framework): the page, its two assets, the live
// stream of what the bot posts (server-sent events), the page's four actions, uploaded files, and
// on the same port the bot's health, metrics, Alertmanager and heartbeat routes.
//
// The page has no login, so the server trusts nothing the browser could be tricked into sending:
// every request must name this server in its Host header (a DNS-rebinding page names its own), and
// every POST must carry the per-process token the page was served with, as JSON (a form another
// site posts can do neither). What a press or a dialog acts on is looked up in the workspace, never
// taken from the page.
import { timingSafeEqual, randomBytes, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { isUserError, UserError } from '../user-error.ts';
import type { PlaygroundBot } from './playground-bot.ts';
import type { PlaygroundWorkspace } from './playground-workspace.ts';
import type { PlaygroundEvent, PlaygroundMessage } from './playground-types.ts';
import { renderMessageHtml } from './render-html.ts';
import { renderDialogHtml } from './render-dialog-html.ts';
import { renderPage } from './render-page.ts';

/** What the page's actions call. */
export type PlaygroundActions = Pick<PlaygroundBot, 'command' | 'press' | 'submitDialog' | 'closeDialog'>;

/** A route as Bolt's receivers take it (health, metrics, alerts, heartbeats): `:name` segments land in `req.params`. */
export interface ExtraRoute {
  path: string;
  method: string[];
  handler(req: IncomingMessage, res: ServerResponse): void;
}

export interface PlaygroundServerOptions {
  workspace: PlaygroundWorkspace;
  bot: PlaygroundActions;
  user: { id: string; name: string };
  /** 127.0.0.1 by default (read-playground-settings.ts); 0: any free port. */
  host: string;
  port: number;
  title: string;
  /** Which config is loaded, and how to point the bot at your own systems. */
  banner: { config: string; lines: string[] };
  routes?: readonly ExtraRoute[];
  log: Logger;
  /** The page's token; a random one per process by default (a test may fix it). */
  token?: string;
}

export const MAX_BODY_BYTES = 64 * 1024;
const HEARTBEAT_MS = 15_000;
/** A page that stops reading: its stream is ended (it reconnects and is replayed) rather than buffered without end. */
const MAX_STREAM_BUFFER_BYTES = 8 * 1024 * 1024;
export const TOKEN_HEADER = 'x-playground-token';

const SECURITY_HEADERS: Record<string, string> = {
  // Beyond default-src: no plugin, no <base> that would redirect the assets, no form that leaves the
  // page (the page's forms are sent by its script), and no other site framing it.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};
const ASSET_DIR = path.join(import.meta.dirname, 'assets');

/** A refusal with its HTTP status, answered as `{ error }`. */
class Refusal extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export class PlaygroundServer {
  readonly token: string;
  readonly #o: PlaygroundServerOptions;
  readonly #server: http.Server;
  readonly #streams = new Set<ServerResponse>();
  readonly #tokenDigest: Buffer;
  #port = 0;

  private constructor(o: PlaygroundServerOptions) {
    this.#o = o;
    this.token = o.token ?? randomBytes(32).toString('base64url');
    this.#tokenDigest = digest(this.token);
    this.#server = http.createServer((req, res) => this.#handle(req, res));
    // A slow client cannot hold a request open for long (the event stream is kept open by its heartbeat).
    this.#server.requestTimeout = 30_000;
    this.#server.headersTimeout = 10_000;
  }

  /** Listens on host:port; a taken port is refused naming PORT. */
  static async start(o: PlaygroundServerOptions): Promise<PlaygroundServer> {
    const server = new PlaygroundServer(o);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', (e: NodeJS.ErrnoException) => {
        reject(new UserError(e.code === 'EADDRINUSE' ? `PORT=${o.port}: the port is already in use on ${o.host}; stop what listens there or choose another port (PORT=0: any free one)`
          : `PORT=${o.port}, PLAYGROUND_HOST=${o.host}: cannot listen (${e.code ?? e.message})`, { cause: e }));
      });
      server.#server.listen(o.port, o.host, () => resolve());
    });
    server.#port = (server.#server.address() as AddressInfo).port;
    return server;
  }

  get port(): number {
    return this.#port;
  }

  /** The page's address, as it is printed at start. */
  get url(): string {
    return `http://${hostForUrl(this.#o.host)}:${this.#port}/`;
  }

  async close(): Promise<void> {
    for (const res of this.#streams) res.end();
    this.#streams.clear();
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://playground.invalid');
    const route = url.pathname;
    if (!this.#hostAllowed(req.headers.host)) {
      // Another name for this address (a DNS-rebinding page, a proxy): not this page's origin.
      req.resume();
      return answer(res, 421, { error: `this server answers only as ${this.#allowedHostsWords()}: the Host header named ${JSON.stringify(req.headers.host ?? '')}` });
    }
    const extra = this.#matchRoute(req, route);
    if (extra) return extra.handler(req, res);
    const method = req.method ?? 'GET';
    if (method === 'GET') {
      if (route === '/') return this.#page(res);
      if (route.startsWith('/assets/')) return void this.#asset(route.slice('/assets/'.length), res);
      if (route === '/events') return this.#events(req, res);
      if (route.startsWith('/files/')) return this.#file(route.slice('/files/'.length), res);
    }
    if (method === 'POST' && route.startsWith('/api/')) return void this.#api(route, req, res);
    req.resume();
    answer(res, 404, { error: `not found: ${method} ${cut(route, 100)}; the page's routes are GET /, /assets/app.js, /assets/app.css, /events and /files/<id>, and POST /api/command, /api/press, /api/dialog and /api/dialog/close` });
  }

  #page(res: ServerResponse): void {
    const o = this.#o;
    const html = renderPage({ title: o.title, banner: o.banner, channels: [...o.workspace.channels], user: o.user, token: this.token, listening: this.url });
    // The page carries the token: never kept by a cache.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  }

  async #asset(name: string, res: ServerResponse): Promise<void> {
    // Only the two names, never a path built from the request.
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) return answer(res, 404, { error: `no asset ${JSON.stringify(cut(name, 100))}: the assets are app.js and app.css` });
    try {
      const body = await readFile(path.join(ASSET_DIR, name));
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(body);
    } catch (err) {
      this.#o.log.error({ err, asset: name }, 'playground: an asset of the page could not be read');
      answer(res, 500, { error: 'internal error, see the bot log' });
    }
  }

  #file(id: string, res: ServerResponse): void {
    const { workspace, user } = this.#o;
    const file = /^[A-Za-z0-9_-]{1,100}$/.test(id) ? workspace.file(id) : undefined;
    // A file goes with its message: one of another user's private messages is not there for this page.
    const holder = file && workspace.messages().find((m) => m.files?.some((f) => f.id === file.id));
    if (!file || (holder?.ephemeralTo !== undefined && holder.ephemeralTo !== user.id)) {
      return answer(res, 404, { error: `no file ${JSON.stringify(id.slice(0, 100))} on the page (only the latest messages and their files are kept)` });
    }
    const text = file.contentType.startsWith('text/');
    res.writeHead(200, {
      'content-type': text ? `${file.contentType}; charset=utf-8` : file.contentType,
      'content-length': String(file.bytes.length),
      'cache-control': 'no-store',
      ...(text && { 'content-disposition': `inline; filename="${file.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"` }),
    });
    res.end(file.bytes);
  }

  /** Every message the user may see, in ts order, then each change as it happens. */
  #events(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.flushHeaders();
    // Nothing is posted between the replay and the subscription: both run before this returns.
    const send = (event: PlaygroundEvent) => {
      const data = this.#eventData(event);
      if (data === undefined || res.writableEnded) return;
      res.write(`data: ${JSON.stringify(data)}\n\n`);
      if (res.writableLength > MAX_STREAM_BUFFER_BYTES) res.end();
    };
    for (const message of this.#o.workspace.messages()) send({ type: 'message', message, created: true });
    for (const dialog of this.#o.workspace.dialogs()) send({ type: 'dialog', dialog });
    const unsubscribe = this.#o.workspace.subscribe(send);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    this.#streams.add(res);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.#streams.delete(res);
    });
  }

  /** What the page is sent for an event; undefined for what this user must not see (another user's private message). */
  #eventData(event: PlaygroundEvent): object | undefined {
    const { workspace, user } = this.#o;
    if (event.type === 'dialog') return { type: 'dialog', id: event.dialog.id, html: renderDialogHtml(event.dialog) };
    if (event.type === 'dialog-closed') return { type: 'dialog-closed', id: event.id };
    const m: PlaygroundMessage = event.message;
    if (m.ephemeralTo !== undefined && m.ephemeralTo !== user.id) return undefined;
    const channels = new Map(workspace.channels.map((c) => [c.id, c.name]));
    return {
      type: 'message',
      channel: m.channel,
      ts: m.ts,
      // Which version of the message this is (its buttons' nonce, new at every update): a press names
      // it, so a button index is never applied to buttons the page has not shown yet.
      version: m.nonce,
      ...(m.threadTs !== undefined && { threadTs: m.threadTs }),
      // A direct message (to a person, not a channel): the side panel's "would DM @...".
      panel: /^[UW][A-Z0-9]{2,}$/.test(m.channel),
      ephemeral: m.ephemeralTo !== undefined,
      created: event.created,
      html: renderMessageHtml(m, { people: workspace.people, viewer: user.id, channels }),
    };
  }

  async #api(route: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await this.#readJson(req);
      const { bot } = this.#o;
      switch (route) {
        case '/api/command': {
          const channel = field(body, 'channel', 'string', 'a channel id of the page, like C0OPS');
          const text = field(body, 'text', 'string', 'the command as typed, like "/diag db"');
          await bot.command({ channel, text });
          return answer(res, 202, { ok: true });
        }
        case '/api/press': {
          const ts = field(body, 'ts', 'string', 'the ts of the message the button is on');
          const button = field(body, 'button', 'index', "the button's index in its message, from 0");
          const version = field(body, 'version', 'string', 'the version of the message the page shows (its event\'s version)');
          await bot.press({ ts, button, version });
          return answer(res, 202, { ok: true });
        }
        case '/api/dialog': {
          const dialog = field(body, 'dialog', 'string', 'the id of an open dialog');
          const values = field(body, 'values', 'values', 'an object of block ids to objects of action ids to what was typed or chosen');
          return answer(res, 200, await bot.submitDialog({ dialog, values }));
        }
        case '/api/dialog/close': {
          const dialog = field(body, 'dialog', 'string', 'the id of an open dialog');
          await bot.closeDialog(dialog);
          return answer(res, 202, { ok: true });
        }
        default:
          throw new Refusal(404, `not found: POST ${route}; the page posts to /api/command, /api/press, /api/dialog and /api/dialog/close`);
      }
    } catch (error) {
      if (error instanceof Refusal) return answer(res, error.status, { error: error.message });
      if (isUserError(error)) return answer(res, 400, { error: error.message });
      this.#o.log.error({ err: error, route }, 'playground: a request of the page failed');
      answer(res, 500, { error: 'internal error, see the bot log' });
    }
  }

  /** The token, JSON as the content type, at most 64 KiB of it, and an object: refused in that order. */
  async #readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    const token = req.headers[TOKEN_HEADER];
    if (typeof token !== 'string' || !timingSafeEqual(digest(token), this.#tokenDigest)) {
      req.resume();
      throw new Refusal(403, `missing or wrong ${TOKEN_HEADER} header: reload the page (its token changes with every start of the bot)`);
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      req.resume();
      throw new Refusal(415, `content-type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`);
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      req.resume();
      throw new Refusal(413, `body too large: ${declared} bytes, at most ${MAX_BODY_BYTES} are accepted`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.resume();
        throw new Refusal(413, `body too large: more than ${MAX_BODY_BYTES} bytes, at most ${MAX_BODY_BYTES} are accepted`);
      }
      chunks.push(chunk);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      throw new Refusal(400, `the body is not valid JSON (${cut((error as Error).message, 120)}): send a JSON object`);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new Refusal(400, `the body must be a JSON object, got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`}`);
    }
    return body as Record<string, unknown>;
  }

  #matchRoute(req: IncomingMessage, pathname: string): ExtraRoute | undefined {
    for (const route of this.#o.routes ?? []) {
      if (!route.method.includes(req.method ?? 'GET')) continue;
      const params = matchPath(route.path, pathname);
      if (params) {
        (req as IncomingMessage & { params?: Record<string, string> }).params = params;
        return route;
      }
    }
    return undefined;
  }

  /** The Host header names this server: host:port, and on 127.0.0.1 also localhost:port. */
  #hostAllowed(header: string | undefined): boolean {
    if (!header) return false;
    const { hostname, port } = splitHost(header.toLowerCase());
    if (port !== String(this.#port)) return false;
    const host = this.#o.host.toLowerCase();
    if (isWildcard(host)) {
      // Every interface: any address literal (a rebinding page names a DNS name), this machine's name, localhost.
      return net.isIP(hostname) !== 0 || hostname === 'localhost' || hostname === os.hostname().toLowerCase();
    }
    if (hostname === host) return true;
    if (host === '127.0.0.1') return hostname === 'localhost';
    if (host === '::1') return hostname === 'localhost';
    return false;
  }

  #allowedHostsWords(): string {
    const host = this.#o.host;
    if (isWildcard(host)) return `an IP address, localhost or ${os.hostname()} with port ${this.#port}`;
    const names = [`${hostForUrl(host)}:${this.#port}`, ...(host === '127.0.0.1' || host === '::1' ? [`localhost:${this.#port}`] : [])];
    return names.join(' or ');
  }
}

function answer(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

type FieldKind = 'string' | 'index' | 'values';
type FieldValue<K extends FieldKind> = K extends 'string' ? string : K extends 'index' ? number : Record<string, Record<string, string>>;

/** A field of the body as the page sends it; a missing or malformed one is refused naming it. */
function field<K extends FieldKind>(body: Record<string, unknown>, name: string, kind: K, words: string): FieldValue<K> {
  const value = body[name];
  const ok =
    kind === 'string' ? typeof value === 'string' && value.length <= 8_000
    : kind === 'index' ? typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 1000
    : isObject(value) && Object.values(value).every((block) => isObject(block) && Object.values(block).every((v) => typeof v === 'string'));
  if (!ok) throw new Refusal(400, `${name}: expected ${words}, got ${value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80)}`);
  return value as FieldValue<K>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `/heartbeats/:name` against a path: the named segments, or undefined when it does not match. */
function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

function splitHost(header: string): { hostname: string; port: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(header);
  if (bracketed) return { hostname: bracketed[1]!, port: bracketed[2] ?? '80' };
  const i = header.lastIndexOf(':');
  return i < 0 ? { hostname: header, port: '80' } : { hostname: header.slice(0, i), port: header.slice(i + 1) };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function hostForUrl(host: string): string {
  return net.isIPv6(host) ? `[${host}]` : host;
}

