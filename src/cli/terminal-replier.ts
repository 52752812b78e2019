// A command's answers on a terminal: every message rendered by renderTerminal and masked with the
// configured secrets. The answer goes to stdout; a "working on it" message (a progress message,
// later replaced by the result) goes to stderr, so stdout holds only the answer. A message posted
// and later replaced is printed again; replies follow below.
import type { Message as NeutralMessage } from '../message/message.ts';
import { UNLIMITED_BUDGET } from '../message/budget.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import type { Message, PostedMessage, Replier } from '../slash-command.ts';
import { renderTerminal } from './render-terminal.ts';

export interface TerminalOutput {
  write(text: string): void;
}

export interface TerminalReplierOptions {
  stdout: TerminalOutput;
  stderr: TerminalOutput;
  color: boolean;
  /** Configured secrets (configSecrets): masked in everything printed. */
  secrets: readonly string[];
}

export function createTerminalReplier(options: TerminalReplierOptions): Replier {
  const print = (message: Message) => {
    const text = maskSecrets(renderTerminal(message, { color: options.color }), options.secrets, Infinity);
    (isProgress(message) ? options.stderr : options.stdout).write(text);
  };
  const posted: PostedMessage = {
    async update(message) {
      print(message);
    },
    async reply(message) {
      print(message);
    },
  };
  return {
    source: 'cli',
    budget: UNLIMITED_BUDGET,
    async ephemeral(message) {
      print(message);
    },
    async post(message) {
      print(message);
      return posted;
    },
  };
}

/** A progress message leads with the progress icon (progressMessage). */
function isProgress(message: NeutralMessage): boolean {
  const first = message.notification[0];
  return first?.type === 'icon' && first.icon === 'progress';
}

