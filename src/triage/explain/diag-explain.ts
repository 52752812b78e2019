// `/diag explain <error code or message>` (and `chatops diag explain ...`): the error reference
// searched for what was pasted, answered to the one who asked; nothing is run, nothing audited.
import { maskSecrets } from '../../security/mask-secrets.ts';
import type { CommandInvocation, CommandOutcome } from '../../slash-command.ts';
import { UserError } from '../../user-error.ts';
import { explainMessage } from './explain-message.ts';
import type { ErrorReference } from './error-codes.ts';
import { exactOnlyQuery, findError, sameClassCodes, suggestErrors } from './find-error.ts';

export const EXPLAIN_USAGE = 'diag explain <error code or message>';
const EXAMPLES = 'ECONNREFUSED, 53300, HTTP 504, exit code 137, deadlock detected, card_declined, CrashLoopBackOff';

export async function diagExplain({ reply, services }: CommandInvocation, query: string): Promise<CommandOutcome> {
  const asked = query.trim();
  if (asked === '') throw new UserError(`name an error code or message: ${EXPLAIN_USAGE}, e.g. ${EXAMPLES}`);
  // A pasted log line may carry a password or a token: the answer quotes it masked.
  const shown = maskSecrets(asked, services.secrets);
  const matches = findError(asked);
  if (matches.length === 0) {
    const quoted = shown.length > 80 ? `${shown.slice(0, 79)}…` : shown;
    const named = (e: ErrorReference) => (e.codes[0] === undefined ? e.name : `${e.codes[0]} (${e.name})`);
    // A number or a SQLSTATE one character off is another code, not a typo: say it is missing, and
    // name only the codes of its SQLSTATE class.
    const sameClass = sameClassCodes(asked);
    if (sameClass !== undefined || exactOnlyQuery(asked) !== undefined) {
      const related = sameClass && sameClass.entries.length > 0 ? `; other codes of SQLSTATE class ${sameClass.sqlClass} in it: ${sameClass.entries.map(named).join(', ')}` : '';
      throw new UserError(`the code "${quoted}" is not in the error reference${related}. Look it up in the documentation of what reported it, or give words of the message, e.g. ${EXAMPLES}`);
    }
    const near = suggestErrors(asked).map(named);
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
