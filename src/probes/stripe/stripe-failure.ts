// A failed Stripe call as a value the checks can speak of: what was called, the class of failure
// (key refused, permission missing, no answer in time, a server error, an answer that is not
// Stripe's JSON), Stripe's error type and code, and a message with every secret masked. Reads the
// SDK's errors by their fields (its class name first, as the SDK chose it from the status and the
// body: a 400 with code rate_limit is a StripeRateLimitError), so it does not load the SDK.
import { maskSecrets } from '../../security/mask-secrets.ts';
import { classifyRequestError, failureMessage } from '../http/classify-error.ts';
import { snippet } from '../http/probe-support.ts';

export type StripeFailureKind =
  | 'cancelled'
  | 'timeout'
  | 'connection'
  | 'auth'
  | 'permission'
  | 'rate_limit'
  | 'not_found'
  | 'invalid_request'
  | 'server'
  | 'malformed'
  | 'other';

export interface StripeFailure {
  /** What was called: "GET /v1/balance". */
  call: string;
  kind: StripeFailureKind;
  /** The HTTP status, when there was an answer. */
  status?: number;
  /** Stripe's error type and code (`api_error`, `invalid_request_error`; `resource_missing`). */
  type?: string;
  code?: string;
  /** The permission a restricted key lacks (`rak_balance_read`), when Stripe's 403 names it. */
  permission?: string;
  /** One line, secrets masked (the configured ones and any Stripe key, even Stripe's own partial form). */
  message: string;
  /** What to do, for a finding's fix (connection failures: the network class's advice). */
  connectionFix?: string;
}

/** What the run knew when the call failed. */
interface FailureContext {
  call: string;
  secrets: readonly string[];
  timeoutMs: number;
  /** The run's own deadline passed / the caller gave up. */
  timedOut: boolean;
  cancelled: boolean;
  /** The HTTP status the call got, when it got one (seen below the SDK). */
  status?: number;
}

/** Stripe quotes a key as `sk_live_****1234`: the prefix says the mode, the rest is nobody's business. */
const STRIPE_KEY_PREFIXES = /\b((?:sk|rk|pk)_(?:live|test)_)[A-Za-z0-9*.]+/g;

/** `text` with the configured secrets, the generic patterns and Stripe's partial key forms masked, on one line. */
export function cleanStripeText(text: string, secrets: readonly string[], max = 300): string {
  return snippet(maskSecrets(text, secrets).replace(STRIPE_KEY_PREFIXES, '$1***'), max, secrets);
}

/** Stripe's error types and codes are snake_case words: anything else in those fields is not shown. */
const STRIPE_WORD = /^[a-z][a-z0-9_]{0,63}$/;

/** The class of failure of each of the SDK's error classes (the status decides for the others). */
const SDK_ERROR_KIND: Readonly<Record<string, StripeFailureKind>> = {
  StripeAuthenticationError: 'auth',
  StripePermissionError: 'permission',
  StripeRateLimitError: 'rate_limit',
};

/** The permission Stripe's 403 for a restricted key names: "Having the 'rak_balance_read' permission would allow this request to continue." */
function missingPermission(message: string): string | undefined {
  return /Having the '([A-Za-z0-9_.]+)' permission/.exec(message)?.[1];
}

interface SdkError {
  type?: unknown;
  rawType?: unknown;
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  detail?: unknown;
  raw?: { exception?: { rawBody?: unknown } };
}

export function classifyStripeError(error: unknown, ctx: FailureContext): StripeFailure {
  const call = ctx.call;
  if (ctx.cancelled) return { call, kind: 'cancelled', message: 'the probe was cancelled before Stripe answered' };
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkError;
  const sdkType = typeof e.type === 'string' ? e.type : '';
  const rawMessage = typeof e.message === 'string' ? e.message : failureMessage(error);
  const status = typeof e.statusCode === 'number' ? e.statusCode : ctx.status;
  const requestId = typeof e.requestId === 'string' && /^req_[A-Za-z0-9]+$/.test(e.requestId) ? ` (request ${e.requestId})` : '';
  const base = {
    call,
    ...(status !== undefined && { status }),
    ...(typeof e.rawType === 'string' && STRIPE_WORD.test(e.rawType) && { type: e.rawType }),
    ...(typeof e.code === 'string' && STRIPE_WORD.test(e.code) && { code: e.code }),
  };
  const message = cleanStripeText(rawMessage, ctx.secrets) + requestId;
  if (ctx.timedOut || (sdkType === 'StripeConnectionError' && /timeout/i.test(rawMessage))) {
    return { call, kind: 'timeout', message: `no answer within ${ctx.timeoutMs} ms` };
  }
  if (sdkType === 'StripeConnectionError' || (!sdkType && status === undefined)) {
    const cause = e.detail ?? error;
    const req = classifyRequestError(cause, ctx.timeoutMs, false);
    return { call, kind: 'connection', message: `${req.kind} (${cleanStripeText(req.message, ctx.secrets)})`, connectionFix: req.fix };
  }
  if (/^Invalid JSON received/.test(rawMessage)) {
    const body = e.raw?.exception?.rawBody;
    const shown = typeof body === 'string' ? `: ${cleanStripeText(body, ctx.secrets, 120)}` : '';
    return { ...base, kind: 'malformed', message: `the answer is not JSON${shown}` };
  }
  const kind = SDK_ERROR_KIND[sdkType] ?? (status === 401 ? 'auth' : status === 403 ? 'permission' : status === 429 ? 'rate_limit' : undefined);
  if (kind === 'permission') {
    const permission = missingPermission(rawMessage);
    return { ...base, kind, message, ...(permission !== undefined && { permission }) };
  }
  if (kind !== undefined) return { ...base, kind, message };
  if (status === 404) return { ...base, kind: 'not_found', message };
  if (status !== undefined && status >= 500) return { ...base, kind: 'server', message };
  if (status !== undefined && status >= 400) return { ...base, kind: 'invalid_request', message };
  return { ...base, kind: 'other', message };
}

/** A failure for an answer that is JSON but not the shape the call returns. */
export function malformedAnswer(call: string, status: number | undefined, reason: string): StripeFailure {
  return { call, kind: 'malformed', ...(status !== undefined && { status }), message: reason };
}

/** One line saying what went wrong with a call, for a finding's title. */
export function describeStripeFailure(f: StripeFailure): string {
  switch (f.kind) {
    case 'cancelled':
      return f.message;
    case 'timeout':
      return `${f.call} did not answer: ${f.message}`;
    case 'connection':
      return `${f.call} failed: ${f.message}`;
    case 'malformed':
      return `${f.call} answered${f.status !== undefined ? ` HTTP ${f.status}` : ''} with something that is not Stripe's JSON (${f.message})`;
    default: {
      const type = [f.type, f.code].filter(Boolean).join('/');
      return `${f.call} answered HTTP ${f.status ?? '?'}${type ? ` (${type})` : ''}: ${f.message}`;
    }
  }
}

/** What to do about a failed call, for a finding's fix. */
export function stripeFailureFix(f: StripeFailure): string | undefined {
  switch (f.kind) {
    case 'cancelled':
      return undefined;
    case 'timeout':
      return 'Stripe did not answer in time: look at https://status.stripe.com, then at the network path from the bot (proxy, firewall, DNS); a very short timeoutMs on the target also cuts long lists.';
    case 'connection':
      return f.connectionFix;
    case 'auth':
      return 'the key is refused (mistyped, rolled, expired or deleted, or of another account): take the current secret or restricted key from the Stripe dashboard (Developers > API keys), put it where the target\'s apiKey reads it (STRIPE_API_KEY) and restart the bot. See the stripe-api-key runbook.';
    case 'permission':
      return f.permission !== undefined
        ? f.permission.endsWith('_read')
          ? `the restricted key lacks ${f.permission}: add that permission (read is enough) to the key in the Stripe dashboard (Developers > API keys > the key > Edit), or accept that this check stays unknown.`
          : `the restricted key lacks ${f.permission}: add that permission to the key in the Stripe dashboard (Developers > API keys > the key > Edit), or make the change in the dashboard yourself.`
        : 'Stripe refuses this call for this key or account: read the message; a restricted key needs read permission on what the check lists.';
    case 'rate_limit':
      return 'Stripe rate limits this key right now: something else is using the same key heavily (a batch job, a retry loop); the probe reads little, so look for the heavy user in the dashboard (Developers > Logs).';
    case 'server':
      return 'Stripe (or a proxy in front of the url) failed the call: look at https://status.stripe.com; if it lasts, contact Stripe support with the request id.';
    case 'malformed':
      return 'something other than the Stripe API answered (a proxy, a login page, a stub): check the target\'s url (default https://api.stripe.com) with curl -sS URL/v1/balance -u KEY:';
    case 'not_found':
    case 'invalid_request':
    case 'other':
      return 'Stripe refused the request as sent: read the message; the account\'s API version or a proxy rewriting requests may be the cause.';
  }
}
