// A report's Runbook button: the runbook, privately to the presser. A button with the runbook's
// URL opens it in the browser instead; its press carries no value and asks nothing of the bot.
import { cutText } from '../../render/cut-text.ts';
import { runbookMessage } from '../../runbooks/runbook-message.ts';
import { runChecksOffer } from '../../runbooks/runbook-check-plan.ts';
import { SLACK_BUDGET } from '../slack-budget.ts';
import type { InteractionFamily } from './interaction.ts';

const DAY = 24 * 3600_000;

export const RUNBOOK_INTERACTIONS = {
  'runbook.open': {
    intent: 'runbook.open',
    actionId: 'runbook:open',
    encode: (i) => ({ actionId: 'runbook:open', value: i.runbook }),
    decode: (value, _actionId, context) => {
      if (!context.runbooks.byId.has(value)) {
        const known = [...context.runbooks.byId.keys()].slice(0, 20).join(', ') || 'none';
        return { ok: false, problem: `unknown runbook ${JSON.stringify(cutText(value, 60))} (known: ${known}): use /runbook` };
      }
      return { ok: true, intent: { intent: 'runbook.open', runbook: value } };
    },
    ttlMs: 31 * DAY,
    fresh: 'use /runbook',
    linkWithoutValue: true,
    async handle(intent, _press, edge) {
      // Opened from a report, it offers Run checks as /runbook <id> does.
      const runbook = edge.services.runbooks.byId.get(intent.runbook)!;
      const runChecks = runChecksOffer(runbook, edge.services.config.targets);
      await edge.answer(runbookMessage(runbook, { budget: SLACK_BUDGET, ...(runChecks && { runChecks }) }));
    },
  },
} satisfies InteractionFamily;
