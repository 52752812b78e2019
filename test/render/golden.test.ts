// Every message kind of the reports, /diag all, digests and runbooks, as one neutral message
// rendered by both renderers (Slack Block Kit and the terminal), in golden files.
import { describe, expect, it } from 'vitest';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import { reportMessage } from '../../src/render/report-message.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { FIXTURES } from './fixtures.ts';
import { expectGoldenBoth } from './render-both.ts';

const runbookUrl = (id: string) => (id === 'postgres-connection-exhaustion' ? `https://runbooks.example.com/${id}.md` : undefined);

describe('golden files: reports', () => {
  for (const [name, report] of Object.entries(FIXTURES)) {
    it(`${name}: Block Kit under Slack's budget, the terminal with none`, () => {
      expectGoldenBoth(name, (budget) => reportMessage(report, { budget, runbookUrl, declareIncident: true }));
    });
  }

  it("the reports that fit Slack's budget are the same message without one", () => {
    for (const name of ['all-ok', 'mixed', 'special'] as const) {
      const options = { runbookUrl, declareIncident: true };
      expect(reportMessage(FIXTURES[name], { budget: SLACK_BUDGET, ...options }), name).toEqual(reportMessage(FIXTURES[name], { budget: UNLIMITED_BUDGET, ...options }));
    }
  });
});
