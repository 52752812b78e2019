// Bounces over the last day (yesterday and today, UTC, from /v3/stats): the bounce rate is
// bounces / requests, judged against 5% / 10% by default (past these, mailbox providers and
// SendGrid start treating the sender as a spammer). Below a minimum of requests the rate is not
// judged unless the bounces alone are too many (judge-rate.ts).
import type { Finding } from '../../../report.ts';
import type { Thresholds } from '../../probe-definition.ts';
import { formatCount } from '../../format.ts';
import { failedCall, finding, lackingScope, type SendgridContext } from '../check-context.ts';
import { formatRate } from '../format-rate.ts';
import { judgeRate, recovered } from '../judge-rate.ts';
import type { StatsTotals } from '../stats-window.ts';

const LABEL = 'Delivery';

export async function checkDelivery(ctx: SendgridContext, t: Thresholds): Promise<Finding[]> {
  const lacking = lackingScope(ctx, 'delivery', LABEL);
  if (lacking) return [lacking];
  const stats = await ctx.stats();
  if (!stats.ok) return [failedCall('delivery', LABEL, stats.failure, 'stats.read')];
  const s = stats.totals;
  const since = `since ${stats.from} 00:00 UTC`;
  const counts = { requests: s.requests, delivered: s.delivered, bounces: s.bounces, blocks: s.blocks, deferred: s.deferred, invalid_emails: s.invalid_emails };
  const today = stats.today && { part: stats.today.bounces, whole: stats.today.requests };
  const judged = judgeRate({ part: s.bounces, whole: s.requests }, today, ctx.minRequests, t);
  if (!judged.judged) {
    return [
      finding('delivery', 'ok', `Too few requests to judge the bounce rate: ${formatCount(s.requests)} ${since} (judged from ${formatCount(ctx.minRequests)})`, {
        detail: countsLine(s),
        metrics: counts,
      }),
    ];
  }
  const { status, pct, todayPct } = judged;
  const rate =
    pct === undefined
      ? `${formatCount(s.bounces)} bounces and no request ${since}`
      : `Bounce rate ${formatRate(pct)} (${formatCount(s.bounces)} of ${formatCount(s.requests)} requests ${since})`;
  const title = status === 'ok' ? rate : `${rate}: above ${status === 'crit' ? t.crit : t.warn}%`;
  return [
    finding('delivery', status, title, {
      detail: [countsLine(s), ...(todayPct === undefined ? [] : [recovered(todayPct, t.crit)])].join('\n'),
      metrics: pct === undefined ? counts : { ...counts, bounce_pct: Math.round(pct * 100) / 100 },
      ...(status !== 'ok' && {
        fix: 'find what bounces: SendGrid > Activity (filter Bounced) or GET /v3/suppression/bounces shows the addresses and the receivers\' reasons. Many at one domain: that receiver refuses you (read the reason). Many unknown users: a bad or old list was imported or a signup form lets typos in; stop that send, and remove the addresses. Blocks count apart: they are receivers refusing your mail, not bad addresses.',
      }),
    }),
  ];
}

function countsLine(s: StatsTotals): string {
  return [
    `requests ${formatCount(s.requests)}`,
    `delivered ${formatCount(s.delivered)}`,
    `bounces ${formatCount(s.bounces)}`,
    `blocks ${formatCount(s.blocks)}`,
    `deferred ${formatCount(s.deferred)}`,
    `invalid emails ${formatCount(s.invalid_emails)}`,
    `dropped (earlier bounce) ${formatCount(s.bounce_drops)}`,
    `spam reports ${formatCount(s.spam_reports)}`,
  ].join(', ');
}
