// The openai kind against a local server speaking OpenAI's wire format, reached by the official
// SDK through its baseURL: every check healthy and broken, the one completion a run may spend,
// and the key never in a finding.
import { describe, expect, it, vi } from 'vitest';
import { openaiKind } from '../../../src/probes/openai/openai-kind.ts';
import { openaiSession } from '../../../src/probes/openai/openai-session.ts';
import { findProbe } from '../../../src/probes/probe-registry.ts';
import { runKindChecks } from '../../../src/probes/run-kind-checks.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { silentLogger } from '../../../src/logger.ts';
import { closedPort } from '../http/fake-http-services.ts';
import { findingOf, statuses } from '../http/probe-helpers.ts';
import { apiError, openaiRateLimitHeaders, TEST_KEY, useFakeOpenAI } from './fake-openai.ts';
import { run, targetOf } from './run-openai.ts';

const fakeOpenAI = useFakeOpenAI();

describe('openai kind', () => {
  it('is registered, with the README-facing keys and a trend metric in %', () => {
    expect(findProbe('openai')).toBe(openaiKind);
    expect(openaiKind.checks.map((c) => c.name)).toEqual(['connectivity', 'auth', 'quota', 'headroom', 'server']);
    expect(openaiKind.trends).toEqual([expect.objectContaining({ metric: 'headroom_pct', unit: '%', check: openaiKind.checks[3] })]);
    expect(openaiKind.checks.find((c) => c.name === 'headroom')!.thresholds).toEqual({ warn: 20, crit: 5, unit: '% left (below)' });
    expect(openaiKind.secrets(targetOf({}))).toEqual([TEST_KEY]);
    expect(openaiKind.standalone).toMatchObject({ defaultUrl: 'https://api.openai.com/v1', keyEnv: 'OPENAI_API_KEY' });
    const parsed = openaiKind.targetSchema.parse({ apiKey: 'k' });
    expect(parsed.url).toBe('https://api.openai.com/v1');
    expect(openaiKind.targetSchema.safeParse({ apiKey: 'k', url: 'ftp://x/v1' }).success).toBe(false);
  });

  it('names the server and provider it talks to, never the key', () => {
    const d = (url: string) => openaiKind.describeEndpoint!(targetOf({ url }));
    expect(d('https://api.openai.com/v1')).toBe('https://api.openai.com/v1 (OpenAI)');
    expect(d('https://my-res.openai.azure.com/openai/v1')).toBe('https://my-res.openai.azure.com/openai/v1 (Azure OpenAI)');
    expect(d('https://openrouter.ai/api/v1')).toBe('https://openrouter.ai/api/v1 (OpenRouter)');
    expect(d('http://127.0.0.1:8000/v1')).toBe('http://127.0.0.1:8000/v1 (local server)');
    expect(d('https://llm.example.com/v1')).toBe('https://llm.example.com/v1 (OpenAI-compatible server)');
    expect(d(`https://user:${TEST_KEY}@llm.example.com/v1`)).not.toContain(TEST_KEY);
  });

  it('healthy with a model: every check ok, one completion of 1 token, the headers OpenAI expects', async () => {
    const fake = await fakeOpenAI();
    const findings = await run(fake, { model: 'gpt-4o-mini', organization: 'org-acme', project: 'proj_chatbot' });
    expect(statuses(findings)).toEqual({ 'openai.connectivity': 'ok', 'openai.auth': 'ok', 'openai.quota': 'ok', 'openai.headroom': 'ok', 'openai.server': 'ok' });
    const conn = findingOf(findings, 'openai.connectivity');
    expect(conn.title).toMatch(/^Connected to http:\/\/127\.0\.0\.1:\d+\/v1 \(local server\): 5 models listed in \d+ ms, request id req_0+\d, model gpt-4o-mini offered$/);
    expect(conn.metrics).toMatchObject({ models: 5, latency_ms: expect.any(Number) });
    expect(findingOf(findings, 'openai.auth').title).toBe('The key is accepted (organization org-acme, project proj_chatbot)');
    expect(findingOf(findings, 'openai.quota').title).toMatch(/^Tokens can be spent: a 1-token completion with gpt-4o-mini answered in \d+ ms, request id req_\w+$/);
    const headroom = findingOf(findings, 'openai.headroom');
    expect(headroom.title).toBe('Rate-limit headroom 99.9% left (requests 4,999 of 5,000, 99.9%, resets in <1 s; tokens 3,999,990 of 4,000,000, 99.9%, resets in <1 s)');
    expect(headroom.metrics).toEqual({ headroom_pct: 99.9, requests_remaining: 4999, requests_limit: 5000, requests_reset_s: 0.012, tokens_remaining: 3_999_990, tokens_limit: 4_000_000, tokens_reset_s: 0 });
    expect(findingOf(findings, 'openai.server').title).toMatch(/^No server errors: GET \/models 200 in \d+ ms, POST \/chat\/completions 200 in \d+ ms$/);

    expect(fake.requests.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['GET /v1/models', 'POST /v1/chat/completions']);
    for (const r of fake.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
      expect(r.headers['openai-organization']).toBe('org-acme');
      expect(r.headers['openai-project']).toBe('proj_chatbot');
    }
    expect(fake.completions()[0]!.body).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say OK.' }], max_tokens: 1 });
  });

  it('the SDK\'s environment defaults (OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_BASE_URL) are not used: the target decides', async () => {
    const fake = await fakeOpenAI();
    vi.stubEnv('OPENAI_ORG_ID', 'org-from-env');
    vi.stubEnv('OPENAI_PROJECT_ID', 'proj_from_env');
    vi.stubEnv('OPENAI_BASE_URL', 'http://127.0.0.1:9/v1');
    try {
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      expect(findingOf(findings, 'openai.auth').status).toBe('ok');
    } finally {
      vi.unstubAllEnvs();
    }
    expect(fake.requests).toHaveLength(2);
    for (const r of fake.requests) {
      expect(r.headers['openai-organization']).toBeUndefined();
      expect(r.headers['openai-project']).toBeUndefined();
    }
  });

  it('the headroom percent is the tighter of requests and tokens, rounded to one decimal', async () => {
    const fake = await fakeOpenAI();
    fake.rateLimitHeaders = openaiRateLimitHeaders({ remainingRequests: '4000', remainingTokens: '2100000' });
    const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
    expect(h.status).toBe('ok');
    expect(h.metrics!.headroom_pct).toBe(52.5);
  });

  it('without a model: nothing that spends tokens is sent, quota and headroom are unknown saying how to enable them', async () => {
    const fake = await fakeOpenAI();
    const findings = await run(fake);
    expect(statuses(findings)).toEqual({ 'openai.connectivity': 'ok', 'openai.auth': 'ok', 'openai.quota': 'unknown', 'openai.headroom': 'unknown', 'openai.server': 'ok' });
    for (const id of ['openai.quota', 'openai.headroom']) {
      const f = findingOf(findings, id);
      expect(f.title).toMatch(/^(Quota|Rate-limit headroom) not checked: no model configured$/);
      expect(f.detail).toContain('one chat completion of 1 output token');
      expect(f.fix).toContain('set targets.ai.model');
    }
    expect(fake.completions()).toHaveLength(0);
  });

  describe('auth', () => {
    it('a wrong key is critical (invalid_api_key), the only finding, never retried', async () => {
      const fake = await fakeOpenAI();
      const findings = await run(fake, { apiKey: 'sk-proj-wrongwrongwrongwrong1234', model: 'gpt-4o-mini' });
      expect(findings).toHaveLength(1);
      const auth = findingOf(findings, 'openai.auth');
      expect(auth).toMatchObject({ status: 'crit', title: 'API key refused (HTTP 401, invalid_api_key)', merged: ['openai.connectivity'] });
      expect(auth.fix).toContain('targets.ai.apiKey');
      expect(auth.fix).toContain('Retrying will not help');
      expect(auth.detail).toMatch(/GET \/models: HTTP 401 \(invalid_api_key\), request id req_\w+: Incorrect API key provided: /);
      // One GET and one POST at most: the SDK's retries are off.
      expect(fake.requests).toHaveLength(2);
      expect(JSON.stringify(findings)).not.toContain('sk-proj-wrongwrongwrongwrong1234');
    });

    it('the key is healthy again: ok', async () => {
      const fake = await fakeOpenAI();
      expect(findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.auth').status).toBe('ok');
    });

    it('an organization the key does not belong to is critical and names the organization key', async () => {
      const fake = await fakeOpenAI();
      const findings = await run(fake, { organization: 'org-other' });
      const auth = findingOf(findings, 'openai.auth');
      expect(auth).toMatchObject({ status: 'crit', title: 'Organization refused (HTTP 401, invalid_organization): org-other' });
      expect(auth.fix).toContain('targets.ai.organization');
    });

    it('a project the key is not for is critical and names the project key', async () => {
      const fake = await fakeOpenAI();
      const auth = findingOf(await run(fake, { project: 'proj_other', model: 'gpt-4o-mini' }), 'openai.auth');
      expect(auth).toMatchObject({ status: 'crit', title: 'Project refused (HTTP 401, mismatched_project): proj_other' });
      expect(auth.fix).toContain('targets.ai.project');
    });

    it('an IP address the project does not allow is critical, naming the allow list', async () => {
      const fake = await fakeOpenAI();
      const refuse = apiError(401, 'You are not allowed to access this organization from this IP address.', 'invalid_request_error', 'ip_not_authorized');
      fake.on('GET /v1/models', refuse);
      fake.on('POST /v1/chat/completions', refuse);
      const auth = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.auth');
      expect(auth).toMatchObject({ status: 'crit', title: 'Request refused from this IP address (HTTP 401, ip_not_authorized)' });
      expect(auth.fix).toMatch(/allow list/);
    });

    it('403 from an unsupported country or region is critical', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', apiError(403, 'Country, region, or territory not supported', 'request_forbidden', 'unsupported_country_region_territory'));
      const findings = await run(fake);
      expect(findings).toHaveLength(1);
      expect(findingOf(findings, 'openai.auth')).toMatchObject({ status: 'crit', title: 'Requests from this country or region are refused (HTTP 403, unsupported_country_region_territory)' });
      expect(findingOf(findings, 'openai.auth').fix).toMatch(/egress IP/);
    });

    it('a restricted key refused the completion (missing scope) is critical; the model list still answered', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', apiError(403, 'You have insufficient permissions for this operation. Missing scopes: model.request.', 'invalid_request_error', null));
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      expect(findingOf(findings, 'openai.connectivity').status).toBe('ok');
      const auth = findingOf(findings, 'openai.auth');
      expect(auth).toMatchObject({ status: 'crit', title: 'The key lacks permission (HTTP 403, invalid_request_error, POST /chat/completions)' });
      expect(findingOf(findings, 'openai.quota').status).toBe('unknown');
    });

    it('a key refused only the model list but allowed completions is accepted', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', apiError(403, 'You have insufficient permissions for this operation. Missing scopes: api.model.read.', 'invalid_request_error', null));
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      expect(findingOf(findings, 'openai.auth')).toMatchObject({ status: 'ok', title: 'The key is accepted for chat completions; it may not list models' });
      expect(findingOf(findings, 'openai.quota').status).toBe('ok');
      expect(findingOf(findings, 'openai.connectivity')).toMatchObject({ status: 'ok', title: expect.stringContaining('the key may not list models (HTTP 403), but the completion answered') });
    });

    it('a key refused the model list with no model configured: a warning, the connectivity taken in, never ok', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', apiError(403, 'You have insufficient permissions for this operation. Missing scopes: api.model.read.', 'invalid_request_error', null));
      const findings = await run(fake);
      expect(findingOf(findings, 'openai.auth')).toMatchObject({ status: 'warn', merged: ['openai.connectivity'] });
      expect(findingOf(findings, 'openai.auth').fix).toContain('targets.ai.model');
      expect(findings.some((f) => f.check === 'openai.connectivity')).toBe(false);
      expect(findings.every((f) => f.status !== 'ok' || f.check === 'openai.server')).toBe(true);
    });
  });

  describe('quota', () => {
    it('429 insufficient_quota is critical: add credits, retrying will not help; the headroom is its story', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', apiError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'));
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      const quota = findingOf(findings, 'openai.quota');
      expect(quota.status).toBe('crit');
      expect(quota.title).toBe('Out of quota (insufficient_quota): You exceeded your current quota, please check your plan and billing details.');
      expect(quota.fix).toMatch(/^add credits or raise the budget/);
      expect(quota.fix).toContain('Retrying will not help');
      expect(quota.merged).toEqual(['openai.headroom']);
      expect(findings.some((f) => f.check === 'openai.headroom')).toBe(false);
      expect(findingOf(findings, 'openai.connectivity').status).toBe('ok');
      expect(findingOf(findings, 'openai.auth').status).toBe('ok');
      expect(fake.completions()).toHaveLength(1);
    });

    it('429 rate_limit_exceeded is a warning to back off, with the reset time from the headers', async () => {
      const fake = await fakeOpenAI();
      fake.on(
        'POST /v1/chat/completions',
        apiError(429, 'Rate limit reached for gpt-4o-mini in organization org-acme on requests per min (RPM): Limit 500, Used 500, Requested 1.', 'requests', 'rate_limit_exceeded', null,
          openaiRateLimitHeaders({ limitRequests: '500', remainingRequests: '0', resetRequests: '6m0s', remainingTokens: '150000', limitTokens: '200000', resetTokens: '1s' })),
      );
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      const quota = findingOf(findings, 'openai.quota');
      expect(quota).toMatchObject({ status: 'warn', title: 'Rate limited (rate_limit_exceeded) on POST /chat/completions, resets in 6 min', merged: ['openai.headroom'] });
      expect(quota.fix).toMatch(/^back off/);
      expect(quota.metrics).toMatchObject({ status: 429, retry_after_s: 360, headroom_pct: 0 });
      expect(findings.some((f) => f.check === 'openai.headroom')).toBe(false);
      // Once, not retried by the SDK.
      expect(fake.completions()).toHaveLength(1);
    });

    it('a 429 on the model list alone is the quota finding, the connectivity taken in', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', apiError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', null, { 'retry-after': '20' }));
      const findings = await run(fake);
      expect(findingOf(findings, 'openai.quota')).toMatchObject({ status: 'warn', title: 'Rate limited (rate_limit_exceeded) on GET /models, resets in 20 s', merged: ['openai.connectivity'] });
      expect(findings.some((f) => f.check === 'openai.connectivity')).toBe(false);
    });
  });

  describe('headroom', () => {
    it('below 20% left is a warning, with reset durations like 1h2m3.5s read', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = openaiRateLimitHeaders({ remainingTokens: '600000', resetTokens: '1h2m3.5s' });
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
      expect(h.status).toBe('warn');
      expect(h.title).toBe('Rate-limit headroom 15% left (requests 4,999 of 5,000, 99.9%, resets in <1 s; tokens 600,000 of 4,000,000, 15%, resets in 1 h 2 min): warn below 20%');
      expect(h.metrics).toMatchObject({ headroom_pct: 15, tokens_reset_s: 3723.5 });
      expect(h.fix).toMatch(/^spread the load/);
    });

    it('below 5% left is critical; 6m0s and 20ms resets are read', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = openaiRateLimitHeaders({ remainingRequests: '150', resetRequests: '6m0s', resetTokens: '20ms' });
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
      expect(h.status).toBe('crit');
      expect(h.title).toMatch(/^Rate-limit headroom 3\.0% left \(requests 150 of 5,000, 3\.0%, resets in 6 min; .*\): crit below 5%$/);
      expect(h.metrics).toMatchObject({ headroom_pct: 3, requests_reset_s: 360, tokens_reset_s: 0.02 });
    });

    it('the target\'s thresholds are used', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = openaiRateLimitHeaders({ remainingRequests: '2000' });
      expect(findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom').status).toBe('ok');
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }, { thresholds: { headroom: { warn: 50, crit: 10 } } }), 'openai.headroom');
      expect(h).toMatchObject({ status: 'warn' });
      expect(h.title).toMatch(/: warn below 50%$/);
    });

    it('-1 for every limit is unknown with the reason, never ok', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = openaiRateLimitHeaders({ limitRequests: '-1', remainingRequests: '-1', limitTokens: '-1', remainingTokens: '-1' });
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
      expect(h.status).toBe('unknown');
      expect(h.title).toBe('Rate-limit headroom: unknown (requests: x-ratelimit-limit-requests is -1 (no limit stated); tokens: x-ratelimit-limit-tokens is -1 (no limit stated))');
      expect(h.metrics).toBeUndefined();
    });

    it('no rate-limit headers at all (a local server) is unknown with the reason', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = {};
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
      expect(h).toMatchObject({ status: 'unknown', title: 'Rate-limit headroom: unknown (requests: no x-ratelimit-*-requests headers; tokens: no x-ratelimit-*-tokens headers)' });
      expect(h.detail).toContain('some compatible servers');
    });

    it('remaining counts without limits (as Azure sends) are unknown, naming the missing limit', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = { 'x-ratelimit-remaining-requests': '99', 'x-ratelimit-remaining-tokens': '9990' };
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
      expect(h.status).toBe('unknown');
      expect(h.title).toContain('requests: 99 left, but no x-ratelimit-limit-requests to compare with');
    });

    it('an unreadable value is unknown naming the header and value', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = openaiRateLimitHeaders({ remainingRequests: 'plenty', remainingTokens: 'n/a' });
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
      expect(h.status).toBe('unknown');
      expect(h.title).toContain('x-ratelimit-remaining-requests "plenty" is not a whole number >= 0, or -1');
    });

    it('one dimension -1, the other stated: judged on the stated one, the other named as not judged', async () => {
      const fake = await fakeOpenAI();
      fake.rateLimitHeaders = openaiRateLimitHeaders({ limitTokens: '-1', remainingTokens: '-1', remainingRequests: '500' });
      const h = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
      expect(h.status).toBe('warn');
      expect(h.metrics!.headroom_pct).toBe(10);
      expect(h.detail).toContain('Not judged: tokens: x-ratelimit-limit-tokens is -1 (no limit stated).');
    });
  });

  describe('server', () => {
    it('a 500 on the completion is a warning naming the status and request id; the rest stays honest', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', apiError(500, 'The server had an error while processing your request. Sorry about that!', 'server_error', null));
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      const server = findingOf(findings, 'openai.server');
      expect(server.status).toBe('warn');
      expect(server.title).toMatch(/^Server error: HTTP 500 on POST \/chat\/completions \(request id req_\w+\)$/);
      expect(server.fix).toContain('status.openai.com');
      expect(findingOf(findings, 'openai.quota')).toMatchObject({ status: 'unknown' });
      expect(findingOf(findings, 'openai.headroom')).toMatchObject({ status: 'unknown' });
      expect(findingOf(findings, 'openai.connectivity').status).toBe('ok');
      expect(fake.completions()).toHaveLength(1);
    });

    it('503 "overloaded" on the model list: a warning that takes the connectivity in', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', apiError(503, 'The engine is currently overloaded, please try again later.', 'server_error', 'overloaded'));
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      const server = findingOf(findings, 'openai.server');
      expect(server).toMatchObject({ status: 'warn', merged: ['openai.connectivity'] });
      expect(server.title).toMatch(/^Overloaded: HTTP 503 on GET \/models \(request id req_\w+\)$/);
      expect(findings.some((f) => f.check === 'openai.connectivity')).toBe(false);
      expect(findingOf(findings, 'openai.quota').status).toBe('ok');
    });

    it('529 is overloaded', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', apiError(529, 'Overloaded', 'overloaded_error', null));
      expect(findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.server').title).toMatch(/^Overloaded: HTTP 529 on POST \/chat\/completions/);
    });

    it('a gateway\'s HTML 502 is a server warning quoting the page, not a crash', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', { status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>' });
      const server = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.server');
      expect(server.status).toBe('warn');
      expect(server.detail).toContain('502 Bad Gateway');
    });
  });

  describe('connectivity', () => {
    it('a proxy\'s HTML page with status 200 instead of the model list is critical', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', { body: '<!DOCTYPE html><html><body><h1>Welcome to the corporate proxy</h1></body></html>' });
      const findings = await run(fake);
      const conn = findingOf(findings, 'openai.connectivity');
      expect(conn.status).toBe('crit');
      expect(conn.title).toContain("answered, but not with the API's JSON");
      expect(conn.title).toContain('text/html');
      expect(conn.fix).toContain('targets.ai.url');
    });

    it('malformed JSON on the completion is a finding, not a crash', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"id": "chatcmpl-1", "choices": [' });
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      expect(findingOf(findings, 'openai.server')).toMatchObject({ status: 'warn', title: "POST /chat/completions answered something other than the API's JSON" });
      expect(findingOf(findings, 'openai.quota').title).toMatch(/^Quota: could not check \(POST \/chat\/completions: HTTP 200 but not the API's JSON \(application\/json\), request id req_\w+: \{"id": "chatcmpl-1", "choices": \[\)$/);
    });

    it('no answer within the timeout is critical, the only finding', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', () => ({ delayMs: 5_000, body: { object: 'list', data: [] } }));
      const findings = await run(fake, {}, { timeoutMs: 400 });
      expect(findings).toHaveLength(1);
      expect(findingOf(findings, 'openai.connectivity')).toMatchObject({ status: 'crit' });
      expect(findingOf(findings, 'openai.connectivity').title).toMatch(/^No answer from http:\/\/127\.0\.0\.1:\d+\/v1 \(local server\) within 400 ms \(GET \/models\)$/);
    });

    it('a completion that hangs while the model list answered is a server warning', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', () => ({ delayMs: 5_000, body: {} }));
      const findings = await run(fake, { model: 'gpt-4o-mini' }, { timeoutMs: 400 });
      expect(findingOf(findings, 'openai.connectivity').status).toBe('ok');
      expect(findingOf(findings, 'openai.server')).toMatchObject({ status: 'warn', title: 'POST /chat/completions did not answer within 400 ms, while GET /models did' });
      expect(findingOf(findings, 'openai.quota').status).toBe('unknown');
    });

    it('nothing listening is critical', async () => {
      const port = await closedPort();
      const findings = await runKindChecks(openaiKind, targetOf({ url: `http://127.0.0.1:${port}/v1`, model: 'gpt-4o-mini' }), { signal: new AbortController().signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('ai') });
      expect(findings).toHaveLength(1);
      expect(findingOf(findings, 'openai.connectivity')).toMatchObject({ status: 'crit', title: expect.stringMatching(/^Cannot reach http:\/\/127\.0\.0\.1:\d+\/v1 \(local server\): refused \(GET \/models\)$/) });
    });

    it('a base URL without the version path (404 on /models) is the bot\'s configuration', async () => {
      const fake = await fakeOpenAI();
      const findings = await run(fake, { url: fake.url.replace(/\/v1$/, ''), model: 'gpt-4o-mini' });
      expect(findings).toHaveLength(1);
      expect(findingOf(findings, 'openai.connectivity')).toMatchObject({ status: 'unknown', config: true });
      expect(findingOf(findings, 'openai.connectivity').fix).toContain('version path');
    });

    it('a model the key is not offered is a warning naming the model and the listed ones like it', async () => {
      const fake = await fakeOpenAI();
      const findings = await run(fake, { model: 'gpt-4o-mni' });
      const conn = findingOf(findings, 'openai.connectivity');
      expect(conn.status).toBe('warn');
      expect(conn.title).toMatch(/^The configured model gpt-4o-mni is not offered to this key \(.*: 5 models listed in \d+ ms, request id req_\w+\)$/);
      expect(conn.detail).toContain('Listed models with a similar name: gpt-4o, gpt-4o-mini');
      expect(conn.detail).toContain('model_not_found');
      expect(conn.fix).toContain('targets.ai.model');
      expect(findingOf(findings, 'openai.quota').status).toBe('unknown');
    });

    it('a cancelled run is unknown, never ok', async () => {
      const fake = await fakeOpenAI();
      fake.on('GET /v1/models', () => ({ delayMs: 2_000, body: { object: 'list', data: [] } }));
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const findings = await run(fake, {}, { signal: controller.signal });
      expect(findings.every((f) => f.status === 'unknown')).toBe(true);
    });
  });

  describe('max_tokens fallback', () => {
    it('a model that refuses max_tokens is asked once more with max_completion_tokens: not a failure; later runs send one request', async () => {
      const fake = await fakeOpenAI();
      const state = new MemoryProbeStateStore().forTarget('ai');
      const findings = await run(fake, { model: 'o3-mini' }, { state });
      expect(statuses(findings)).toEqual({ 'openai.connectivity': 'ok', 'openai.auth': 'ok', 'openai.quota': 'ok', 'openai.headroom': 'ok', 'openai.server': 'ok' });
      expect(findingOf(findings, 'openai.quota').detail).toContain('asked again with max_completion_tokens: 1');
      const bodies = fake.completions().map((r) => r.body);
      expect(bodies).toEqual([
        expect.objectContaining({ model: 'o3-mini', max_tokens: 1 }),
        expect.objectContaining({ model: 'o3-mini', max_completion_tokens: 1 }),
      ]);
      expect(bodies[1]).not.toHaveProperty('max_tokens');
      // Only one of them spent tokens; the next run remembers and sends one.
      await run(fake, { model: 'o3-mini' }, { state });
      expect(fake.completions()).toHaveLength(3);
      expect(fake.completions()[2]!.body).toEqual(expect.objectContaining({ max_completion_tokens: 1 }));
    });

    it('any other 400 is not retried', async () => {
      const fake = await fakeOpenAI();
      fake.on('POST /v1/chat/completions', apiError(400, "Invalid value for 'messages': too short.", 'invalid_request_error', 'invalid_value', 'messages'));
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      expect(fake.completions()).toHaveLength(1);
      expect(findingOf(findings, 'openai.quota').title).toContain('HTTP 400 (invalid_value)');
    });
  });

  describe('the key in answers', () => {
    it('a server echoing the key in its error message: no finding shows it', async () => {
      const fake = await fakeOpenAI();
      const echo = (status: number) => apiError(status, `Key ${TEST_KEY} is not valid for this deployment (key=${TEST_KEY})`, 'server_error', null);
      fake.on('GET /v1/models', echo(500));
      fake.on('POST /v1/chat/completions', echo(429));
      const findings = await run(fake, { model: 'gpt-4o-mini' });
      const text = JSON.stringify(findings);
      expect(text).toContain('is not valid for this deployment');
      expect(text).not.toContain(TEST_KEY);
      expect(text).not.toContain(TEST_KEY.slice(8));
    });

    it('the runtime masks it itself, before the engine scrubs: the session\'s context and stop findings hold no key', async () => {
      const fake = await fakeOpenAI();
      const echo = apiError(502, `upstream refused Authorization: ${TEST_KEY}`, 'server_error', null);
      fake.on('GET /v1/models', echo);
      fake.on('POST /v1/chat/completions', { status: 200, headers: { 'content-type': 'application/json' }, body: `{"echo": "${TEST_KEY}"` });
      const target = targetOf({ url: fake.url, model: 'gpt-4o-mini' });
      const opened = await openaiSession.open(target, { signal: new AbortController().signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('ai'), timeoutMs: 3_000, secrets: [TEST_KEY] });
      const text = JSON.stringify(opened);
      expect(text).toContain('upstream refused');
      expect(text).not.toContain(TEST_KEY);

      fake.on('GET /v1/models', apiError(401, `Incorrect API key provided: ${TEST_KEY}.`, 'invalid_request_error', 'invalid_api_key'));
      fake.on('POST /v1/chat/completions', apiError(401, `Incorrect API key provided: ${TEST_KEY}.`, 'invalid_request_error', 'invalid_api_key'));
      const stopped = await openaiSession.open(target, { signal: new AbortController().signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('ai'), timeoutMs: 3_000, secrets: [TEST_KEY] });
      expect('stop' in stopped).toBe(true);
      expect(JSON.stringify(stopped)).toContain('Incorrect API key provided');
      expect(JSON.stringify(stopped)).not.toContain(TEST_KEY);
    });
  });
});
