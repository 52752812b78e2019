// The account's sender reputation (GET /v3/user/account): SendGrid's 0-100 score built from the
// account's bounces, blocks, spam reports and invalid addresses. Below 95 a warning, below 80
// critical by default: SendGrid throttles or reviews accounts whose reputation keeps falling.
import { z } from 'zod';
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { statusBelow } from '../../finding-for.ts';
import { failedCall, finding, lackingScope, type SendgridContext } from '../check-context.ts';
import { shownText } from '../shown-text.ts';

const LABEL = 'Sender reputation';

/** SendGrid's score is 0-100; anything else is not its answer. The type ("free", "paid") is shown. */
const accountSchema = z.object({ type: z.string().transform((s) => shownText(s, 40)), reputation: z.number().min(0).max(100) });

export async function checkReputation(ctx: SendgridContext, t: Thresholds): Promise<Finding[]> {
  const lacking = lackingScope(ctx, 'reputation', LABEL);
  if (lacking) return [lacking];
  const res = await ctx.api.getJson('v3/user/account', accountSchema);
  if (!res.ok) return [failedCall('reputation', LABEL, res.failure, 'user.account.read')];
  const { type, reputation } = res.data;
  const status = statusBelow(reputation, t);
  const value = `Sender reputation ${Number(reputation.toFixed(1))}% (${type} account)`;
  const title = status === 'ok' ? value : `${value}: below ${status === 'crit' ? t.crit : t.warn}%`;
  return [
    finding('reputation', status, title, {
      metrics: { reputation },
      ...(status !== 'ok' && {
        fix: 'the score falls with bounces, blocks, spam reports and invalid addresses: read sendgrid.delivery and sendgrid.spam_reports, and stop the send that causes them (an imported list, a broken signup form). It recovers over days of clean sending; if it keeps falling or sending is throttled, open a SendGrid support case.',
      }),
    }),
  ];
}
