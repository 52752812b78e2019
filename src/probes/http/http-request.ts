// One HTTP request for a probe: global fetch, bounded in time by the caller's signal and in size
// by maxBytes, timed to the last byte read. fetch cannot skip certificate verification without
// undici's Agent (not a dependency), so a target with tlsInsecure goes through node:https with
// rejectUnauthorized: false instead; both paths return the same result and follow redirects alike.
//
// Redirects are followed here, not by fetch, and only within the origin of the configured URL:
// the target's headers (API keys, tokens, whatever their names) are never sent to another origin.
// A redirect to another origin is not followed: it is the answer, with `offOriginRedirect` set.
//
// A user and password in the URL (http://user:pw@host) are sent as HTTP basic authentication,
// as curl does: fetch refuses a URL with credentials, and the URL itself is sent without them.
import http from 'node:http';
import https from 'node:https';
import { safeDecode } from '../safe-decode.ts';

export interface HttpRequestSpec {
  url: string;
  /** GET when not given. */
  method?: string;
  headers?: Record<string, string>;
  /** Accept any certificate (self-signed, expired, wrong name). */
  insecure?: boolean;
  /** Aborts the request and the body read; the rejection is the signal's reason. */
  signal: AbortSignal;
  /** Read at most this many bytes of the body; the rest is discarded and `truncated` is set. */
  maxBytes: number;
}

export interface HttpResult {
  status: number;
  statusText: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The body read so far, decoded as UTF-8. */
  body: string;
  bytes: number;
  truncated: boolean;
  /** Time until the response headers arrived. */
  headersMs: number;
  /** Time until the (bounded) body was read: what a client waits for. */
  totalMs: number;
  /** The URL that answered, after redirects. */
  finalUrl: string;
  redirected: boolean;
  /** Where a redirect to another origin pointed (absolute URL); it was not followed. */
  offOriginRedirect?: string;
}

export const USER_AGENT = 'chatops-probe/0.1';
/** Same-origin redirects followed before the last one is taken as the answer. */
export const MAX_REDIRECTS = 5;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** One round trip without following redirects: the status and headers, and a way to read or drop the body. */
interface RoundTrip {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  readBody(maxBytes: number): Promise<{ body: string; bytes: number; truncated: boolean }>;
  discard(): void;
}

export async function httpRequest(spec: HttpRequestSpec): Promise<HttpResult> {
  const start = new URL(spec.url);
  const headers = withCredentials(withDefaults(spec.headers), start);
  start.username = '';
  start.password = '';
  const roundTrip = spec.insecure && spec.url.startsWith('https:') ? nodeRoundTrip : fetchRoundTrip;
  const started = performance.now();
  const origin = start.origin;
  let url = start;
  let method = spec.method ?? 'GET';
  for (let redirects = 0; ; redirects++) {
    const res = await roundTrip(url, method, headers, spec.signal);
    const location = res.headers.location;
    let offOriginRedirect: string | undefined;
    if (REDIRECT.has(res.status) && location !== undefined) {
      const next = parseLocation(location, url);
      if (next && next.origin === origin && redirects < MAX_REDIRECTS) {
        res.discard();
        // As fetch does: 303 (and 301/302 after a POST) continue as GET.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) method = 'GET';
        url = next;
        continue;
      }
      if (next && next.origin !== origin) offOriginRedirect = next.toString();
    }
    const headersMs = performance.now() - started;
    const { body, bytes, truncated } = await res.readBody(spec.maxBytes);
    return {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
      body,
      bytes,
      truncated,
      headersMs: Math.round(headersMs),
      totalMs: Math.round(performance.now() - started),
      finalUrl: url.toString(),
      redirected: redirects > 0,
      ...(offOriginRedirect !== undefined && { offOriginRedirect }),
    };
  }
}

function parseLocation(location: string, base: URL): URL | undefined {
  try {
    const next = new URL(location, base);
    return next.protocol === 'http:' || next.protocol === 'https:' ? next : undefined;
  } catch {
    return undefined;
  }
}

function withDefaults(headers: Record<string, string> = {}): Record<string, string> {
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  return has('user-agent') ? { ...headers } : { ...headers, 'user-agent': USER_AGENT };
}

/** The URL's user and password as a basic Authorization header, unless the target sets its own. */
function withCredentials(headers: Record<string, string>, url: URL): Record<string, string> {
  if (!url.username && !url.password) return headers;
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) return headers;
  const pair = `${safeDecode(url.username)}:${safeDecode(url.password)}`;
  return { ...headers, authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
}

async function fetchRoundTrip(url: URL, method: string, headers: Record<string, string>, signal: AbortSignal): Promise<RoundTrip> {
  const res = await fetch(url, { method, headers, signal, redirect: 'manual' });
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    out[name] = value;
  });
  return {
    status: res.status,
    statusText: res.statusText,
    headers: out,
    readBody: (maxBytes) => readBounded(res.body, maxBytes),
    discard: () => {
      res.body?.cancel().catch(() => {});
    },
  };
}

async function readBounded(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<{ body: string; bytes: number; truncated: boolean }> {
  if (!stream) return { body: '', bytes: 0, truncated: false };
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - bytes;
      if (value.byteLength >= room) {
        // Stop at the limit without waiting for more: the rest is not read.
        chunks.push(value.subarray(0, room));
        bytes += room;
        truncated = true;
        break;
      }
      chunks.push(value);
      bytes += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return { body: new TextDecoder().decode(Buffer.concat(chunks)), bytes, truncated };
}

async function nodeRoundTrip(url: URL, method: string, headers: Record<string, string>, signal: AbortSignal): Promise<RoundTrip> {
  const res = await nodeExchange(url, method, headers, signal);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    status: res.statusCode ?? 0,
    statusText: res.statusMessage ?? '',
    headers: out,
    readBody: (maxBytes) => readNodeBody(res, maxBytes, signal),
    discard: () => {
      res.resume();
    },
  };
}

function nodeExchange(url: URL, method: string, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const options = { method, headers, agent: false as const, rejectUnauthorized: false };
    const req = url.protocol === 'https:' ? https.request(url, options) : http.request(url, options);
    const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    req.once('response', (res) => {
      signal.removeEventListener('abort', onAbort);
      resolve(res);
    });
    req.once('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.aborted ? signal.reason : e);
    });
    req.end();
  });
}

function readNodeBody(res: http.IncomingMessage, maxBytes: number, signal: AbortSignal): Promise<{ body: string; bytes: number; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (truncated: boolean) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      resolve({ body: new TextDecoder().decode(Buffer.concat(chunks)), bytes, truncated });
    };
    const onAbort = () => {
      if (settled) return;
      settled = true;
      res.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    res.on('data', (chunk: Buffer) => {
      const room = maxBytes - bytes;
      if (chunk.byteLength >= room) {
        chunks.push(chunk.subarray(0, room));
        bytes += room;
        res.destroy();
        finish(true);
        return;
      }
      chunks.push(chunk);
      bytes += chunk.byteLength;
    });
    res.once('end', () => finish(false));
    res.once('error', (e) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(e);
    });
  });
}
