// The sendgrid kind against a SendGrid API that cannot be trusted: numbers that are no counts
// (negative, strings, overflowing), stats that leave days out or repeat them, a reputation off its
// 0-100 scale, domain names and DNS data carrying line breaks and control characters, paging that
// ignores limit or offset, the key echoed back in a rate-limit header, and a run cancelled midway.
// None of it may turn into an ok the probe did not see, a false critical, or a piece of the key.
import { afterEach, describe, expect, it } from 'vitest';
import { sendgridKind } from '../../../src/probes/sendgrid/sendgrid-kind.ts';
import type { Finding } from '../../../src/report.ts';
import type { FakeHttpServer } from '../http/fake-http-services.ts';
import { findingOf, runKind, type RunOptions } from '../http/probe-helpers.ts';
import { calls, sendgridError, startSendgrid, utcDays, whitelabelDomain, type SendgridState } from './fake-sendgrid.ts';

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function sendgrid(initial: Partial<SendgridState> = {}) {
  const fake = await startSendgrid(initial);
  servers.push(fake.server);
  return fake;
}

function run(keys: { apiKey: string; url: string; sendingDomain?: string; minRequests?: number }, options?: RunOptions): Promise<Finding[]> {
  return runKind(sendgridKind, keys, options);
}

const { today, yesterday } = utcDays();

/** A /v3/stats answer with the given metrics for each date. */
function statsBody(days: Array<[string, Record<string, unknown>]>): unknown[] {
  return days.map(([date, metrics]) => ({ date, stats: [{ metrics }] }));
}

describe('sendgrid against an untrusted API', () => {
  describe('day stats', () => {
    it('an empty stats answer is unknown for both rate checks, never "too few to judge"', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/stats', { body: [] });
      const findings = await run({ apiKey: state.key, url: server.url });
      for (const id of ['sendgrid.delivery', 'sendgrid.spam_reports']) {
        const f = findingOf(findings, id);
        expect(f.status).toBe('unknown');
        expect(f.title).toContain(`no day from ${yesterday} to ${today}`);
      }
    });

    it('days outside the asked window are ignored, a repeated day counted once, and the title names the days seen', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/stats', {
        body: statsBody([
          ['2001-01-01', { requests: 1_000_000, bounces: 900_000 }],
          [today, { requests: 1000, bounces: 10, delivered: 990 }],
          [today, { requests: 1000, bounces: 10, delivered: 990 }],
        ]),
      });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery');
      expect(f).toMatchObject({ status: 'ok', title: `Bounce rate 1.0% (10 of 1,000 requests since ${today} 00:00 UTC)` });
    });

    it.each([
      ['a negative count', -50],
      ['a count as a string', '10'],
      ['a count past 2^53', 1e300],
      ['a fraction', 2.5],
    ])('%s is unknown naming the field, never an ok rate', async (_what, bounces) => {
      const { server, state } = await sendgrid();
      server.set('/v3/stats', { body: statsBody([[yesterday, { requests: 1000 }], [today, { requests: 1000, bounces }]]) });
      const findings = await run({ apiKey: state.key, url: server.url });
      for (const id of ['sendgrid.delivery', 'sendgrid.spam_reports']) {
        const f = findingOf(findings, id);
        expect(f.status).toBe('unknown');
        expect(f.title).toContain('unexpected shape at 1.stats.0.metrics.bounces');
      }
    });

    it('an overflowing number (1e400, Infinity once parsed) is unknown', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/stats', { headers: { 'content-type': 'application/json' }, body: `[{"date":"${today}","stats":[{"metrics":{"requests":1e400,"bounces":1}}]}]` });
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.delivery').status).toBe('unknown');
    });

    it('few requests but a rate that is bad whatever the volume: judged, not "too few"', async () => {
      const { server, state } = await sendgrid({ days: { [today]: { requests: 40, bounces: 20, delivered: 20, spam_reports: 5 } } });
      const findings = await run({ apiKey: state.key, url: server.url });
      expect(findingOf(findings, 'sendgrid.delivery')).toMatchObject({ status: 'crit', title: `Bounce rate 50% (20 of 40 requests since ${yesterday} 00:00 UTC): above 10%` });
      expect(findingOf(findings, 'sendgrid.spam_reports')).toMatchObject({ status: 'crit', title: `Spam reports 25% (5 of 20 delivered since ${yesterday} 00:00 UTC): above 0.3%` });
    });

    it('a target built without the schema (minRequests 0) and nothing sent: no NaN, not judged', async () => {
      const { server, state } = await sendgrid({ days: {} });
      const findings = await run({ apiKey: state.key, url: server.url, minRequests: 0 });
      for (const id of ['sendgrid.delivery', 'sendgrid.spam_reports']) {
        const f = findingOf(findings, id);
        expect(f.title).not.toContain('NaN');
        expect(f.title).toMatch(/^Too few /);
        expect(JSON.stringify(f.metrics)).not.toContain('null');
      }
    });
  });

  describe('reputation', () => {
    it.each([150, -3])('a reputation of %s (off the 0-100 scale) is unknown', async (reputation) => {
      const { server, state } = await sendgrid({ account: { type: 'paid', reputation } });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.reputation');
      expect(f.status).toBe('unknown');
      expect(f.title).toContain('unexpected shape at reputation');
    });

    it('the account type is shown on one line, control characters out', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/user/account', { body: { type: 'paid\n\u001b[31m*URGENT*\u202e', reputation: 99 } });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.reputation');
      expect(f.title).toBe('Sender reputation 99% (paid *URGENT* account)');
    });
    it('deeply nested JSON (with an escape, so it is walked for secrets) beside the fields read: judged from the fields, no crash', async () => {
      const { server, state } = await sendgrid();
      const deep = `${'['.repeat(40_000)}${']'.repeat(40_000)}`;
      server.set('/v3/user/account', { headers: { 'content-type': 'application/json' }, body: `{"type":"paid","reputation":97,"note":"escaped \\/ slash","extra":${deep}}` });
      expect(findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.reputation')).toMatchObject({ status: 'ok', title: 'Sender reputation 97% (paid account)' });
    });
  });

  describe('domain names and DNS data', () => {
    it('line breaks, control and bidi characters in a domain and its records never reach the finding', async () => {
      const { server, state } = await sendgrid();
      const evil = whitelabelDomain({ id: 9, domain: 'evil.example', failing: ['dkim1'] }) as { domain: string; dns: Record<string, { data: string; host: string }> };
      evil.domain = 'evil.example\n:white_check_mark: all domains valid\u0007\u202e';
      evil.dns.dkim1!.data = 'x\r\n<!channel>\u0000\u200b';
      evil.dns.dkim1!.host = 'h'.repeat(5000);
      server.set('/v3/whitelabel/domains', { body: [whitelabelDomain({ id: 1, domain: 'example.com' }), evil] });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth');
      expect(f.status).toBe('warn');
      const text = `${f.title}\n${f.detail}`;
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/);
      expect(f.detail!.split('\n')).toHaveLength(1);
      expect(f.detail).toContain('evil.example :white_check_mark: all domains valid (id 9');
      expect(f.detail!.length).toBeLessThan(1000);
    });
  });

  describe('paging', () => {
    it('a server that ignores offset (the same page again and again): the repeats are not counted, paging stops', async () => {
      const domains = Array.from({ length: 50 }, (_, i) => whitelabelDomain({ id: i + 1, domain: `d${i + 1}.example.com` }));
      const { server, state } = await sendgrid();
      server.set('/v3/whitelabel/domains', { body: domains });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth');
      expect(f.metrics).toMatchObject({ domains: 50 });
      expect(calls(server).filter((c) => c.startsWith('/v3/whitelabel'))).toHaveLength(2);
    });

    it('a server that ignores limit (120 domains for limit=50): all are judged, no second call', async () => {
      const domains = Array.from({ length: 120 }, (_, i) => whitelabelDomain({ id: i + 1, domain: `d${i + 1}.example.com` }));
      const { server, state } = await sendgrid();
      server.set('/v3/whitelabel/domains', { body: domains });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth');
      expect(f).toMatchObject({ status: 'ok', title: '120 authenticated domains, all valid', metrics: { domains: 120 } });
      expect(calls(server).filter((c) => c.startsWith('/v3/whitelabel'))).toHaveLength(1);
    });

    it('an answer too large to read (3,000 domains at once) is unknown saying so, one call', async () => {
      const domains = Array.from({ length: 3000 }, (_, i) => whitelabelDomain({ id: i + 1, domain: `d${i + 1}.example.com` }));
      const { server, state } = await sendgrid();
      server.set('/v3/whitelabel/domains', { body: domains });
      const f = findingOf(await run({ apiKey: state.key, url: server.url }), 'sendgrid.domain_auth');
      expect(f.status).toBe('unknown');
      expect(f.title).toContain('the answer is too large to read');
      expect(calls(server).filter((c) => c.startsWith('/v3/whitelabel'))).toHaveLength(1);
    });

    it('the sending domain beyond the domains read is not called missing (no false critical)', async () => {
      const domains = Array.from({ length: 520 }, (_, i) => ({ id: i + 1, domain: `d${i + 1}.example.com` }));
      const { server, state } = await sendgrid({ domains });
      const f = findingOf(await run({ apiKey: state.key, url: server.url, sendingDomain: 'd510.example.com' }), 'sendgrid.domain_auth');
      expect(f.status).toBe('unknown');
      expect(f.title).toBe('Sending domain d510.example.com is not among the first 500 authenticated domains read');
    });
  });

  describe('the key never shows', () => {
    it('a 429 whose X-RateLimit-Reset echoes the key: no part of the key in the finding', async () => {
      const { server, state } = await sendgrid();
      server.set('/v3/stats', { status: 429, headers: { 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': state.key }, body: sendgridError('too many requests') });
      const findings = await run({ apiKey: state.key, url: server.url });
      const f = findingOf(findings, 'sendgrid.delivery');
      expect(f.status).toBe('unknown');
      expect(f.title).toContain('X-RateLimit-Reset');
      const all = JSON.stringify(findings);
      for (let at = 0; at + 12 <= state.key.length; at += 6) expect(all).not.toContain(state.key.slice(at, at + 12));
    });

    it('the key written with JSON escapes (\\u0053G...) in an error message and in a domain name, cut mid-key: no part of it shows', async () => {
      const { server, state } = await sendgrid();
      const escaped = [...state.key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      server.set('/v3/stats', { status: 500, headers: { 'content-type': 'application/json' }, body: `{"errors":[{"field":null,"message":"${'x'.repeat(130)} ${escaped}"}]}` });
      const evil = JSON.stringify([whitelabelDomain({ id: 3, domain: 'placeholder.example', failing: ['dkim1'] })]).replace('placeholder.example', `${'d'.repeat(220)}${escaped}`);
      server.set('/v3/whitelabel/domains', { headers: { 'content-type': 'application/json' }, body: evil });
      const findings = await run({ apiKey: state.key, url: server.url });
      expect(findingOf(findings, 'sendgrid.delivery').title).toContain('xxxx');
      expect(findingOf(findings, 'sendgrid.domain_auth').status).toBe('warn');
      const all = JSON.stringify(findings);
      for (let at = 0; at + 12 <= state.key.length; at += 6) expect(all).not.toContain(state.key.slice(at, at + 12));
    });

    it('the key in \\u escapes where a body is quoted (the wrong shape, an error that is not SendGrid\'s envelope): not quoted', async () => {
      const { server, state } = await sendgrid();
      const escaped = [...state.key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
      server.set('/v3/user/account', { headers: { 'content-type': 'application/json' }, body: `{"type":"paid","reputation":"${escaped}"}` });
      server.set('/v3/stats', { status: 502, headers: { 'content-type': 'application/json' }, body: `{"detail":"${escaped}"}` });
      const findings = await run({ apiKey: state.key, url: server.url });
      expect(findingOf(findings, 'sendgrid.reputation').title).toContain('unexpected shape at reputation');
      expect(findingOf(findings, 'sendgrid.delivery').title).toContain('HTTP 502');
      const all = JSON.stringify(findings);
      for (let at = 0; at + 12 <= state.key.length; at += 6) expect(all).not.toContain(state.key.slice(at, at + 12));
      for (let at = 0; at + 24 <= escaped.length; at += 12) expect(all).not.toContain(escaped.slice(at, at + 24).replace(/\\/g, '\\\\'));
    });

    it('an error message quoting the key URL-encoded and cut mid-key: no part of it shows', async () => {
      const { server, state } = await sendgrid();
      const encoded = encodeURIComponent(state.key);
      server.set('/v3/user/account', { status: 400, body: sendgridError(`${'x'.repeat(140)} https://api.example/cb?key=${encoded}`) });
      const findings = await run({ apiKey: state.key, url: server.url });
      const all = JSON.stringify(findings);
      for (let at = 0; at + 12 <= state.key.length; at += 6) expect(all).not.toContain(state.key.slice(at, at + 12));
    });
  });

  it('a run cancelled while /v3/stats is slow: the rate checks are unknown saying so, nothing ok', async () => {
    const { server, state } = await sendgrid();
    server.set('/v3/stats', { delayMs: 5_000, body: [] });
    const controller = new AbortController();
    const findingsP = run({ apiKey: state.key, url: server.url }, { signal: controller.signal, timeoutMs: 10_000 });
    const started = Date.now();
    while (!calls(server).some((c) => c.startsWith('/v3/stats')) && Date.now() - started < 5_000) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const findings = await findingsP;
    for (const id of ['sendgrid.delivery', 'sendgrid.spam_reports']) {
      const f = findingOf(findings, id);
      expect(f.status).toBe('unknown');
      expect(f.title).toContain('cancelled');
    }
  });
});
