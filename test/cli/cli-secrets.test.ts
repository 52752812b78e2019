// What the CLI prints carries no configured secret: not a header value a server echoes (cut in
// the middle by the body snippet), not a secret of the environment the probe knows nothing about,
// in text and in JSON.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeHttpServer } from '../probes/http/fake-http-services.ts';
import { recordSecrets } from '../support/suite-recording.ts';
import { isolatedCliEnv } from './isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');
const API_KEY = 'cli-api-key-0a9b8c7d6e5f';
const ENV_SECRET = 'cli-env-secret-1q2w3e4r5t';
recordSecrets('test/cli/cli-secrets.test.ts', [API_KEY, ENV_SECRET]);

function chatops(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let server: FakeHttpServer;
let config: string;

beforeAll(async () => {
  // The snippet of the body is cut at 200 characters: both secrets straddle that cut.
  server = await FakeHttpServer.start({
    '/key': { status: 500, body: `${'k'.repeat(190)}${API_KEY} trailing` },
    '/env': { status: 500, body: `${'e'.repeat(193)}${ENV_SECRET} trailing` },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-secrets-'));
  config = path.join(dir, 'chatops.yml');
  writeFileSync(config, `targets:
  key:
    kind: http
    url: ${server.url}/key
    headers: { X-Api-Key: '\${API_KEY}' }
  env:
    kind: http
    url: ${server.url}/env
`);
});
afterAll(async () => {
  await server?.close();
});

// Each run is a process that loads the bot's modules: seconds each on a busy machine.
describe('bin/chatops diag: no secret in what it prints', { timeout: 120_000 }, () => {
  it.each([['key', API_KEY], ['env', ENV_SECRET]])('diag %s, as text and as JSON', async (target, secret) => {
    const env = { API_KEY, SLACK_SIGNING_SECRET: ENV_SECRET, NO_COLOR: '1' };
    for (const args of [['diag', target, '--config', config], ['diag', target, '--config', config, '--json'], ['diag', 'all', '--config', config]]) {
      const run = await chatops(args, env);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toContain('HTTP 500');
      for (let n = 5; n <= secret.length; n++) expect(run.stdout + run.stderr).not.toContain(secret.slice(0, n));
    }
    expect(server.requests.some((r) => r.headers['x-api-key'] === API_KEY)).toBe(true);
  });
});
