// One neutral message, as each transport shows it: Slack's Block Kit (as JSON, for golden files)
// and the terminal's text.
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import type { Message } from '../../src/message/message.ts';
import { UNLIMITED_BUDGET, type Budget } from '../../src/message/budget.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { expectGolden } from './golden.ts';

/**
 * Golden files `<name>.json` (Block Kit) and `<name>.txt` (terminal, no colour) of the same message.
 * A producer that fits a budget is given as a function of it: Slack's file is built under
 * SLACK_BUDGET and the terminal's with no budget, as each transport really shows it.
 */
export function expectGoldenBoth(name: string, message: Message | ((budget: Budget) => Message)): void {
  const forSlack = typeof message === 'function' ? message(SLACK_BUDGET) : message;
  const forTerminal = typeof message === 'function' ? message(UNLIMITED_BUDGET) : message;
  expectGolden(`${name}.json`, `${JSON.stringify(renderMessage(forSlack, encodeIntent), null, 2)}\n`);
  expectGolden(`${name}.txt`, renderTerminal(forTerminal, { color: false }));
}
