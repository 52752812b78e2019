// A run of the openai kind: the official SDK (loaded only here) makes two calls at once within the
// target's timeout, never retried: GET /models (spends no tokens) and, when a model is configured,
// one chat completion of a single output token, whose answer carries the rate-limit headers. A
// server that refuses `max_tokens` for the model (newer models want `max_completion_tokens`) is
// asked once more with that (and the other way round); the choice is remembered per endpoint and
// model so later runs send one request, and a remembered choice the server refuses is corrected.
// Whatever the server sends is untrusted: bodies are read up to a size, and every text it puts in
// a finding (messages, header values, ids) is cleaned, masked, then cut. The SDK takes nothing
// from the environment (OPENAI_BASE_URL, OPENAI_ORG_ID, OPENAI_CUSTOM_HEADERS...): the target
// decides. The checks judge the answers; when the key is refused or nothing answered, that one
// finding is the report.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, type ClientOptions } from 'openai';
import type { Finding } from '../../report.ts';
import { maskSecrets } from '../../security/mask-secrets.ts';
import { checkId, type KindRuntime } from '../probe-definition.ts';
import { classifyRequestError, failureMessage } from '../http/classify-error.ts';
import { Deadline, snippet } from '../http/probe-support.ts';
import { untilDeadline } from '../until-deadline.ts';
import { AnswerTooLargeError, cappedFetch } from './capped-fetch.ts';
import { describeOpenaiEndpoint } from './describe-openai-endpoint.ts';
import { finding, KIND, type Answer, type CallFailure, type CallName, type CompletionResult, type ModelsResult, type OpenaiCheckContext, type TokenParam } from './check-context.ts';
import type { OpenaiTarget } from './openai-kind.ts';
import { checkAuth } from './checks/auth.ts';
import { checkConnectivity } from './checks/connectivity.ts';

/** How long after the calls' own deadline the run stops waiting for an SDK that would not stop. */
const SLACK_MS = 250;
/** A server's message is quoted up to this many characters. */
const MESSAGE_CHARS = 300;
/** Of a long text only the start is cleaned and masked: far more than any quote shows. */
const QUOTED_SCAN_CHARS = 64 * 1024;
/** A header value (a request id) is quoted up to this many characters. */
const HEADER_CHARS = 100;
/** An answer's body is read up to this size (OpenRouter's model list, the largest, is a few MiB). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
/** The probe's state key for the output-limit parameter a model wants, followed by the endpoint and model. */
const TOKEN_PARAM_KEY = 'openai.token_param';
/** How long the run waits for the state store before it starts with max_tokens: a slow store is not a slow API. */
const STATE_WAIT_MS = 300;

const OTHER_PARAM: Record<TokenParam, TokenParam> = { max_tokens: 'max_completion_tokens', max_completion_tokens: 'max_tokens' };

export const openaiSession: KindRuntime<OpenaiTarget, OpenaiCheckContext> = {
  async open(target, run) {
    const deadline = new Deadline(run.signal, run.timeoutMs);
    const mask = (text: string) => maskSecrets(text, run.secrets);
    /**
     * Server text as a finding may quote it: masked, control and invisible characters out (they
     * could split the key past the mask), masked again (what they split is whole now), then cut.
     */
    const quote = (text: string, max = MESSAGE_CHARS) => snippet(mask(mask(text.slice(0, QUOTED_SCAN_CHARS)).replace(/[\p{Cc}\p{Cf}]/gu, (c) => (/\s/.test(c) ? ' ' : ''))), max);
    let client: OpenAI;
    try {
      client = new TargetClient(target, run.timeoutMs);
    } catch (e) {
      return { stop: [finding('connectivity', 'unknown', `The SDK refused the target's settings: ${mask(failureMessage(e))}`, { fix: `check targets.${target.name}.url and the other keys of the target.`, config: true })] };
    }
    const options = { signal: deadline.signal, timeout: run.timeoutMs, maxRetries: 0 };
    const answerOf = (call: CallName, response: Response, started: number): Answer => {
      const id = response.headers.get('x-request-id');
      return { call, status: response.status, ...(id && { requestId: quote(id, HEADER_CHARS) }), headers: headerRecord(response.headers, mask), ms: Math.round(performance.now() - started) };
    };
    const malformed = (answer: Answer, response: Response, text: string): CallFailure => ({
      type: 'malformed',
      call: answer.call,
      status: answer.status,
      ...(answer.requestId !== undefined && { requestId: answer.requestId }),
      ms: answer.ms,
      contentType: quote(response.headers.get('content-type') ?? '', HEADER_CHARS),
      body: quote(text),
    });
    const failed = (call: CallName, e: unknown, started: number): CallFailure => classify(call, e, started, deadline, quote, mask);

    const listModels = async (): Promise<ModelsResult> => {
      const started = performance.now();
      try {
        const response = await client.models.list(options).asResponse();
        const text = await response.text();
        const answer = answerOf('GET /models', response, started);
        const ids = modelIds(text);
        if (ids === undefined) return { ok: false, failure: malformed(answer, response, text) };
        return { ok: true, answer, ids };
      } catch (e) {
        return { ok: false, failure: failed('GET /models', e, started) };
      }
    };

    const once = async (model: string, param: TokenParam): Promise<CompletionResult> => {
      const started = performance.now();
      try {
        const body = { model, messages: [{ role: 'user' as const, content: 'Say OK.' }], ...(param === 'max_tokens' ? { max_tokens: 1 } : { max_completion_tokens: 1 }) };
        const response = await client.chat.completions.create(body, options).asResponse();
        const text = await response.text();
        const answer = answerOf('POST /chat/completions', response, started);
        if (!isCompletion(text)) return { ok: false, failure: malformed(answer, response, text) };
        return { ok: true, answer, tokenParam: param };
      } catch (e) {
        return { ok: false, failure: failed('POST /chat/completions', e, started) };
      }
    };

    const complete = async (model: string): Promise<CompletionResult> => {
      // Per endpoint and model: the same model name elsewhere (a local server, Azure) may want the other one.
      const key = `${TOKEN_PARAM_KEY} ${describeOpenaiEndpoint(target.url)} ${model}`;
      const stored = await untilDeadline(Promise.resolve().then(() => run.state.get<unknown>(key)).catch(() => undefined), STATE_WAIT_MS, deadline.signal);
      const remembered = stored?.value === 'max_completion_tokens';
      const first: TokenParam = remembered ? 'max_completion_tokens' : 'max_tokens';
      const result = await once(model, first);
      // A remembered choice may be stale (another server behind the URL now): any 400 to it earns one try of the other.
      const refused = !result.ok && (refusesParam(result.failure, first) || (remembered && result.failure.type === 'http' && result.failure.status === 400));
      if (!refused) return result;
      // Not a failure of the API: the model (or the server) takes only the other parameter. One more request.
      const fellBack = { refused: first, message: result.failure.type === 'http' ? result.failure.message : `${first} refused` };
      const second = await once(model, OTHER_PARAM[first]);
      // Not awaited: a slow state store does not hold the report.
      if (second.ok) void Promise.resolve().then(() => run.state.set(key, second.tokenParam)).catch(() => undefined);
      return { ...second, fellBack };
    };

    const unanswered = (call: CallName): CallFailure => (deadline.cancelled ? { type: 'cancelled', call } : { type: 'timeout', call, timeoutMs: deadline.timeoutMs });
    // Each call bounded on its own: one that overruns costs only its own answer.
    const [models, completion] = await Promise.all([
      deadline.race(listModels(), SLACK_MS).then((r): ModelsResult => r ?? { ok: false, failure: unanswered('GET /models') }),
      target.model === undefined ? undefined : deadline.race(complete(target.model), SLACK_MS).then((r): CompletionResult => r ?? { ok: false, failure: unanswered('POST /chat/completions') }),
    ]);
    const ctx: OpenaiCheckContext = {
      target: target.name,
      endpoint: describeOpenaiEndpoint(target.url),
      ...(target.model !== undefined && { model: target.model }),
      ...(target.organization !== undefined && { organization: target.organization }),
      ...(target.project !== undefined && { project: target.project }),
      models,
      ...(completion !== undefined && { completion }),
    };

    const stop = stopFindings(ctx);
    if (stop) return { stop };
    return {
      ctx,
      describeError: (e) => mask(failureMessage(e)),
      finish: (findings) => mergeStories(findings, ctx),
    };
  },
};

/**
 * The SDK's client with the target's settings and nothing from the environment: explicit nulls
 * where the SDK would read OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY...; and the headers it
 * parses from OPENAI_CUSTOM_HEADERS, which would come after (and so replace) the key, the
 * organization and the project, dropped.
 */
class TargetClient extends OpenAI {
  constructor(target: OpenaiTarget, timeoutMs: number) {
    const options: ClientOptions = {
      apiKey: target.apiKey,
      baseURL: target.url,
      organization: target.organization ?? null,
      project: target.project ?? null,
      adminAPIKey: null,
      webhookSecret: null,
      timeout: timeoutMs,
      maxRetries: 0,
      logLevel: 'off',
      fetch: cappedFetch(MAX_BODY_BYTES),
    };
    super(options);
    this._options = { ...this._options, defaultHeaders: undefined };
  }
}

/**
 * When nothing more can be learned, the one finding that says why: the key refused on every call,
 * the base URL serving no API, or no call answered at all.
 */
function stopFindings(ctx: OpenaiCheckContext): Finding[] | undefined {
  const m = ctx.models;
  if (m.ok) return undefined;
  const c = ctx.completion;
  const f = m.failure;
  if (f.type === 'http' && (f.status === 401 || f.status === 403)) {
    const refusedToo = c === undefined || (!c.ok && c.failure.type === 'http' && (c.failure.status === 401 || c.failure.status === 403));
    const auth = checkAuth(ctx);
    // Only a refusal that ends the story stops the run (not a key merely unable to list models).
    if (refusedToo && auth.every((a) => a.status === 'crit')) return auth.map((a) => ({ ...a, merged: [checkId(KIND, 'connectivity')] }));
    return undefined;
  }
  const noAnswer = (x: CallFailure) => x.type === 'timeout' || x.type === 'network' || x.type === 'cancelled';
  if (noAnswer(f) && (c === undefined || (!c.ok && noAnswer(c.failure)))) return checkConnectivity(ctx);
  // A base URL that serves no /models (the version path missing, another API): the bot's configuration.
  if (f.type === 'http' && f.status === 404 && f.code !== 'model_not_found' && (c === undefined || (!c.ok && c.failure.type === 'http' && c.failure.status === 404))) {
    return checkConnectivity(ctx);
  }
  return undefined;
}

/**
 * One story, one finding: a /models call refused for a reason another check explains (429: quota,
 * 5xx: server, 401/403: auth) is told there, and a 429 on the completion is the quota's story,
 * with the headroom its headers gave.
 */
function mergeStories(findings: Finding[], ctx: OpenaiCheckContext): Finding[] {
  const id = (name: string) => checkId(KIND, name);
  const take = (list: Finding[], into: string, taken: string): Finding[] => {
    const host = list.find((f) => f.check === id(into) && f.status !== 'ok' && f.status !== 'unknown');
    const victim = list.find((f) => f.check === id(taken));
    if (!host || !victim) return list;
    const merged: Finding = {
      ...host,
      merged: [...(host.merged ?? []), id(taken)],
      ...((host.metrics || victim.metrics) && { metrics: { ...victim.metrics, ...host.metrics } }),
    };
    return list.filter((f) => f !== victim).map((f) => (f === host ? merged : f));
  };
  let out = findings;
  const m = ctx.models;
  if (!m.ok && m.failure.type === 'http') {
    const s = m.failure.status;
    if (s === 401 || s === 403) out = take(out, 'auth', 'connectivity');
    else if (s === 429) out = take(out, 'quota', 'connectivity');
    else if (s >= 500) out = take(out, 'server', 'connectivity');
  }
  const c = ctx.completion;
  if (c && !c.ok && c.failure.type === 'http' && c.failure.status === 429) out = take(out, 'quota', 'headroom');
  return out;
}

function headerRecord(headers: Headers | undefined, mask: (t: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  headers?.forEach((value, name) => {
    out[name.toLowerCase()] = mask(value);
  });
  return out;
}

/** The ids of `{object: 'list', data: [{id, ...}]}` (every one: the body's size is bounded), or undefined when the body is not that. */
function modelIds(text: string): string[] | undefined {
  const data = (parseJson(text) as { data?: unknown } | null | undefined)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.flatMap((m) => (typeof (m as { id?: unknown } | null)?.id === 'string' ? [(m as { id: string }).id] : []));
}

/** A chat.completion object: JSON with a `choices` list. */
function isCompletion(text: string): boolean {
  return Array.isArray((parseJson(text) as { choices?: unknown } | null | undefined)?.choices);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The SDK's error classes into what the checks judge; every quoted text cleaned, masked and cut first. */
function classify(call: CallName, e: unknown, started: number, deadline: Deadline, quote: (t: string, max?: number) => string, mask: (t: string) => string): CallFailure {
  if (deadline.cancelled) return { type: 'cancelled', call };
  const ms = Math.round(performance.now() - started);
  if (e instanceof APIConnectionTimeoutError || (e instanceof APIUserAbortError && deadline.timedOut)) return { type: 'timeout', call, timeoutMs: deadline.timeoutMs };
  if (e instanceof AnswerTooLargeError) return { type: 'malformed', call, ms, contentType: '', body: e.message };
  if (e instanceof APIConnectionError) {
    const r = classifyRequestError(e.cause ?? e, deadline.timeoutMs, deadline.timedOut);
    if (r.cancelled) return { type: 'cancelled', call };
    if (r.kind === 'timeout') return { type: 'timeout', call, timeoutMs: deadline.timeoutMs };
    return { type: 'network', call, kind: r.kind, message: quote(r.message), fix: r.fix, ...(r.code !== undefined && { code: r.code }) };
  }
  if (e instanceof APIError && typeof e.status === 'number') {
    const raw = errorText(e.error) ?? e.message.replace(/^\d{3}\s+/, '');
    const requestId = e.requestID ? quote(e.requestID, HEADER_CHARS) : undefined;
    const word = (v: unknown) => (typeof v === 'string' && v ? quote(v) : undefined);
    const [code, errorType, param] = [word(e.code), word(e.type), word(e.param)];
    return {
      type: 'http',
      call,
      status: e.status,
      headers: headerRecord(e.headers, mask),
      ...(requestId && { requestId }),
      ms,
      ...(code !== undefined && { code }),
      ...(errorType !== undefined && { errorType }),
      ...(param !== undefined && { param }),
      message: quote(raw),
    };
  }
  const r = classifyRequestError(e, deadline.timeoutMs, deadline.timedOut);
  if (r.cancelled) return { type: 'cancelled', call };
  if (r.kind === 'timeout') return { type: 'timeout', call, timeoutMs: deadline.timeoutMs };
  return { type: 'network', call, kind: r.kind, message: quote(r.message), fix: r.fix };
}

/**
 * The words of an error body as the SDK keeps it: OpenAI's `error.message` (the SDK wraps vLLM's
 * top-level `{"object": "error", "message"}` the same way), a bare `{"error": "Unauthorized"}`,
 * or FastAPI's `{"detail": "Not Found"}`; undefined for anything else (the SDK's own text then).
 */
function errorText(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  const o = error as { message?: unknown; detail?: unknown } | null | undefined;
  if (typeof o?.message === 'string') return o.message;
  return typeof o?.detail === 'string' ? o.detail : undefined;
}

/** A 400 saying the model (or the server) does not take `param`: newer models refuse max_tokens, older servers max_completion_tokens. */
function refusesParam(f: CallFailure, param: TokenParam): boolean {
  if (f.type !== 'http' || f.status !== 400) return false;
  const named = f.param !== undefined ? f.param === param : new RegExp(`\\b${param}\\b`).test(f.message);
  return named && (f.code === 'unsupported_parameter' || /not supported|unsupported|unrecognized|unknown|not permitted|extra/i.test(f.message));
}
