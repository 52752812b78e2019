// One neutral message, as each transport shows it: Slack's Block Kit (as JSON, for golden files),
// the terminal's text and the playground page's HTML.
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import type { Message } from '../../src/message/message.ts';
import { UNLIMITED_BUDGET, type Budget } from '../../src/message/budget.ts';
import { SLACK_BUDGET } from '../../src/slack/slack-budget.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { buttonsInOrder } from '../../src/playground/buttons-in-order.ts';
import { renderMessageHtml } from '../../src/playground/render-html.ts';
import { expectGolden } from './golden.ts';

/**
 * Golden files `<name>.json` (Block Kit), `<name>.txt` (terminal, no colour) and `<name>.html` (the
 * playground's page) of the same message. A producer that fits a budget is given as a function of
 * it: Slack's file is built under SLACK_BUDGET, the terminal's and the page's with no budget, as
 * each transport really shows it.
 */
export function expectGoldenBoth(name: string, message: Message | ((budget: Budget) => Message)): void {
  const forSlack = typeof message === 'function' ? message(SLACK_BUDGET) : message;
  const forTerminal = typeof message === 'function' ? message(UNLIMITED_BUDGET) : message;
  expectGolden(`${name}.json`, `${JSON.stringify(renderMessage(forSlack, encodeIntent), null, 2)}\n`);
  expectGolden(`${name}.txt`, renderTerminal(forTerminal, { color: false }));
  expectGoldenHtml(name, forTerminal);
}

/** Golden file `<name>.html`: the message (built with no budget) as the playground's page shows it. */
export function expectGoldenHtml(name: string, message: Message): void {
  expectGolden(`${name}.html`, `${renderMessageHtml(asPlayground(message), { people: PEOPLE, viewer: 'U0PLAY' })}\n`);
}

const PEOPLE: ReadonlyMap<string, string> = new Map([['U0PLAY', 'you']]);

/** The message as the playground keeps it, posted in #ops at a fixed time. */
function asPlayground(message: Message) {
  const buttons = buttonsInOrder(message).map((b) => (b.intent ? encodeIntent(b.intent) : { actionId: 'link' }));
  return { ts: '1764670000.000100', channel: 'C0OPS', message, buttons, nonce: 'golden', postedAt: '2026-12-02T10:00:00.000Z' };
}
