// `npm start` on a machine that is not set up yet: a message, not a stack trace.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = path.resolve(import.meta.dirname, '../src/main.ts');

function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stderr });
    });
  });
}

describe('starting the bot', () => {
  it('without Slack credentials names the missing variables and where they come from', async () => {
    const { code, stderr } = await start({});
    expect(code).toBe(1);
    expect(stderr).toContain('missing SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET');
    expect(stderr).toContain('manifest.yml');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('with a bad config file names the key and stops before touching anything', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-start-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  db:\n    kind: oracle\n    url: x\n');
    const { code, stderr } = await start({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', CHATOPS_CONFIG: file });
    expect(code).toBe(1);
    expect(stderr).toContain('targets.db.kind: unknown kind "oracle"; accepted kinds: postgres');
    expect(stderr).not.toContain('xoxb-1');
  });
});
