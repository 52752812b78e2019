// A runbook as one neutral message: golden files in Block Kit and in the terminal, Slack's limits
// for a very long one, and the whole body in the terminal.
import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import type { Runbook } from '../../src/runbooks/runbook.ts';
import { runbookMessage } from '../../src/runbooks/runbook-message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { MAX_BLOCKS, MAX_MESSAGE_TEXT, MAX_SECTION_TEXT, SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { expectGoldenBoth } from './render-both.ts';

const runbook: Runbook = {
  id: 'postgres-connection-exhaustion',
  title: 'PostgreSQL connection slots running out',
  summary: 'The server is close to max_connections & new clients are refused.',
  severityHint: 'crit',
  symptoms: ['New connections fail with "sorry, too many clients already"', 'Many sessions sit in <idle in transaction>'],
  checks: ['postgres.connections', 'postgres.idle_in_transaction'],
  remedies: [],
  body: [
    '## Confirm',
    '',
    'The **connections** finding warns at 80%. See [the docs](https://www.postgresql.org/docs/current/runtime-config-connection.html).',
    '',
    '```sql',
    'SELECT state, count(*) FROM pg_stat_activity GROUP BY 1;',
    '```',
    '',
    '- Kill the idle ones',
    '- Put a pooler in front',
  ].join('\n'),
  file: 'runbooks/postgres-connection-exhaustion.md',
};

const long: Runbook = {
  ...runbook,
  id: 'long',
  body: Array.from({ length: 3000 }, (_, i) => (i % 40 === 0 ? `## Step ${i / 40}` : `Line ${i}: ${'w'.repeat(80)}`)).join('\n'),
};

type Block = { type: string; text?: { text: string }; elements?: Array<{ text: string }> };
const textOf = (b: Block) => b.text?.text ?? b.elements?.map((e) => e.text).join(' ') ?? '';

describe('runbook message', () => {
  it("golden: under Slack's budget, in Block Kit and in the terminal", () => {
    expectGoldenBoth('runbook', (budget) => runbookMessage(runbook, { budget }));
  });

  it('is the same message with no budget when it fits', () => {
    expect(runbookMessage(runbook, { budget: SLACK_BUDGET })).toEqual(runbookMessage(runbook, { budget: UNLIMITED_BUDGET }));
  });

  it("a long body stays within Slack's limits and says where the rest is", () => {
    const blocks = renderMessage(runbookMessage(long, { budget: SLACK_BUDGET }), encodeIntent).blocks as Block[];
    expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
    for (const b of blocks) expect(textOf(b).length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    // Slack refuses a message whose blocks hold much more than 10,000 characters in all.
    expect(blocks.map(textOf).join('').length).toBeLessThanOrEqual(MAX_MESSAGE_TEXT);
    expect(textOf(blocks.at(-1)!)).toMatch(/^\d+ more parts not shown: see runbooks\/long\.md$/);
    // The parts shown are whole: the cut is between parts, and says so.
    expect(blocks.filter((b) => b.type === 'section').map(textOf).join('\n')).toContain('*Step 0*');
  });

  it('a long body is whole in the terminal', () => {
    const text = renderTerminal(runbookMessage(long, { budget: UNLIMITED_BUDGET }), { color: false });
    for (const l of long.body.split('\n')) expect(text).toContain(l);
    expect(text).not.toContain('not shown');
  });
});
