// What the openai checks may claim, and only that: a slow state store is not a dead API, a
// remembered max_tokens choice is per endpoint and corrects itself, nothing that did not reach the
// API vouches for the key, an Azure key refusal is not a region block, rate-limit headers that do
// not add up are never ok, and the SDK's environment cannot swap the key, organization or project.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryProbeStateStore, type ProbeState } from '../../../src/probes/probe-state.ts';
import { findingOf, statuses } from '../http/probe-helpers.ts';
import { apiError, openaiRateLimitHeaders, TEST_KEY, useFakeOpenAI, type FakeOpenAI } from './fake-openai.ts';
import { run } from './run-openai.ts';

const fakeOpenAI = useFakeOpenAI();

afterEach(() => {
  vi.unstubAllEnvs();
});

const ALL_OK = { 'openai.connectivity': 'ok', 'openai.auth': 'ok', 'openai.quota': 'ok', 'openai.headroom': 'ok', 'openai.server': 'ok' };

/** An older server (or Azure api-version) that knows max_tokens only. */
function refuseMaxCompletionTokens(fake: FakeOpenAI): void {
  fake.newModels.clear();
  const answer = fake.overrides.get('POST /v1/chat/completions');
  fake.on('POST /v1/chat/completions', (req, f) =>
    req.body?.max_completion_tokens !== undefined
      ? apiError(400, 'Unrecognized request argument supplied: max_completion_tokens', 'invalid_request_error', null)
      : answer?.(req, f));
}

describe('the state store and the remembered output-limit parameter', () => {
  it('a state store that does not answer delays nothing: the API is judged on its own answers', async () => {
    const fake = await fakeOpenAI();
    const stuck: ProbeState = { get: () => new Promise(() => undefined), set: () => new Promise(() => undefined) };
    const findings = await run(fake, { model: 'gpt-4o-mini' }, { state: stuck, timeoutMs: 1_500 });
    expect(statuses(findings)).toEqual(ALL_OK);
    expect(fake.completions()).toHaveLength(1);
  });

  it('a state store that throws instead of answering costs nothing either', async () => {
    const fake = await fakeOpenAI();
    const broken: ProbeState = {
      get: () => {
        throw new Error('state store: connection refused');
      },
      set: () => {
        throw new Error('state store: connection refused');
      },
    };
    expect(statuses(await run(fake, { model: 'o3-mini' }, { state: broken }))).toEqual(ALL_OK);
  });

  it('a stored value that is not a choice (null, another word) is ignored', async () => {
    const fake = await fakeOpenAI();
    for (const value of [null, { model: 'gpt-4o-mini', param: 'max_output_tokens' }, 'max_output_tokens', 42]) {
      const state: ProbeState = { get: async () => ({ value, at: new Date() }) as never, set: async () => undefined };
      expect(statuses(await run(fake, { model: 'gpt-4o-mini' }, { state }))).toEqual(ALL_OK);
    }
    expect(fake.completions().map((r) => Object.keys(r.body ?? {}).filter((k) => k.startsWith('max_')))).toEqual([['max_tokens'], ['max_tokens'], ['max_tokens'], ['max_tokens']]);
  });

  it('is remembered per endpoint: another server with the same model name starts from max_tokens', async () => {
    const state = new MemoryProbeStateStore().forTarget('ai');
    const openai = await fakeOpenAI();
    await run(openai, { model: 'o3-mini' }, { state });
    expect(openai.completions().map((r) => 'max_completion_tokens' in (r.body ?? {}))).toEqual([false, true]);

    const local = await fakeOpenAI();
    refuseMaxCompletionTokens(local);
    const findings = await run(local, { model: 'o3-mini' }, { state });
    expect(statuses(findings)).toEqual(ALL_OK);
    expect(local.completions()).toHaveLength(1);
    expect(local.completions()[0]!.body).toMatchObject({ max_tokens: 1 });
  });

  it('a remembered max_completion_tokens the server now refuses is corrected, not an unknown quota forever', async () => {
    const state = new MemoryProbeStateStore().forTarget('ai');
    const fake = await fakeOpenAI();
    await run(fake, { model: 'o3-mini' }, { state });
    // The same URL now serves something that only knows max_tokens.
    refuseMaxCompletionTokens(fake);
    const findings = await run(fake, { model: 'o3-mini' }, { state });
    expect(statuses(findings)).toEqual(ALL_OK);
    expect(findingOf(findings, 'openai.quota').detail).toContain('max_completion_tokens');
    // The correction is remembered: the next run sends one request, with max_tokens.
    await run(fake, { model: 'o3-mini' }, { state });
    const bodies = fake.completions().map((r) => Object.keys(r.body ?? {}).filter((k) => k.startsWith('max_'))[0]);
    expect(bodies).toEqual(['max_tokens', 'max_completion_tokens', 'max_completion_tokens', 'max_tokens', 'max_tokens']);
  });
});

describe('a slow model list while the completion answered', () => {
  it('is a warning, not "no answer" critical', async () => {
    const fake = await fakeOpenAI();
    fake.on('GET /v1/models', () => ({ delayMs: 5_000, body: { object: 'list', data: [] } }));
    const findings = await run(fake, { model: 'gpt-4o-mini' }, { timeoutMs: 600 });
    const conn = findingOf(findings, 'openai.connectivity');
    expect(conn.status).toBe('warn');
    expect(conn.title).toMatch(/^GET \/models did not answer within 600 ms, while the completion did/);
    expect(findingOf(findings, 'openai.quota').status).toBe('ok');
  });
});

describe('a remembered choice a server refuses in words the probe does not know', () => {
  it('is tried once with max_tokens, and forgotten when that answers', async () => {
    const state = new MemoryProbeStateStore().forTarget('ai');
    const fake = await fakeOpenAI();
    await run(fake, { model: 'o3-mini' }, { state });
    fake.newModels.clear();
    fake.on('POST /v1/chat/completions', (req, f) => {
      if (req.body?.max_completion_tokens !== undefined) return apiError(400, 'Invalid request body.', 'invalid_request_error', null);
      f.overrides.delete('POST /v1/chat/completions');
      return undefined;
    });
    expect(statuses(await run(fake, { model: 'o3-mini' }, { state }))).toEqual(ALL_OK);
    await run(fake, { model: 'o3-mini' }, { state });
    expect(fake.completions().map((r) => Object.keys(r.body ?? {}).filter((k) => k.startsWith('max_'))[0])).toEqual(['max_tokens', 'max_completion_tokens', 'max_completion_tokens', 'max_tokens', 'max_tokens']);
  });
});

describe('the key is accepted only when the API said so', () => {
  it('a proxy page (HTTP 200, HTML) instead of the model list says nothing about the key', async () => {
    const fake = await fakeOpenAI();
    fake.on('GET /v1/models', { body: '<!DOCTYPE html><html><body><h1>Welcome to the corporate proxy</h1></body></html>' });
    const findings = await run(fake);
    expect(findingOf(findings, 'openai.connectivity').status).toBe('crit');
    expect(findingOf(findings, 'openai.auth')).toMatchObject({ status: 'unknown' });
    expect(findingOf(findings, 'openai.auth').title).toContain("not the API's JSON");
  });

  it('a 405 from a web server at the base URL says nothing about the key either', async () => {
    const fake = await fakeOpenAI();
    fake.on('GET /v1/models', { status: 405, body: '<html><body>Method Not Allowed</body></html>' });
    fake.on('POST /v1/chat/completions', { status: 405, body: '<html><body>Method Not Allowed</body></html>' });
    const findings = await run(fake, { model: 'gpt-4o-mini' });
    expect(findingOf(findings, 'openai.auth').status).toBe('unknown');
  });

  it('a 429 in OpenAI\'s envelope comes after the key was checked: accepted', async () => {
    const fake = await fakeOpenAI();
    fake.on('GET /v1/models', apiError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded'));
    expect(findingOf(await run(fake), 'openai.auth').status).toBe('ok');
  });
});

describe('refusals classified from the provider\'s words', () => {
  it('Azure\'s invalid key ("... use a correct regional API endpoint") is a key refusal, not a region block', async () => {
    const fake = await fakeOpenAI();
    const azure = {
      status: 401,
      body: { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } },
    };
    fake.on('GET /v1/models', azure);
    fake.on('POST /v1/chat/completions', azure);
    const auth = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.auth');
    expect(auth.status).toBe('crit');
    expect(auth.title).toBe('API key refused (HTTP 401)');
    expect(auth.fix).toContain('targets.ai.apiKey');
  });

  it('OpenAI\'s "You must be a member of an organization" names the organization key', async () => {
    const fake = await fakeOpenAI();
    const refuse = apiError(401, 'You must be a member of an organization to use the API. Please contact us through our help center at help.openai.com.', 'invalid_request_error', 'no_organization');
    fake.on('GET /v1/models', refuse);
    const auth = findingOf(await run(fake, { organization: 'org-acme' }), 'openai.auth');
    expect(auth).toMatchObject({ status: 'crit', title: 'Organization refused (HTTP 401, no_organization): org-acme' });
  });
});

describe('rate-limit headers that do not add up are never ok', () => {
  const headroomOf = async (headers: Record<string, string>) => {
    const fake = await fakeOpenAI();
    fake.rateLimitHeaders = headers;
    return findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.headroom');
  };

  it('more remaining than the limit is unreadable, not 100% left', async () => {
    const h = await headroomOf(openaiRateLimitHeaders({ limitRequests: '100', remainingRequests: '5000', limitTokens: '-1', remainingTokens: '-1' }));
    expect(h.status).toBe('unknown');
    expect(h.title).toContain('x-ratelimit-remaining-requests "5000" is not');
    expect(h.metrics?.headroom_pct).toBeUndefined();
  });

  it('a negative count other than -1 is unreadable, not "no limit"', async () => {
    const h = await headroomOf(openaiRateLimitHeaders({ limitRequests: '-1', remainingRequests: '-1', remainingTokens: '-42' }));
    expect(h.status).toBe('unknown');
    expect(h.title).toContain('x-ratelimit-remaining-tokens "-42" is not');
  });

  it('one dimension fine and the other unreadable: unknown, not ok', async () => {
    const h = await headroomOf(openaiRateLimitHeaders({ remainingTokens: 'NaN' }));
    expect(h.status).toBe('unknown');
    expect(h.title).toContain('requests 4,999 of 5,000');
    expect(h.title).toContain('x-ratelimit-remaining-tokens "NaN"');
    expect(h.metrics?.headroom_pct).toBeUndefined();
  });

  it('one dimension fine and the other out of tokens with no limit stated (Azure-like): not ok', async () => {
    const { 'x-ratelimit-limit-tokens': _limit, ...headers } = openaiRateLimitHeaders({ remainingTokens: '0' });
    const h = await headroomOf(headers);
    expect(h.status).toBe('unknown');
    expect(h.title).toContain('tokens: 0 left, but no x-ratelimit-limit-tokens');
  });

  it('one dimension low is still judged when the other cannot be read', async () => {
    const h = await headroomOf(openaiRateLimitHeaders({ remainingRequests: '100', remainingTokens: 'lots' }));
    expect(h.status).toBe('crit');
  });

  it('huge values a server may send stay numbers or are refused, never a false ok', async () => {
    const h = await headroomOf(openaiRateLimitHeaders({ limitRequests: '9'.repeat(400), remainingRequests: '9'.repeat(400), limitTokens: '-1', remainingTokens: '-1' }));
    expect(h.status).toBe('unknown');
    expect(h.title.length).toBeLessThan(400);
  });
});

describe('servers without OpenAI\'s error envelope (vLLM, FastAPI, proxies)', () => {
  it('vLLM\'s top-level {"object": "error", "message": ...} is quoted, not "status code (no body)"', async () => {
    const fake = await fakeOpenAI();
    fake.on('POST /v1/chat/completions', { status: 404, body: { object: 'error', message: 'The model `gpt-4o-mni` does not exist.', type: 'NotFoundError', param: null, code: 404 } });
    const quota = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.quota');
    expect(quota.title).toMatch(/^Quota: could not check \(POST \/chat\/completions: HTTP 404 \(NotFoundError\), request id req_\w+: The model `gpt-4o-mni` does not exist\./);
  });

  it('{"error": "Unauthorized"} (vLLM\'s --api-key) reads plainly', async () => {
    const fake = await fakeOpenAI();
    fake.on('GET /v1/models', { status: 401, body: { error: 'Unauthorized' } });
    fake.on('POST /v1/chat/completions', { status: 401, body: { error: 'Unauthorized' } });
    const auth = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.auth');
    expect(auth).toMatchObject({ status: 'crit', title: 'API key refused (HTTP 401)' });
    expect(auth.detail).toMatch(/^GET \/models: HTTP 401, request id req_\w+: Unauthorized$/m);
  });

  it('FastAPI\'s {"detail": "Not Found"} for a base URL without /v1 is quoted', async () => {
    const fake = await fakeOpenAI();
    fake.on('GET /v1/models', { status: 404, body: { detail: 'Not Found' } });
    const conn = findingOf(await run(fake), 'openai.connectivity');
    expect(conn).toMatchObject({ status: 'unknown', config: true });
    expect(conn.detail).toMatch(/^GET \/models: HTTP 404, request id req_\w+: Not Found/);
  });
});

describe('settings sent as headers', () => {
  it('a key, organization or project with a line break inside is refused by the configuration, naming the key, never quoting it', async () => {
    const { openaiKind } = await import('../../../src/probes/openai/openai-kind.ts');
    const secret = 'sk-proj-abc123\ndef456ghi789';
    for (const [key, keys] of [['apiKey', { apiKey: secret }], ['organization', { apiKey: 'k', organization: 'org-a\norg-b' }], ['project', { apiKey: 'k', project: 'proj_\u0000x' }]] as const) {
      const parsed = openaiKind.targetSchema.safeParse(keys);
      expect(parsed.success).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual([key]);
      expect(parsed.error!.issues[0]!.message).toMatch(/must be one line of printable characters/);
      expect(JSON.stringify(parsed.error!.issues)).not.toContain('def456');
    }
    // A secret file's last newline is trimmed by fetch, as by the schema: fine.
    expect(openaiKind.targetSchema.safeParse({ apiKey: 'sk-proj-abc123def456\n' }).success).toBe(true);
  });
});

describe('waits a server states', () => {
  it('a retry-after or reset too large to be a number is not read as "<1 s"', async () => {
    const fake = await fakeOpenAI();
    const huge = '9'.repeat(400);
    fake.on('POST /v1/chat/completions', apiError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', null,
      { 'retry-after-ms': huge, 'retry-after': huge, ...openaiRateLimitHeaders({ remainingRequests: '0', resetRequests: `${huge}s`, resetTokens: `${huge}ms` }) }));
    const quota = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.quota');
    expect(quota.status).toBe('warn');
    expect(quota.title).toBe('Rate limited (rate_limit_exceeded) on POST /chat/completions');
    expect(quota.metrics).not.toHaveProperty('retry_after_s');
    expect(JSON.stringify(quota.metrics)).not.toContain('null');
  });
});

describe('the SDK\'s environment cannot repoint the target', () => {
  it('OPENAI_CUSTOM_HEADERS swaps neither the key nor the organization or project', async () => {
    const fake = await fakeOpenAI();
    vi.stubEnv('OPENAI_CUSTOM_HEADERS', 'Authorization: Bearer sk-from-the-environment-000000\nOpenAI-Organization: org-from-env\nOpenAI-Project: proj_from_env\napi-key: azure-key-from-env');
    const findings = await run(fake, { model: 'gpt-4o-mini' });
    expect(statuses(findings)).toEqual(ALL_OK);
    for (const r of fake.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
      expect(r.headers['openai-organization']).toBeUndefined();
      expect(r.headers['openai-project']).toBeUndefined();
      expect(r.headers['api-key']).toBeUndefined();
    }
  });
});
