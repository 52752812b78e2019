// A digest's Details button: the stored report of that target, in the digest's thread.
import { describeErrorLine } from '../../answer-error.ts';
import { errorMessage, simpleMessage } from '../../message/message.ts';
import { cutText } from '../../render/cut-text.ts';
import { reportMessage } from '../../render/report-message.ts';
import { SLACK_BUDGET } from '../slack-budget.ts';
import type { InteractionFamily } from './interaction.ts';

const DAY = 24 * 3600_000;

export const DIGEST_INTERACTIONS = {
  'digest.details': {
    intent: 'digest.details',
    actionId: 'digest:details',
    encode: (i) => ({ actionId: 'digest:details', value: String(i.report) }),
    decode: (value) => {
      if (!/^[1-9]\d{0,15}$/.test(value)) return { ok: false, problem: `This Details button is not valid (report id ${JSON.stringify(cutText(value, 30))}): use /digest history` };
      return { ok: true, intent: { intent: 'digest.details', report: Number(value) } };
    },
    // As long as the report is kept (history.retentionDays is at most 30 here; older is refused
    // with "no longer stored" anyway).
    ttlMs: 31 * DAY,
    fresh: 'use /digest history',
    async handle(intent, press, edge) {
      try {
        const report = await edge.services.history.byId(intent.report);
        if (!report) {
          await edge.answer(simpleMessage('That report is no longer stored (older than history.retentionDays).'));
          return;
        }
        // The digest itself, or the thread the button sits in.
        await edge.post(press.channel, reportMessage(report, { budget: SLACK_BUDGET, remedyButtons: false, secrets: edge.services.secrets }), press.threadTs);
      } catch (error) {
        const text = describeErrorLine(error, edge.services.log, { action: press.actionId, user: press.user });
        await edge.answer(errorMessage(text)).catch(() => undefined);
      }
    },
  },
} satisfies InteractionFamily;
