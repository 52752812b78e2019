// `chatops diag stripe` as a user runs it with no config: the key from STRIPE_API_KEY, --url
// pointing at the local Stripe API, the Report printed as JSON; without the variable, a usage
// error naming it.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Report } from '../../../src/report.ts';
import { isolatedCliEnv } from '../../cli/isolated-cli-env.ts';
import { FakeStripeApi } from './fake-stripe-api.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/chatops');
const KEY = 'sk_test_51CliKeyAbcdef0123456789xyz';

interface Run { code: number; stdout: string; stderr: string }

function chatops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

let api: FakeStripeApi;
beforeEach(async () => {
  api = await FakeStripeApi.start();
  api.keys.set(KEY, { livemode: false });
});
afterEach(async () => {
  await api.close();
});

describe('chatops diag stripe', () => {
  it('--url with STRIPE_API_KEY set: the report as JSON, the exit code of its status, the key nowhere in the output', async () => {
    api.endpoints = [{ id: 'we_1Cli', url: 'https://shop.example.com/hook', status: 'disabled', enabled_events: ['*'] }];
    const run = await chatops(['diag', 'stripe', '--url', api.url, '--json'], { STRIPE_API_KEY: KEY });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as Report;
    expect(report).toMatchObject({ target: 'stripe', kind: 'stripe', status: 'crit', endpoint: api.url });
    const byCheck = Object.fromEntries(report.findings.map((f) => [f.check, f]));
    expect(byCheck['stripe.auth']!.title).toMatch(/^Test-mode secret key works/);
    expect(byCheck['stripe.webhook_endpoints']).toMatchObject({ status: 'crit', remedies: [{ action: 'stripe.enable_webhook_endpoint', params: { endpoint: 'we_1Cli' } }] });
    // No webhookSecret without a config: said so, a warning.
    expect(byCheck['stripe.webhook_secret']!.status).toBe('warn');
    expect(run.stdout).not.toContain(KEY);
    expect(api.requests.length).toBeGreaterThan(0);
    expect(api.requests.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it('without STRIPE_API_KEY: a usage error naming the variable (exit 3), nothing called', async () => {
    const run = await chatops(['diag', 'stripe', '--url', api.url, '--json']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('STRIPE_API_KEY');
    expect(run.stderr).toContain('not set');
    expect(api.requests).toHaveLength(0);
  });

  it('a --url with a path is refused naming what url accepts', async () => {
    const run = await chatops(['diag', 'stripe', '--url', `${api.url}/v1`, '--json'], { STRIPE_API_KEY: KEY });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('scheme (http or https), host and port only');
    expect(run.stderr).not.toContain(KEY);
  });
});
