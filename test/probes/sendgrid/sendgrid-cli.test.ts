// `chatops diag sendgrid` from the terminal with no config: the target from --url and the key from
// SENDGRID_API_KEY, run by the real binary against the local SendGrid API; a missing key or a URL
// with a path is a usage error (exit 3) naming what to fix; the key never shows in the output.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isolatedCliEnv } from '../../cli/isolated-cli-env.ts';
import { recordSecrets } from '../../support/suite-recording.ts';
import type { FakeHttpServer } from '../http/fake-http-services.ts';
import { sendgridError, startSendgrid } from './fake-sendgrid.ts';

const BIN = path.resolve(import.meta.dirname, '../../../bin/chatops');
const KEY = 'SG.cli-key-id.Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa-987654321';
recordSecrets('test/probes/sendgrid/sendgrid-cli.test.ts', [KEY]);

function chatops(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const servers: FakeHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

interface JsonReport {
  target: string;
  kind: string;
  endpoint: string;
  findings: Array<{ check: string; status: string; title: string }>;
}

describe('bin/chatops diag sendgrid', { timeout: 120_000 }, () => {
  it('--url with SENDGRID_API_KEY: every check against the given API, as JSON, exit 0 when all is well', async () => {
    const { server } = await startSendgrid({ key: KEY });
    servers.push(server);
    const r = await chatops(['diag', 'sendgrid', '--url', server.url, '--json'], { SENDGRID_API_KEY: KEY });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report).toMatchObject({ target: 'sendgrid', kind: 'sendgrid', endpoint: server.url });
    expect(Object.fromEntries(report.findings.map((f) => [f.check, f.status]))).toEqual({
      'sendgrid.auth': 'ok',
      'sendgrid.domain_auth': 'ok',
      'sendgrid.delivery': 'ok',
      'sendgrid.spam_reports': 'ok',
      'sendgrid.reputation': 'ok',
    });
    expect(server.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  });

  it('a key the API rejects with an error echoing it: critical (exit 2), the key never printed', async () => {
    const { server } = await startSendgrid({ key: KEY });
    servers.push(server);
    server.set('/v3/scopes', { status: 401, body: sendgridError(`invalid key ${KEY}`) });
    const json = await chatops(['diag', 'sendgrid', '--url', server.url, '--json'], { SENDGRID_API_KEY: KEY });
    expect(json.code).toBe(2);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.findings.map((f) => [f.check, f.status])).toEqual([['sendgrid.auth', 'crit']]);
    expect(report.findings[0]!.title).toContain('HTTP 401');
    const text = await chatops(['diag', 'sendgrid', '--url', server.url], { SENDGRID_API_KEY: KEY });
    expect(text.code).toBe(2);
    for (const out of [json.stdout, json.stderr, text.stdout, text.stderr]) expect(out).not.toContain(KEY);
  });

  it('without SENDGRID_API_KEY: a usage error naming the variable (exit 3), nothing called', async () => {
    const { server } = await startSendgrid({ key: KEY });
    servers.push(server);
    const r = await chatops(['diag', 'sendgrid', '--url', server.url, '--json'], {});
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('reads the API key from SENDGRID_API_KEY, which is not set');
    expect(r.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
  });

  it('--url with a path: a usage error saying the API base takes no path (exit 3)', async () => {
    const r = await chatops(['diag', 'sendgrid', '--url', 'http://127.0.0.1:9/v3', '--json'], { SENDGRID_API_KEY: KEY });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--url is not a sendgrid URL: the API base takes scheme, host and port only');
    expect(r.stderr).not.toContain(KEY);
  });
});
