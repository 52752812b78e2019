// The sendgrid kind against a local server speaking SendGrid v3's wire format, pointed at it
// through the target's url: every finding healthy and broken, failed calls, pagination, and the
// key never in a finding.
import { afterEach, describe, expect, it } from 'vitest';
import { sendgridKind } from '../../../src/probes/sendgrid/sendgrid-kind.ts';
import { findProbe } from '../../../src/probes/probe-registry.ts';
import type { Finding } from '../../../src/report.ts';
import type { FakeHttpServer } from '../http/fake-http-services.ts';
import { findingOf, runKind, statuses, type RunOptions } from '../http/probe-helpers.ts';
import { calls, sendgridError, startSendgrid, utcDays, type SendgridState } from './fake-sendgrid.ts';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function sendgrid(initial: Partial<SendgridState> = {}) {
  const fake = await startSendgrid(initial);
  servers.push(fake.server);
  return fake;
}

interface Keys {
  apiKey: string;
  url: string;
  sendingDomain?: string;
  minRequests?: number;
}

function run(keys: Keys, options?: RunOptions): Promise<Finding[]> {
  return runKind(sendgridKind, keys, options);
}

const { today, yesterday } = utcDays();

describe('sendgrid probe', () => {
  it('is registered as kind sendgrid, reads SENDGRID_API_KEY standalone and charts the bounce and spam rates', () => {
    expect(findProbe('sendgrid')).toBe(sendgridKind);
    expect(sendgridKind.standalone).toEqual({ defaultUrl: 'https://api.sendgrid.com', keyEnv: 'SENDGRID_API_KEY' });
    expect(sendgridKind.trends.map((t) => [t.check.name, t.metric, t.unit])).toEqual([
      ['delivery', 'bounce_pct', '%'],
      ['spam_reports', 'spam_pct', '%'],
    ]);
    expect(sendgridKind.actions).toEqual([]);
  });

  it('a healthy account: every check ok, every call with the Bearer key, stats asked for yesterday and today', async () => {
    const { server, state } = await sendgrid({ days: { [yesterday]: { requests: 2000, bounces: 30, spam_reports: 1 }, [today]: { requests: 1000, bounces: 10 } } });
    const findings = await run({ apiKey: state.key, url: server.url, sendingDomain: 'example.com' });
    expect(statuses(findings)).toEqual({
      'sendgrid.auth': 'ok',
      'sendgrid.domain_auth': 'ok',
      'sendgrid.delivery': 'ok',
      'sendgrid.spam_reports': 'ok',
      'sendgrid.reputation': 'ok',
    });
    expect(findingOf(findings, 'sendgrid.auth').title).toBe('API key valid: it can send (mail.send) and read what the checks need');
    expect(findingOf(findings, 'sendgrid.domain_auth').title).toBe('1 authenticated domain, all valid, example.com among them');
    const delivery = findingOf(findings, 'sendgrid.delivery');
    expect(delivery.title).toBe(`Bounce rate 1.3% (40 of 3,000 requests since ${yesterday} 00:00 UTC)`);
    expect(delivery.metrics).toMatchObject({ requests: 3000, bounces: 40, bounce_pct: 1.33 });
    expect(findingOf(findings, 'sendgrid.spam_reports').metrics).toMatchObject({ spam_reports: 1, delivered: 2960, spam_pct: 0.034 });
    expect(findingOf(findings, 'sendgrid.reputation')).toMatchObject({ title: 'Sender reputation 99.2% (paid account)', metrics: { reputation: 99.2 } });
    expect(server.requests.every((r) => r.headers.authorization === `Bearer ${state.key}`)).toBe(true);
    // The stats are read once for the two checks that judge them.
    expect(calls(server).sort()).toEqual([
      `/v3/scopes`,
      `/v3/stats?start_date=${yesterday}&end_date=${today}&aggregated_by=day`,
      `/v3/user/account`,
      `/v3/whitelabel/domains?limit=50&offset=0`,
    ]);
  });

  describe('auth', () => {
    it('a key SendGrid rejects (401) is critical and the only finding', async () => {
      const { server } = await sendgrid();
      const findings = await run({ apiKey: 'SG.wrong.key-that-does-not-exist', url: server.url });
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'sendgrid.auth', status: 'crit', title: 'The API key is rejected: /v3/scopes answered HTTP 401 Unauthorized: The provided authorization grant is invalid, expired, or revoked' });
      expect(findings[0]!.fix).toContain('create a key in SendGrid (Settings > API Keys)');
      expect(calls(server)).toEqual(['/v3/scopes']);
    });

    it('a key SendGrid refuses (403) is critical and the only finding', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/scopes', { status: 403, body: sendgridError('access forbidden') });
      const findings = await run({ apiKey: state.key, url: server.url });
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'sendgrid.auth', status: 'crit', title: 'SendGrid refuses the API key: /v3/scopes answered HTTP 403 Forbidden: access forbidden' });
      expect(findings[0]!.fix).toContain('IP Access Management');
    });

    it('a key without mail.send is critical: it cannot send; the other checks still run', async () => {
      const { server, state } = await sendgrid();
      state.scopes = state.scopes.filter((s) => s !== 'mail.send');
      const findings = await run({ apiKey: state.key, url: server.url });
      const auth = findingOf(findings, 'sendgrid.auth');
      expect(auth).toMatchObject({ status: 'crit', title: 'The API key cannot send: it lacks the mail.send scope' });
      expect(auth.detail).toContain('It has every read scope the checks need.');
      // Said from the scopes: the probe never sends mail to find out.
      expect(auth.detail).toContain('Judged from the scopes: the probe sends no mail.');
      expect(server.requests.some((r) => r.url.startsWith('/v3/mail/send'))).toBe(false);
      expect(auth.fix).toContain('Mail Send');
      expect(findingOf(findings, 'sendgrid.delivery').status).toBe('ok');
    });

    it('a key without stats.read: auth names it, delivery and spam_reports are unknown naming it, and /v3/stats is not called', async () => {
      const { server, state } = await sendgrid();
      state.scopes = state.scopes.filter((s) => s !== 'stats.read');
      const findings = await run({ apiKey: state.key, url: server.url });
      const auth = findingOf(findings, 'sendgrid.auth');
      expect(auth).toMatchObject({ status: 'ok', title: 'API key valid and can send (mail.send); it lacks read scopes: stats.read' });
      expect(auth.detail).toBe('The probe cannot read stats.read (sendgrid.delivery, sendgrid.spam_reports): those checks are unknown.');
      for (const id of ['sendgrid.delivery', 'sendgrid.spam_reports']) {
        const f = findingOf(findings, id);
        expect(f.status).toBe('unknown');
        expect(f.title).toMatch(/: could not check \(the API key lacks the stats\.read scope\)$/);
        expect(f.fix).toContain('Stats: Read Access');
      }
      expect(findingOf(findings, 'sendgrid.reputation').status).toBe('ok');
      expect(calls(server).some((c) => c.startsWith('/v3/stats'))).toBe(false);
    });

    it('a key with only mail.send: every reading check is unknown naming its scope', async () => {
      const { server, state } = await sendgrid({ scopes: ['mail.send'] });
      const findings = await run({ apiKey: state.key, url: server.url });
      expect(findingOf(findings, 'sendgrid.auth').title).toBe('API key valid and can send (mail.send); it lacks read scopes: whitelabel.read, stats.read, user.account.read');
      expect(findingOf(findings, 'sendgrid.domain_auth').title).toBe('Domain authentication: could not check (the API key lacks the whitelabel.read scope)');
      expect(findingOf(findings, 'sendgrid.reputation').title).toBe('Sender reputation: could not check (the API key lacks the user.account.read scope)');
      expect(calls(server)).toEqual(['/v3/scopes']);
    });

    it('/v3/scopes failing with a 500: auth unknown naming path and status, the checks still call (a 403 there names the scope)', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/scopes', { status: 500, body: sendgridError('internal server error') });
      state.scopes = state.scopes.filter((s) => s !== 'user.account.read');
      const findings = await run({ apiKey: state.key, url: server.url });
      const auth = findingOf(findings, 'sendgrid.auth');
      expect(auth).toMatchObject({ status: 'unknown', title: 'API key: could not check (/v3/scopes answered HTTP 500 Internal Server Error: internal server error)' });
      expect(auth.fix).toContain('status.sendgrid.com');
      expect(findingOf(findings, 'sendgrid.delivery').status).toBe('ok');
      const reputation = findingOf(findings, 'sendgrid.reputation');
      expect(reputation).toMatchObject({ status: 'unknown', title: 'Sender reputation: could not check (/v3/user/account answered HTTP 403 Forbidden: access forbidden)' });
      expect(reputation.fix).toContain('user.account.read');
    });
  });

  describe('domain_auth', () => {
    it('a domain failing validation is a warning naming its failing records (type, host, expected data)', async () => {
      const { server, state } = await sendgrid({
        domains: [
          { id: 1, domain: 'example.com', default: true },
          { id: 2, domain: 'news.example.org', failing: ['dkim1', 'dkim2'] },
        ],
      });
      const f = findingOf(await run({ apiKey: state.key, url: server.url, sendingDomain: 'example.com' }), 'sendgrid.domain_auth');
      expect(f).toMatchObject({ status: 'warn', title: '1 authenticated domain fails validation: news.example.org', metrics: { domains: 2, invalid: 1 } });
      expect(f.detail).toBe('news.example.org (id 2, subdomain em4821): dkim1 CNAME s1._domainkey.news.example.org -> s1.domainkey.u31337.wl2.sendgrid.net; dkim2 CNAME s2._domainkey.news.example.org -> s2.domainkey.u31337.wl2.sendgrid.net');
      expect(f.fix).toContain('Verify');
    });

    it('the sending domain failing validation is critical, naming its records', async () => {
      const { server, state } = await sendgrid({ domains: [{ id: 7, domain: 'example.com', failing: ['mail_cname'] }] });
      const f = findingOf(await run({ apiKey: state.key, url: server.url, sendingDomain: 'Example.COM' }), 'sendgrid.domain_auth');
      expect(f).toMatchObject({ status: 'crit', title: 'Sending domain example.com fails authentication: mail_cname' });
      expect(f.detail).toContain('mail_cname CNAME em4821.example.com -> u31337.wl7.sendgrid.net');
      expect(f.fix).toContain('at the DNS provider of example.com');
    });

    it('the same invalid domain without sendingDomain is only a warning', async () => {
      const { server, state } = await sendgrid({ domains: [{ id: 7, domain: 'example.com', failing: ['mail_cname'] }] });
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth').status).toBe('warn');
    });

    it('a sending domain nobody authenticated is critical; a subdomain of an authenticated domain is covered', async () => {
      const { server, state } = await sendgrid({ domains: [{ id: 1, domain: 'example.com' }] });
      const missing = findingOf(await run({ apiKey: state.key, url: server.url, sendingDomain: 'shop.example.net' }), 'sendgrid.domain_auth');
      expect(missing).toMatchObject({ status: 'crit', title: 'Sending domain shop.example.net is not authenticated in SendGrid' });
      expect(missing.detail).toContain('Authenticated: example.com; none is shop.example.net or a parent of it.');
      const covered = findingOf(await run({ apiKey: state.key, url: server.url, sendingDomain: 'mail.example.com' }), 'sendgrid.domain_auth');
      expect(covered.status).toBe('ok');
    });

    it('no authenticated domain at all is a warning (mail signed for sendgrid.net)', async () => {
      const { server, state } = await sendgrid({ domains: [] });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth');
      expect(f).toMatchObject({ status: 'warn', title: 'No authenticated domain: mail goes out signed for sendgrid.net, not for your domain' });
      expect(f.fix).toContain('Authenticate Your Domain');
    });

    it('pages through limit and offset: an invalid domain on the third page is found', async () => {
      const domains = Array.from({ length: 120 }, (_, i) => ({ id: i + 1, domain: `brand${i + 1}.example.com` }));
      domains[110] = { ...domains[110]!, failing: ['dkim2'] } as (typeof domains)[number];
      const { server, state } = await sendgrid({ domains });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth');
      expect(f).toMatchObject({ status: 'warn', metrics: { domains: 120, invalid: 1 } });
      expect(f.detail).toContain('brand111.example.com (id 111, subdomain em4821): dkim2 CNAME s2._domainkey.brand111.example.com');
      expect(calls(server).filter((c) => c.startsWith('/v3/whitelabel'))).toEqual([
        '/v3/whitelabel/domains?limit=50&offset=0',
        '/v3/whitelabel/domains?limit=50&offset=50',
        '/v3/whitelabel/domains?limit=50&offset=100',
      ]);
    });

    it('stops after 10 pages and says only the first 500 domains were read', async () => {
      const domains = Array.from({ length: 520 }, (_, i) => ({ id: i + 1, domain: `d${i + 1}.example.com` }));
      const { server, state } = await sendgrid({ domains });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth');
      expect(f).toMatchObject({ status: 'ok', title: '500 authenticated domains, all valid' });
      expect(f.detail).toBe('Only the first 500 authenticated domains were read (10 pages of 50).');
      expect(calls(server).filter((c) => c.startsWith('/v3/whitelabel'))).toHaveLength(10);
    });
  });

  describe('delivery and spam_reports', () => {
    const withDay = (m: Partial<import('./fake-sendgrid.ts').Metrics>) => ({ days: { [today]: m } });

    it('bounce rate 6% is a warning, 12% critical, with the counts and a fix', async () => {
      const { server, state } = await sendgrid(withDay({ requests: 1000, bounces: 60, blocks: 4 }));
      const warn = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery');
      expect(warn).toMatchObject({ status: 'warn', title: `Bounce rate 6.0% (60 of 1,000 requests since ${yesterday} 00:00 UTC): above 5%`, metrics: { bounce_pct: 6, blocks: 4 } });
      expect(warn.detail).toContain('requests 1,000, delivered 936, bounces 60, blocks 4');
      expect(warn.fix).toContain('suppression/bounces');
      state.days[today] = { requests: 1000, bounces: 120 };
      const crit = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery');
      expect(crit).toMatchObject({ status: 'crit', title: `Bounce rate 12% (120 of 1,000 requests since ${yesterday} 00:00 UTC): above 10%` });
    });

    it('critical only for what hurts now: a critical yesterday with a clean today is a warning saying so', async () => {
      const { server, state } = await sendgrid({ days: { [yesterday]: { requests: 1000, bounces: 200 }, [today]: { requests: 1000, bounces: 10 } } });
      const lowered = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery');
      expect(lowered).toMatchObject({ status: 'warn', title: `Bounce rate 11% (210 of 2,000 requests since ${yesterday} 00:00 UTC): above 5%` });
      expect(lowered.detail).toContain('Today alone: 1.0%, below the critical 10%: the critical part was yesterday\'s');
      // Still bouncing today: critical.
      state.days = { [yesterday]: { requests: 1000, bounces: 10 }, [today]: { requests: 1000, bounces: 200 } };
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery').status).toBe('crit');
      // Too little mail yet today to tell that it stopped: critical.
      state.days = { [yesterday]: { requests: 1000, bounces: 200 }, [today]: { requests: 20 } };
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery').status).toBe('crit');
    });

    it('spam reports: a critical yesterday with a clean today is a warning', async () => {
      const { server, state } = await sendgrid({ days: { [yesterday]: { requests: 10_000, delivered: 10_000, spam_reports: 80 }, [today]: { requests: 10_000, delivered: 10_000, spam_reports: 5 } } });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.spam_reports');
      expect(f.status).toBe('warn');
      expect(f.detail).toContain('Today alone: 0.05%, below the critical 0.3%');
    });

    it('the bounce thresholds are the target\'s to set', async () => {
      const { server, state } = await sendgrid(withDay({ requests: 1000, bounces: 60 }));
      const f = findingOf(await run({ apiKey: state.key, url: server.url }, { thresholds: { delivery: { warn: 8, crit: 15 } } }), 'sendgrid.delivery');
      expect(f.status).toBe('ok');
    });

    it('too few requests: ok, "too few to judge", no rate charted', async () => {
      const { server, state } = await sendgrid(withDay({ requests: 40, bounces: 2, spam_reports: 1 }));
      const findings = await run({ apiKey: state.key, url: server.url });
      const delivery = findingOf(findings, 'sendgrid.delivery');
      expect(delivery).toMatchObject({ status: 'ok', title: `Too few requests to judge the bounce rate: 40 since ${yesterday} 00:00 UTC (judged from 100)` });
      expect(delivery.metrics).not.toHaveProperty('bounce_pct');
      expect(findingOf(findings, 'sendgrid.spam_reports')).toMatchObject({ status: 'ok', title: `Too few delivered to judge spam reports: 38 since ${yesterday} 00:00 UTC (judged from 100)` });
      // A lower minimum set on the target judges the same numbers.
      const judged = await run({ apiKey: state.key, url: server.url, minRequests: 10 });
      expect(findingOf(judged, 'sendgrid.delivery').status).toBe('warn');
      expect(findingOf(judged, 'sendgrid.spam_reports').status).toBe('crit');
    });

    it('spam reports: 0.05% ok, 0.2% a warning, 0.4% critical; the thresholds are the target\'s to set', async () => {
      const { server, state } = await sendgrid(withDay({ requests: 10_000, delivered: 10_000, spam_reports: 5 }));
      const ok = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.spam_reports');
      expect(ok).toMatchObject({ status: 'ok', title: `Spam reports 0.05% (5 of 10,000 delivered since ${yesterday} 00:00 UTC)`, metrics: { spam_pct: 0.05 } });
      state.days[today] = { requests: 10_000, delivered: 10_000, spam_reports: 20 };
      const warn = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.spam_reports');
      expect(warn).toMatchObject({ status: 'warn', title: `Spam reports 0.20% (20 of 10,000 delivered since ${yesterday} 00:00 UTC): above 0.1%` });
      expect(warn.fix).toContain('List-Unsubscribe');
      state.days[today] = { requests: 10_000, delivered: 10_000, spam_reports: 40 };
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.spam_reports').status).toBe('crit');
      const relaxed = await run({ apiKey: state.key, url: server.url }, { thresholds: { spam_reports: { warn: 0.5, crit: 1 } } });
      expect(findingOf(relaxed, 'sendgrid.spam_reports').status).toBe('ok');
    });

    it('/v3/stats failing with a 500: both checks unknown naming the path and status; the others are fine', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/stats', { status: 500, body: sendgridError('internal server error') });
      const findings = await run({ apiKey: state.key, url: server.url });
      for (const [id, label] of [['sendgrid.delivery', 'Delivery'], ['sendgrid.spam_reports', 'Spam reports']] as const) {
        expect(findingOf(findings, id)).toMatchObject({ status: 'unknown' });
        expect(findingOf(findings, id).title).toMatch(new RegExp(`^${label}: could not check \\(/v3/stats\\?start_date=${yesterday}&end_date=${today}&aggregated_by=day answered HTTP 500 Internal Server Error: internal server error\\)$`));
      }
      expect(findingOf(findings, 'sendgrid.reputation').status).toBe('ok');
      expect(calls(server).filter((c) => c.startsWith('/v3/stats'))).toHaveLength(1);
    });

    it('a 429 with X-RateLimit headers: unknown, saying when to retry', async () => {
      const { server, state } = await sendgrid();
      const reset = Math.floor(Date.now() / 1000) + 40;
      server.set('/v3/stats', { status: 429, headers: { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: sendgridError('too many requests') });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery');
      const at = new Date(reset * 1000).toISOString().slice(11, 19);
      expect(f.status).toBe('unknown');
      expect(f.title).toContain(`answered HTTP 429 Too Many Requests: too many requests (0 of 600 left; retry after ${at} UTC (in `);
      expect(f.fix).toContain('wait for the reset');
    });
  });

  describe('reputation', () => {
    it.each([
      [99.5, 'ok', 'Sender reputation 99.5% (paid account)'],
      [90, 'warn', 'Sender reputation 90% (paid account): below 95%'],
      [72.25, 'crit', 'Sender reputation 72.3% (paid account): below 80%'],
    ] as const)('reputation %s is %s', async (reputation, status, title) => {
      const { server, state } = await sendgrid({ account: { type: 'paid', reputation } });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.reputation');
      expect(f).toMatchObject({ status, title, metrics: { reputation } });
      if (status !== 'ok') expect(f.fix).toContain('sendgrid.delivery');
    });

    it('an HTML page from a proxy instead of JSON is unknown naming the path and status', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/user/account', { status: 200, body: '<html><head><title>Sign in</title></head><body>corporate proxy</body></html>' });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.reputation');
      expect(f.status).toBe('unknown');
      expect(f.title).toBe('Sender reputation: could not check (/v3/user/account answered HTTP 200 with something that is not SendGrid\'s JSON (not JSON): <html><head><title>Sign in</title></head><body>corporate proxy</body></html>)');
    });

    it('malformed JSON and the wrong shape are unknown, never a crash', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/user/account', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"type":"paid","reputation":' });
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.reputation').title).toContain('(not JSON)');
      server.set('/v3/user/account', { body: { type: 'paid', reputation: 'high' } });
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.reputation').title).toContain('unexpected shape at reputation');
    });
  });

  describe('no answer', () => {
    it('a timeout on /v3/scopes: one critical finding naming the timeout, nothing else', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/scopes', { delayMs: 5_000, body: { scopes: state.scopes } });
      const findings = await run({ apiKey: state.key, url: server.url }, { timeoutMs: 300 });
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'sendgrid.auth', status: 'crit' });
      expect(findings[0]!.title).toMatch(/^SendGrid API unreachable: \/v3\/scopes: timeout/);
    });

    it('a slow /v3/stats: delivery and spam_reports unknown (timeout), the rest reported', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/stats', { delayMs: 5_000, body: [] });
      const findings = await run({ apiKey: state.key, url: server.url }, { timeoutMs: 500 });
      expect(findingOf(findings, 'sendgrid.auth').status).toBe('ok');
      expect(findingOf(findings, 'sendgrid.reputation').status).toBe('ok');
      expect(findingOf(findings, 'sendgrid.delivery').status).toBe('unknown');
      expect(findingOf(findings, 'sendgrid.delivery').title).toMatch(/timeout|no answer within 500 ms/);
    });

    it('a refused connection: one critical finding', async () => {
      const { server, state } = await sendgrid();
      const url = server.url;
      await server.close();
      servers.splice(servers.indexOf(server), 1);
      const findings = await run({ apiKey: state.key, url });
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'sendgrid.auth', status: 'crit' });
      expect(findings[0]!.title).toContain('SendGrid API unreachable: /v3/scopes: refused');
    });

    it('a 429 on /v3/scopes stops the run with one unknown finding saying when to retry', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/scopes', { status: 429, headers: { 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 90) }, body: sendgridError('too many requests') });
      const findings = await run({ apiKey: state.key, url: server.url });
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ check: 'sendgrid.auth', status: 'unknown' });
      expect(findings[0]!.title).toMatch(/^Not checked: SendGrid rate-limits the key \(\/v3\/scopes answered HTTP 429 Too Many Requests: too many requests \(0 of 50 left; retry after \d\d:\d\d:\d\d UTC \(in 1 min\)\)\)$/);
    });
  });

  describe('the key never shows', () => {
    it('a server echoing the key in its 401 and 500 error messages and in an HTML page: no finding carries it', async () => {
      const { server, state } = await sendgrid();
      const echo = `The provided authorization grant is invalid, expired, or revoked: ${state.key}`;
      server.set('/v3/scopes', { status: 401, body: sendgridError(echo) });
      const rejected = await run({ apiKey: state.key, url: server.url });
      expect(rejected[0]!.title).toContain('The provided authorization grant is invalid');
      expect(JSON.stringify(rejected)).not.toContain(state.key);
      expect(JSON.stringify(rejected)).not.toContain(state.key.slice(20, 50));

      server.set('/v3/scopes', { body: { scopes: state.scopes } });
      server.set('/v3/stats', { status: 500, body: sendgridError(`upstream rejected Bearer ${state.key}`) });
      server.set('/v3/user/account', { status: 502, body: `<html><body>Bad gateway for key=${state.key}</body></html>` });
      const failed = await run({ apiKey: state.key, url: server.url });
      expect(findingOf(failed, 'sendgrid.delivery').title).toContain('upstream rejected Bearer ***');
      expect(findingOf(failed, 'sendgrid.reputation').title).toContain('Bad gateway for key=***');
      expect(JSON.stringify(failed)).not.toContain(state.key);
      expect(JSON.stringify(failed)).not.toContain(state.key.slice(20, 50));
    });
  });
});
