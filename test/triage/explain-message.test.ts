// /diag explain's answer as one neutral message, in Block Kit and in the terminal: one entry found
// by its code, two a query shares, a typo's closest entry, and runbook buttons only for runbooks
// the bot has (linking to runbooks.baseUrl when set).
import { describe, expect, it } from 'vitest';
import { findError } from '../../src/triage/explain/find-error.ts';
import { explainMessage } from '../../src/triage/explain/explain-message.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import type { Button } from '../../src/message/message.ts';
import { expectGoldenBoth } from '../render/render-both.ts';

const ALL = () => true;

describe('explain message', () => {
  it('one entry, found by its code (SQLSTATE 53300)', () => {
    expectGoldenBoth('diag-explain-code', (budget) => explainMessage('SQLSTATE 53300', findError('SQLSTATE 53300'), { budget, hasRunbook: ALL }));
  });

  it('two entries for one query (rate limit exceeded), with runbook links', () => {
    const runbookUrl = (id: string) => `https://git.example/ops/runbooks/${id}.md`;
    expectGoldenBoth('diag-explain-two', (budget) => explainMessage('rate limit exceeded', findError('rate limit exceeded'), { budget, hasRunbook: ALL, runbookUrl }));
  });

  it('the closest entry for a typo says it is the closest', () => {
    expectGoldenBoth('diag-explain-close', (budget) => explainMessage('dedlock detected', findError('dedlock detected'), { budget, hasRunbook: ALL }));
  });

  it('only runbooks the bot has get a button', () => {
    const message = explainMessage('ECONNREFUSED', findError('ECONNREFUSED'), { budget: SLACK_BUDGET, hasRunbook: (id) => id === 'redis-connection-problems' });
    const actions = message.blocks.filter((b): b is { type: 'actions'; buttons: Button[] } => b.type === 'actions');
    expect(actions.flatMap((a) => a.buttons.map((b) => b.intent))).toEqual([{ intent: 'runbook.open', runbook: 'redis-connection-problems' }]);
  });
});
