// `chatops ladder check` as a user runs it: a process against a fake Slack Web API, its exit code
// and what it prints.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { isolatedCliEnv } from './isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');

const CONFIG = `incidents:
  channel: C0INCIDENTS
  roles:
    team-lead: { user: U0LEAD }
    engineering-manager: { user: U0EM }
    vp-engineering: { group: S0VPS }
oncall:
  rotations:
    primary: { members: [U0ALICE, U0BOB], every: weekly, handoff: "09:00", timezone: Europe/Berlin, start: "2026-01-05" }
`;

let slack: FakeSlackApi;
let dir: string;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  slack.setUsers(['U0LEAD', 'U0EM', 'U0ALICE', 'U0BOB']);
  slack.setGroup('S0VPS', ['U0VP']);
  dir = mkdtempSync(path.join(os.tmpdir(), 'ladder-check-'));
});
afterAll(() => slack.close());

function writeConfig(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function chatops(args: string[], env: Record<string, string> = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('chatops ladder check', () => {
  it('a sound ladder: every level with its receivers, exit 0', async () => {
    const run = await chatops(['ladder', 'check', '--config', writeConfig('sound.yml', CONFIG)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('on-call (at once): rotation primary (2 members)');
    expect(run.stdout).toContain('VP of engineering (after 1 d): group S0VPS');
    expect(run.stdout).toContain('No problems');
    expect(slack.callsTo('users.info').every((c) => c.authorization === 'Bearer xoxb-test')).toBe(true);
  });

  it('an undefined role: the sentence naming it, exit 1', async () => {
    const file = writeConfig('no-lead.yml', CONFIG.replace('    team-lead: { user: U0LEAD }\n', ''));
    const run = await chatops(['ladder', 'check', '--config', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("SEV-1 step 'team lead' (after 1 h): nobody can receive it: role team-lead is not defined in incidents.roles");
    expect(run.stdout).toContain('team lead (after 1 h): nobody');
  });

  it('an unknown user: the sentence naming it, exit 1', async () => {
    const run = await chatops(['ladder', 'check', '--config', writeConfig('gone.yml', CONFIG.replace('U0BOB', 'U0GONE'))]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('user U0GONE is not a Slack user (user_not_found); used in rotation primary');
    expect(run.stdout).toContain('on-call (at once): rotation primary (1 member)');
  });

  it('without SLACK_BOT_TOKEN it is a usage error (exit 3)', async () => {
    const run = await chatops(['ladder', 'check', '--config', writeConfig('sound.yml', CONFIG)], {});
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/set SLACK_BOT_TOKEN/);
    expect(run.stdout).toBe('');
  });

  it('a stray word or a missing subcommand is a usage error; --help explains', async () => {
    expect((await chatops(['ladder'])).stderr).toContain('ladder takes one subcommand, check; got none');
    expect((await chatops(['ladder', 'check', 'now'])).code).toBe(3);
    const help = await chatops(['ladder', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: chatops ladder check [--config FILE]');
    expect((await chatops(['--help'])).stdout).toContain('ladder check');
  });
});
