// Shared by the openai checks: the kind's finding helper, typed by its check names, and what the
// session learned from its two calls (GET /models, one 1-token chat completion) that every check
// judges. Nothing here loads the SDK: the checks stay pure functions of these answers.
import { findingFor } from '../finding-for.ts';

export const KIND = 'openai';

/** The names of the openai checks: a finding naming another is a type error. */
export type OpenaiCheckName = 'connectivity' | 'auth' | 'quota' | 'headroom' | 'server';

export const finding = findingFor<OpenaiCheckName>(KIND);

/** Why quota and headroom are unknown without a model: short in their titles, explained in their details. */
export const NO_MODEL = 'no model configured';
export const NO_MODEL_DETAIL =
  'Spending tokens is the only way to see the quota and the rate-limit headers, so the probe sends one chat completion of 1 output token only when the target names the model the application uses. Without it nothing that costs money is sent; this says nothing about whether the quota or the rate limits are fine.';

export type CallName = 'GET /models' | 'POST /chat/completions';

/** An HTTP answer, whatever its status: what every check may cite. */
export interface Answer {
  call: CallName;
  status: number;
  /** x-request-id, for a support ticket. */
  requestId?: string;
  /** Lowercased names. */
  headers: Record<string, string>;
  ms: number;
}

export type CallFailure =
  /** The server answered an error status; message already masked and cut. */
  | (Answer & { type: 'http'; code?: string; errorType?: string; param?: string; message: string })
  /** It answered 2xx, but not the API's JSON (a proxy's HTML page, a cut body); the status unknown when the SDK could not parse it. */
  | { type: 'malformed'; call: CallName; status?: number; requestId?: string; ms: number; contentType: string; body: string }
  | { type: 'timeout'; call: CallName; timeoutMs: number }
  | { type: 'cancelled'; call: CallName }
  /** No HTTP answer: refused, DNS, TLS... (classify-error.ts words), `dns` when the host name does not exist. */
  | { type: 'network'; call: CallName; kind: string; message: string; fix: string; code?: string };

/** The parameter a completion's output is limited with: older servers know the first, newer models want the second. */
export type TokenParam = 'max_tokens' | 'max_completion_tokens';

/** The server refused the parameter the probe tried first, in its words; the answer is to the other one. */
export interface FellBack {
  refused: TokenParam;
  message: string;
}

export type ModelsResult = { ok: true; answer: Answer; ids: string[] } | { ok: false; failure: CallFailure };

export type CompletionResult =
  | {
      ok: true;
      answer: Answer;
      /** The parameter the answered request limited the output with. */
      tokenParam: TokenParam;
      fellBack?: FellBack;
    }
  | { ok: false; failure: CallFailure; fellBack?: FellBack };

export interface OpenaiCheckContext {
  /** The target's name, for the keys a fix names (`targets.ai.model`). */
  target: string;
  /** Which server and provider, never with the key ("https://api.openai.com/v1 (OpenAI)"). */
  endpoint: string;
  model?: string;
  organization?: string;
  project?: string;
  models: ModelsResult;
  /** Undefined when no model is configured: nothing that spends tokens was sent. */
  completion?: CompletionResult;
}

/** `targets.<name>.<key>`, as a fix names a configuration key. */
export function configKey(ctx: Pick<OpenaiCheckContext, 'target'>, key: string): string {
  return `targets.${ctx.target}.${key}`;
}

/** The answers and failures of the calls made, models first. */
export function calls(ctx: OpenaiCheckContext): Array<ModelsResult | CompletionResult> {
  return ctx.completion ? [ctx.models, ctx.completion] : [ctx.models];
}
