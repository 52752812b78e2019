// A runbook's Run checks button: its evidence checks on the configured targets of their kinds, at
// once, with the reports (and their remedy buttons) in a thread for everyone. The value names only
// the runbook: the checks and the targets are worked out from the runbook and the config as they
// are at the press, never read from the button. Read-only, like /diag: any member may press it.
//
// The runbook message is private to whoever asked for it (/runbook, a report's Runbook button), so
// it has no thread of its own: the "running" line is posted in the channel (in the thread the
// private message sits in, if any) and becomes the summary, with the reports in its thread.
import type { AppServices } from '../../app-services.ts';
import { describeErrorLine } from '../../answer-error.ts';
import { errorMessage } from '../../message/message.ts';
import { runAllProbes } from '../../probes/run-all-probes.ts';
import { runProbe } from '../../probes/run-probe.ts';
import type { ReportSet } from '../../report.ts';
import { cutText } from '../../render/cut-text.ts';
import { reportMessage } from '../../render/report-message.ts';
import { MAX_RUNBOOK_CHECK_TARGETS, plannedCheckIds, runbookCheckPlan } from '../../runbooks/runbook-check-plan.ts';
import { runbookChecksNothingMessage, runbookChecksProgressMessage, runbookChecksSummaryMessage } from '../../runbooks/runbook-checks-message.ts';
import { SLACK_BUDGET } from '../slack-budget.ts';
import type { Edge, InteractionFamily, InteractionSource, IntentOf, Press } from './interaction.ts';

const DAY = 24 * 3600_000;
const ACTION_ID = 'runbook:checks';

export const RUNBOOK_CHECKS_INTERACTIONS = {
  'runbook.checks': {
    intent: 'runbook.checks',
    actionId: ACTION_ID,
    encode: (i) => ({ actionId: ACTION_ID, value: i.runbook }),
    decode: (value, _actionId, context) => {
      if (!context.runbooks.byId.has(value)) {
        const known = [...context.runbooks.byId.keys()].slice(0, 20).join(', ') || 'none';
        return { ok: false, problem: `unknown runbook ${JSON.stringify(cutText(value, 60))} (known: ${known}): use /runbook` };
      }
      return { ok: true, intent: { intent: 'runbook.checks', runbook: value } };
    },
    // As long as a Runbook button: nothing in the value goes stale (the targets are read at the press).
    ttlMs: 31 * DAY,
    fresh: 'open the runbook again with /runbook',
    handle: pressRunChecks,
  },
} satisfies InteractionFamily;

async function pressRunChecks(intent: IntentOf<'runbook.checks'>, press: Press, edge: Edge): Promise<void> {
  const { services } = edge;
  const { user, channel } = press;
  try {
    const runbook = services.runbooks.byId.get(intent.runbook)!;
    const plan = runbookCheckPlan(runbook, services.config.targets);
    if (plan.targets.length === 0) {
      const message = runbookChecksNothingMessage(runbook, plan, services.config.source);
      await refused(services, user, channel, runbook.id, 'nothing to run', edge.source);
      await edge.answer(message);
      return;
    }
    // A private message in a thread answers in that thread; at the top of a channel, under a new line.
    const inThread = press.threadTs !== press.messageTs ? press.threadTs : undefined;
    let progressTs: string | undefined;
    try {
      progressTs = await edge.post(channel, runbookChecksProgressMessage(runbook, plan, user, SLACK_BUDGET), inThread);
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code !== 'not_in_channel' && code !== 'channel_not_found') throw err;
      // Nothing runs that could not be shown: the presser is told why, privately.
      await refused(services, user, channel, runbook.id, `cannot post in the channel (${code})`, edge.source);
      await edge.answer(errorMessage(`The bot cannot post in this channel (${code}), so the checks did not run: invite the bot here, or press Run checks where it is a member.`));
      return;
    }
    const set = await runAllProbes(plan.targets, {
      log: services.log,
      runbookForCheck: services.runbooks.byCheck,
      state: services.probeState,
      secrets: services.secrets,
      targets: services.config.targets,
      concurrency: MAX_RUNBOOK_CHECK_TARGETS,
      runOne: (target, options) => runProbe(target, { ...options, checks: plan.checks.get(target.kind)! }),
    });
    const summary = runbookChecksSummaryMessage(runbook, set, plan, user, SLACK_BUDGET);
    // The reports come whatever becomes of the summary: they are what the presser asked for.
    if (progressTs) await edge.update(channel, progressTs, summary).catch((err: unknown) => services.log.warn({ err }, 'while showing the summary of a Run checks press'));
    const thread = inThread ?? progressTs;
    for (const report of set.reports) {
      await edge
        .post(channel, reportMessage(report, { budget: SLACK_BUDGET, ...reportOptions(services) }), thread)
        .catch((err: unknown) => services.log.warn({ err, target: report.target }, 'while posting a Run checks report'));
    }
    await auditRuns(services, { user, channel, runbook: runbook.id, set, checksOf: (kind) => plannedCheckIds(plan, kind), source: edge.source ?? 'slack' });
  } catch (error) {
    const text = describeErrorLine(error, services.log, { action: press.actionId, user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

/** A press that ran nothing, and why: one audit row, like a refused button. */
async function refused(services: AppServices, user: string, channel: string, runbook: string, detail: string, source: InteractionSource = 'slack'): Promise<void> {
  await services.audit
    .record({ actor: user, ...(channel && { channel }), source, action: ACTION_ID, params: { runbook }, outcome: 'refused', detail })
    .catch((err: unknown) => services.log.error({ err }, 'while auditing a Run checks press'));
}

/** One row per target, as /diag writes for a run: who, where, the checks, how it ended and how long. */
async function auditRuns(services: AppServices, a: { user: string; channel: string; runbook: string; set: ReportSet; checksOf: (kind: string) => string[]; source: InteractionSource }): Promise<void> {
  for (const report of a.set.reports) {
    await services.audit
      .record({
        actor: a.user,
        ...(a.channel && { channel: a.channel }),
        source: a.source,
        action: 'diag',
        target: report.target,
        params: { runbook: a.runbook, checks: a.checksOf(report.kind) },
        outcome: report.status,
        durationMs: report.durationMs,
      })
      .catch((err: unknown) => services.log.error({ err, target: report.target }, 'while writing the audit row of a Run checks press'));
  }
}

/** As /diag shows a report: runbook links, the Declare incident button where incidents are set up, the secrets masked. */
function reportOptions(services: AppServices) {
  const base = services.config.runbooks.baseUrl;
  return {
    runbookUrl: (id: string) => (base && services.runbooks.byId.has(id) ? `${base.replace(/\/$/, '')}/${id}.md` : undefined),
    declareIncident: services.incidents !== undefined,
    secrets: services.secrets,
  };
}
