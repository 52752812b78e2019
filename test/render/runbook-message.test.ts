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

// Written as people write runbooks: hard-wrapped at 100 columns, a numbered list with a nested
// one, a fenced block, inline code, a table and a link.
const wrapped: Runbook = {
  ...runbook,
  id: 'postgres-locks',
  title: 'PostgreSQL lock contention',
  summary: 'Queries wait on locks held by another session.',
  symptoms: ['Requests hang, then time out'],
  checks: ['postgres.blocking_locks'],
  body: [
    '## Confirm',
    '',
    '`postgres.blocking_locks` warns when any session waits on another (or after 1 minute of',
    'waiting) and goes critical at 2 minutes. The [PostgreSQL manual](https://www.postgresql.org/docs/current/explicit-locking.html)',
    'explains each lock mode & which modes conflict.',
    '',
    '```sql',
    'SELECT pid, state, left(query, 80) AS query',
    'FROM pg_stat_activity',
    "WHERE wait_event_type = 'Lock';  -- waiting <now>",
    '```',
    '',
    '| wait event | usual cause | look at |',
    '|---|---|--:|',
    '| `Lock` | a blocker holding **row** locks | `pg_locks` |',
    '| `LWLock` | contention inside the server | CPU |',
    '',
    '## Fix',
    '',
    '1. **Remove the head of the chain, not the waiters.** Press **Cancel** when the blocker is',
    '   running a statement:',
    '   - `idle in transaction`: cancelling does nothing, press **Terminate**, which rolls back',
    '     its transaction and releases every lock it holds.',
    '   - a migration: cancel it, then rerun it with `SET lock_timeout = \'5s\';`.',
    '2. Make clients retry on SQLSTATE `40P01`.',
    '',
    '- Keep transactions short.',
    '- Build indexes with `CREATE INDEX CONCURRENTLY`.',
  ].join('\n'),
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

  it('golden: a hard-wrapped runbook with a nested list, code, a table and a link, in Block Kit and in the terminal', () => {
    expectGoldenBoth('runbook-markdown', (budget) => runbookMessage(wrapped, { budget }));
  });

  it('joins hard-wrapped lines: a sentence is one line in Slack and in the terminal', () => {
    const slack = renderMessage(runbookMessage(wrapped, { budget: SLACK_BUDGET }), encodeIntent).blocks.map((b) => textOf(b as Block)).join('\n');
    const terminal = renderTerminal(runbookMessage(wrapped, { budget: UNLIMITED_BUDGET }), { color: false });
    for (const shown of [slack, terminal]) {
      expect(shown).toMatch(/\(or after 1 minute of waiting\) and goes critical/);
      expect(shown).toMatch(/cancelling does nothing, press \*?Terminate\*?, which rolls back its transaction/);
      expect(shown).not.toMatch(/minute of\n|rolls back\n/);
    }
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
    // Headings lose their ## and the hard-wrapped lines of a paragraph are one line.
    for (const l of long.body.split('\n')) expect(text).toContain(l.replace(/^## /, ''));
    expect(text).toContain(`Line 1: ${'w'.repeat(80)} Line 2: `);
    expect(text).not.toContain('not shown');
  });
});
