// A local Stripe API for the stripe kind's tests, speaking Stripe's wire format: GET /v1/balance,
// /v1/webhook_endpoints, /v1/events, /v1/payment_intents as list envelopes ({object: 'list', data,
// has_more, url}, newest first, honouring limit (1 to 100), starting_after, created[gte] and [lte],
// delivery_success and types[] as the SDK encodes them (types[0]=a&types[1]=b, up to 20); events
// older than 30 days are not listed), GET and POST /v1/webhook_endpoints/:id (form-encoded
// disabled=false), and Stripe's error bodies ({error: {type, code, message, param, doc_url}})
// with their HTTP status: 400 for a parameter the endpoint does not take ("Received unknown
// parameter"), 401 for a missing or unknown key (Bearer), 403 naming the permission a restricted
// key lacks, 404 for an unknown endpoint. A path can be overridden (slow, 500, not JSON) to break
// one call.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeKey {
  livemode: boolean;
  /** For a restricted key: the permissions it has (rak_...); every other one is refused with 403. */
  permissions?: string[];
}

export interface FakeEndpoint {
  id: string;
  url: string;
  status: 'enabled' | 'disabled';
  enabled_events: string[];
  created?: number;
  description?: string | null;
  /** A Connect application's endpoint (ca_...): it receives connected accounts' events. */
  application?: string | null;
}

export interface FakeEvent {
  id: string;
  type: string;
  /** Seconds ago it was created. */
  ageS: number;
  /** Not delivered to every endpoint yet, failed or still pending (delivery_success=false lists it). */
  undelivered?: boolean;
  pending_webhooks?: number;
}

export interface FakePaymentIntent {
  id: string;
  status: string;
  ageS: number;
  error?: { type: string; code?: string; decline_code?: string; message?: string };
}

export interface Override {
  status?: number;
  /** A string is sent as is (not JSON); anything else as JSON. */
  body?: unknown;
  delayMs?: number;
  /** Close the connection without an answer. */
  reset?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  body: string;
}

/** The permission each list or object needs from a restricted key (names as Stripe spells them in its 403). */
/** The query parameters each list takes (created and types as the SDK encodes them); any other is a 400. */
const LIST_PARAMS: Record<string, RegExp> = {
  webhook_endpoints: /^(limit|starting_after|ending_before)$/,
  events: /^(limit|starting_after|ending_before|created(\[(gte|gt|lte|lt)\])?|delivery_success|type|types\[\d*\])$/,
  payment_intents: /^(limit|starting_after|ending_before|created(\[(gte|gt|lte|lt)\])?|customer)$/,
};
/** How far back GET /v1/events lists. */
const EVENT_RETENTION_S = 30 * 24 * 3600;

const PERMISSION: Record<string, string> = {
  balance: 'rak_balance_read',
  webhook_endpoints: 'rak_webhook_endpoint_read',
  events: 'rak_event_read',
  payment_intents: 'rak_payment_intent_read',
};

export class FakeStripeApi {
  readonly requests: SeenRequest[] = [];
  readonly keys = new Map<string, FakeKey>();
  endpoints: FakeEndpoint[] = [];
  events: FakeEvent[] = [];
  paymentIntents: FakePaymentIntent[] = [];
  /** By path (e.g. /v1/events): answer this instead. */
  readonly overrides = new Map<string, Override>();
  /** Put the presented key, whole, into the 401 message (a server that echoes it). */
  echoKey = false;
  url = '';
  readonly #server: http.Server;
  readonly #timers = new Set<NodeJS.Timeout>();

  private constructor() {
    this.#server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => this.#handle(req, body, res));
    });
  }

  static async start(): Promise<FakeStripeApi> {
    const fake = new FakeStripeApi();
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', () => resolve()));
    fake.url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Requests to a path (without query), e.g. '/v1/events'. */
  to(path: string, method = 'GET'): SeenRequest[] {
    return this.requests.filter((r) => r.path === path && r.method === method);
  }

  #handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const seen: SeenRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, authorization: req.headers.authorization, contentType: req.headers['content-type'], body };
    this.requests.push(seen);
    const override = this.overrides.get(u.pathname);
    if (override?.reset) {
      req.socket.destroy();
      return;
    }
    const answer = () => {
      if (override && (override.status !== undefined || override.body !== undefined)) {
        const status = override.status ?? 200;
        const raw = typeof override.body === 'string' ? override.body : JSON.stringify(override.body ?? {});
        res.writeHead(status, { 'content-type': typeof override.body === 'string' ? 'text/html' : 'application/json', 'request-id': 'req_fake500' });
        res.end(raw);
        return;
      }
      const [status, json] = this.#route(seen);
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake1', 'stripe-version': '2026-10-28.endive' });
      res.end(JSON.stringify(json));
    };
    if (override?.delayMs) {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        if (!res.destroyed) answer();
      }, override.delayMs);
      this.#timers.add(t);
    } else {
      answer();
    }
  }

  #route(req: SeenRequest): [number, unknown] {
    const auth = /^Bearer (.+)$/.exec(req.authorization ?? '')?.[1];
    if (!auth) return error(401, 'invalid_request_error', 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.');
    const key = this.keys.get(auth);
    if (!key) {
      const shown = this.echoKey ? auth : `${auth.slice(0, 8)}${'*'.repeat(Math.max(0, auth.length - 12))}${auth.slice(-4)}`;
      return error(401, 'invalid_request_error', `Invalid API Key provided: ${shown}`);
    }
    const mode = key.livemode;
    const parts = req.path.split('/').filter(Boolean); // ['v1', 'events'] or ['v1', 'webhook_endpoints', 'we_1']
    const resource = parts[1] ?? '';
    const need = PERMISSION[resource];
    const write = req.method === 'POST';
    const permission = write ? 'rak_webhook_endpoint_write' : need;
    if (key.permissions && permission && !key.permissions.includes(permission)) {
      return error(403, 'invalid_request_error', `The provided key '${auth.slice(0, 8)}***${auth.slice(-4)}' does not have the required permissions for this endpoint on account 'acct_1Fake'. Having the '${permission}' permission would allow this request to continue.`);
    }
    const now = Math.floor(Date.now() / 1000);
    if (resource === 'balance' && parts.length === 2 && req.method === 'GET') {
      return [200, { object: 'balance', available: [{ amount: 1000, currency: 'usd' }], pending: [], livemode: mode }];
    }
    if (resource === 'webhook_endpoints' && parts.length === 3) {
      const endpoint = this.endpoints.find((e) => e.id === parts[2]);
      if (!endpoint) return [404, { error: { code: 'resource_missing', doc_url: 'https://stripe.com/docs/error-codes/resource-missing', message: `No such webhook endpoint: '${parts[2]}'`, param: 'id', type: 'invalid_request_error' } }];
      if (write) {
        if (req.contentType !== 'application/x-www-form-urlencoded') return error(400, 'invalid_request_error', 'expected a form-encoded body');
        const form = new URLSearchParams(req.body);
        const unknown = [...form.keys()].find((k) => !/^(disabled|url|description|enabled_events\[\d*\]|api_version|metadata\[.+\])$/.test(k));
        if (unknown !== undefined) return unknownParameter(unknown);
        if (form.has('disabled') && !['true', 'false'].includes(form.get('disabled')!)) return error(400, 'invalid_request_error', 'Invalid boolean: disabled', 'disabled');
        if (form.get('disabled') === 'false') endpoint.status = 'enabled';
        else if (form.get('disabled') === 'true') endpoint.status = 'disabled';
      }
      return [200, this.#endpoint(endpoint, mode)];
    }
    if (req.method !== 'GET' || parts.length !== 2) return error(404, 'invalid_request_error', `Unrecognized request URL (${req.method}: ${req.path}).`);
    const listUrl = `/v1/${resource}`;
    const allowed = LIST_PARAMS[resource];
    const unknown = allowed && [...req.query.keys()].find((k) => !allowed.test(k));
    if (unknown) return unknownParameter(unknown);
    let rows: Array<{ id: string; created: number; json: unknown }>;
    const gteText = req.query.get('created[gte]') ?? '0';
    if (!/^\d+$/.test(gteText)) return error(400, 'invalid_request_error', `Invalid integer: ${gteText}`, 'created[gte]');
    const gte = Number(gteText);
    const lteText = req.query.get('created[lte]') ?? String(Number.MAX_SAFE_INTEGER);
    if (!/^\d+$/.test(lteText)) return error(400, 'invalid_request_error', `Invalid integer: ${lteText}`, 'created[lte]');
    const lte = Number(lteText);
    switch (resource) {
      case 'webhook_endpoints':
        rows = this.endpoints.map((e, i) => ({ id: e.id, created: e.created ?? now - 1000 + i, json: this.#endpoint(e, mode) }));
        break;
      case 'events': {
        const ds = req.query.get('delivery_success');
        if (ds !== null && ds !== 'true' && ds !== 'false') return error(400, 'invalid_request_error', 'Invalid boolean: delivery_success', 'delivery_success');
        const types = [...req.query.entries()].filter(([k]) => /^types\[\d*\]$/.test(k)).map(([, v]) => v);
        if (types.length > 20) return error(400, 'invalid_request_error', 'types: at most 20 event types', 'types');
        if (types.length > 0 && req.query.has('type')) return error(400, 'invalid_request_error', 'You may pass either type or types, but not both.', 'types');
        rows = this.events
          .filter((e) => e.ageS <= EVENT_RETENTION_S)
          .filter((e) => types.length === 0 || types.includes(e.type))
          .filter((e) => ds === null || (ds === 'false' ? e.undelivered === true : e.undelivered !== true))
          .map((e) => ({ id: e.id, created: now - e.ageS, json: { id: e.id, object: 'event', api_version: '2026-10-28.endive', created: now - e.ageS, data: { object: {} }, livemode: mode, pending_webhooks: e.pending_webhooks ?? (e.undelivered ? 1 : 0), request: { id: null, idempotency_key: null }, type: e.type } }));
        break;
      }
      case 'payment_intents':
        rows = this.paymentIntents.map((p) => ({
          id: p.id,
          created: now - p.ageS,
          json: {
            id: p.id, object: 'payment_intent', amount: 2000, currency: 'usd', created: now - p.ageS, livemode: mode, status: p.status,
            // A card error comes with the declined charge; an api_error or invalid_request_error has
            // none (Stripe refused before charging).
            last_payment_error: p.error ? { type: p.error.type, code: p.error.code, decline_code: p.error.decline_code, message: p.error.message ?? 'failed', doc_url: 'https://stripe.com/docs/error-codes', ...(p.error.type === 'card_error' && { charge: `ch_${p.id.slice(3)}` }) } : null,
          },
        }));
        break;
      default:
        return error(404, 'invalid_request_error', `Unrecognized request URL (GET: ${req.path}).`);
    }
    rows = rows.filter((r) => r.created >= gte && r.created <= lte).sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : -1));
    const after = req.query.get('starting_after');
    if (after !== null) {
      const at = rows.findIndex((r) => r.id === after);
      if (at < 0) return [400, { error: { type: 'invalid_request_error', message: `No such object: '${after}'`, param: 'starting_after' } }];
      rows = rows.slice(at + 1);
    }
    const limit = Number(req.query.get('limit') ?? '10');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return [400, { error: { type: 'invalid_request_error', message: 'Invalid integer: limit must be between 1 and 100', param: 'limit' } }];
    return [200, { object: 'list', data: rows.slice(0, limit).map((r) => r.json), has_more: rows.length > limit, url: listUrl }];
  }

  #endpoint(e: FakeEndpoint, livemode: boolean): unknown {
    return { id: e.id, object: 'webhook_endpoint', api_version: null, application: e.application ?? null, created: e.created ?? 1_700_000_000, description: e.description ?? null, enabled_events: e.enabled_events, livemode, metadata: {}, status: e.status, url: e.url };
  }
}

function error(status: number, type: string, message: string, param?: string): [number, unknown] {
  return [status, { error: { type, message, ...(param !== undefined && { param }) } }];
}

function unknownParameter(name: string): [number, unknown] {
  return [400, { error: { type: 'invalid_request_error', code: 'parameter_unknown', doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown', message: `Received unknown parameter: ${name}`, param: name } }];
}
