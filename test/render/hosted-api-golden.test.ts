// One report per hosted-API kind (Stripe, OpenAI, SendGrid) as /diag shows it: Slack's Block Kit
// under its budget and the terminal with none, in golden files. The reports are the kinds' real
// findings (hosted-api-fixtures.ts): the disabled endpoint's button, runbooks, multi-line details.
import { describe, expect, it } from 'vitest';
import { reportMessage } from '../../src/render/report-message.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { HOSTED_API_FIXTURES, stripeReport } from './hosted-api-fixtures.ts';
import { expectGoldenBoth } from './render-both.ts';

describe('golden files: hosted-API reports', () => {
  for (const [name, report] of Object.entries(HOSTED_API_FIXTURES)) {
    it(`${name}: Block Kit under Slack's budget, the terminal with none`, () => {
      expectGoldenBoth(name, (budget) => reportMessage(report, { budget, declareIncident: true }));
    });
  }

  it('the disabled Stripe endpoint keeps its Re-enable button in Slack, carrying the endpoint id', () => {
    const blocks = JSON.stringify(renderMessage(reportMessage(stripeReport, { budget: SLACK_BUDGET, declareIncident: true }), encodeIntent));
    expect(blocks).toContain('Re-enable webhook endpoint');
    expect(blocks).toContain('we_1Dis');
  });
});
