// The whole-suite secret scan itself: it finds a planted secret in each of its forms, in Slack
// records and in log lines, names it masked with where it was, and finds nothing in clean records.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanForSecrets } from '../support/scan-for-secrets.ts';

function recordDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-scan-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const SECRET = 'planted s3cret?>?';

describe('scanForSecrets', () => {
  it.each([
    ['as written', JSON.stringify({ msg: `oops ${SECRET}` })],
    ['URL-encoded', JSON.stringify({ raw: `text=${encodeURIComponent(SECRET)}` })],
    ['form-encoded', JSON.stringify({ raw: new URLSearchParams({ text: SECRET }).toString() })],
    ['base64', JSON.stringify({ raw: Buffer.from(SECRET).toString('base64') })],
    ['base64url', JSON.stringify({ raw: Buffer.from(SECRET).toString('base64url') })],
  ])('finds a secret %s and names it masked, with the file and line', (form, line) => {
    const dir = recordDir({
      'secrets-1.jsonl': `${JSON.stringify({ source: 'a test config', secret: SECRET })}\n`,
      'slack-2.jsonl': `{"clean":true}\n${line}\n`,
    });
    const found = scanForSecrets(dir);
    expect(found).toContainEqual({ secret: 'pl… (17 characters)', form, source: 'a test config', where: 'slack-2.jsonl:2' });
    expect(JSON.stringify(found)).not.toContain(SECRET);
  });

  it('scans log lines and secrets given directly', () => {
    const dir = recordDir({ 'log-3.jsonl': '{"msg":"token xoxb-test-token"}\n' });
    expect(scanForSecrets(dir, [{ source: 'code', secret: 'xoxb-test-token' }]).map((f) => f.where)).toEqual(['log-3.jsonl:1']);
  });

  it('finds nothing in clean records, and ignores secrets too short to be told from words', () => {
    const dir = recordDir({
      'secrets-1.jsonl': `${JSON.stringify({ source: 'c', secret: SECRET })}\n${JSON.stringify({ source: 'c', secret: 'test' })}\n`,
      'slack-1.jsonl': '{"text":"this is a test, with *** where the secret was"}\n',
    });
    expect(scanForSecrets(dir)).toEqual([]);
  });
});
