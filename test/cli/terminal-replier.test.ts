// The terminal replier: the answer on stdout, "working on it" on stderr, every configured secret
// masked, and Block Kit (which only Slack can show) refused by name.
import { describe, expect, it } from 'vitest';
import { createTerminalReplier } from '../../src/cli/terminal-replier.ts';
import { UNLIMITED_BUDGET } from '../../src/message/budget.ts';
import { progressMessage, simpleMessage, strong, user } from '../../src/message/message.ts';

const SECRET = 'hunter2-terminal-secret';

function terminal() {
  const out: string[] = [];
  const err: string[] = [];
  const reply = createTerminalReplier({ stdout: { write: (t) => void out.push(t) }, stderr: { write: (t) => void err.push(t) }, color: false, secrets: [SECRET] });
  return { reply, out, err };
}

describe('the terminal replier', () => {
  it('prints progress on stderr and the message that replaces it, and the replies under it, on stdout', async () => {
    const { reply, out, err } = terminal();
    expect(reply.source).toBe('cli');
    expect(reply.budget).toBe(UNLIMITED_BUDGET);
    const posted = await reply.post(progressMessage('Running postgres diagnostics on ', strong('main-db'), '…'));
    await posted.update(progressMessage('Running… 1/2 done'));
    await posted.update(simpleMessage('the answer for ', user('U0ALICE')));
    await posted.reply(simpleMessage('a detail'));
    await reply.ephemeral(simpleMessage('only for you'));
    expect(err).toEqual(['… Running postgres diagnostics on main-db…\n', '… Running… 1/2 done\n']);
    expect(out).toEqual(['the answer for @U0ALICE\n', 'a detail\n', 'only for you\n']);
  });

  it('masks every configured secret in what it prints', async () => {
    const { reply, out } = terminal();
    await reply.ephemeral(simpleMessage(`password=${SECRET} in a finding`));
    expect(out.join('')).not.toContain(SECRET.slice(0, 8));
  });
});
