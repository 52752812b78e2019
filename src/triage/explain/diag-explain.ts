// `/diag explain <error code or message>` (and `chatops diag explain ...`): the error reference
// searched for what was pasted, answered to the one who asked; nothing is run, nothing audited.
import { maskSecrets } from '../../security/mask-secrets.ts';
import type { CommandInvocation, CommandOutcome } from '../../slash-command.ts';
import { UserError } from '../../user-error.ts';
import { explainMessage } from './explain-message.ts';
import { findError, suggestErrors } from './find-error.ts';

export const EXPLAIN_USAGE = 'diag explain <error code or message>';
const EXAMPLES = 'ECONNREFUSED, 53300, HTTP 504, exit code 137, deadlock detected, card_declined, CrashLoopBackOff';

export async function diagExplain({ reply, services }: CommandInvocation, query: string): Promise<CommandOutcome> {
  const asked = query.trim();
  if (asked === '') throw new UserError(`name an error code or message: ${EXPLAIN_USAGE}, e.g. ${EXAMPLES}`);
  // A pasted log line may carry a password or a token: the answer quotes it masked.
  const shown = maskSecrets(asked, services.secrets);
  const matches = findError(asked);
  if (matches.length === 0) {
    const near = suggestErrors(asked).map((e) => (e.codes[0] === undefined ? e.name : `${e.codes[0]} (${e.name})`));
    const quoted = shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
    throw new UserError(`nothing in the error reference matches "${quoted}"${near.length ? `; closest: ${near.join(', ')}` : ''}. Give a code or words of the message, e.g. ${EXAMPLES}`);
  }
  const base = services.config.runbooks.baseUrl;
  await reply.ephemeral(explainMessage(shown, matches, {
    budget: reply.budget,
    hasRunbook: (id) => services.runbooks.byId.has(id),
    runbookUrl: (id) => (base && services.runbooks.byId.has(id) ? `${base.replace(/\/$/, '')}/${id}.md` : undefined),
  }));
  return { status: 'ok' };
}
