// stripe.auth: GET /v1/balance, the cheapest call there is, proves the key. Its finding states the
// mode (live or test, from the key's prefix and the answer's livemode) and the key's type; a key
// refused (401) or an API that does not answer is critical, and the other API checks are then
// unknown for that reason. A restricted key refused the balance for a permission Stripe names is
// valid: said so, and the other checks try their own endpoints.
import type { Finding } from '../../../report.ts';
import { formatMs } from '../../format.ts';
import { capitalFirst, finding, type StripeMode, type StripeResult } from '../check-context.ts';
import { describeStripeFailure, stripeFailureFix } from '../stripe-failure.ts';

interface KeyShape {
  /** "secret key", "restricted key", "publishable key", or "key" when the prefix is unknown. */
  type: string;
  mode: StripeMode;
  restricted: boolean;
}

/** What the key's prefix says: sk_live_, sk_test_, rk_live_, rk_test_ (pk_ is publishable, of no use here). */
function keyShape(apiKey: string): KeyShape {
  const m = /^(sk|rk|pk)_(live|test)_/.exec(apiKey);
  if (!m) return { type: 'key', mode: 'unknown', restricted: false };
  const type = m[1] === 'sk' ? 'secret key' : m[1] === 'rk' ? 'restricted key' : 'publishable key';
  return { type, mode: m[2] as 'live' | 'test', restricted: m[1] === 'rk' };
}

export interface AuthOutcome {
  finding: Finding;
  mode: StripeMode;
  /** Why the other API checks cannot run, when they cannot. */
  blocked?: string;
}

/** Before any call: a publishable key can read nothing, a key with whitespace around it is refused by Stripe with a confusing message, and one with a line break inside cannot be sent. */
export function keyProblem(apiKey: string): AuthOutcome | undefined {
  const shape = keyShape(apiKey);
  if (shape.type === 'publishable key') {
    return {
      mode: shape.mode,
      blocked: 'the configured key is a publishable key',
      finding: finding('auth', 'unknown', `The configured key is a ${shape.mode}-mode publishable key (pk_...): it cannot read the API`, {
        fix: 'put a secret key (sk_...) or a restricted key (rk_...) with read permissions in the target\'s apiKey (STRIPE_API_KEY); publishable keys are for browsers and apps.',
        config: true,
      }),
    };
  }
  if (apiKey !== apiKey.trim() || /^["']|["']$/.test(apiKey)) {
    return {
      mode: shape.mode,
      blocked: 'the configured key has whitespace or quotes around it',
      finding: finding('auth', 'unknown', 'The configured API key has whitespace or quotes around it: Stripe would refuse it', {
        fix: 'remove the spaces, newline or quotes around the value of STRIPE_API_KEY (a file read with its trailing newline is the usual cause).',
        config: true,
      }),
    };
  }
  // A line break or a character no HTTP header may carry: the request could not even be made (and
  // Node's error would quote the header, key and all), so nothing is sent.
  if (/[^\x21-\x7e]/.test(apiKey)) {
    return {
      mode: shape.mode,
      blocked: 'the configured key has a space, line break or other character no key has inside it',
      finding: finding('auth', 'unknown', 'The configured API key has a space, line break or other character no Stripe key has inside it: it cannot be sent', {
        fix: 'copy the key again from the Stripe dashboard (Developers > API keys) into STRIPE_API_KEY: letters, digits and _ only, on one line.',
        config: true,
      }),
    };
  }
  return undefined;
}

export function authFinding(apiKey: string, result: StripeResult<{ livemode: boolean }>, ms: number): AuthOutcome {
  const shape = keyShape(apiKey);
  if (result.ok) {
    const mode: StripeMode = result.data.livemode ? 'live' : 'test';
    const mismatch = shape.mode !== 'unknown' && shape.mode !== mode ? ` (the key's prefix says ${shape.mode}: the answer's livemode wins)` : '';
    return {
      mode,
      finding: finding('auth', 'ok', `${capitalFirst(mode)}-mode ${shape.type} works: GET /v1/balance answered in ${formatMs(ms)}${mismatch}`, {
        metrics: { latency_ms: Math.round(ms), livemode: mode === 'live' ? 1 : 0 },
      }),
    };
  }
  const f = result.failure;
  const mode = shape.mode;
  const who = `${mode === 'unknown' ? '' : `${mode}-mode `}${shape.type}`;
  // Valid only when Stripe's 403 names the permission it lacks: any other refusal of a restricted
  // key (an IP it may not be used from, a key being rolled) is not proof that the key works.
  if (f.kind === 'permission' && shape.restricted && f.permission !== undefined) {
    return {
      mode,
      finding: finding('auth', 'ok', `${capitalFirst(who)} is valid: it lacks ${f.permission}, so the balance was not read; each check tries its own endpoint`, {
        detail: `GET /v1/balance answered HTTP 403: ${f.message}`,
      }),
    };
  }
  const fix = stripeFailureFix(f);
  const extra = fix !== undefined ? { fix } : {};
  switch (f.kind) {
    case 'cancelled':
      return { mode, blocked: 'the probe was cancelled', finding: finding('auth', 'unknown', 'Not checked: the probe was cancelled before Stripe answered') };
    case 'auth':
      return { mode, blocked: 'Stripe refused the API key (HTTP 401)', finding: finding('auth', 'crit', `Stripe refuses the ${who} (HTTP 401): ${f.message}`, extra) };
    case 'permission':
      return { mode, finding: finding('auth', 'crit', `Stripe refuses the ${who} (HTTP 403): ${f.message}`, extra) };
    case 'timeout':
    case 'connection':
      return { mode, blocked: `the Stripe API did not answer GET /v1/balance (${f.kind})`, finding: finding('auth', 'crit', `Stripe API unreachable: ${describeStripeFailure(f)}`, extra) };
    case 'rate_limit':
      return { mode, finding: finding('auth', 'warn', `The ${who} is rate limited (HTTP ${f.status ?? 429}): ${f.message}`, extra) };
    default:
      return { mode, finding: finding('auth', 'crit', `The key could not be checked: ${describeStripeFailure(f)}`, extra) };
  }
}
