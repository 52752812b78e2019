// `chatops diag stripe|openai|sendgrid` with no config: the target is made from --url (or the
// API's own base URL when there is no config file at all) and the key's usual variable; a missing
// key is a usage error naming the variable, and the key never shows in what the CLI prints.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordSecrets } from '../support/suite-recording.ts';
import { isolatedCliEnv } from './isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');
const KEY = 'hosted-api-key-7y6t5r4e3w2q';
recordSecrets('test/cli/cli-hosted-apis.test.ts', [KEY]);

const HOSTED = [
  { kind: 'stripe', env: 'STRIPE_API_KEY', base: 'https://api.stripe.com' },
  { kind: 'openai', env: 'OPENAI_API_KEY', base: 'https://api.openai.com/v1' },
  { kind: 'sendgrid', env: 'SENDGRID_API_KEY', base: 'https://api.sendgrid.com' },
] as const;

function chatops(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A config path that does not exist: the CLI has no config file to read. */
function noConfigFile(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-no-config-')), 'chatops.yml');
}

describe.each(HOSTED)('chatops diag $kind without a config', ({ kind, env, base }) => {
  it(`--url without ${env} is a usage error naming the variable`, async () => {
    const r = await chatops(['diag', kind, '--url', 'http://127.0.0.1:9'], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`reads the API key from ${env}, which is not set`);
    expect(r.stdout).toBe('');
  });

  it(`no config file and no ${env}: the same usage error, not a config error`, async () => {
    const r = await chatops(['diag', kind], { CHATOPS_CONFIG: noConfigFile() });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(env);
  });

  it(`no config file: the API's own base URL (${base}), the key from ${env}, never printed`, async () => {
    const r = await chatops(['diag', kind, '--json', '--timeout', '500'], { CHATOPS_CONFIG: noConfigFile(), [env]: KEY });
    const report = JSON.parse(r.stdout) as { target: string; kind: string; endpoint: string };
    expect(report).toMatchObject({ target: kind, kind });
    // The header names the base URL it talked to (openai adds the provider's name after it).
    expect(report.endpoint.split(' ')[0]).toBe(base);
    expect(r.stdout + r.stderr).not.toContain(KEY);
  });

  it('a config file with no target of the kind is not overridden: it names what to add', async () => {
    const r = await chatops(['diag', kind], { [env]: KEY });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no ${kind} target is configured`);
  });
});

it('a key from the environment the kind cannot use is named by its variable, never quoted, not blamed on --url', async () => {
  const r = await chatops(['diag', 'openai', '--url', 'http://127.0.0.1:9/v1'], { OPENAI_API_KEY: `${KEY}\nsecond-line` });
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('OPENAI_API_KEY does not hold a usable openai API key');
  expect(r.stderr).not.toContain('--url');
  expect(r.stdout + r.stderr).not.toContain(KEY);
});

it('without a config, STRIPE_WEBHOOK_SECRET reaches the target (checked, never printed), and a malformed one is named by its variable', async () => {
  const secret = 'whsec_cliHostedSecret0a1b2c3d4e5f';
  recordSecrets('test/cli/cli-hosted-apis.test.ts', [secret]);
  const env = { STRIPE_API_KEY: `sk_test_${KEY}`, STRIPE_WEBHOOK_SECRET: secret, CHATOPS_CONFIG: noConfigFile() };
  const r = await chatops(['diag', 'stripe', '--url', 'http://127.0.0.1:9', '--json', '--check', 'webhook_secret'], env);
  const report = JSON.parse(r.stdout) as { findings: Array<{ check: string; status: string }> };
  expect(report.findings.find((f) => f.check === 'stripe.webhook_secret')?.status).toBe('ok');
  expect(r.stdout + r.stderr).not.toContain(secret);
  const without = await chatops(['diag', 'stripe', '--url', 'http://127.0.0.1:9', '--json', '--check', 'webhook_secret'], { ...env, STRIPE_WEBHOOK_SECRET: '' });
  expect((JSON.parse(without.stdout) as typeof report).findings.find((f) => f.check === 'stripe.webhook_secret')?.status).toBe('warn');
});
