// The narrator inside /triage: a health endpoint answering 503 and a model behind a local server
// speaking OpenAI's wire format. Whatever the model does (answers, is slower than its own limit,
// slower than the whole answer's budget, fails, talks nonsense) the triage answers within its
// budget with the same causes, and the model is sent no address of the configured targets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks, type RunbookIndex } from '../../src/runbooks/load-runbooks.ts';
import { configSecrets } from '../../src/security/config-secrets.ts';
import { narratorFor } from '../../src/triage/narrator-for.ts';
import { runTriage } from '../../src/triage/run-triage.ts';
import { FakeHttpServer } from '../probes/http/fake-http-services.ts';
import { apiError, TEST_KEY, useFakeOpenAI, type FakeOpenAI } from '../probes/openai/fake-openai.ts';

const fake = useFakeOpenAI();
const SYMPTOM = 'users see 503 errors';
let api: FakeHttpServer;
let runbooks: RunbookIndex;

beforeAll(async () => {
  api = await FakeHttpServer.start({ '/health': { status: 503, body: 'down' } });
  runbooks = loadRunbooks('runbooks', allCheckIds());
});
afterAll(async () => {
  await api?.close();
});

function answer(content: string) {
  return { body: { id: 'chatcmpl-1', object: 'chat.completion', created: 1_764_643_200, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] } };
}

async function triage(s: FakeOpenAI, timeoutMs: number, budgetMs: number) {
  const config = parseConfig(
    {
      targets: { 'shop-api': { kind: 'http', url: `${api.url}/health`, timeoutMs: 2000 } },
      triage: { model: { url: s.url, apiKey: TEST_KEY, model: 'gpt-4o-mini', timeoutMs } },
    },
    't.yml',
  );
  const secrets = configSecrets(config);
  const started = performance.now();
  const run = await runTriage(SYMPTOM, { targets: config.targets, runbooks, log: silentLogger(), secrets, budgetMs, narrate: narratorFor(config, secrets)! });
  return { result: run.result, elapsedMs: performance.now() - started };
}

describe('/triage with a model', { timeout: 60_000 }, () => {
  it('a model that answers adds its words, sent nothing of the targets\' addresses, and the causes stay as found without it', async () => {
    const config = parseConfig({ targets: { 'shop-api': { kind: 'http', url: `${api.url}/health`, timeoutMs: 2000 } } }, 't.yml');
    const without = (await runTriage(SYMPTOM, { targets: config.targets, runbooks, log: silentLogger() })).result;
    const s = await fake();
    const words = 'The health endpoint of shop-api answers 503, so the service itself is failing its health check; read runbook http-health-endpoint next.';
    s.on('POST /v1/chat/completions', answer(words));
    const { result } = await triage(s, 5_000, 20_000);
    expect(result.narration).toEqual({ ok: true, text: words, model: 'gpt-4o-mini' });
    expect(result.causes.map((c) => [c.runbook, c.confidence])).toEqual(without.causes.map((c) => [c.runbook, c.confidence]));
    expect(result.causes[0]!.runbook).toBe('http-health-endpoint');
    const sent = JSON.stringify(s.completions()[0]!.body);
    expect(sent).toContain('runbook http-health-endpoint');
    expect(sent).not.toContain(new URL(api.url).host);
    expect(sent).not.toContain('127.0.0.1');
  });

  it('a model slower than its own limit: the answer comes without it, saying so', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', { ...answer('late words'), delayMs: 40_000 });
    const { result, elapsedMs } = await triage(s, 1_000, 20_000);
    expect(result.narration).toEqual({ ok: false, reason: 'the model did not answer within 1 s' });
    expect(result.causes[0]!.runbook).toBe('http-health-endpoint');
    // Bounded by the model's limit (and the probes), never by the server's 40 s.
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('a model slower than the whole answer\'s budget: the answer comes within the budget', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', { ...answer('late words'), delayMs: 40_000 });
    const { result, elapsedMs } = await triage(s, 30_000, 4_000);
    expect(result.narration?.ok).toBe(false);
    expect(elapsedMs).toBeLessThan(4_000 + 2_000);
    expect(result.causes[0]!.runbook).toBe('http-health-endpoint');
  });

  it('a failing model (500) and a nonsensical one: the answer says why, with the same causes', async () => {
    const s = await fake();
    s.on('POST /v1/chat/completions', apiError(500, 'The server had an error while processing your request.', 'server_error', null));
    const failed = (await triage(s, 5_000, 20_000)).result;
    expect(failed.narration).toEqual({ ok: false, reason: 'the model server answered HTTP 500 (server_error): the model server failed' });
    s.on('POST /v1/chat/completions', answer('It is the Stripe key: see runbook stripe-api-key and rotate it right away.'));
    const nonsense = (await triage(s, 5_000, 20_000)).result;
    expect(nonsense.narration).toEqual({ ok: false, reason: 'the model answered nonsense: it names runbook stripe-api-key, which is not among the causes' });
    expect(nonsense.causes.map((c) => c.runbook)).toEqual(failed.causes.map((c) => c.runbook));
  });
});
