// A run of a stripe target: one SDK client for every check, bounded by the run's deadline. The
// session itself makes the auth call (GET /v1/balance) and reports stripe.auth; when the key is
// refused or the API does not answer, the other API checks say so as `unknown` instead of each
// failing alike, and the webhook secret is still judged (it needs no call).
import type { KindRuntime } from '../probe-definition.ts';
import { failureMessage } from '../http/classify-error.ts';
import { Deadline, findingFor } from '../http/probe-support.ts';
import { authFinding, keyProblem } from './checks/auth.ts';
import type { StripeCheckContext } from './check-context.ts';
import { StripeClient } from './stripe-client.ts';
import { cleanStripeText } from './stripe-failure.ts';
import type { StripeTarget } from './stripe-kind.ts';

/** How long after the calls' own deadline the engine stops waiting. */
const DEADLINE_SLACK_MS = 250;

export const stripeSession: KindRuntime<StripeTarget, StripeCheckContext> = {
  async open(target, run) {
    const finding = findingFor(target.kind);
    const deadline = new Deadline(run.signal, run.timeoutMs);
    const started = performance.now();
    const remainingMs = () => deadline.timeoutMs - (performance.now() - started);
    const api = new StripeClient(target.apiKey, target.url, {
      timeoutMs: deadline.timeoutMs,
      signal: deadline.signal,
      cancelled: () => deadline.cancelled,
      remainingMs,
      secrets: run.secrets,
    }, target.maxObjects);
    const base = {
      api,
      ...(target.webhookSecret !== undefined && { webhookSecret: target.webhookSecret }),
      minPaymentAttempts: target.minPaymentAttempts,
      now: new Date(),
      secrets: run.secrets,
    };
    let auth = keyProblem(target.apiKey);
    if (auth === undefined) {
      const t0 = performance.now();
      const balance = await api.balance();
      auth = authFinding(target.apiKey, balance, performance.now() - t0);
    }
    const ctx: StripeCheckContext = { ...base, mode: auth.mode, ...(auth.blocked !== undefined && { blocked: auth.blocked }) };
    return {
      lead: [auth.finding],
      ctx,
      // The calls end at the deadline on their own (a finding names what did not answer); the
      // engine's cut comes a little later, for a check that would not stop.
      budgetMs: remainingMs() + DEADLINE_SLACK_MS,
      // The API checks need a key Stripe accepts and an API that answers: when the auth call
      // showed otherwise, they are unknown for that reason.
      missing: (need) => (need === 'api' ? auth.blocked : undefined),
      describeError: (e) => cleanStripeText(failureMessage(e), run.secrets),
      unfinished: (check, cancelled) =>
        finding(check.name, 'unknown', `${check.label}: could not check (${cancelled ? 'the probe was cancelled' : `Stripe did not answer within ${deadline.timeoutMs} ms`})`),
    };
  },
};
