import { describe, expect, it } from 'vitest';
import { httpKind, type HttpTarget } from '../../../src/probes/http/http-kind.ts';
import { useFakeHttpServers, type FakeResponse } from './fake-http-services.ts';
import { findingOf, runKind } from './probe-helpers.ts';

type Keys = Omit<HttpTarget, 'name' | 'kind' | 'timeoutMs' | 'thresholds'>;

const serve = useFakeHttpServers();

/** The rate_limit finding (or undefined) of one run against a server answering `answer` on /health. */
async function rateLimitOf(answer: FakeResponse, keys: Partial<Keys> = {}) {
  const s = await serve({ '/health': answer });
  const findings = await runKind(httpKind, { url: `${s.url}/health`, ...keys });
  return { findings, rate: findings.find((f) => f.check === 'http.rate_limit') };
}

describe('http rate_limit', () => {
  it('has the documented thresholds (less headroom is worse) and charts headroom_pct', () => {
    const check = httpKind.checks.find((c) => c.name === 'rate_limit');
    expect(check?.thresholds).toEqual({ warn: 20, crit: 5, unit: '% left (below)' });
    expect(httpKind.trends).toContainEqual(expect.objectContaining({ check, metric: 'headroom_pct' }));
  });

  it('no rate-limit header: no finding at all', async () => {
    const { findings, rate } = await rateLimitOf({ body: 'ok' });
    expect(rate).toBeUndefined();
    expect(findingOf(findings, 'http.status').status).toBe('ok');
  });

  it('a limit or a policy alone (nothing about what is left): no finding', async () => {
    const { rate } = await rateLimitOf({ body: 'ok', headers: { 'X-RateLimit-Limit': '100', 'RateLimit-Policy': '"default";q=100;w=60' } });
    expect(rate).toBeUndefined();
  });

  it('X-RateLimit with plenty left is ok, with the headroom and the reset in seconds', async () => {
    const { rate } = await rateLimitOf({ body: 'ok', headers: { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '80', 'X-RateLimit-Reset': '30' } });
    expect(rate).toMatchObject({ status: 'ok', title: 'Rate limit 80% left (80 of 100, X-RateLimit), resets in 30 s' });
    expect(rate?.metrics).toEqual({ headroom_pct: 80, remaining: 80, limit: 100, reset_s: 30 });
    expect(rate?.fix).toBeUndefined();
  });

  it('X-RateLimit-Reset above 10^9 is a unix epoch: the time until it is stated', async () => {
    const epoch = Math.floor(Date.now() / 1000) + 600;
    const { rate } = await rateLimitOf({ body: 'ok', headers: { 'X-RateLimit-Limit': '5000', 'X-RateLimit-Remaining': '4000', 'X-RateLimit-Reset': String(epoch) } });
    expect(rate?.status).toBe('ok');
    expect(rate?.title).toMatch(/resets in (9|10) min$/);
    expect(rate?.detail).toContain(`resets at ${new Date(epoch * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
    expect(rate?.metrics?.reset_s).toBeGreaterThan(500);
  });

  it('GitHub style: X-RateLimit-Used against the limit, under 20% left is a warning with the fix', async () => {
    const reset = Math.floor(Date.now() / 1000) + 1800;
    const { rate } = await rateLimitOf({
      body: 'ok',
      headers: { 'X-RateLimit-Limit': '5000', 'X-RateLimit-Used': '4100', 'X-RateLimit-Reset': String(reset), 'X-RateLimit-Resource': 'core' },
    });
    expect(rate?.status).toBe('warn');
    expect(rate?.title).toMatch(/^Rate limit 18% left \(900 of 5,000, X-RateLimit\), resets in (29|30) min: warn below 20%$/);
    expect(rate?.metrics?.headroom_pct).toBe(18);
    expect(rate?.fix).toMatch(/slow down the callers.*spread the load.*cache responses.*higher quota/);
  });

  it('IETF RateLimit with its RateLimit-Policy: under 5% left is critical', async () => {
    const { rate } = await rateLimitOf({ body: 'ok', headers: { RateLimit: '"default";r=3;t=30', 'RateLimit-Policy': '"default";q=100;w=60' } });
    expect(rate).toMatchObject({ status: 'crit', title: 'Rate limit 3.0% left (3 of 100, RateLimit "default"), resets in 30 s: crit below 5%' });
    expect(rate?.detail).toBe('RateLimit "default": 3 left, of 100 per 1 min, resets in 30 s');
    expect(rate?.metrics?.headroom_pct).toBe(3);
  });

  it('several IETF policies: the tightest one speaks', async () => {
    const { rate } = await rateLimitOf({
      body: 'ok',
      headers: { RateLimit: '"burst";r=90;t=1, "daily";r=150;t=3600', 'RateLimit-Policy': '"burst";q=100;w=1, "daily";q=1000;w=86400' },
    });
    expect(rate?.status).toBe('warn');
    expect(rate?.title).toContain('15% left (150 of 1,000, RateLimit "daily")');
    expect(rate?.detail).toContain('RateLimit "burst": 90 left, of 100 per 1 s, resets in 1 s');
  });

  it('the older draft RateLimit-Limit / -Remaining / -Reset', async () => {
    const { rate } = await rateLimitOf({ body: 'ok', headers: { 'RateLimit-Limit': '60', 'RateLimit-Remaining': '45', 'RateLimit-Reset': '12' } });
    expect(rate).toMatchObject({ status: 'ok', title: 'Rate limit 75% left (45 of 60, RateLimit-Remaining), resets in 12 s' });
  });

  it('the older draft single RateLimit field (limit=, remaining=, reset=)', async () => {
    const { rate } = await rateLimitOf({ body: 'ok', headers: { RateLimit: 'limit=100, remaining=10, reset=45' } });
    expect(rate).toMatchObject({ status: 'warn', title: 'Rate limit 10% left (10 of 100, RateLimit), resets in 45 s: warn below 20%' });
  });

  it('an epoch reset already passed is said so, not read as a wait', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    const { rate } = await rateLimitOf({ body: 'ok', headers: { 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '59', 'X-RateLimit-Reset': String(past) } });
    expect(rate).toMatchObject({ status: 'ok', title: 'Rate limit 98.3% left (59 of 60, X-RateLimit), reset time already passed' });
  });

  it('a 429 with Retry-After in seconds is critical "rate limited", with when to retry in words', async () => {
    const { findings, rate } = await rateLimitOf({
      status: 429,
      body: 'slow down',
      headers: { 'Retry-After': '120', 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '0' },
    });
    expect(rate).toMatchObject({ status: 'crit', title: 'Rate limited (HTTP 429), retry in 2 min' });
    expect(rate?.fix).toMatch(/^wait 2 min before retrying; then slow down the callers/);
    expect(rate?.metrics).toEqual({ status: 429, headroom_pct: 0, retry_after_s: 120 });
    // One story: the rate limit speaks for the 429; the status check's finding is taken into it.
    expect(rate).toMatchObject({ rootCause: true, merged: ['http.status'] });
    expect(findings.filter((f) => f.check === 'http.status')).toEqual([]);
  });

  it('a 429 with Retry-After as an HTTP date states the time and how long until it', async () => {
    const at = new Date(Math.ceil(Date.now() / 1000) * 1000 + 15 * 60_000);
    const { rate } = await rateLimitOf({ status: 429, body: 'slow down', headers: { 'Retry-After': at.toUTCString() } });
    expect(rate?.status).toBe('crit');
    expect(rate?.title).toMatch(new RegExp(`^Rate limited \\(HTTP 429\\), retry at ${at.toISOString().slice(0, 16).replace('T', ' ')} UTC \\(in 1[45] min\\)$`));
    expect(rate?.detail).toBe(`Retry-After: ${at.toUTCString()}`);
  });

  it('a 429 without Retry-After or any rate-limit header still says it is rate limited', async () => {
    const { rate } = await rateLimitOf({ status: 429, body: 'too many requests' });
    expect(rate).toMatchObject({ status: 'crit', title: 'Rate limited (HTTP 429), no Retry-After' });
    expect(rate?.fix).toMatch(/^slow down the callers/);
  });

  it('a 429 with a Retry-After it cannot read: still critical, the value named', async () => {
    const { rate } = await rateLimitOf({ status: 429, body: '', headers: { 'Retry-After': 'soon' } });
    expect(rate).toMatchObject({ status: 'crit', title: 'Rate limited (HTTP 429), Retry-After not understood' });
    expect(rate?.detail).toContain('Retry-After "soon" is neither seconds nor an HTTP date');
  });

  describe('a value that cannot be read is unknown, naming the header and the value', () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['non-numeric', { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': 'lots' }, /^Rate limit: could not read X-RateLimit-Remaining "lots"$/],
      ['negative', { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '-3' }, /^Rate limit: could not read X-RateLimit-Remaining "-3"$/],
      ['remaining above the limit', { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '250' }, /^Rate limit: could not read X-RateLimit-Remaining "250"$/],
      ['a reset that is no time', { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '50', 'X-RateLimit-Reset': 'tomorrow' }, /^Rate limit: could not read X-RateLimit-Reset "tomorrow"$/],
      ['a structured field that is not one', { RateLimit: 'r=50 t=30', 'RateLimit-Policy': '"default";q=100' }, /^Rate limit: could not read RateLimit "r=50 t=30"$/],
      ['a policy quota that is not a number', { RateLimit: '"default";r=5', 'RateLimit-Policy': '"default";q="many"' }, /^Rate limit: could not read RateLimit-Policy /],
    ];
    for (const [what, headers, title] of cases) {
      it(what, async () => {
        const { rate } = await rateLimitOf({ body: 'ok', headers });
        expect(rate?.status).toBe('unknown');
        expect(rate?.title).toMatch(title);
        expect(rate?.detail).toMatch(/^Expected /);
      });
    }

    it('the value is masked like any other answer', async () => {
      const token = 'sk-live-0123456789abcdefghij';
      const { rate } = await rateLimitOf({ body: 'ok', headers: { 'X-RateLimit-Remaining': token } }, { headers: { Authorization: `Bearer ${token}` } });
      expect(rate?.status).toBe('unknown');
      expect(JSON.stringify(rate)).not.toContain(token);
      expect(rate?.title).toMatch(/^Rate limit: could not read X-RateLimit-Remaining ".*\*.*"$/);
    });

    it('on a 429 it is still critical "rate limited", the unreadable header kept as evidence', async () => {
      const { rate } = await rateLimitOf({ status: 429, body: '', headers: { 'Retry-After': '30', 'X-RateLimit-Remaining': 'none' } });
      expect(rate).toMatchObject({ status: 'crit', title: 'Rate limited (HTTP 429), retry in 30 s' });
      expect(rate?.detail).toContain('could not read X-RateLimit-Remaining "none" (expected a whole number >= 0)');
    });
  });

  it('what is left without any limit stated: unknown saying so, or critical when nothing is left', async () => {
    const some = await rateLimitOf({ body: 'ok', headers: { 'X-RateLimit-Remaining': '40' } });
    expect(some.rate).toMatchObject({ status: 'unknown', title: 'Rate limit: 40 left, but no header states the limit (X-RateLimit)' });
    const none = await rateLimitOf({ body: 'ok', headers: { RateLimit: '"default";r=0;t=5' } });
    expect(none.rate).toMatchObject({ status: 'crit', title: 'Rate limit exhausted: 0 left (RateLimit "default"), resets in 5 s' });
  });

  it('X-RateLimit-Used without a limit: unknown, showing what the answer said', async () => {
    const { rate } = await rateLimitOf({ body: 'ok', headers: { 'X-RateLimit-Used': '12' } });
    expect(rate).toMatchObject({ status: 'unknown', title: 'Rate limit: the headers state neither what is left nor the limit' });
    expect(rate?.detail).toContain('x-ratelimit-used: 12');
  });

  it('OpenAI-style suffixed headers with a duration reset', async () => {
    const { rate } = await rateLimitOf({
      body: 'ok',
      headers: {
        'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '499', 'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-limit-tokens': '30000', 'x-ratelimit-remaining-tokens': '1200', 'x-ratelimit-reset-tokens': '6m0s',
      },
    });
    expect(rate).toMatchObject({ status: 'crit', title: 'Rate limit 4.0% left (1,200 of 30,000, X-RateLimit-*-tokens), resets in 6 min: crit below 5%' });
  });

  it('thresholds can be overridden per target', async () => {
    const s = await serve({ '/health': { body: 'ok', headers: { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '40' } } });
    const findings = await runKind(httpKind, { url: `${s.url}/health` }, { thresholds: { rate_limit: { warn: 50, crit: 10 } } });
    expect(findingOf(findings, 'http.rate_limit')).toMatchObject({ status: 'warn', title: 'Rate limit 40% left (40 of 100, X-RateLimit): warn below 50%' });
  });
});
