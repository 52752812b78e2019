// The whole-suite secret scan: every configured secret (as written, URL-encoded, form-encoded,
// JSON-escaped and in base64) must be absent from what the fake Slack API received and the test
// bots logged (test/support/suite-recording.ts). Run by test/global-setup.ts after every file.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Shorter values are common words ("test"); the suite's secrets are all longer. */
export const MIN_SCANNED_CHARS = 6;

export interface SecretSighting {
  /** The secret masked: its first two characters, then its length. */
  secret: string;
  /** Which form was found (raw, URL-encoded, base64, ...). */
  form: string;
  /** Where it was configured. */
  source: string;
  /** The recorded file and line it was found in. */
  where: string;
}

/** Secrets given here and those recorded in `dir`, searched for in every recorded Slack request and log line. */
export function scanForSecrets(dir: string, extra: ReadonlyArray<{ source: string; secret: string }> = []): SecretSighting[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
  const secrets = new Map<string, string>();
  for (const { source, secret } of extra) if (!secrets.has(secret)) secrets.set(secret, source);
  for (const file of files.filter((f) => f.startsWith('secrets-'))) {
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (!line) continue;
      const { source, secret } = JSON.parse(line) as { source: string; secret: string };
      if (!secrets.has(secret)) secrets.set(secret, source);
    }
  }
  const needles: Array<{ needle: string; form: string; secret: string; source: string }> = [];
  for (const [secret, source] of secrets) {
    if (secret.length < MIN_SCANNED_CHARS) continue;
    for (const [form, needle] of forms(secret)) needles.push({ needle, form, secret, source });
  }
  const found: SecretSighting[] = [];
  for (const file of files.filter((f) => !f.startsWith('secrets-'))) {
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const n of needles) {
        if (line.includes(n.needle)) found.push({ secret: maskForReport(n.secret), form: n.form, source: n.source, where: `${file}:${i + 1}` });
      }
    });
  }
  return found;
}

function forms(secret: string): Array<[string, string]> {
  const base64 = Buffer.from(secret, 'utf8').toString('base64');
  const all: Array<[string, string]> = [
    ['as written', secret],
    ['URL-encoded', encodeURIComponent(secret)],
    ['form-encoded', new URLSearchParams({ s: secret }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ['base64', base64.replace(/=+$/, '')],
    ['base64url', Buffer.from(secret, 'utf8').toString('base64url')],
  ];
  const seen = new Set<string>();
  return all.filter(([, n]) => n.length >= MIN_SCANNED_CHARS && !seen.has(n) && seen.add(n));
}

export function maskForReport(secret: string): string {
  return `${secret.slice(0, 2)}… (${secret.length} characters)`;
}
