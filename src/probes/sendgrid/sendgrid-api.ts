// GET calls to SendGrid's v3 API through the project's JSON-API client (one deadline, the key
// masked in every body it hands out, failed requests classified). On top of it, what SendGrid's
// answers say: its error envelope `{"errors":[{"field":null,"message":"..."}]}`, a 429's
// X-RateLimit-* headers read into when to retry. Every way a call goes wrong is a value
// (sendgrid-failure.ts). The client masks bodies only: the headers and reason phrase quoted here
// are masked before any cut. ApiClient.getJson is not used: it keeps no headers and does not read
// SendGrid's envelope.
import type { z } from 'zod';
import type { ApiClient } from '../http/json-api.ts';
import { snippet } from '../http/probe-support.ts';
import { readRateLimits } from '../http/rate-limit-headers.ts';
import { MAX_MASKED_CHARS, maskSecrets } from '../../security/mask-secrets.ts';
import { formatDuration } from '../format.ts';
import type { SendgridFailure } from './sendgrid-failure.ts';

const CUT_NOTE = /… \(\d+ more characters not shown\)$/;

export type SendgridResult<T> = { ok: true; data: T } | { ok: false; failure: SendgridFailure };

export class SendgridApi {
  readonly #client: ApiClient;
  /** The key and every configured secret: masked in the headers and reason phrase quoted. */
  readonly #secrets: readonly string[];

  constructor(client: ApiClient, secrets: readonly string[]) {
    this.#client = client;
    this.#secrets = secrets;
  }

  async getJson<T>(route: string, schema: z.ZodType<T>): Promise<SendgridResult<T>> {
    const path = `/${route.replace(/^\//, '')}`;
    const raw = await this.#client.get(route, 'application/json');
    if (!raw.ok) {
      const f = raw.failure;
      // The client's get fails only without an answer.
      return { ok: false, failure: f.type === 'request' ? f : { type: 'malformed', path, status: 0, reason: 'no answer', body: '' } };
    }
    // The body comes masked (the key, every configured secret), so nothing below can quote the key.
    const res = raw.response;
    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(res.body);
      // An escape (\u0053G..., \/) decodes to text the masking of the raw body could not see.
      if (res.body.includes('\\')) json = maskParsed(json, this.#secrets);
      parsed = true;
    } catch {
      // Judged below, after the status: an HTML error page from a proxy is a status problem first.
    }
    if (res.status < 200 || res.status >= 300) {
      const messages = parsed ? envelopeMessages(json) : undefined;
      const failure: SendgridFailure = {
        type: 'status',
        path,
        status: res.status,
        statusText: res.statusText ? snippet(res.statusText, 60, this.#secrets) : '',
        error: messages ?? snippet(quotable(res.body), 120),
      };
      if (res.status === 429) failure.retry = retryWords(this.#maskedHeaders(res.headers), new Date());
      return { ok: false, failure };
    }
    // The client masks at most MAX_MASKED_CHARS of a body and notes the rest: such a body cannot be read whole.
    if (res.truncated || (res.bytes > MAX_MASKED_CHARS && CUT_NOTE.test(res.body))) {
      return { ok: false, failure: { type: 'malformed', path, status: res.status, reason: `the answer is too large to read (${res.bytes} bytes)`, body: '' } };
    }
    if (!parsed) return { ok: false, failure: { type: 'malformed', path, status: res.status, reason: 'not JSON', body: quotable(res.body) } };
    const checked = schema.safeParse(json);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'the answer';
      return { ok: false, failure: { type: 'malformed', path, status: res.status, reason: `unexpected shape at ${where}: ${issue?.message ?? 'invalid'}`, body: quotable(res.body) } };
    }
    return { ok: true, data: checked.data };
  }

  /** The headers with the secrets masked in each value, whole, before anything quotes (and cuts) one. */
  #maskedHeaders(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, maskSecrets(value, this.#secrets)]));
  }
}

/**
 * A parsed answer with the secrets masked in every string and object key, walked with a stack
 * rather than recursion so that no nesting depth can overflow it.
 */
function maskParsed(value: unknown, secrets: readonly string[]): unknown {
  const copy = (v: unknown, pending: Array<[object, object]>): unknown => {
    if (typeof v === 'string') return maskSecrets(v, secrets);
    if (typeof v !== 'object' || v === null) return v;
    const out = Array.isArray(v) ? [] : {};
    pending.push([v, out]);
    return out;
  };
  const pending: Array<[object, object]> = [];
  const root = copy(value, pending);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    for (const [key, v] of Object.entries(source)) {
      // defineProperty: a "__proto__" key stays a plain key.
      Object.defineProperty(target, Array.isArray(source) ? key : maskSecrets(key, secrets), { value: copy(v, pending), enumerable: true, writable: true, configurable: true });
    }
  }
  return root;
}

/** A body as a finding may quote it: not when it holds \u escapes, which could spell a secret no mask recognises. */
function quotable(body: string): string {
  return /\\u[0-9a-fA-F]{4}/.test(body) ? '(not shown: it holds \\u escapes)' : body;
}

/** The messages of SendGrid's `{"errors":[{"field":...,"message":...}]}`, joined; undefined for another body. */
function envelopeMessages(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const errors = (json as { errors?: unknown }).errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const messages = errors.map((e: unknown) => {
    if (typeof e !== 'object' || e === null) return String(e);
    const { field, message } = e as { field?: unknown; message?: unknown };
    const text = typeof message === 'string' && message ? message : '(no message)';
    return typeof field === 'string' && field ? `${field}: ${text}` : text;
  });
  return snippet(messages.join('; '), 160);
}

/** When a 429 may be retried, from Retry-After or X-RateLimit-Reset (SendGrid sends a unix epoch), in words. */
function retryWords(headers: Record<string, string>, now: Date): string {
  const retryAfter = headers['retry-after'];
  if (retryAfter !== undefined && /^\s*\d+\s*$/.test(retryAfter)) return `retry in ${formatDuration(Number(retryAfter))}`;
  const reading = readRateLimits(headers, now);
  if (reading.bad !== undefined) return `the rate-limit header ${reading.bad.header} "${snippet(reading.bad.value, 40)}" cannot be read (expected ${reading.bad.expected}); retry in a minute`;
  const q = reading.quotas[0];
  if (q === undefined) return 'no rate-limit header says when; retry in a minute';
  const left = q.limit === undefined ? `${q.remaining} left` : `${q.remaining} of ${q.limit} left`;
  if (q.resetInS === undefined) return `${left}; no header says when the window resets, retry in a minute`;
  const at = q.resetAt ?? new Date(now.getTime() + q.resetInS * 1000);
  return `${left}; retry after ${at.toISOString().slice(11, 19)} UTC (in ${formatDuration(Math.max(1, q.resetInS))})`;
}
