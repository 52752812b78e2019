// The optional model that narrates a /triage answer, against a local server speaking OpenAI's chat
// completions wire format: what it is sent (redacted: no secret, no host, no query literal), what
// it shows, and that a slow, failing, unreachable or nonsensical model leaves the answer without a
// narration within the narrator's time limit, saying why.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { configSecrets } from '../../src/security/config-secrets.ts';
import { narratorFor, type Narrator } from '../../src/triage/narrator-for.ts';
import type { TriageResult } from '../../src/triage/triage-result.ts';
import { apiError, TEST_KEY, useFakeOpenAI, type FakeOpenAI } from '../probes/openai/fake-openai.ts';

const fake = useFakeOpenAI();
const DB_PASSWORD = 'Xq7-pg-secret-Vb2Kd4';

const RESULT: Omit<TriageResult, 'narration'> = {
  symptom: 'checkout hangs; "too many clients already" from db1.prod.acme.com (10.20.30.40)',
  causes: [
    {
      runbook: 'postgres-locks',
      title: 'PostgreSQL lock contention',
      confidence: 0.86,
      confirmed: true,
      evidence: [
        { target: 'db', check: 'postgres.blocking_locks', status: 'crit', supports: true, title: `Session 4242 waits 3 min on "UPDATE accounts SET balance = balance - 100 WHERE email = 'bob@shop.example'" held by postgres://app:${DB_PASSWORD}@db1.prod.acme.com/app` },
      ],
      next: 'Press Terminate on the blocking session, or read runbook postgres-locks.',
    },
    {
      runbook: 'postgres-connection-exhaustion',
      title: 'PostgreSQL connection slots running out',
      confidence: 0.35,
      confirmed: false,
      evidence: [{ target: 'db', check: 'postgres.connections', status: 'ok', supports: false, title: 'Connections 40/100 (40%)' }],
      next: 'Read runbook postgres-connection-exhaustion.',
    },
  ],
  ruledOut: [{ runbook: 'redis-memory-pressure', title: 'Redis memory pressure', evidence: [{ target: 'cache', check: 'redis.memory', status: 'ok', supports: false, title: 'Memory 20% of maxmemory' }] }],
  durationMs: 812,
};

const UNCONFIRMED: Omit<TriageResult, 'narration'> = {
  ...RESULT,
  causes: RESULT.causes.map((c) => ({ ...c, confirmed: false, confidence: 0.3, evidence: c.evidence.map((e) => ({ ...e, status: 'ok' as const, supports: false })) })),
};

const GOOD_ANSWER = 'The most likely cause is lock contention in PostgreSQL: the postgres.blocking_locks finding shows a session waiting for 3 minutes on an update held by another session. Connection exhaustion is less likely because the connections check found plenty of free slots. Redis memory pressure was ruled out. Press Terminate on the blocking session, then read runbook postgres-locks.';

function narrator(s: FakeOpenAI, model: Record<string, unknown> = {}): Narrator {
  const config = parseConfig(
    {
      targets: {
        db: { kind: 'postgres', url: `postgres://app:${DB_PASSWORD}@db1.prod.acme.com:5432/app` },
        ai: { kind: 'openai', url: s.url, apiKey: TEST_KEY, model: 'gpt-4o-mini' },
      },
      triage: { model: { target: 'ai', timeoutMs: 2_000, ...model } },
    },
    'test.yml',
  );
  const n = narratorFor(config, configSecrets(config));
  if (!n) throw new Error('no narrator for a configured model');
  return n;
}

function completion(content: unknown) {
  return {
    body: {
      id: 'chatcmpl-narrate',
      object: 'chat.completion',
      created: 1_764_643_200,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 320, completion_tokens: 80, total_tokens: 400 },
    },
  };
}

const live = () => new AbortController().signal;

describe('narrator', { timeout: 30_000 }, () => {
  it('is undefined without triage.model', () => {
    expect(narratorFor(parseConfig({}, 'test.yml'), [])).toBeUndefined();
  });

  it('sends the ranked causes redacted (no secret, host, address or query literal) and shows the answer with the model', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', completion(GOOD_ANSWER));
    const narration = await narrator(s)(RESULT, live());
    expect(narration).toEqual({ ok: true, text: GOOD_ANSWER, model: 'gpt-4o-mini' });

    const [request] = s.completions();
    expect(request!.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(request!.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: 1000 });
    const sent = JSON.stringify(request!.body);
    for (const leak of [DB_PASSWORD, 'db1.prod.acme.com', '10.20.30.40', 'bob@shop.example', 'balance - 100', "'bob", 'postgres://']) expect(sent).not.toContain(leak);
    const messages = request!.body!.messages as Array<{ role: string; content: string }>;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]!.content).toContain('3 to 5 plain sentences');
    const input = messages[1]!.content;
    expect(input).toContain('Symptom: checkout hangs; "too many clients already" from <host> (<ip>)');
    expect(input).toContain('1. runbook postgres-locks "PostgreSQL lock contention": confidence 0.86, confirmed by a finding');
    expect(input).toContain('- crit postgres.blocking_locks on target db (supports): Session 4242 waits 3 min on "UPDATE accounts SET balance = balance - ? WHERE email = ?" held by <url>');
    expect(input).toContain('2. runbook postgres-connection-exhaustion "PostgreSQL connection slots running out": confidence 0.35, not confirmed');
    expect(input).toContain('Ruled out (every check that ran came back ok):\n- runbook redis-memory-pressure "Redis memory pressure"');
  });

  it('works with an endpoint of its own (url, apiKey, model) and masks that key too', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', (req) => completion(`${GOOD_ANSWER} The key ${String(req.headers.authorization).slice(7)} was used.`));
    const config = parseConfig({ triage: { model: { url: s.url, apiKey: TEST_KEY, model: 'gpt-4o' } } }, 'test.yml');
    const narration = await narratorFor(config, [])!(RESULT, live());
    expect(narration.ok).toBe(true);
    if (narration.ok) {
      expect(narration.model).toBe('gpt-4o');
      expect(narration.text).not.toContain(TEST_KEY);
      expect(narration.text).toContain('The key *** was used.');
    }
  });

  it('takes nothing from the environment (OPENAI_CUSTOM_HEADERS, OPENAI_ORG_ID): the configuration decides', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', completion(GOOD_ANSWER));
    process.env.OPENAI_CUSTOM_HEADERS = 'X-Injected: from-the-environment';
    process.env.OPENAI_ORG_ID = 'org-someone-else';
    try {
      expect((await narrator(s)(RESULT, live())).ok).toBe(true);
    } finally {
      delete process.env.OPENAI_CUSTOM_HEADERS;
      delete process.env.OPENAI_ORG_ID;
    }
    const [request] = s.completions();
    expect(request!.headers['x-injected']).toBeUndefined();
    expect(request!.headers['openai-organization']).toBeUndefined();
  });

  it('a model slower than its time limit: the narrator answers within its limit, saying the model did not answer', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', { ...completion(GOOD_ANSWER), delayMs: 25_000 });
    const started = performance.now();
    const narration = await narrator(s, { timeoutMs: 600 })(RESULT, live());
    // Bounded by its limit, not by the server: far below the server's 25 s.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(narration).toEqual({ ok: false, reason: 'the model did not answer within 0.6 s' });
  });

  it('the triage running out of time first stops the model too, saying so', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', { ...completion(GOOD_ANSWER), delayMs: 25_000 });
    const budget = new AbortController();
    setTimeout(() => budget.abort(), 200);
    const narration = await narrator(s, { timeoutMs: 20_000 })(RESULT, budget.signal);
    expect(narration).toEqual({ ok: false, reason: 'the triage ran out of time before the model answered' });
  });

  it('HTTP errors give the status and OpenAI\'s code, never the key or the server\'s message', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', apiError(500, 'The server had an error while processing your request.', 'server_error', null));
    expect(await narrator(s)(RESULT, live())).toEqual({ ok: false, reason: 'the model server answered HTTP 500 (server_error): the model server failed' });

    s.on('POST /v1/chat/completions', apiError(429, 'You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'));
    expect(await narrator(s)(RESULT, live())).toEqual({ ok: false, reason: 'the model server answered HTTP 429 (insufficient_quota): rate limited or out of quota' });

    // The fake's own 401 quotes part of the wrong key, as OpenAI does.
    s.overrides.delete('POST /v1/chat/completions');
    const wrong = 'sk-proj-WrongKeyWrongKeyWrongKey1234';
    const config = parseConfig({ triage: { model: { url: s.url, apiKey: wrong, model: 'gpt-4o-mini' } } }, 'test.yml');
    const refused = await narratorFor(config, [])!(RESULT, live());
    expect(refused).toEqual({ ok: false, reason: 'the model server answered HTTP 401 (invalid_api_key): the key was refused' });
    expect(JSON.stringify(refused)).not.toContain('1234');
    // Never retried: one request per narration.
    expect(s.completions()).toHaveLength(3);
  });

  it('a server that cannot be reached says so with the error code', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const config = parseConfig({ triage: { model: { url: `http://127.0.0.1:${port}/v1`, apiKey: TEST_KEY, model: 'gpt-4o-mini' } } }, 'test.yml');
    expect(await narratorFor(config, [])!(RESULT, live())).toEqual({ ok: false, reason: 'the model server could not be reached (ECONNREFUSED)' });
  });

  it.each([
    ['an empty answer', '   \n ', 'an empty answer'],
    ['no content', null, 'no text'],
    ['a number', 42, 'not text (number)'],
    ['JSON instead of sentences', '{"cause": "postgres-locks", "confidence": 0.9}', 'markup or data, not sentences'],
    ['HTML', '<html><body>Cause: locks</body></html>', 'markup or data, not sentences'],
    ['symbols', '!!!! ???? 1234 5678 #### $$$$ %%%% ^^^^', 'not sentences (too few words among the characters)'],
    ['a runbook the triage did not name', 'The cause is the Stripe key: follow runbook stripe-api-key and rotate it. Locks are fine.', 'it names runbook stripe-api-key, which is not among the causes'],
    ['a check no finding came from', 'Lock contention is likely; redis.evictions show pressure too, so flush the cache now please.', 'it names check redis.evictions, which no finding of this triage comes from'],
    ['a confidence no cause has', 'Lock contention is the likely cause with a confidence of 95%, since a session waits on another one. Read runbook postgres-locks.', 'it states a confidence of 0.95, which no cause has'],
    ['a confidence no cause has, as a decimal', 'Lock contention (confidence 0.6) is behind it; a session waits on another one for minutes now.', 'it states a confidence of 0.60, which no cause has'],
    ['a novel', `${'Locks are held for a long time by a session. '.repeat(100)}`, '4499 characters where a few sentences were asked'],
    ['a link', 'Lock contention is behind it. Before anything else, visit https://evil.example/reset now and sign in there.', 'it carries a link, an address or a mention'],
    ['a mention', 'Lock contention is behind it; a session waits on another one. @here please look at this at once.', 'it carries a link, an address or a mention'],
    ['an e-mail address', 'Lock contention is behind it; a session waits on another. Write to ops@evil.example for the fix.', 'it carries a link, an address or a mention'],
  ])('nonsense (%s) is refused, saying why', async (_name, content, why) => {
    const s = await fake();
    s.on('POST /v1/chat/completions', completion(content));
    expect(await narrator(s)(RESULT, live())).toEqual({ ok: false, reason: `the model answered nonsense: ${why}` });
  });

  it('a cause called confirmed when no finding confirms one is refused; "nothing is confirmed" is not', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', completion('Lock contention is confirmed as the root cause of the hanging checkout. Terminate the blocking session now.'));
    expect(await narrator(s)(UNCONFIRMED, live())).toEqual({ ok: false, reason: 'the model answered nonsense: it calls a cause confirmed, and no finding confirms one' });
    const honest = 'Nothing is confirmed: lock contention and connection exhaustion are possible, but their checks came back ok. Redis memory pressure was ruled out. Read runbook postgres-locks next.';
    s.on('POST /v1/chat/completions', completion(honest));
    expect(await narrator(s)(UNCONFIRMED, live())).toEqual({ ok: true, text: honest, model: 'gpt-4o-mini' });
  });

  it('confidences the answer states as the causes have them (rounded) are accepted', async () => {
    const s = await fake();
    const words = 'Lock contention is the likely cause (confidence 0.86, about 85% confident), since a session waits on another; connection exhaustion has a confidence of 0.35 only.';
    s.on('POST /v1/chat/completions', completion(words));
    expect(await narrator(s)(RESULT, live())).toEqual({ ok: true, text: words, model: 'gpt-4o-mini' });
  });

  it('a long answer is cut at a sentence to 800 characters', async () => {
    const s = await fake();
    const long = `${GOOD_ANSWER} ${'Check the session list again after a minute to see whether the lock is gone. '.repeat(8)}`;
    s.on('POST /v1/chat/completions', completion(long));
    const narration = await narrator(s)(RESULT, live());
    expect(narration.ok).toBe(true);
    if (narration.ok) {
      expect(narration.text.length).toBeLessThanOrEqual(800);
      expect(narration.text.startsWith(GOOD_ANSWER)).toBe(true);
      expect(narration.text.endsWith('gone. …')).toBe(true);
    }
  });

  it('a page that is not a chat completion (a proxy\'s HTML with 200) is nonsense', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', { body: '<html><body>Welcome to the proxy</body></html>' });
    const narration = await narrator(s)(RESULT, live());
    expect(narration.ok).toBe(false);
    if (!narration.ok) expect(narration.reason).toMatch(/^the model answered nonsense: /);
  });
});
