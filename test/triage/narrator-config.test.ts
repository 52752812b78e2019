// triage.model in chatops.yml: an openai target or an endpoint of its own, validated like every
// other section (the key, what is wrong, what is accepted), by the loader and `chatops config check`.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { isolatedCliEnv } from '../cli/isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');
const TARGETS = {
  db: { kind: 'postgres', url: 'postgres://app@db.internal/app' },
  ai: { kind: 'openai', apiKey: 'sk-test-narrator-key-1234', model: 'gpt-4o-mini' },
  bare: { kind: 'openai', apiKey: 'sk-test-narrator-key-5678' },
};

const problems = (triage: unknown, env: NodeJS.ProcessEnv = {}) => parseConfig({ targets: TARGETS, triage }, 'f.yml', env, '/tmp', 'collect').problems.map((p) => `${p.path}: ${p.message}`);

describe('triage.model', () => {
  it('names an openai target, or an endpoint with its key and model; the time limit defaults to 8 s', () => {
    expect(parseConfig({ targets: TARGETS, triage: { model: { target: 'ai' } } }, 'f.yml').triage).toEqual({ model: { target: 'ai', timeoutMs: 8_000 } });
    expect(parseConfig({ targets: TARGETS, triage: { model: { target: 'bare', model: 'gpt-4o', timeoutMs: 3000 } } }, 'f.yml').triage).toEqual({ model: { target: 'bare', model: 'gpt-4o', timeoutMs: 3_000 } });
    const own = parseConfig({ triage: { model: { url: 'http://localhost:11434/v1', apiKey: '${LLM_KEY}', model: 'llama3.1:8b' } } }, 'f.yml', { LLM_KEY: 'local-key-123' });
    expect(own.triage).toEqual({ model: { url: 'http://localhost:11434/v1', apiKey: 'local-key-123', model: 'llama3.1:8b', timeoutMs: 8_000 } });
    expect(parseConfig({}, 'f.yml').triage).toBeUndefined();
  });

  it('a target that is not an openai one, or no target, is a problem naming the accepted ones', () => {
    expect(problems({ model: { target: 'db' } })).toEqual(['triage.model.target: "db" is a postgres target, not an openai one; openai targets: ai, bare']);
    expect(problems({ model: { target: 'gpt' } })).toEqual(['triage.model.target: no target named "gpt"; openai targets: ai, bare']);
    expect(parseConfig({ triage: { model: { target: 'ai' } } }, 'f.yml', {}, '/tmp', 'collect').problems.map((p) => p.message)).toEqual(['no target named "ai"; openai targets: none configured']);
    expect(problems({ model: { target: 'bare' } })).toEqual(['triage.model.model: the openai target "bare" names no model: set model here (gpt-4o-mini) or on the target']);
  });

  it('an unknown key names the keys of its own mapping; a URL that is not http(s) and a key of two lines are named as such', () => {
    expect(problems({ timeout: 5 })).toEqual(['triage: unknown key timeout; accepted keys: model']);
    expect(problems({ model: { target: 'ai', timeout: 5 } })).toEqual(['triage.model: unknown key timeout; accepted keys: target, url, apiKey, model, timeoutMs']);
    expect(problems({ model: { url: 'ftp://llm.internal/v1', apiKey: 'k-123456789', model: 'm' } })[0]).toMatch(/^triage\.model\.url: expected an http:\/\/ or https:\/\/ URL/);
    expect(problems({ model: { url: 'http://llm.internal/v1', apiKey: 'k-1234\n56789', model: 'm' } })[0]).toMatch(/^triage\.model\.apiKey: a key is one line/);
  });

  it('both forms at once, neither, or an endpoint without its key or model are problems; secrets are never echoed', () => {
    expect(problems({ model: { target: 'ai', url: 'https://api.openai.com/v1', apiKey: 'sk-secret-value-000' } })).toEqual([
      'triage.model: give either target (an openai target of this file, whose url and key are used) or url, apiKey and model; not both (got target and url and apiKey)',
    ]);
    expect(problems({ model: { timeoutMs: 5000 } })).toEqual(['triage.model: name the model\'s endpoint: target (an openai target of this file) or url, apiKey and model of an OpenAI-compatible API; openai targets: ai, bare']);
    expect(problems({ model: { url: 'http://localhost:8000/v1' } })).toEqual([
      "triage.model.apiKey: required with url: the endpoint's API key (use ${VARIABLE}); or name an openai target instead",
      'triage.model.model: required with url: the model to ask (gpt-4o-mini, llama3.1:8b)',
    ]);
    const bad = problems({ model: { url: 'ftp://user:pw-secret-1@host/x', apiKey: 'k', model: 'm', timeoutMs: 60_000, temperature: 2 } });
    expect(bad.join('\n')).not.toContain('pw-secret-1');
    expect(bad).toEqual(expect.arrayContaining([expect.stringMatching(/^triage\.model\.url: .*\(got \[hidden\]\)/), expect.stringMatching(/^triage\.model\.timeoutMs: .*30000/), 'triage.model: unknown key temperature; accepted keys: target, url, apiKey, model, timeoutMs']));
    expect(problems({ model: { url: 'http://localhost:8000/v1', apiKey: '${UNSET_KEY}', model: 'm' } })).toEqual([
      'triage.model.apiKey: environment variable UNSET_KEY is not set (referenced as ${UNSET_KEY}); set it, or write ${UNSET_KEY:-default} to give a default',
    ]);
    expect(parseConfig({ triage: { model: { url: 'http://localhost:8000/v1', apiKey: '${UNSET_KEY}', model: 'm' } } }, 'f.yml', {}, '/tmp', 'collect').triage?.model).toBeUndefined();
  });

  it('the bot refuses to start on a bad triage.model', () => {
    expect(() => parseConfig({ targets: TARGETS, triage: { model: { target: 'db' } } }, 'f.yml', {}, '/tmp', 'start')).toThrow(/triage\.model\.target: "db" is a postgres target, not an openai one; openai targets: ai, bare/);
  });

  it('chatops config check lists the problem and exits 3', { timeout: 60_000 }, async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'triage-config-')), 'chatops.yml');
    writeFileSync(file, 'targets:\n  db:\n    kind: postgres\n    url: postgres://app@db.internal/app\ntriage:\n  model:\n    target: db\n');
    const run = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(BIN, ['config', 'check', '--config', file], { env: isolatedCliEnv(), timeout: 60_000 }, (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }));
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('triage.model.target: "db" is a postgres target, not an openai one; openai targets: none configured');
  });
});
