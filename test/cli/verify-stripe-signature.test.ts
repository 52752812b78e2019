// `chatops stripe verify-signature` as a user runs it, against headers made by Stripe's own SDK,
// and its verdict compared with the SDK's constructEvent wherever both judge the same thing.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { isolatedCliEnv } from './isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');
const SECRET = 'whsec_Zq8rT4kLm2VxN7pQ9sWc3yHb6JdF1gKe';
const OTHER_SECRET = 'whsec_Ab3Cd4Ef5Gh6Ij7Kl8Mn9Op0Qr1St2Uv';
const EVENT = { id: 'evt_1Q2w3E4r5T6y', object: 'event', type: 'invoice.payment_failed', livemode: false, data: { object: { id: 'in_1', amount_due: 4200 } } };
/** What Stripe sends: JSON with 2-space indentation, no trailing newline. */
const RAW = JSON.stringify(EVENT, null, 2);

interface Run { code: number; stdout: string; stderr: string }

function chatops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

function bodyFile(content: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-stripe-')), 'body');
  writeFileSync(file, content);
  return file;
}

const now = () => Math.floor(Date.now() / 1000);

function sign(payload: string, options: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? SECRET, timestamp: options.timestamp ?? now() });
}

/** The SDK's verdict: true when constructEvent accepts. */
function sdkAccepts(payload: string, header: string, secret = SECRET, tolerance?: number): boolean {
  try {
    Stripe.webhooks.constructEvent(payload, header, secret, tolerance);
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(Stripe.errors.StripeSignatureVerificationError);
    return false;
  }
}

function verify(header: string, body: string, extra: string[] = [], env: Record<string, string> = { WEBHOOK_SECRET: SECRET }): Promise<Run> {
  return chatops(['stripe', 'verify-signature', '--secret-env', 'WEBHOOK_SECRET', '--header', header, '--body-file', bodyFile(body), ...extra], env);
}

describe('chatops stripe verify-signature', { timeout: 120_000 }, () => {
  it('accepts what the SDK accepts: signed now, and among several v1 signatures (v0 ignored)', async () => {
    const t = now();
    const header = sign(RAW, { timestamp: t });
    expect(sdkAccepts(RAW, header)).toBe(true);
    const run = await verify(header, RAW);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^valid: signed at ${new Date(t * 1000).toISOString().replace(/\./g, '\\.')}, \\d+ s ago\\n$`));

    // A rolled secret: Stripe signs with the old and the new one; a v0 test signature is ignored.
    const rolled = `${sign(RAW, { secret: OTHER_SECRET, timestamp: t })},v1=${/v1=([0-9a-f]+)/.exec(header)![1]},v0=${'0'.repeat(64)}`;
    expect(sdkAccepts(RAW, rolled)).toBe(true);
    expect((await verify(rolled, RAW)).code).toBe(0);
  });

  it('a body re-serialised compactly: names the change and the raw body, where the SDK only refuses', async () => {
    const header = sign(RAW);
    const compact = JSON.stringify(JSON.parse(RAW));
    expect(sdkAccepts(compact, header)).toBe(false);
    const run = await verify(header, compact);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^invalid: no v1 signature matches the body with the secret in WEBHOOK_SECRET/);
    expect(run.stdout).toContain('re-serialised as JSON with 2-space indentation');
    expect(run.stdout).toContain('wrote it back compactly');
    expect(run.stdout).toContain('RAW request body');
    expect(run.stdout).not.toContain('test vs live');
  });

  it('a body written back with its keys reordered is named as such, not blamed on the secret', async () => {
    const header = sign(RAW);
    const sortKeys = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v;
    const sorted = JSON.stringify(sortKeys(JSON.parse(RAW)), null, 2);
    expect(sdkAccepts(sorted, header)).toBe(false);
    const run = await verify(header, sorted);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('The body\'s keys are not in Stripe\'s order (it sends "id", "object" first; this one starts with "data", "id")');
    expect(run.stdout).toContain('RAW request body');
    expect(run.stdout).not.toContain('most likely not the one');
  });

  it('a trailing newline added, and LF turned into CRLF, are each named', async () => {
    const header = sign(RAW);
    expect(sdkAccepts(`${RAW}\n`, header)).toBe(false);
    const newline = await verify(header, `${RAW}\n`);
    expect(newline.code).toBe(2);
    expect(newline.stdout).toContain('without its trailing newline');
    expect(newline.stdout).toContain('added a trailing newline');

    const crlf = RAW.replaceAll('\n', '\r\n');
    expect(sdkAccepts(crlf, header)).toBe(false);
    const lineEndings = await verify(header, crlf);
    expect(lineEndings.code).toBe(2);
    expect(lineEndings.stdout).toContain('turned LF line endings into CRLF');
  });

  it('a wrong secret: test vs live mode and the endpoint\'s own secret, never the secret itself', async () => {
    const header = sign(RAW, { secret: OTHER_SECRET });
    expect(sdkAccepts(RAW, header)).toBe(false);
    const run = await verify(header, RAW);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('is most likely not the one Stripe signed with');
    expect(run.stdout).toContain('test vs live mode');
    expect(run.stdout).toContain('livemode: false, so the secret must be the test-mode endpoint\'s');

    // Every run that had the secret: no trace of it, of its key part, or of their hex and base64 forms.
    const runs = [run, await verify(sign(RAW), RAW), await verify(sign(RAW), `${RAW}\n`), await verify('t=1,v1=abc', RAW)];
    const key = SECRET.slice('whsec_'.length);
    const forms = [SECRET, key, Buffer.from(SECRET).toString('hex'), Buffer.from(SECRET).toString('base64'), Buffer.from(key).toString('hex'), Buffer.from(key).toString('base64')];
    for (const r of runs) {
      for (const form of forms) expect(r.stdout + r.stderr).not.toContain(form);
      expect(r.stdout + r.stderr).not.toMatch(new RegExp(`\\b(${SECRET.length}|${key.length}) ?(characters|chars|bytes|long)`));
    }
  });

  it('a timestamp outside the tolerance: how long ago, as the SDK refuses; --tolerance 0 checks the signature alone', async () => {
    const timestamp = now() - (2 * 3600 + 5 * 60 + 10);
    const header = sign(RAW, { timestamp });
    expect(sdkAccepts(RAW, header)).toBe(false);
    const run = await verify(header, RAW);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^invalid: the timestamp is outside the tolerance of 300 s: signed at \S+, 2 h 5 min ago/);
    expect(run.stdout).toContain('The signature itself matches');

    expect(sdkAccepts(RAW, header, SECRET, 0)).toBe(true);
    expect((await verify(header, RAW, ['--tolerance', '0'])).code).toBe(0);
    // Within a wider tolerance, as the SDK.
    expect(sdkAccepts(RAW, header, SECRET, 8000)).toBe(true);
    expect((await verify(header, RAW, ['--tolerance', '8000'])).code).toBe(0);

    const future = await verify(sign(RAW, { timestamp: now() + 3 * 86_400 + 3700 }), RAW);
    expect(future.code).toBe(2);
    expect(future.stdout).toMatch(/3 days 1 h in the future: the clock of this machine, or of the receiver, is behind/);
  });

  it('an empty or malformed header names what is missing, where the SDK refuses too', async () => {
    const header = sign(RAW);
    const v1 = /v1=([0-9a-f]+)/.exec(header)![1]!;
    const t = /t=(\d+)/.exec(header)![1]!;
    const cases: Array<[string, RegExp]> = [
      ['', /^invalid: the Stripe-Signature header is empty/],
      [`v1=${v1}`, /malformed Stripe-Signature header: no t= \(the timestamp\)/],
      [`t=${t}`, /malformed Stripe-Signature header: no v1= \(the signature\)/],
      [`t=${t},v0=${v1}`, /no v1= \(only v0=, a test-mode scheme that is ignored\)/],
      [`t=soon,v1=${v1}`, /t is not a number of seconds: "soon"/],
    ];
    for (const [value, message] of cases) {
      expect(sdkAccepts(RAW, value)).toBe(false);
      const run = await verify(value, RAW);
      expect(run.code).toBe(2);
      expect(run.stdout).toMatch(message);
    }
  });

  it('usage errors (3): the variable unset, a value not shaped like whsec_..., a missing option', async () => {
    const header = sign(RAW);
    const unset = await verify(header, RAW, [], {});
    expect(unset.code).toBe(3);
    expect(unset.stderr).toMatch(/WEBHOOK_SECRET is not set/);

    const apiKey = 'sk_test_51AbCdEfGhIjKlMnOpQrStUv';
    const wrongShape = await verify(header, RAW, [], { WEBHOOK_SECRET: apiKey });
    expect(wrongShape.code).toBe(3);
    expect(wrongShape.stderr).toContain('WEBHOOK_SECRET does not hold a webhook signing secret: it holds an API key');
    expect(wrongShape.stderr).toContain('whsec_');
    expect(wrongShape.stdout + wrongShape.stderr).not.toContain(apiKey.slice(8));

    const newline = await verify(header, RAW, [], { WEBHOOK_SECRET: `${SECRET}\n` });
    expect(newline.code).toBe(3);
    expect(newline.stderr).toContain('WEBHOOK_SECRET contains whitespace');
    expect(newline.stdout + newline.stderr).not.toContain(SECRET);

    const noBody = await chatops(['stripe', 'verify-signature', '--secret-env', 'WEBHOOK_SECRET', '--header', header], { WEBHOOK_SECRET: SECRET });
    expect(noBody.code).toBe(3);
    expect(noBody.stderr).toContain('needs --body-file');

    const help = await chatops(['--help']);
    expect(help.stdout).toContain('stripe verify-signature --secret-env VAR');
  });
});
