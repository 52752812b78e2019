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
  evidence: [{ check: 'postgres.connections', confirms: 'warn' }, { check: 'postgres.idle_in_transaction', confirms: 'warn' }],
  manual: [],
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

// Long and full of what Slack escapes: code blocks of <, > and &, a code block and a paragraph each
// longer than a section.
const sentence = (i: number) => `Step ${i} holds when a && b < c > d, so check it before going on. `;
const heavy: Runbook = {
  ...runbook,
  id: 'heavy',
  body: [
    ...Array.from({ length: 40 }, (_, i) =>
      [`## Step ${i}`, '', `${sentence(i)}${sentence(i)}`.replace(/ so /, '\nso '), '', '```sh', ...Array.from({ length: 12 }, (_, j) => `test "$(cat /tmp/${i}.${j})" -lt 3 && echo '<&>' > /dev/null`), '```'].join('\n'),
    ),
    ['## Everything', '', '```', ...Array.from({ length: 150 }, (_, j) => `line ${j} of one long block: a < b && c > d`), '```'].join('\n'),
    ['## One paragraph', '', Array.from({ length: 60 }, (_, i) => sentence(i)).join('\n')].join('\n'),
  ].join('\n\n'),
};
/** Slack's limit per section with every section shown. */
const ALL_SECTIONS = { ...SLACK_BUDGET, maxBlocks: Infinity, maxMessageText: Infinity };

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

  it("a long body full of escapes and code is cut between whole sections, each within Slack's limits, no escape or code block broken", () => {
    for (const budget of [SLACK_BUDGET, ALL_SECTIONS]) {
      const sections = (renderMessage(runbookMessage(heavy, { budget }), encodeIntent).blocks as Block[]).filter((b) => b.type === 'section').map(textOf);
      for (const s of sections) {
        expect(s.length).toBeLessThanOrEqual(MAX_SECTION_TEXT);
        // The renderer had nothing to cut: the sections were made to fit.
        expect(s.endsWith('…')).toBe(false);
        expect((s.match(/```/g)?.length ?? 0) % 2, s).toBe(0);
        expect(s).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(s).not.toMatch(/[<>]/);
      }
    }
    const all = (renderMessage(runbookMessage(heavy, { budget: ALL_SECTIONS }), encodeIntent).blocks as Block[]).filter((b) => b.type === 'section').map(textOf);
    const shown = all.join('\n');
    // The block longer than a section is in several closed blocks, every line kept.
    for (let j = 0; j < 150; j += 1) expect(shown).toContain(`line ${j} of one long block: a &lt; b &amp;&amp; c &gt; d`);
    // The paragraph longer than a section is cut after a sentence, its sentences each whole on one line.
    const paragraph = all.flatMap((s) => s.split('\n')).filter((l) => l.startsWith('Step ') && l.length > 1000);
    expect(paragraph.length).toBeGreaterThan(1);
    for (const l of paragraph) expect(l).toMatch(/before going on\.$/);
    for (let i = 0; i < 60; i += 1) expect(shown).toContain(`Step ${i} holds when a &amp;&amp; b &lt; c &gt; d, so check it before going on.`);
    const slack = renderMessage(runbookMessage(heavy, { budget: SLACK_BUDGET }), encodeIntent).blocks as Block[];
    expect(slack.map(textOf).join('').length).toBeLessThanOrEqual(MAX_MESSAGE_TEXT);
    expect(textOf(slack.at(-1)!)).toMatch(/^\d+ more parts not shown: see runbooks\/heavy\.md$/);
  });

  it('a long body is whole in the terminal', () => {
    const text = renderTerminal(runbookMessage(long, { budget: UNLIMITED_BUDGET }), { color: false });
    // Headings lose their ## and the hard-wrapped lines of a paragraph are one line.
    for (const l of long.body.split('\n')) expect(text).toContain(l.replace(/^## /, ''));
    expect(text).toContain(`Line 1: ${'w'.repeat(80)} Line 2: `);
    expect(text).not.toContain('not shown');
  });
});
