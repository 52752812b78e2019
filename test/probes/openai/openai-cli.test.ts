// `chatops diag openai` as a user runs it, against the local OpenAI-compatible server: with --url
// and OPENAI_API_KEY (no config), with a config naming a model, and without the key (a usage error
// naming the variable). The key never shows in what the CLI prints.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report.ts';
import { isolatedCliEnv } from '../../cli/isolated-cli-env.ts';
import { recordSecrets } from '../../support/suite-recording.ts';
import { TEST_KEY, openaiRateLimitHeaders, useFakeOpenAI } from './fake-openai.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/chatops');
recordSecrets('test/probes/openai/openai-cli.test.ts', [TEST_KEY]);

const fakeOpenAI = useFakeOpenAI();

function chatops(args: string[], env: Record<string, string>, base = isolatedCliEnv()): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...base, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

// Each run is a process that loads the bot's modules: seconds each on a busy machine.
describe('chatops diag openai', { timeout: 120_000 }, () => {
  it('--url <fake>/v1 --json with OPENAI_API_KEY: the report of that server, no tokens spent without a model', async () => {
    const fake = await fakeOpenAI();
    const r = await chatops(['diag', 'openai', '--url', fake.url, '--json'], { OPENAI_API_KEY: TEST_KEY });
    const report = JSON.parse(r.stdout) as Report;
    expect(report).toMatchObject({ target: 'openai', kind: 'openai', endpoint: `${fake.url} (local server)`, status: 'unknown' });
    const byCheck = Object.fromEntries(report.findings.map((f) => [f.check, f.status]));
    expect(byCheck).toEqual({ 'openai.connectivity': 'ok', 'openai.auth': 'ok', 'openai.quota': 'unknown', 'openai.headroom': 'unknown', 'openai.server': 'ok' });
    // Unknown (3): the quota and headroom need a model, and an unknown is never passed off as ok.
    expect(r.code).toBe(3);
    expect(fake.requests.map((q) => `${q.method} ${q.path} ${q.headers.authorization === `Bearer ${TEST_KEY}`}`)).toEqual(['GET /v1/models true']);
    expect(r.stdout + r.stderr).not.toContain(TEST_KEY);
  });

  it('a wrong key: critical (2), the auth finding alone, the key not printed', async () => {
    const fake = await fakeOpenAI();
    fake.key = 'sk-proj-theRightOneIsElsewhere000000000000';
    const r = await chatops(['diag', 'openai', '--url', fake.url, '--json'], { OPENAI_API_KEY: TEST_KEY });
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.map((f) => [f.check, f.status])).toEqual([['openai.auth', 'crit']]);
    expect(r.stdout + r.stderr).not.toContain(TEST_KEY);
  });

  it('without OPENAI_API_KEY: a usage error (3) naming the variable', async () => {
    const fake = await fakeOpenAI();
    const r = await chatops(['diag', 'openai', '--url', fake.url, '--json'], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('OPENAI_API_KEY');
    expect(r.stdout).toBe('');
    expect(fake.requests).toHaveLength(0);
  });

  it('a configured target with a model: all ok (0), one completion, headroom in the plugin line', async () => {
    const fake = await fakeOpenAI();
    fake.rateLimitHeaders = openaiRateLimitHeaders({ remainingRequests: '4000' });
    const base = isolatedCliEnv();
    writeFileSync(base.CHATOPS_CONFIG, `targets:\n  llm:\n    kind: openai\n    apiKey: \${OPENAI_API_KEY}\n    url: ${fake.url}\n    model: gpt-4o-mini\n    organization: org-acme\n`);
    const r = await chatops(['diag', 'llm'], { OPENAI_API_KEY: TEST_KEY }, base);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^OK: .*\| .*'headroom_pct'=80%;20:;5:/);
    expect(fake.completions()).toHaveLength(1);
    expect(fake.completions()[0]!.headers['openai-organization']).toBe('org-acme');
    expect(r.stdout + r.stderr).not.toContain(TEST_KEY);
  });
});
