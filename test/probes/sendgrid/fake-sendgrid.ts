// A local SendGrid v3 API for the sendgrid kind's tests, speaking its wire format: Bearer keys
// checked on every call (401 with SendGrid's `{"errors":[{"field":null,"message":...}]}`: no
// header "authorization required", a wrong key "The provided authorization grant is invalid,
// expired, or revoked"), X-RateLimit-* headers on every answer (the reset a unix epoch), each
// endpoint refusing a key without its scope (403 "access forbidden"), /v3/whitelabel/domains paged
// by limit and offset, /v3/stats by start_date/end_date, and a route can be replaced (a 500, a
// proxy's HTML, a 429 with X-RateLimit-* headers, a slow answer).
import { FakeHttpServer, type FakeResponse, type Route, type SeenRequest } from '../http/fake-http-services.ts';

export const FULL_SCOPES = ['mail.send', 'whitelabel.read', 'stats.read', 'user.account.read', 'alerts.read', 'api_keys.read', 'suppression.read', 'templates.read'];

export interface Metrics {
  requests: number;
  delivered: number;
  bounces: number;
  blocks: number;
  spam_reports: number;
  deferred: number;
  invalid_emails: number;
}

export interface DomainSpec {
  id: number;
  domain: string;
  subdomain?: string;
  valid?: boolean;
  /** Records SendGrid no longer finds (mail_cname, dkim1, dkim2). */
  failing?: Array<'mail_cname' | 'dkim1' | 'dkim2'>;
  default?: boolean;
}

export interface SendgridState {
  key: string;
  scopes: string[];
  domains: DomainSpec[];
  /** Metrics of yesterday and today (UTC), by date; a day not given has zeros. */
  days: Record<string, Partial<Metrics>>;
  account: { type: string; reputation: number };
}

export function sendgridError(message: string, field: string | null = null): { errors: Array<{ field: string | null; message: string }> } {
  return { errors: [{ field, message }] };
}

/** YYYY-MM-DD of today and yesterday in UTC. */
export function utcDays(now = new Date()): { today: string; yesterday: string } {
  return { today: now.toISOString().slice(0, 10), yesterday: new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10) };
}

/** One domain as GET /v3/whitelabel/domains returns it (automatic security: a CNAME for mail and two for DKIM). */
export function whitelabelDomain(d: DomainSpec): Record<string, unknown> {
  const sub = d.subdomain ?? 'em4821';
  const failing = new Set(d.failing ?? []);
  const valid = d.valid ?? failing.size === 0;
  const record = (key: 'mail_cname' | 'dkim1' | 'dkim2', host: string, data: string) => ({ valid: !failing.has(key), type: 'cname', host, data });
  return {
    id: d.id,
    user_id: 31337,
    subdomain: sub,
    domain: d.domain,
    username: 'acme-mail',
    ips: [],
    custom_spf: false,
    default: d.default ?? false,
    legacy: false,
    automatic_security: true,
    valid,
    dns: {
      mail_cname: record('mail_cname', `${sub}.${d.domain}`, `u31337.wl${d.id}.sendgrid.net`),
      dkim1: record('dkim1', `s1._domainkey.${d.domain}`, `s1.domainkey.u31337.wl${d.id}.sendgrid.net`),
      dkim2: record('dkim2', `s2._domainkey.${d.domain}`, `s2.domainkey.u31337.wl${d.id}.sendgrid.net`),
    },
  };
}

function metricsOf(m: Partial<Metrics> = {}): Record<string, number> {
  const requests = m.requests ?? 0;
  const bounces = m.bounces ?? 0;
  return {
    blocks: m.blocks ?? 0,
    bounce_drops: 0,
    bounces,
    clicks: 0,
    deferred: m.deferred ?? 0,
    delivered: m.delivered ?? Math.max(0, requests - bounces - (m.blocks ?? 0)),
    invalid_emails: m.invalid_emails ?? 0,
    opens: 0,
    processed: requests,
    requests,
    spam_report_drops: 0,
    spam_reports: m.spam_reports ?? 0,
    unique_clicks: 0,
    unique_opens: 0,
    unsubscribe_drops: 0,
    unsubscribes: 0,
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** What SendGrid sends on every answer: the endpoint's limit, what is left, the reset as a unix epoch. */
function rateLimitHeaders(): Record<string, string> {
  return { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '599', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) };
}

/** The fake API: `state` can be changed between runs; `server.set(path, route)` replaces one endpoint. */
export async function startSendgrid(initial: Partial<SendgridState> = {}): Promise<{ server: FakeHttpServer; state: SendgridState }> {
  const { today } = utcDays();
  const state: SendgridState = {
    key: 'SG.test-key-id.0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX',
    scopes: [...FULL_SCOPES],
    domains: [{ id: 1, domain: 'example.com', default: true }],
    days: { [today]: { requests: 1000, bounces: 10, spam_reports: 0 } },
    account: { type: 'paid', reputation: 99.2 },
    ...initial,
  };
  /** Authorization and scope, as SendGrid checks them, then the answer with SendGrid's rate-limit headers. */
  const guarded = (scope: string | undefined, answer: (req: SeenRequest, query: URLSearchParams) => FakeResponse): Route => (req) => {
    if (req.headers.authorization === undefined) return { status: 401, body: sendgridError('authorization required') };
    if (req.headers.authorization !== `Bearer ${state.key}`) return { status: 401, body: sendgridError('The provided authorization grant is invalid, expired, or revoked') };
    if (scope !== undefined && !state.scopes.includes(scope)) return { status: 403, body: sendgridError('access forbidden') };
    const res = answer(req, new URL(req.url, 'http://x').searchParams);
    return { ...res, headers: { ...rateLimitHeaders(), ...res.headers } };
  };
  const server = await FakeHttpServer.start({
    '/v3/scopes': guarded(undefined, () => ({ body: { scopes: state.scopes } })),
    '/v3/whitelabel/domains': guarded('whitelabel.read', (_req, q) => {
      const limit = Number(q.get('limit') ?? '50');
      const offset = Number(q.get('offset') ?? '0');
      if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0) {
        return { status: 400, body: sendgridError('limit and offset must be whole numbers', 'limit') };
      }
      return { body: state.domains.slice(offset, offset + limit).map(whitelabelDomain) };
    }),
    '/v3/stats': guarded('stats.read', (_req, q) => {
      const start = q.get('start_date');
      const end = q.get('end_date') ?? today;
      if (start === null || !DATE.test(start)) return { status: 400, body: sendgridError('is required', 'start_date') };
      if (!DATE.test(end) || end < start) return { status: 400, body: sendgridError('must be after start_date', 'end_date') };
      const out: unknown[] = [];
      for (let d = new Date(`${start}T00:00:00Z`); d.toISOString().slice(0, 10) <= end; d = new Date(d.getTime() + 86_400_000)) {
        const date = d.toISOString().slice(0, 10);
        out.push({ date, stats: [{ metrics: metricsOf(state.days[date]) }] });
      }
      return { body: out };
    }),
    '/v3/user/account': guarded('user.account.read', () => ({ body: state.account })),
  });
  return { server, state };
}

/** The path and query of every call the server received, in order. */
export function calls(server: FakeHttpServer): string[] {
  return server.requests.map((r) => r.url);
}
