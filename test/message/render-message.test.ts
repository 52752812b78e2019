// The neutral message model through both renderers: Block Kit for Slack, text for a terminal.
import { describe, expect, it } from 'vitest';
import { renderMessage } from '../../src/slack/render-message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderTerminal, terminalLine } from '../../src/cli/render-terminal.ts';
import { maskMessage } from '../../src/message/mask-message.ts';
import { UserError } from '../../src/user-error.ts';
import { code, command, context, date, errorMessage, group, header, icon, line, progressMessage, simpleMessage, strong, plainText, text, user, type Message } from '../../src/message/message.ts';
import { MAX_SECTION_TEXT } from '../../src/slack/slack-budget.ts';

const message: Message = {
  notification: [icon('crit'), { type: 'text', text: ' db <main> & co' }],
  blocks: [
    header('db-main (postgres): CRIT', 'crit'),
    context('in 12 ms · ', date('2026-12-01T10:00:00.000Z', 'datetime-secs')),
    {
      type: 'section',
      paragraphs: [line(icon('crit', 'strong'), strong(' Lock held by <@U1> *pid* 42')), { type: 'code', lines: ['select ```1```', '<!channel>'] }, line({ type: 'text', text: '2 more lines', style: 'em' })],
    },
    {
      type: 'actions',
      buttons: [
        { label: 'Terminate pid 42', style: 'danger', intent: { intent: 'remedy', action: 'postgres.terminate_backend', params: { pid: 42 }, target: 'db-main' }, confirm: { title: 'Terminate?', text: 'Ends pid 42', ok: 'Run it', deny: 'Cancel' } },
        { label: 'Terminate pid 43', intent: { intent: 'remedy', action: 'postgres.terminate_backend', params: { pid: 43 }, target: 'db-main' } },
        { label: 'Too big', intent: { intent: 'remedy', action: 'postgres.terminate_backend', params: { q: 'x'.repeat(2000) }, target: 'db-main' } },
        { label: 'Runbook', icon: 'book', intent: { intent: 'runbook.open', runbook: 'postgres-locks' } },
      ],
    },
    { type: 'section', paragraphs: [line('asked by ', user('U123ABC'), ' and ', group('S99'), ' (not an id: ', user('bob>'), ')')] },
  ],
};

describe('the Slack renderer', () => {
  const out = renderMessage(message, encodeIntent);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Block Kit JSON, read by path
  const blocks = out.blocks as Array<Record<string, any>>;

  it('escapes text, groups one style in one pair of markers and writes mentions, dates and emoji', () => {
    expect(out.text).toBe(':red_circle: db &lt;main&gt; &amp; co');
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':red_circle: db-main (postgres): CRIT', emoji: true } });
    expect(blocks[1]!.elements[0].text).toBe('in 12 ms · <!date^1796119200^{date_short_pretty} {time_secs}|2026-12-01T10:00:00.000Z>');
    expect(blocks[2]!.text.text).toBe('*:red_circle: Lock held by &lt;@U1&gt; *pid* 42*\n```\nselect `\u200b`\u200b`1`\u200b`\u200b`\n&lt;!channel&gt;\n```\n_2 more lines_');
    expect(blocks[4]!.text.text).toBe('asked by <@U123ABC> and <!subteam^S99> (not an id: @bob&gt;)');
  });

  it('gives repeated action ids a number, drops a button whose value cannot fit, and keeps the confirm words', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Block Kit JSON, read by path
    const buttons = blocks[3]!.elements as Array<Record<string, any>>;
    expect(buttons.map((b) => b.action_id)).toEqual(['remedy:postgres.terminate_backend', 'remedy:postgres.terminate_backend:2', 'runbook:open']);
    expect(JSON.parse(buttons[0]!.value)).toEqual({ action: 'postgres.terminate_backend', params: { pid: 42 }, target: 'db-main' });
    expect(buttons[0]!.confirm).toMatchObject({ title: { text: 'Terminate?' }, text: { text: 'Ends pid 42' }, style: 'danger' });
    expect(buttons[2]).toMatchObject({ value: 'postgres-locks', text: { text: ':book: Runbook' } });
  });
});

describe('the terminal renderer', () => {
  it('writes status tags, indents what belongs to a finding, and says what each button would do', () => {
    const text = renderTerminal(message, { color: false });
    expect(text).toBe(
      [
        '[CRIT]    db-main (postgres): CRIT',
        '          in 12 ms · 2026-12-01 10:00:00 UTC',
        '',
        '[CRIT]    Lock held by <@U1> *pid* 42',
        '          select ```1```',
        '          <!channel>',
        '          2 more lines',
        '          action: Terminate pid 42 (postgres.terminate_backend pid=42)',
        '          action: Terminate pid 43 (postgres.terminate_backend pid=43)',
        `          action: Too big (postgres.terminate_backend q=${'x'.repeat(59)}…)`,
        '          runbook: postgres-locks',
        '',
        'asked by @U123ABC and @S99 (not an id: @bob>)',
        '',
      ].join('\n'),
    );
  });

  it('never lets a control character reach the terminal', () => {
    const text = renderTerminal({ notification: [], blocks: [{ type: 'section', paragraphs: [line('a\u001b[31mred\u0007')] }] }, { color: false });
    expect(text).toBe('a[31mred\n');
  });
});

describe('errors and long text in Block Kit', () => {
  const sectionText = (m: Message) => (renderMessage(m, encodeIntent).blocks[0] as { text: { text: string } }).text.text;

  it('escapes error words, which come from exceptions and users, and names people only from their ids', () => {
    expect(renderMessage(errorMessage('unknown target "<!channel>" & more'), encodeIntent).text).toBe(':x: unknown target "&lt;!channel&gt;" &amp; more');
    expect(sectionText(errorMessage([text('already acknowledged by '), user('U0ALICE')]))).toBe(':x: already acknowledged by <@U0ALICE>');
    expect(sectionText(progressMessage('running ', strong('db-main')))).toBe(':hourglass_flowing_sand: running *db-main*');
  });

  it('keeps a section inside the limit without half an escape, half a mention or an open code block', () => {
    const amp = sectionText(errorMessage('&'.repeat(10_000)));
    expect(amp.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    expect(amp.endsWith('…')).toBe(true);
    expect(amp).not.toMatch(/&(?!amp;)/);
    const mentions = sectionText(simpleMessage(...Array.from({ length: 400 }, () => user('U0ALICE12'))));
    expect(mentions.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    expect(mentions).toMatch(/^(<@U0ALICE12>)+…$/);
    const fenced = sectionText({ notification: [], blocks: [{ type: 'section', paragraphs: [{ type: 'code', lines: Array.from({ length: 500 }, (_, i) => `line ${i}`) }] }] });
    expect(fenced.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    expect(fenced.match(/```/g)).toHaveLength(2);
    expect(fenced.endsWith('\n```')).toBe(true);
  });
});

describe('a reference to a command', () => {
  const l = [text('use '), command('digest', 'history <target> [days]'), text(' or '), command('oncall'), text('; not '), code('/x')];

  it('is the slash command, as code, in Slack (escaped like the other words) and chatops <command> in a terminal', () => {
    expect(renderMessage(simpleMessage(...l), encodeIntent).text).toBe('use `/digest history &lt;target&gt; [days]` or `/oncall`; not `/x`');
    expect(renderTerminal(simpleMessage(...l), { color: false })).toBe('use chatops digest history <target> [days] or chatops oncall; not /x\n');
    expect(terminalLine(l, { color: false })).toBe('use chatops digest history <target> [days] or chatops oncall; not /x');
  });

  it('reads as the slash command in plain words, is kept as it is by masking, and carries no empty words', () => {
    expect(plainText(l)).toBe('use /digest history <target> [days] or /oncall; not /x');
    expect(command('oncall')).toEqual({ type: 'command', name: 'oncall' });
    const masked = maskMessage(simpleMessage(...l), ['oncall']);
    expect(masked.notification[3]).toEqual({ type: 'command', name: 'oncall' });
    expect(new UserError(l).message).toBe('use /digest history <target> [days] or /oncall; not /x');
  });
});
