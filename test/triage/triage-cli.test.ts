// `chatops triage <words> [--json]` as a user runs it: a process reading a config file, the probes
// real against local servers. --json prints the answer and nothing else, sorted by confidence,
// and the exit code is the status of the finding that confirms the top cause (0 when nothing
// is).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHttpServer } from '../probes/http/fake-http-services.ts';
import { isolatedCliEnv } from '../cli/isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');

interface Run { code: number; stdout: string; stderr: string }

function chatops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let api: FakeHttpServer;
let configFile: string;

beforeAll(async () => {
  api = await FakeHttpServer.start({ '/health': { status: 503, body: 'upstream unavailable' } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'triage-cli-'));
  configFile = path.join(dir, 'chatops.yml');
  writeFileSync(configFile, `targets:\n  shop-api:\n    kind: http\n    url: ${api.url}/health\n    timeoutMs: 10000\n`);
});

afterAll(async () => {
  await api?.close();
});

describe('chatops triage', { timeout: 120_000 }, () => {
  it('--json prints the causes sorted by confidence with their evidence, and exits with the top cause\'s status (crit: 2)', async () => {
    const run = await chatops(['triage', 'users', 'see', '503', 'errors', '--config', configFile, '--json']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    const answer = JSON.parse(run.stdout) as { symptom: string; causes: Array<{ runbook: string; title: string; confidence: number; evidence: Array<Record<string, unknown>>; next: string }>; ruledOut: unknown[]; durationMs: number };
    expect(answer.symptom).toBe('users see 503 errors');
    expect(answer.causes[0]).toMatchObject({ runbook: 'http-health-endpoint', title: expect.stringMatching(/^Health endpoint failing/) });
    expect(answer.causes[0]!.confidence).toBeGreaterThan(0.7);
    expect(answer.causes[0]!.evidence).toContainEqual(expect.objectContaining({ target: 'shop-api', check: 'http.status', status: 'crit', title: expect.stringContaining('503') }));
    expect(typeof answer.causes[0]!.next).toBe('string');
    const confidences = answer.causes.map((c) => c.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    expect(Array.isArray(answer.ruledOut)).toBe(true);
    expect(answer.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('prints the answer for a terminal, with the failing endpoint first', async () => {
    const run = await chatops(['triage', 'users see 503 errors', '--config', configFile, '--no-color']);

    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/Triage: users see 503 errors/);
    expect(run.stdout).toMatch(/\d+% likely: Health endpoint failing/);
    expect(run.stdout).toContain('runbook: http-health-endpoint');
  });

  it('a symptom no configured target can check: nothing confirmed, exit 0, and says which kinds are missing', async () => {
    const run = await chatops(['triage', 'redis says OOM command not allowed', '--config', configFile, '--json']);

    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout) as { causes: Array<{ confidence: number; confirmed: boolean }>; notChecked?: Array<{ runbook: string; reason: string }> };
    expect(answer.causes.every((c) => !c.confirmed && c.confidence <= 0.5)).toBe(true);
    expect(answer.notChecked).toContainEqual({ runbook: 'redis-memory-pressure', title: expect.any(String), reason: 'no redis target configured' });
  });

  it('help shows how to call it with examples, and checks nothing', async () => {
    const before = api.requests.length;
    const run = await chatops(['triage', 'help', '--config', configFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: chatops triage <symptom in plain words>');
    expect(run.stdout).toContain('chatops triage too many clients already');
    expect(api.requests).toHaveLength(before);
  });

  it('refuses no words with examples (3), and --json on a command without it', async () => {
    const empty = await chatops(['triage', '--config', configFile]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain('describe what you see in a few words');
    expect(empty.stderr).toContain('chatops triage users see 504s');

    const other = await chatops(['runbook', '--json']);
    expect(other.code).toBe(3);
    expect(other.stderr).toContain('runbook has no --json; commands with --json: triage, and diag');
  });
});
