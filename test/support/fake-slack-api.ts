// A local stand-in for the Slack Web API and for response_url endpoints. It speaks the real wire
// format (form-encoded or JSON bodies in, `{ ok, ... }` JSON out) and records every call so tests
// can assert what the bot said. File uploads follow files.uploadV2's three steps against it:
// files.getUploadURLExternal hands out an upload_url on this server, the bytes are POSTed there, and
// files.completeUploadExternal shares them (recorded in `uploads`).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordSlackRequest } from './suite-recording.ts';

export interface RecordedCall {
  /** Web API method (`chat.postMessage`), `respond` for a response_url POST, `upload` for file bytes POSTed to an upload_url. */
  method: string;
  args: Record<string, unknown>;
  /** For `respond`: the id in the response_url path. */
  responseId?: string;
  authorization?: string;
}

/** A file shared by files.completeUploadExternal, with the bytes POSTed to its upload_url. */
export interface RecordedUpload {
  fileId: string;
  filename: string;
  /** The raw file bytes as received at the upload_url. */
  bytes: Buffer;
  /** The `length` announced in files.getUploadURLExternal. */
  declaredLength: number;
  channel?: string;
  threadTs?: string;
  title?: string;
  comment?: string;
}

/** A message chat.postMessage stored, with the metadata it was posted with. */
export interface PostedSlackMessage {
  channel: string;
  ts: string;
  text: string;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface FakeSlackApi {
  /** Base for WebClient's slackApiUrl: http://127.0.0.1:PORT/api/ */
  apiUrl: string;
  /** A response_url the bot may POST to. */
  responseUrl(id?: string): string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Files completed through files.completeUploadExternal, in order. */
  uploads: RecordedUpload[];
  /** Makes the next call to `method` answer `{ ok: false, error }` (`upload`: the upload_url answers HTTP 500 with `error`). */
  failNext(method: string, error: string): void;
  /** Members usergroups.users.list reports for a user group. */
  setGroup(group: string, users: string[]): void;
  /** The next `times` calls to `method` answer HTTP 429 with Retry-After: `retryAfterS`. */
  rateLimitNext(method: string, retryAfterS: number, times?: number): void;
  /** The next `times` calls to `method` answer HTTP `status` (a 5xx: Slack having a bad moment), after 429s set by rateLimitNext. */
  failHttpNext(method: string, status: number, times?: number): void;
  /**
   * The next `times` calls to `method` whose arguments `match` get no answer until `releaseStalled`
   * (or `close`): `after-store` keeps the message (Slack took it, the answer was lost: the caller
   * died or timed out waiting), `before-store` drops it (it never reached Slack).
   */
  stallNext(method: string, options: { mode: 'after-store' | 'before-store'; times?: number; match?: (call: RecordedCall) => boolean }): void;
  /** Calls held by stallNext so far. */
  stalledCalls(): RecordedCall[];
  /** Answers the held calls (`after-store` ones as Slack would have; `before-store` ones with HTTP 500). */
  releaseStalled(): void;
  /** The users users.info knows (others: user_not_found); until called, every user is known. */
  setUsers(users: string[]): void;
  /**
   * Stamps the messages posted from now on with this clock (ms), as Slack stamps a message with the
   * time it took it; without one, ts count up from 1700000001.000100. Kept across `reset`.
   */
  setClock(now: (() => number) | undefined): void;
  /** Messages posted (chat.postMessage accepted them) to a channel, or to any when none is named, oldest first. */
  messagesIn(channel?: string): PostedSlackMessage[];
  waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const failures = new Map<string, string>();
  const groups = new Map<string, string[]>();
  const rateLimits = new Map<string, { retryAfterS: number; times: number }>();
  const httpFailures = new Map<string, { status: number; times: number }>();
  const stalls: Array<{ method: string; mode: 'after-store' | 'before-store'; times: number; match?: (call: RecordedCall) => boolean }> = [];
  const stalled: Array<{ call: RecordedCall; answer: () => void }> = [];
  let knownUsers: Set<string> | undefined;
  const messages: PostedSlackMessage[] = [];
  let channelSeq = 0;
  const uploads: RecordedUpload[] = [];
  /** Files announced by files.getUploadURLExternal; `bytes` once POSTed to their upload_url. */
  const pending = new Map<string, { filename: string; length: number; bytes?: Buffer }>();
  let ts = 1_700_000_000;
  let clock: (() => number) | undefined;
  /** With a clock: the last ts handed out, in microseconds (ts are unique and increasing). */
  let lastMicros = 0;
  const nextTs = (): string => {
    if (!clock) return `${++ts}.000100`;
    lastMicros = Math.max(lastMicros + 1, Math.floor(clock() * 1000));
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  };
  let fileSeq = 0;
  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const raw = body.toString('utf8');
      const url = new URL(req.url ?? '/', 'http://localhost');
      // Everything received, for the whole-suite secret scan (the Authorization header carries the
      // bot token by design and is not recorded).
      recordSlackRequest(url.pathname + url.search, raw, safeParse(raw, req.headers['content-type'] ?? ''));
      const contentType = req.headers['content-type'] ?? '';
      let send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const uploadMatch = /^\/upload\/v1\/([^/]+)$/.exec(url.pathname);
      if (uploadMatch) {
        handleUpload(uploadMatch[1]!, body, contentType, req.headers.authorization).then(
          ([status, text]) => {
            res.writeHead(status, { 'content-type': 'text/plain' });
            res.end(text);
          },
          (err: unknown) => {
            res.writeHead(400, { 'content-type': 'text/plain' });
            res.end(`bad upload: ${(err as Error).message}`);
          },
        );
        return;
      }
      const args = parseBody(raw, contentType);
      const respondMatch = /^\/response\/([^/]+)$/.exec(url.pathname);
      if (respondMatch) {
        calls.push({ method: 'respond', args, responseId: respondMatch[1] });
        send(200, { ok: true });
        return;
      }
      const apiMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
      if (!apiMatch) return send(404, { ok: false, error: 'unknown_method' });
      const method = apiMatch[1]!;
      calls.push({ method, args, authorization: req.headers.authorization });
      const limit = rateLimits.get(method);
      if (limit && limit.times > 0) {
        limit.times -= 1;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limit.retryAfterS) });
        res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
      const httpFailure = httpFailures.get(method);
      if (httpFailure && httpFailure.times > 0) {
        httpFailure.times -= 1;
        return send(httpFailure.status, { ok: false, error: 'fatal_error' });
      }
      const failure = failures.get(method);
      if (failure) {
        failures.delete(method);
        return send(200, { ok: false, error: failure });
      }
      const call = calls.at(-1)!;
      const stall = stalls.find((st) => st.method === method && st.times > 0 && (st.match?.(call) ?? true));
      if (stall) {
        stall.times -= 1;
        if (stall.mode === 'before-store') {
          stalled.push({ call, answer: () => send(500, { ok: false, error: 'fatal_error' }) });
          return;
        }
        // Handled as usual below, its answer held back.
        const answer = send;
        send = (status, body) => stalled.push({ call, answer: () => answer(status, body) });
      }
      switch (method) {
        case 'auth.test':
          return send(200, { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'chatops', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' });
        case 'chat.postMessage': {
          const message: PostedSlackMessage = { channel: String(args.channel), ts: nextTs(), text: String(args.text ?? '') };
          if (typeof args.thread_ts === 'string') message.thread_ts = args.thread_ts;
          if (args.metadata && typeof args.metadata === 'object') message.metadata = args.metadata as PostedSlackMessage['metadata'];
          messages.push(message);
          return send(200, { ok: true, channel: message.channel, ts: message.ts, message: { text: args.text } });
        }
        case 'conversations.history': {
          // Newest first, as Slack answers; metadata only when asked for.
          const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
          const limit = Number(args.limit ?? 100);
          const found = messages.filter((m) => m.channel === args.channel && !m.thread_ts).reverse().slice(0, limit)
            .map((m) => ({ type: 'message', ts: m.ts, text: m.text, ...(withMetadata && m.metadata && { metadata: m.metadata }) }));
          return send(200, { ok: true, messages: found, has_more: false });
        }
        case 'conversations.replies':
          return send(200, threadReplies(args));
        case 'conversations.open': {
          const users = String(args.users ?? '');
          if (!users) return send(200, { ok: false, error: 'invalid_arguments' });
          if (knownUsers && !users.split(',').every((u) => knownUsers!.has(u))) return send(200, { ok: false, error: 'user_not_found' });
          return send(200, { ok: true, channel: { id: `D${users.split(',')[0]}` } });
        }
        case 'conversations.create': {
          const name = String(args.name ?? '');
          if (!/^[a-z0-9][a-z0-9_-]{0,79}$/.test(name)) return send(200, { ok: false, error: 'invalid_name_specials' });
          return send(200, { ok: true, channel: { id: `C0NEW${String(++channelSeq).padStart(4, '0')}`, name } });
        }
        case 'users.info': {
          const user = String(args.user ?? '');
          if (knownUsers && !knownUsers.has(user)) return send(200, { ok: false, error: 'user_not_found' });
          return send(200, { ok: true, user: { id: user, name: user.toLowerCase(), deleted: false, real_name: `User ${user}` } });
        }
        case 'usergroups.users.list':
          return send(200, { ok: true, users: groups.get(String(args.usergroup)) ?? [] });
        case 'chat.update':
          return send(200, { ok: true, channel: args.channel, ts: args.ts, text: args.text });
        case 'files.getUploadURLExternal': {
          const length = Number(args.length);
          if (typeof args.filename !== 'string' || args.filename === '' || args.length === undefined) return send(200, { ok: false, error: 'invalid_arguments' });
          if (!Number.isInteger(length) || length <= 0) return send(200, { ok: false, error: 'invalid_length' });
          const fileId = `F0FAKE${String(++fileSeq).padStart(5, '0')}`;
          pending.set(fileId, { filename: args.filename, length });
          return send(200, { ok: true, upload_url: `${base}/upload/v1/${fileId}`, file_id: fileId });
        }
        case 'files.completeUploadExternal':
          return completeUpload(args, raw, contentType, send);
        default:
          return send(200, { ok: true });
      }
    });
  });

  /**
   * A thread as Slack answers it: the parent first, then its replies oldest first, after `oldest`
   * (exclusive unless `inclusive`) and up to `latest`; `limit` messages a call, the rest behind
   * `response_metadata.next_cursor` (continuation pages carry replies only); metadata only when
   * include_all_metadata is set. A ts that is no message of the channel: thread_not_found.
   */
  function threadReplies(args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? '');
    const parentTs = String(args.ts ?? '');
    const parent = messages.find((m) => m.channel === channel && m.ts === parentTs);
    if (!parent) return { ok: false, error: 'thread_not_found' };
    const limit = args.limit === undefined ? 1000 : Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) return { ok: false, error: 'invalid_limit' };
    const inclusive = args.inclusive === true || args.inclusive === 'true';
    const oldest = args.oldest === undefined ? undefined : micros(String(args.oldest));
    const latest = args.latest === undefined ? undefined : micros(String(args.latest));
    if (oldest === null) return { ok: false, error: 'invalid_ts_oldest' };
    if (latest === null) return { ok: false, error: 'invalid_ts_latest' };
    const replies = messages.filter((m) => m.channel === channel && m.thread_ts === parentTs && m.ts !== parentTs)
      .sort((a, b) => (micros(a.ts)! < micros(b.ts)! ? -1 : 1))
      .filter((m) => oldest === undefined || (inclusive ? micros(m.ts)! >= oldest : micros(m.ts)! > oldest))
      .filter((m) => latest === undefined || (inclusive ? micros(m.ts)! <= latest : micros(m.ts)! < latest));
    let from = 0;
    if (args.cursor !== undefined && args.cursor !== '') {
      const after = micros(/^after:(.+)$/.exec(Buffer.from(String(args.cursor), 'base64').toString('utf8'))?.[1] ?? '');
      if (after === null) return { ok: false, error: 'invalid_cursor' };
      from = replies.findIndex((m) => micros(m.ts)! > after);
      if (from < 0) from = replies.length;
    }
    const first = args.cursor === undefined || args.cursor === '';
    const take = first ? Math.max(0, limit - 1) : limit;
    const slice = replies.slice(from, from + take);
    const hasMore = from + take < replies.length;
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const wire = (m: PostedSlackMessage) => ({ type: 'message', ts: m.ts, ...(m.thread_ts && { thread_ts: m.thread_ts }), text: m.text, ...(withMetadata && m.metadata && { metadata: m.metadata }) });
    return {
      ok: true,
      messages: [...(first ? [parent] : []), ...slice].map(wire),
      has_more: hasMore,
      ...(hasMore && { response_metadata: { next_cursor: Buffer.from(`after:${slice.at(-1)?.ts ?? parentTs}`).toString('base64') } }),
    };
  }

  /** The upload_url: accepts the bytes raw or as a multipart form (web-api sends a form with one file part). */
  async function handleUpload(fileId: string, body: Buffer, contentType: string, authorization: string | undefined): Promise<[number, string]> {
    const file = pending.get(fileId);
    calls.push({ method: 'upload', args: { file_id: fileId, length: body.length }, authorization });
    const failure = failures.get('upload');
    if (failure) {
      failures.delete('upload');
      return [500, failure];
    }
    if (!file) return [404, 'file_not_found'];
    file.bytes = contentType.startsWith('multipart/form-data') ? await firstFilePart(body, contentType) : body;
    return [200, `OK - ${file.bytes.length}`];
  }

  function completeUpload(args: Record<string, unknown>, raw: string, contentType: string, send: (status: number, body: unknown) => void): void {
    // Strings as sent: parseBody would turn an initial_comment such as "[1] done" into JSON.
    const form = contentType.includes('application/json') ? undefined : new URLSearchParams(raw);
    const text = (key: string): string | undefined => {
      const v = form ? form.get(key) : args[key];
      return typeof v === 'string' ? v : undefined;
    };
    const files = args.files;
    if (!Array.isArray(files) || files.length === 0) return send(200, { ok: false, error: 'invalid_arguments' });
    const entries = files as Array<{ id?: unknown; title?: unknown }>;
    for (const f of entries) {
      const known = typeof f.id === 'string' ? pending.get(f.id) : undefined;
      if (!known || !known.bytes) return send(200, { ok: false, error: 'file_not_found' });
    }
    const channel = text('channel_id') ?? text('channels');
    const threadTs = text('thread_ts');
    if (threadTs !== undefined && channel === undefined) return send(200, { ok: false, error: 'invalid_arguments' });
    const comment = text('initial_comment');
    const done = entries.map((f) => {
      const fileId = f.id as string;
      const file = pending.get(fileId)!;
      pending.delete(fileId);
      const title = typeof f.title === 'string' ? f.title : undefined;
      uploads.push({ fileId, filename: file.filename, bytes: file.bytes!, declaredLength: file.length, channel, threadTs, title, comment });
      return { id: fileId, name: file.filename, title: title ?? file.filename, size: file.bytes!.length, channels: channel ? [channel] : [] };
    });
    send(200, { ok: true, files: done });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id = 'r1') => `${base}/response/${id}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    uploads,
    failNext: (method, error) => failures.set(method, error),
    setGroup: (group, users) => groups.set(group, users),
    rateLimitNext: (method, retryAfterS, times = 1) => rateLimits.set(method, { retryAfterS, times }),
    failHttpNext: (method, status, times = 1) => httpFailures.set(method, { status, times }),
    stallNext: (method, options) => stalls.push({ method, mode: options.mode, times: options.times ?? 1, ...(options.match && { match: options.match }) }),
    stalledCalls: () => stalled.map((st) => st.call),
    releaseStalled: () => {
      for (const st of stalled.splice(0)) st.answer();
    },
    setClock: (now) => {
      clock = now;
      lastMicros = 0;
    },
    setUsers: (users) => {
      knownUsers = new Set(users);
    },
    messagesIn: (channel) => messages.filter((m) => channel === undefined || m.channel === channel),
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline) {
          throw new Error(`fake Slack API: condition not met within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ') || 'none'}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    reset: () => {
      calls.length = 0;
      failures.clear();
      rateLimits.clear();
      httpFailures.clear();
      stalls.length = 0;
      messages.length = 0;
      lastMicros = 0;
      uploads.length = 0;
      pending.clear();
    },
    close: () => {
      stalled.length = 0;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Held answers and keep-alive sockets would keep the server open.
      server.closeAllConnections();
      return closed;
    },
  };
}

/** A Slack ts ("1700000001.000100", or whole seconds) in microseconds; null when it is none. */
function micros(ts: string): bigint | null {
  const m = /^(\d+)(?:\.(\d{1,6}))?$/.exec(ts);
  return m ? BigInt(m[1]!) * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0')) : null;
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // WebClient JSON-encodes nested arguments (blocks, attachments) inside the form.
    out[k] = (v.startsWith('[') || v.startsWith('{')) ? safeJson(v) : v;
  }
  return out;
}

/** The bytes of the first file part of a multipart/form-data body (parsed by the platform's own Request). */
async function firstFilePart(body: Buffer, contentType: string): Promise<Buffer> {
  const form = await new Request('http://fake.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(body) }).formData();
  for (const [, value] of form) {
    if (typeof value !== 'string') return Buffer.from(await value.arrayBuffer());
  }
  throw new Error('no file part in the form');
}

function safeParse(raw: string, contentType: string): unknown {
  try {
    return parseBody(raw, contentType);
  } catch {
    return raw;
  }
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
