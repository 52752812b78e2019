// GET requests to a JSON API (Prometheus, Alertmanager) under one base URL and one deadline.
// Every way a call can go wrong comes back as a value, never a throw: no answer (classified),
// an error status, a `{"status":"error"}` body, a body that is not JSON or not the expected shape.
import type { z } from 'zod';
import { classifyRequestError, type RequestFailure } from './classify-error.ts';
import { httpRequest, type HttpResult } from './http-request.ts';
import { snippet, type Deadline } from './probe-support.ts';
import { displayUrl, sortedSecrets, targetSecrets } from './secrets.ts';
import { maskSecrets } from '../../security/mask-secrets.ts';

/** Large enough for the targets of a big Prometheus; a bigger answer is reported, not parsed. */
export const MAX_API_BYTES = 32 * 1024 * 1024;

export type ApiFailure =
  | { type: 'request'; path: string; failure: RequestFailure }
  | { type: 'status'; path: string; status: number; statusText: string; body: string; apiError?: string; offOriginRedirect?: string }
  | { type: 'api-error'; path: string; status: number; errorType?: string; error: string }
  | { type: 'malformed'; path: string; status: number; reason: string; body: string };

export type ApiResult<T> = { ok: true; data: T; ms: number } | { ok: false; failure: ApiFailure };
export type RawResult = { ok: true; response: HttpResult } | { ok: false; failure: ApiFailure };

export class ApiClient {
  readonly #base: URL;
  readonly #headers: Record<string, string>;
  readonly #deadline: Deadline;
  /** The target's header values and URL credentials: masked in every body the client hands out for display. */
  readonly #secrets: readonly string[];
  /** Calls that got any HTTP answer, and calls that got none (refused, DNS, timeout, ...). */
  answered = 0;
  unanswered = 0;

  /** `secrets`: besides the target's own (its headers, its URL's credentials), those to mask too. */
  constructor(baseUrl: string, headers: Record<string, string> | undefined, deadline: Deadline, secrets: readonly string[] = []) {
    const base = new URL(baseUrl);
    base.search = '';
    base.hash = '';
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#base = base;
    this.#headers = headers ?? {};
    this.#deadline = deadline;
    this.#secrets = sortedSecrets([...targetSecrets(baseUrl, headers), ...secrets]);
  }

  get timeoutMs(): number {
    return this.#deadline.timeoutMs;
  }

  /** Any answer, whatever its status, its body with the target's secrets masked (for display); fails only when there is none. */
  async get(route: string, accept = '*/*'): Promise<RawResult> {
    const raw = await this.#get(route, accept);
    if (!raw.ok) return raw;
    const res = raw.response;
    // The body of a redirect that was not followed says nothing about the server; where it points does.
    const body = res.offOriginRedirect !== undefined ? `(a redirect to another origin, ${displayUrl(res.offOriginRedirect)}, not followed)` : this.#mask(res.body);
    return { ok: true, response: { ...res, body } };
  }

  /** A body or error text as it may be shown: masked whole, then the caller cuts it. */
  #mask(text: string): string {
    return maskSecrets(text, this.#secrets);
  }

  async #get(route: string, accept: string): Promise<RawResult> {
    const relative = route.replace(/^\//, '');
    /** As shown in findings: /api/v1/targets?state=active. */
    const path = `/${relative}`;
    const url = new URL(relative, this.#base).toString();
    const hasAccept = Object.keys(this.#headers).some((k) => k.toLowerCase() === 'accept');
    try {
      const response = await httpRequest({
        url,
        headers: hasAccept ? this.#headers : { ...this.#headers, accept: accept },
        signal: this.#deadline.signal,
        maxBytes: MAX_API_BYTES,
      });
      this.answered++;
      return { ok: true, response };
    } catch (e) {
      this.unanswered++;
      return { ok: false, failure: { type: 'request', path, failure: classifyRequestError(e, this.#deadline.timeoutMs, this.#deadline.timedOut) } };
    }
  }

  async getJson<T>(route: string, schema: z.ZodType<T>): Promise<ApiResult<T>> {
    const path = `/${route.replace(/^\//, '')}`;
    const raw = await this.#get(route, 'application/json');
    if (!raw.ok) return raw;
    const res = raw.response;
    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(res.body);
      parsed = true;
    } catch {
      // Judged below, after the status: an HTML error page from a proxy is a status problem first.
    }
    const apiError = parsed ? errorOf(json) : undefined;
    if (apiError && (apiError.prometheus || res.status >= 400)) {
      return { ok: false, failure: { type: 'api-error', path, status: res.status, errorType: apiError.errorType, error: this.#mask(apiError.error) } };
    }
    if (res.status < 200 || res.status >= 300) {
      return { ok: false, failure: { type: 'status', path, status: res.status, statusText: res.statusText, body: this.#mask(res.body), ...(res.offOriginRedirect !== undefined && { offOriginRedirect: res.offOriginRedirect }) } };
    }
    if (res.truncated) {
      return { ok: false, failure: { type: 'malformed', path, status: res.status, reason: `the answer is larger than ${MAX_API_BYTES / 1024 / 1024} MiB`, body: '' } };
    }
    if (!parsed) return { ok: false, failure: { type: 'malformed', path, status: res.status, reason: 'not JSON', body: this.#mask(res.body) } };
    const checked = schema.safeParse(json);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'the answer';
      return { ok: false, failure: { type: 'malformed', path, status: res.status, reason: `unexpected shape at ${where}: ${issue?.message ?? 'invalid'}`, body: this.#mask(res.body) } };
    }
    return { ok: true, data: checked.data, ms: res.totalMs };
  }
}

/** A Prometheus `{"status":"error","errorType":...,"error":...}` body, or another API's `{"message":...}` / `{"error":...}`. */
function errorOf(json: unknown): { error: string; errorType?: string; prometheus: boolean } | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  if (o.status === 'error') {
    return {
      error: typeof o.error === 'string' && o.error ? o.error : '(no error message)',
      errorType: typeof o.errorType === 'string' ? o.errorType : undefined,
      prometheus: true,
    };
  }
  if (typeof o.error === 'string') return { error: o.error, prometheus: false };
  if (typeof o.message === 'string') return { error: o.message, prometheus: false };
  return undefined;
}

/** One line saying what went wrong with a call, for the title of a finding. */
export function describeApiFailure(f: ApiFailure): string {
  switch (f.type) {
    case 'request':
      return f.failure.cancelled ? 'the probe was cancelled' : `${f.failure.kind} (${f.failure.message})`;
    case 'status':
      if (f.offOriginRedirect !== undefined) {
        return `${f.path} answered HTTP ${f.status}${f.statusText ? ` ${f.statusText}` : ''}: a redirect to another origin, ${displayUrl(f.offOriginRedirect)} (not followed: the target's headers never leave its origin)`;
      }
      return `${f.path} answered HTTP ${f.status}${f.statusText ? ` ${f.statusText}` : ''}: ${snippet(f.body, 120)}`;
    case 'api-error':
      return `${f.path} answered an error${f.status !== 200 ? ` (HTTP ${f.status})` : ''}: ${f.errorType ? `${f.errorType}: ` : ''}${snippet(f.error, 160)}`;
    case 'malformed':
      return `${f.path} answered HTTP ${f.status} with something that is not the expected JSON (${f.reason})${f.body ? `: ${snippet(f.body, 80)}` : ''}`;
  }
}

/** What to do about a failed call, for the fix of a finding (no "Fix:" prefix). */
export function apiFailureFix(f: ApiFailure): string {
  switch (f.type) {
    case 'request':
      return f.failure.fix;
    case 'status':
      if (f.status === 401 || f.status === 403) return 'the server refuses the probe\'s credentials: check the headers of the target (the secret they reference).';
      if (f.status === 404) return 'no such path here: check the base URL (a route prefix such as /prometheus, or a proxy that exposes only part of the API).';
      return 'read the server log around now; a proxy in front may also answer for it when the server is down.';
    case 'api-error':
      return 'the server understood the call but failed it: read its log for the same error.';
    case 'malformed':
      return 'something else answers at this URL (a login page, a proxy, another service), or the answer was cut off: check the base URL with curl.';
  }
}
