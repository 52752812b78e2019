// The official SDK, set up the way every stripe call of the bot needs it: the target's url as
// host/port/protocol, the target's timeout, no retries (they would multiply the wait), no
// telemetry, every request also cut by the run's deadline, every answer read up to 32 MB. Loaded
// only by the runtime and the action executor. StripeClient makes the calls the checks need and turns every failure into a
// StripeFailure (the HTTP status seen below the SDK, so a non-JSON 502 still names its status).
import { AsyncLocalStorage } from 'node:async_hooks';
import Stripe from 'stripe';
import type { z } from 'zod';
import type { EventQuery, StripeApi, StripeList, StripeResult } from './check-context.ts';
import { classifyStripeError, malformedAnswer } from './stripe-failure.ts';
import { balanceSchema, eventSchema, listSchema, paymentIntentSchema, webhookEndpointSchema, type StripeEvent, type WebhookEndpoint } from './stripe-objects.ts';
import { stripeHostOptions } from './stripe-url.ts';

/** Stripe's largest page. */
const PAGE_LIMIT = 100;
/** The largest answer read: a page of 100 events with their objects is a few MB. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** What a call saw below the SDK: the HTTP status of its (last) answer, and whether its body was cut. */
interface CallRecord {
  status?: number;
  tooLarge?: boolean;
}

/** The answer with its body cut off (an error for the SDK's read) past MAX_BODY_BYTES. */
function boundedBody(res: Response, record: CallRecord | undefined): Response {
  if (!res.body || [101, 204, 205, 304].includes(res.status)) return res;
  let seen = 0;
  const limit = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > MAX_BODY_BYTES) {
        if (record) record.tooLarge = true;
        controller.error(new Error(`the answer is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return new Response(res.body.pipeThrough(limit), { status: res.status, statusText: res.statusText, headers: res.headers });
}

export interface StripeCallBounds {
  timeoutMs: number;
  /** Aborted when the run (or the action) gives up, or its deadline passes. */
  signal: AbortSignal;
  /** True when the signal was aborted by the caller rather than by the deadline. */
  cancelled(): boolean;
  /** Time left for a call. */
  remainingMs(): number;
  secrets: readonly string[];
}

export class StripeClient implements StripeApi {
  readonly #sdk: Stripe;
  /** Lists read at most this many objects each. */
  readonly maxObjects: number;
  readonly #bounds: StripeCallBounds;
  readonly #calls = new AsyncLocalStorage<CallRecord>();
  #endpoints: Promise<StripeResult<StripeList<WebhookEndpoint>>> | undefined;

  constructor(apiKey: string, url: string, bounds: StripeCallBounds, maxObjects = 1000) {
    this.#bounds = bounds;
    this.maxObjects = maxObjects;
    const calls = this.#calls;
    const fetchWithDeadline = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const signal = init?.signal ? AbortSignal.any([init.signal, bounds.signal]) : bounds.signal;
      const res = await fetch(input, { ...init, signal });
      const record = calls.getStore();
      if (record) record.status = res.status;
      return boundedBody(res, record);
    };
    this.#sdk = new Stripe(apiKey, {
      ...stripeHostOptions(url),
      timeout: bounds.timeoutMs,
      maxNetworkRetries: 0,
      telemetry: false,
      httpClient: Stripe.createFetchHttpClient(fetchWithDeadline),
    });
  }

  /** One call, within what is left of the deadline; any failure comes back as a value. */
  async call<T>(call: string, fn: (sdk: Stripe, options: { timeout: number; maxNetworkRetries: 0 }) => Promise<unknown>, schema: z.ZodType<T>): Promise<StripeResult<T>> {
    const record: CallRecord = {};
    const b = this.#bounds;
    const failed = (error: unknown): StripeResult<T> => ({
      ok: false,
      failure: record.tooLarge
        ? malformedAnswer(call, record.status, `larger than ${MAX_BODY_BYTES / 1024 / 1024} MB, not read further`)
        : classifyStripeError(error, { call, secrets: b.secrets, timeoutMs: b.timeoutMs, timedOut: b.signal.aborted && !b.cancelled(), cancelled: b.cancelled(), ...(record.status !== undefined && { status: record.status }) }),
    });
    if (b.signal.aborted) return failed(new Error('aborted before the call'));
    let answer: unknown;
    try {
      const timeout = Math.max(1, Math.min(b.timeoutMs, Math.ceil(b.remainingMs())));
      answer = await this.#calls.run(record, () => fn(this.#sdk, { timeout, maxNetworkRetries: 0 }));
    } catch (error) {
      return failed(error);
    }
    const checked = schema.safeParse(answer);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : 'the answer';
      return { ok: false, failure: malformedAnswer(call, record.status, `unexpected shape at ${where}: ${issue?.message ?? 'invalid'}`) };
    }
    return { ok: true, data: checked.data };
  }

  /**
   * Every page of a list (has_more / starting_after) until `max` objects, each object checked
   * against `item`. A page is read only up to the bound however many objects it holds, and a list
   * that stops there (or whose answer says there is more yet gives none) is `capped`.
   */
  async list<T extends { id: string }>(
    call: string,
    page: (sdk: Stripe, params: { limit: number; starting_after?: string }, options: { timeout: number; maxNetworkRetries: 0 }) => Promise<unknown>,
    item: z.ZodType<T>,
    max: number,
  ): Promise<StripeResult<StripeList<T>>> {
    const items: T[] = [];
    let after: string | undefined;
    for (;;) {
      const limit = Math.min(PAGE_LIMIT, max - items.length);
      const res = await this.call(call, (sdk, options) => page(sdk, { limit, ...(after !== undefined && { starting_after: after }) }, options), listSchema);
      if (!res.ok) return res;
      const data = res.data.data;
      const taken = data.slice(0, max - items.length);
      for (const [i, raw] of taken.entries()) {
        const parsed = item.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return { ok: false, failure: malformedAnswer(call, undefined, `unexpected shape at data.${i}${issue?.path.length ? `.${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`) };
        }
        items.push(parsed.data);
      }
      if (items.length >= max) return { ok: true, data: { items, capped: res.data.has_more || data.length > taken.length } };
      if (!res.data.has_more) return { ok: true, data: { items, capped: false } };
      const last = items.at(-1);
      if (data.length === 0 || last === undefined) return { ok: true, data: { items, capped: true } };
      after = last.id;
    }
  }

  /** GET /v1/balance: the cheap call that proves the key; its answer says the mode. */
  async balance(): Promise<StripeResult<{ livemode: boolean }>> {
    return await this.call('GET /v1/balance', (sdk, options) => sdk.balance.retrieve({}, options), balanceSchema);
  }

  webhookEndpoints(): Promise<StripeResult<StripeList<WebhookEndpoint>>> {
    this.#endpoints ??= this.list('GET /v1/webhook_endpoints', (sdk, params, options) => sdk.webhookEndpoints.list(params, options), webhookEndpointSchema, this.maxObjects);
    return this.#endpoints;
  }

  async events(query: EventQuery): Promise<StripeResult<StripeList<StripeEvent>>> {
    const { sinceS, untilS, undelivered = false, types } = query;
    const what = [undelivered && 'delivery_success=false', types && `types ${types.slice(0, 3).join(', ')}${types.length > 3 ? ` +${types.length - 3} more` : ''}`].filter(Boolean).join('; ');
    return await this.list(
      `GET /v1/events${what ? ` (${what})` : ''}`,
      (sdk, params, options) => sdk.events.list({ ...params, created: { gte: sinceS, ...(untilS !== undefined && { lte: untilS }) }, ...(undelivered && { delivery_success: false }), ...(types && { types: [...types] }) }, options),
      eventSchema,
      query.max ?? this.maxObjects,
    );
  }

  async paymentIntents(sinceS: number) {
    return await this.list('GET /v1/payment_intents', (sdk, params, options) => sdk.paymentIntents.list({ ...params, created: { gte: sinceS } }, options), paymentIntentSchema, this.maxObjects);
  }
}
