// /digest through the real bot: list the schedules, run one now (posted to its channel with the
// chart), and show a target's history from the stored reports.
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { blockActionBody, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { pressButton } from '../support/press-button.ts';

const t = useHttpTestBot(() => `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
digests:
  morning:
    cron: "0 8 * * 1-5"
    timezone: Europe/Berlin
    channel: C0DIGEST
`);

const digest = (text: string, id = 'r1') => t.send(slashCommandBody({ command: '/digest', text, responseUrl: t.slack.responseUrl(id) }));

describe('/digest', () => {
  it('list shows each schedule with its next run', async () => {
    expect((await digest('list')).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = callText(t.slack.callsTo('respond')[0]!);
    expect(reply).toContain('*morning*: `0 8 * * 1-5` (Europe/Berlin) to <#C0DIGEST>, all targets; next <!date^');
  });

  it('now posts the digest to its channel, then history shows the stored report', async () => {
    await digest('now morning');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0DIGEST'), 20_000);
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain('Running the *morning* digest');
    const post = t.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0DIGEST')!;
    expect(callText(post)).toContain('morning digest');
    // The digest ends with its trend chart: wait for it, or the reset below would cut the upload off.
    await t.slack.waitFor(() => t.slack.uploads.some((u) => u.filename === 'morning-trends.png'), 20_000);

    // Details of a stored report, pressed from the digest: posted in the digest's thread.
    const db = new pg.Client({ connectionString: inject('pgUrl') });
    await db.connect();
    const { rows } = await db.query("SELECT id FROM report_history WHERE source = 'digest:morning' AND target = 'main-db' ORDER BY id DESC LIMIT 1");
    await db.end();
    t.slack.reset();
    const press = await pressButton(t, 'digest:details:0', String(rows[0].id), { responseId: 'd', channelId: 'C0DIGEST' });
    expect(press.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    const details = t.slack.callsTo('chat.postMessage')[0]!;
    expect(details.args).toMatchObject({ channel: 'C0DIGEST', thread_ts: '1700000001.000100' });
    expect(callText(details)).toContain('main-db');

    t.slack.reset();
    await digest('history main-db 3', 'h');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toMatch(/\*main-db\*, last 3 days \(\d+ reports\)/);
  });

  it('a Details button answers its presser even when it cannot show anything: a bad id, a report no longer stored, an unsigned value', async () => {
    await pressButton(t, 'digest:details:0', 'abc', { responseId: 'nan', channelId: 'C0DIGEST' });
    await pressButton(t, 'digest:details:1', '999999999', { responseId: 'gone', channelId: 'C0DIGEST' });
    await t.send(blockActionBody({ actionId: 'digest:details:2', value: '1', responseUrl: t.slack.responseUrl('forged'), channelId: 'C0DIGEST' }));
    await t.slack.waitFor((calls) => ['nan', 'gone', 'forged'].every((id) => calls.some((c) => c.method === 'respond' && c.responseId === id)));
    const byId = (id: string) => callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(byId('nan')).toContain('This Details button is not valid (report id \\"abc\\"): use /digest history.');
    expect(byId('gone')).toContain('That report is no longer stored');
    expect(byId('forged')).toContain('This button was changed or has expired: use /digest history.');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('refuses bad input naming it and what is accepted', async () => {
    await digest('now evening', 'a');
    await digest('history nosuch', 'b');
    await digest('history main-db 400', 'c');
    await digest('frobnicate', 'd');
    await t.slack.waitFor((calls) => ['a', 'b', 'c', 'd'].every((id) => calls.some((c) => c.method === 'respond' && c.responseId === id)));
    const byId = (id: string) => callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(byId('a')).toContain('unknown digest \\"evening\\"; configured: morning');
    expect(byId('b')).toContain('unknown target \\"nosuch\\"; configured: main-db');
    expect(byId('c')).toContain('days must be a whole number from 1 to 90, got \\"400\\"');
    expect(byId('d')).toContain('unknown subcommand \\"frobnicate\\"');
  });
});
