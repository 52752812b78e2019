// One neutral message, as each transport shows it: Slack's Block Kit (as JSON, for golden files)
// and the terminal's text.
import { renderTerminal } from '../../src/cli/render-terminal.ts';
import type { Message } from '../../src/message/message.ts';
import { encodeIntent } from '../../src/slack/encode-intent.ts';
import { renderMessage } from '../../src/slack/render-message.ts';
import { expectGolden } from './golden.ts';

/** Golden files `<name>.json` (Block Kit) and `<name>.txt` (terminal, no colour) of the same message. */
export function expectGoldenBoth(name: string, message: Message): void {
  expectGolden(`${name}.json`, `${JSON.stringify(renderMessage(message, encodeIntent), null, 2)}\n`);
  expectGolden(`${name}.txt`, renderTerminal(message, { color: false }));
}
