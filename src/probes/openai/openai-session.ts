// A run of the openai kind: the official SDK (loaded only here) makes two calls at once within the
// target's timeout, never retried: GET /models (spends no tokens) and, when a model is configured,
// one chat completion of a single output token, whose answer carries the rate-limit headers. A
// server that refuses `max_tokens` for the model (newer models want `max_completion_tokens`) is
// asked once more with that; the choice is remembered so later runs send one request. The checks
// judge the answers; when the key is refused or nothing answered, that one finding is the report.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Finding } from '../../report.ts';
import { maskSecrets } from '../../security/mask-secrets.ts';
import { checkId, type KindRuntime } from '../probe-definition.ts';
import { classifyRequestError, failureMessage } from '../http/classify-error.ts';
import { Deadline, snippet } from '../http/probe-support.ts';
import { describeOpenaiEndpoint } from './describe-openai-endpoint.ts';
import { finding, KIND, type Answer, type CallFailure, type CallName, type CompletionResult, type ModelsResult, type OpenaiCheckContext } from './check-context.ts';
import type { OpenaiTarget } from './openai-kind.ts';
import { checkAuth } from './checks/auth.ts';
import { checkConnectivity } from './checks/connectivity.ts';

/** How long after the calls' own deadline the run stops waiting for an SDK that would not stop. */
const SLACK_MS = 250;
/** A server's message is quoted up to this many characters. */
const MESSAGE_CHARS = 300;
/** The model list is read up to this many entries (OpenRouter lists hundreds; nothing needs more). */
const MAX_MODELS = 5_000;
/** The probe's state key for the output-limit parameter a model wants. */
const TOKEN_PARAM_KEY = 'openai.token_param';

type TokenParam = 'max_tokens' | 'max_completion_tokens';

export const openaiSession: KindRuntime<OpenaiTarget, OpenaiCheckContext> = {
  async open(target, run) {
    const deadline = new Deadline(run.signal, run.timeoutMs);
    const mask = (text: string) => maskSecrets(text, run.secrets);
    let client: OpenAI;
    try {
      client = newClient(target, run.timeoutMs);
    } catch (e) {
      return { stop: [finding('connectivity', 'unknown', `The SDK refused the target's settings: ${mask(failureMessage(e))}`, { fix: `check targets.${target.name}.url and the other keys of the target.`, config: true })] };
    }
    const options = { signal: deadline.signal, timeout: run.timeoutMs, maxRetries: 0 };
    const failed = (call: CallName, e: unknown, started: number): CallFailure => classify(call, e, started, deadline, mask);

    const listModels = async (): Promise<ModelsResult> => {
      const started = performance.now();
      try {
        const response = await client.models.list(options).asResponse();
        const text = await response.text();
        const answer = answerOf('GET /models', response, started);
        const ids = modelIds(text);
        if (ids === undefined) return { ok: false, failure: malformed(answer, response, text, mask) };
        return { ok: true, answer, ids };
      } catch (e) {
        return { ok: false, failure: failed('GET /models', e, started) };
      }
    };

    const complete = async (model: string): Promise<CompletionResult> => {
      const remembered = await run.state.get<{ model: string; param: TokenParam }>(TOKEN_PARAM_KEY).catch(() => undefined);
      const first: TokenParam = remembered?.value.model === model ? remembered.value.param : 'max_tokens';
      const once = async (param: TokenParam): Promise<CompletionResult> => {
        const started = performance.now();
        try {
          const body = { model, messages: [{ role: 'user' as const, content: 'Say OK.' }], ...(param === 'max_tokens' ? { max_tokens: 1 } : { max_completion_tokens: 1 }) };
          const { data, response } = await client.chat.completions.create(body, options).withResponse();
          const answer = answerOf('POST /chat/completions', response, started);
          if (typeof data !== 'object' || data === null || !Array.isArray((data as { choices?: unknown }).choices)) {
            const text = typeof data === 'string' ? data : JSON.stringify(data) ?? '';
            return { ok: false, failure: malformed(answer, response, text, mask) };
          }
          return { ok: true, answer, tokenParam: param };
        } catch (e) {
          return { ok: false, failure: failed('POST /chat/completions', e, started) };
        }
      };
      const result = await once(first);
      if (result.ok || !refusesMaxTokens(result.failure) || first !== 'max_tokens') return result;
      // Not a failure of the API: the model only takes the newer parameter. One more request.
      const fellBack = result.failure.type === 'http' ? result.failure.message : 'max_tokens refused';
      const second = await once('max_completion_tokens');
      if (second.ok) await run.state.set(TOKEN_PARAM_KEY, { model, param: 'max_completion_tokens' }).catch(() => undefined);
      return { ...second, fellBack };
    };

    const calls = Promise.all([listModels(), target.model === undefined ? Promise.resolve(undefined) : complete(target.model)]);
    const settled = await deadline.race(calls, SLACK_MS);
    const timedOut = (call: CallName): CallFailure => (deadline.cancelled ? { type: 'cancelled', call } : { type: 'timeout', call, timeoutMs: deadline.timeoutMs });
    const [models, completion] = settled ?? [
      { ok: false as const, failure: timedOut('GET /models') },
      target.model === undefined ? undefined : { ok: false as const, failure: timedOut('POST /chat/completions') },
    ];
    const ctx: OpenaiCheckContext = {
      target: target.name,
      endpoint: describeOpenaiEndpoint(target.url),
      ...(target.model !== undefined && { model: target.model }),
      ...(target.organization !== undefined && { organization: target.organization }),
      ...(target.project !== undefined && { project: target.project }),
      timeoutMs: deadline.timeoutMs,
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

function newClient(target: OpenaiTarget, timeoutMs: number): OpenAI {
  return new OpenAI({
    apiKey: target.apiKey,
    baseURL: target.url,
    // Explicit nulls: the SDK would otherwise read OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY...
    organization: target.organization ?? null,
    project: target.project ?? null,
    adminAPIKey: null,
    webhookSecret: null,
    timeout: timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
  });
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

function answerOf(call: CallName, response: Response, started: number): Answer {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  return { call, status: response.status, ...(requestId && { requestId }), headers: headerRecord(response.headers), ms: Math.round(performance.now() - started) };
}

function headerRecord(headers: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  headers?.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** The ids of `{object: 'list', data: [{id, ...}]}`, or undefined when the body is not that. */
function modelIds(text: string): string[] | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.slice(0, MAX_MODELS).flatMap((m) => (typeof (m as { id?: unknown } | null)?.id === 'string' ? [(m as { id: string }).id] : []));
}

function malformed(answer: Answer, response: Response, text: string, mask: (t: string) => string): CallFailure {
  return {
    type: 'malformed',
    call: answer.call,
    status: answer.status,
    ...(answer.requestId !== undefined && { requestId: answer.requestId }),
    ms: answer.ms,
    contentType: response.headers.get('content-type') ?? '',
    body: snippet(mask(text), MESSAGE_CHARS),
  };
}

/** The SDK's error classes into what the checks judge; every quoted text masked first. */
function classify(call: CallName, e: unknown, started: number, deadline: Deadline, mask: (t: string) => string): CallFailure {
  if (deadline.cancelled) return { type: 'cancelled', call };
  if (e instanceof APIConnectionTimeoutError || (e instanceof APIUserAbortError && deadline.timedOut)) return { type: 'timeout', call, timeoutMs: deadline.timeoutMs };
  if (e instanceof APIConnectionError) {
    const r = classifyRequestError(e.cause ?? e, deadline.timeoutMs, deadline.timedOut);
    if (r.cancelled) return { type: 'cancelled', call };
    if (r.kind === 'timeout') return { type: 'timeout', call, timeoutMs: deadline.timeoutMs };
    return { type: 'network', call, kind: r.kind, message: snippet(mask(r.message), MESSAGE_CHARS), fix: r.fix, ...(r.code !== undefined && { code: r.code }) };
  }
  if (e instanceof APIError && typeof e.status === 'number') {
    const headers = headerRecord(e.headers);
    const body = (e.error ?? undefined) as { message?: unknown } | undefined;
    const raw = typeof body?.message === 'string' ? body.message : e.message.replace(/^\d{3}\s+/, '');
    return {
      type: 'http',
      call,
      status: e.status,
      headers,
      ...(e.requestID && { requestId: e.requestID }),
      ms: Math.round(performance.now() - started),
      ...(typeof e.code === 'string' && e.code && { code: e.code }),
      ...(typeof e.type === 'string' && e.type && { errorType: e.type }),
      ...(typeof e.param === 'string' && e.param && { param: e.param }),
      message: snippet(mask(raw), MESSAGE_CHARS),
    };
  }
  if (e instanceof SyntaxError) {
    // A JSON content-type with a body that is not JSON (cut short, or a proxy's page).
    return { type: 'malformed', call, ms: Math.round(performance.now() - started), contentType: 'application/json', body: `not JSON (${snippet(mask(e.message), MESSAGE_CHARS)})` };
  }
  const r = classifyRequestError(e, deadline.timeoutMs, deadline.timedOut);
  if (r.cancelled) return { type: 'cancelled', call };
  if (r.kind === 'timeout') return { type: 'timeout', call, timeoutMs: deadline.timeoutMs };
  return { type: 'network', call, kind: r.kind, message: snippet(mask(r.message), MESSAGE_CHARS), fix: r.fix };
}

/** A 400 saying the model does not take `max_tokens` (it wants `max_completion_tokens`). */
function refusesMaxTokens(f: CallFailure): boolean {
  if (f.type !== 'http' || f.status !== 400) return false;
  const names = f.param === 'max_tokens' || /max_tokens/.test(f.message);
  return names && (f.code === 'unsupported_parameter' || /max_completion_tokens|not supported|unsupported/i.test(f.message));
}

