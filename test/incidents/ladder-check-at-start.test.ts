// The bot checks its escalation ladder when it starts: a level nobody can receive is in the log
// before anyone declares an incident.
import { Writable } from 'node:stream';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { waitFor } from '../support/wait-for.ts';
import { testReplicaGroup } from '../support/test-replica-group.ts';

let bot: RunningBot | undefined;
let slack: FakeSlackApi | undefined;
afterAll(async () => {
  await bot?.stop();
  await slack?.close();
});

describe('the ladder pre-flight check at start', () => {
  it('logs a warning naming the level nobody can receive and why', async () => {
    slack = await startFakeSlackApi();
    slack.setUsers(['U0ALICE']);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ladder-start-')), 'chatops.yml');
    writeFileSync(file, `incidents:
  channel: C0INCIDENTS
  roles:
    team-lead: { user: U0GONE }
oncall:
  rotations:
    primary: { members: [U0ALICE], start: "2026-01-05" }
`);
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done(); } });
    bot = await startBot(
      { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: slack.apiUrl, PORT: '0', DATABASE_URL: inject('pgUrl'), CHATOPS_CONFIG: file, CHATOPS_REPLICA_GROUP: testReplicaGroup() },
      createLogger({ level: 'warn', destination: sink }),
    );
    await waitFor(async () => lines.some((l) => l.includes('escalation ladder')), 10_000, 'the ladder warnings');
    const text = lines.join('');
    expect(text).toMatch(/user U0GONE is not a Slack user \(user_not_found\)/);
    expect(text).toMatch(/role engineering-manager is not defined in incidents\.roles/);
    expect(text).not.toContain('xoxb-test');
  });
});
