// /digest through the real bot: list the schedules, run one now (posted to its channel with the
// chart), and show a target's history from the stored reports.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { blockActionBody, postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, startTestBot } from '../support/test-bot.ts';

const SECRET = 'test-signing-secret';
let slack: FakeSlackApi;
let bot: RunningBot;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  bot = await startTestBot({ SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0' }, `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
digests:
  morning:
    cron: "0 8 * * 1-5"
    timezone: Europe/Berlin
    channel: C0DIGEST
`);
});

afterAll(async () => {
  await bot?.stop();
  await slack?.close();
});

beforeEach(() => slack.reset());

const digest = (text: string, id = 'r1') =>
  postSigned(`http://127.0.0.1:${bot.port}/slack/events`, slashCommandBody({ command: '/digest', text, responseUrl: slack.responseUrl(id) }), { secret: SECRET });

describe('/digest', () => {
  it('list shows each schedule with its next run', async () => {
    expect((await digest('list')).status).toBe(200);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = callText(slack.callsTo('respond')[0]!);
    expect(reply).toContain('*morning*: `0 8 * * 1-5` (Europe/Berlin) to <#C0DIGEST>, all targets; next <!date^');
  });

  it('now posts the digest to its channel, then history shows the stored report', async () => {
    await digest('now morning');
    await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0DIGEST'), 20_000);
    expect(callText(slack.callsTo('respond')[0]!)).toContain('Running the *morning* digest');
    const post = slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0DIGEST')!;
    expect(callText(post)).toContain('morning digest');

    // Details of a stored report, pressed from the digest: posted in the digest's thread.
    const db = new pg.Client({ connectionString: inject('pgUrl') });
    await db.connect();
    const { rows } = await db.query("SELECT id FROM report_history WHERE source = 'digest:morning' AND target = 'main-db' ORDER BY id DESC LIMIT 1");
    await db.end();
    slack.reset();
    const press = await postSigned(`http://127.0.0.1:${bot.port}/slack/events`,
      blockActionBody({ actionId: 'digest:details:0', value: String(rows[0].id), responseUrl: slack.responseUrl('d'), channelId: 'C0DIGEST' }), { secret: SECRET });
    expect(press.status).toBe(200);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    const details = slack.callsTo('chat.postMessage')[0]!;
    expect(details.args).toMatchObject({ channel: 'C0DIGEST', thread_ts: '1700000001.000100' });
    expect(callText(details)).toContain('main-db');

    slack.reset();
    await digest('history main-db 3', 'h');
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(slack.callsTo('respond')[0]!)).toMatch(/\*main-db\*, last 3 days \(\d+ reports\)/);
  });

  it('refuses bad input naming it and what is accepted', async () => {
    await digest('now evening', 'a');
    await digest('history nosuch', 'b');
    await digest('history main-db 400', 'c');
    await digest('frobnicate', 'd');
    await slack.waitFor((calls) => calls.filter((c) => c.method === 'respond').length >= 4);
    const byId = (id: string) => callText(slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(byId('a')).toContain('unknown digest \\"evening\\"; configured: morning');
    expect(byId('b')).toContain('unknown target \\"nosuch\\"; configured: main-db');
    expect(byId('c')).toContain('days must be a whole number from 1 to 90, got \\"400\\"');
    expect(byId('d')).toContain('unknown subcommand \\"frobnicate\\"');
  });
});
