// One HTTP request for a probe: global fetch, bounded in time by the caller's signal and in size
// by maxBytes, timed to the last byte read. fetch cannot skip certificate verification without
// undici's Agent (not a dependency), so a target with tlsInsecure goes through node:https with
// rejectUnauthorized: false instead; both paths return the same result and follow redirects alike.
import http from 'node:http';
import https from 'node:https';

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
}

export const USER_AGENT = 'chatops-probe/0.1';
const MAX_REDIRECTS = 10;

export async function httpRequest(spec: HttpRequestSpec): Promise<HttpResult> {
  const headers = withDefaults(spec.headers);
  return spec.insecure && spec.url.startsWith('https:')
    ? await nodeRequest(spec, headers)
    : await fetchRequest(spec, headers);
}

function withDefaults(headers: Record<string, string> = {}): Record<string, string> {
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  return has('user-agent') ? { ...headers } : { ...headers, 'user-agent': USER_AGENT };
}

async function fetchRequest(spec: HttpRequestSpec, headers: Record<string, string>): Promise<HttpResult> {
  const started = performance.now();
  const res = await fetch(spec.url, { method: spec.method ?? 'GET', headers, signal: spec.signal, redirect: 'follow' });
  const headersMs = performance.now() - started;
  const { body, bytes, truncated } = await readBounded(res.body, spec.maxBytes);
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    out[name] = value;
  });
  return {
    status: res.status,
    statusText: res.statusText,
    headers: out,
    body,
    bytes,
    truncated,
    headersMs: Math.round(headersMs),
    totalMs: Math.round(performance.now() - started),
    finalUrl: res.url || spec.url,
    redirected: res.redirected,
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

async function nodeRequest(spec: HttpRequestSpec, headers: Record<string, string>): Promise<HttpResult> {
  const started = performance.now();
  let url = new URL(spec.url);
  let method = spec.method ?? 'GET';
  let sendHeaders = headers;
  for (let redirects = 0; ; redirects++) {
    const res = await nodeRoundTrip(url, method, sendHeaders, spec.signal);
    const location = res.headers.location;
    if (REDIRECT.has(res.statusCode ?? 0) && typeof location === 'string' && redirects < MAX_REDIRECTS) {
      res.resume();
      const next = new URL(location, url);
      // As fetch does: 303 (and 301/302 after a POST) continue as GET; credentials stay with their origin.
      if (res.statusCode === 303 || ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')) method = 'GET';
      if (next.origin !== url.origin) sendHeaders = withoutCredentials(sendHeaders);
      url = next;
      continue;
    }
    const headersMs = performance.now() - started;
    const { body, bytes, truncated } = await readNodeBody(res, spec.maxBytes, spec.signal);
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(res.headers)) {
      if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return {
      status: res.statusCode ?? 0,
      statusText: res.statusMessage ?? '',
      headers: out,
      body,
      bytes,
      truncated,
      headersMs: Math.round(headersMs),
      totalMs: Math.round(performance.now() - started),
      finalUrl: url.toString(),
      redirected: redirects > 0,
    };
  }
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.has(k.toLowerCase())));
}

function nodeRoundTrip(url: URL, method: string, headers: Record<string, string>, signal: AbortSignal): Promise<http.IncomingMessage> {
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
