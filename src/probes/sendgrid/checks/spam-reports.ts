// Spam reports over the last day (yesterday and today, UTC, from /v3/stats): reports / delivered,
// judged against 0.1% / 0.3% by default (the bulk-sender limits Gmail and Yahoo publish). Below a
// minimum of delivered messages the rate is not judged unless the reports alone are too many
// (judge-rate.ts). SendGrid counts only the
// complaints receivers feed back (Yahoo, Microsoft, ...); Gmail's are in Postmaster Tools.
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { formatCount } from '../../format.ts';
import { failedCall, finding, lackingScope, type SendgridContext } from '../check-context.ts';
import { formatRate } from '../format-rate.ts';
import { judgeRate, recovered } from '../judge-rate.ts';

const LABEL = 'Spam reports';

export async function checkSpamReports(ctx: SendgridContext, t: Thresholds): Promise<Finding[]> {
  const lacking = lackingScope(ctx, 'spam_reports', LABEL);
  if (lacking) return [lacking];
  const stats = await ctx.stats();
  if (!stats.ok) return [failedCall('spam_reports', LABEL, stats.failure, 'stats.read')];
  const s = stats.totals;
  const since = `since ${stats.from} 00:00 UTC`;
  const counts = { delivered: s.delivered, spam_reports: s.spam_reports };
  const today = stats.today && { part: stats.today.spam_reports, whole: stats.today.delivered };
  const judged = judgeRate({ part: s.spam_reports, whole: s.delivered }, today, ctx.minRequests, t);
  if (!judged.judged) {
    return [
      finding('spam_reports', 'ok', `Too few delivered to judge spam reports: ${formatCount(s.delivered)} ${since} (judged from ${formatCount(ctx.minRequests)})`, {
        detail: `${formatCount(s.spam_reports)} spam reports.`,
        metrics: counts,
      }),
    ];
  }
  const { status, pct, todayPct } = judged;
  const rate =
    pct === undefined
      ? `${formatCount(s.spam_reports)} spam reports and nothing delivered ${since}`
      : `Spam reports ${formatRate(pct)} (${formatCount(s.spam_reports)} of ${formatCount(s.delivered)} delivered ${since})`;
  const title = status === 'ok' ? rate : `${rate}: above ${status === 'crit' ? t.crit : t.warn}%`;
  return [
    finding('spam_reports', status, title, {
      detail: [
        ...(todayPct === undefined ? [] : [recovered(todayPct, t.crit)]),
        'SendGrid counts the complaints receivers report back (Yahoo, Microsoft and others); Gmail\'s own spam rate is in Google Postmaster Tools.',
      ].join('\n'),
      metrics: pct === undefined ? counts : { ...counts, spam_pct: Math.round(pct * 1000) / 1000 },
      ...(status !== 'ok' && {
        fix: 'find what people mark as spam: SendGrid > Suppressions > Spam Reports lists the addresses and times; match them to the campaign or email type sent just before. Pause that send, send only to people who asked for it, and make unsubscribing one click (List-Unsubscribe header, SendGrid subscription tracking). Above 0.3% Gmail and Yahoo start rejecting mail.',
      }),
    }),
  ];
}
