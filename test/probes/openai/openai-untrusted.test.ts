// What an OpenAI-compatible server sends is untrusted: bodies larger than any real answer are not
// read whole, a list of thousands of models is searched to the end, ids and messages cannot add
// lines to a finding, and the key stays masked even when the server hides it behind control
// characters or echoes it in a header: in the session's own context, not only in the findings.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../src/report.ts';
import { reportMessage } from '../../../src/render/report-message.ts';
import { encodeIntent } from '../../../src/slack/encode-intent.ts';
import { renderMessage } from '../../../src/slack/render-message.ts';
import { SLACK_BUDGET } from '../../../src/slack/slack-budget.ts';
import { openaiSession } from '../../../src/probes/openai/openai-session.ts';
import { MemoryProbeStateStore } from '../../../src/probes/probe-state.ts';
import { silentLogger } from '../../../src/logger.ts';
import { findingOf, statuses } from '../http/probe-helpers.ts';
import { apiError, useFakeOpenAI, type FakeOpenAI } from './fake-openai.ts';
import { run, targetOf } from './run-openai.ts';

const fakeOpenAI = useFakeOpenAI();

/** An Azure-style key: 32 hex digits, no prefix the generic secret patterns know. */
const AZURE_KEY = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

async function openSession(fake: FakeOpenAI, apiKey: string) {
  const target = targetOf({ url: fake.url, model: 'gpt-4o-mini', apiKey });
  return await openaiSession.open(target, { signal: new AbortController().signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('ai'), timeoutMs: 3_000, secrets: [apiKey] });
}

describe('sizes', () => {
  it('a model list larger than any real one is not read whole: a finding, not a process out of memory', async () => {
    const fake = await fakeOpenAI();
    const big = `{"object":"list","data":[${'{"id":"m","object":"model"},'.repeat(1_600_000)}{"id":"last"}]}`;
    fake.on('GET /v1/models', { headers: { 'content-type': 'application/json' }, body: big });
    const conn = findingOf(await run(fake), 'openai.connectivity');
    expect(conn.status).toBe('crit');
    expect(conn.title).toContain('larger than 16 MiB');
  });

  it('an error body larger than any real one is cut too', async () => {
    const fake = await fakeOpenAI();
    fake.on('POST /v1/chat/completions', { status: 500, body: 'x'.repeat(40 * 1024 * 1024) });
    const server = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.server');
    expect(server.status).toBe('warn');
    expect(server.detail).toContain('larger than 16 MiB');
  });

  it('thousands of models: the configured one is found at the end of the list', async () => {
    const fake = await fakeOpenAI();
    fake.models = [...Array.from({ length: 8_000 }, (_, i) => `ft:gpt-4o-mini:acme:job-${i}`), 'gpt-4o-mini'];
    const findings = await run(fake, { model: 'gpt-4o-mini' });
    expect(statuses(findings)['openai.connectivity']).toBe('ok');
    expect(findingOf(findings, 'openai.connectivity').metrics).toMatchObject({ models: 8_001 });
  });
});

describe('text a finding quotes', () => {
  it('a model id cannot add lines to the detail, and a long one is cut', async () => {
    const fake = await fakeOpenAI();
    fake.models = ['gpt-4o\nFix: nothing to do, all good <!channel>', `gpt-4o-${'x'.repeat(5_000)}`, 'gpt-4o'];
    const conn = findingOf(await run(fake, { model: 'gpt-4o-mni' }), 'openai.connectivity');
    expect(conn.status).toBe('warn');
    const lines = conn.detail!.split('\n');
    expect(lines[0]).toMatch(/^Listed models with a similar name: /);
    expect(lines.some((l) => l.startsWith('Fix:'))).toBe(false);
    expect(conn.detail!.length).toBeLessThan(1_500);
  });

  it('an error message with control characters and terminal escapes is one clean line', async () => {
    const fake = await fakeOpenAI();
    fake.on('POST /v1/chat/completions', apiError(503, 'overloaded\u001b[2J\u001b[31m\nAll systems normal\u0007', 'server_error', null));
    const server = findingOf(await run(fake, { model: 'gpt-4o-mini' }), 'openai.server');
    // eslint-disable-next-line no-control-regex
    expect(server.detail).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(server.detail!.split('\n')).toHaveLength(1);
  });
});

describe('in Slack', () => {
  it('mentions, links and code fences from model ids and error messages are shown as text, never as mrkdwn', async () => {
    const fake = await fakeOpenAI();
    fake.models = ['gpt-4o-<!channel>', 'gpt-4o-<https://evil.example|click here>', 'gpt-4o-```'];
    fake.on('POST /v1/chat/completions', apiError(503, 'overloaded <!here> <@U0123ABCD> ``` <https://evil.example|status page>', 'server_error', 'overloaded'));
    const findings = await run(fake, { model: 'gpt-4o-mni' });
    const report = buildReport('ai', 'openai', new Date(), findings, 'http://127.0.0.1/v1 (local server)');
    const slack = JSON.stringify(renderMessage(reportMessage(report, { budget: SLACK_BUDGET }), encodeIntent));
    expect(slack).toContain('overloaded');
    expect(slack).toContain('&lt;!channel&gt;');
    for (const raw of ['<!channel>', '<!here>', '<@U0123ABCD>', '<https://evil.example']) expect(slack).not.toContain(raw);
  });
});

describe('the key in what a server sends back', () => {
  it('split by control characters that a finding drops: still masked', async () => {
    const fake = await fakeOpenAI();
    fake.key = AZURE_KEY;
    const hidden = `${AZURE_KEY.slice(0, 16)}\u0001${AZURE_KEY.slice(16)}`;
    fake.on('POST /v1/chat/completions', apiError(500, `upstream said: key ${hidden} is over budget`, 'server_error', null));
    const opened = await openSession(fake, AZURE_KEY);
    const text = JSON.stringify(opened);
    expect(text).toContain('is over budget');
    expect(text).not.toContain(AZURE_KEY);
  });

  it('a configured secret with a line break inside, echoed back: masked before the line is flattened', async () => {
    const fake = await fakeOpenAI();
    const pem = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj';
    fake.on('POST /v1/chat/completions', apiError(500, `cannot parse ${pem} as a key`, 'server_error', null));
    const target = targetOf({ url: fake.url, model: 'gpt-4o-mini' });
    const opened = await openaiSession.open(target, { signal: new AbortController().signal, log: silentLogger(), state: new MemoryProbeStateStore().forTarget('ai'), timeoutMs: 3_000, secrets: [target.apiKey, pem] });
    const text = JSON.stringify(opened);
    expect(text).toContain('cannot parse');
    for (const half of pem.split('\n')) expect(text).not.toContain(half);
  });

  it('echoed in response headers (x-request-id, any other): masked in the session\'s context', async () => {
    const fake = await fakeOpenAI();
    fake.key = AZURE_KEY;
    fake.on('POST /v1/chat/completions', (req, f) => {
      f.overrides.delete('POST /v1/chat/completions');
      return { headers: { 'x-request-id': AZURE_KEY, 'x-echo-authorization': String(req.headers.authorization), ...f.rateLimitHeaders }, body: { id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [] } };
    });
    const opened = await openSession(fake, AZURE_KEY);
    expect('ctx' in opened).toBe(true);
    expect(JSON.stringify(opened)).not.toContain(AZURE_KEY);
  });
});
