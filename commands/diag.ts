// /diag [target|kind|all|help]: runs a probe (or all of them) and answers with the report.
import { runProbe } from '../src/probes/run-probe.ts';
import { PROBES } from '../src/probes/probe-registry.ts';
import { resolveTargetWords } from '../src/probes/resolve-target.ts';
import { describeScope } from '../src/probes/describe-scope.ts';
import { renderReportBlocks } from '../src/slack/report-blocks.ts';
import { progressMessage, textMessage } from '../src/slack/message-blocks.ts';
import type { AppServices } from '../src/app-services.ts';
import type { CommandInvocation, SlashCommand } from '../src/slash-command.ts';
import { runAllProbes } from '../src/probes/run-all-probes.ts';
import { renderSummaryBlocks } from '../src/slack/summary-blocks.ts';
import { plural } from '../src/render/display-report.ts';
import { UserError } from '../src/user-error.ts';

export const diagCommand: SlashCommand = {
  name: '/diag',
  description: 'Run read-only diagnostics against a configured target',
  usageHint: '[target | kind | all | help] [namespace]',
  async run(invocation) {
    const { text, userId, channelId, reply, services } = invocation;
    const words = text.trim().split(/\s+/).filter(Boolean);
    const word = words[0] ?? '';
    if (word === '' || word === 'help') {
      await reply.ephemeral(textMessage(diagHelp(services)));
      return;
    }
    if (word === 'all') {
      await diagAll(invocation);
      return;
    }
    const target = resolveTargetWords(services.config, words);
    const scope = describeScope(target);
    const posted = await reply.post(progressMessage(`Running ${target.kind} diagnostics on *${target.name}*${scope}…`));
    const report = await runProbe(target, { log: services.log, runbookForCheck: services.runbooks.byCheck, state: services.probeState, secrets: services.secrets });
    await posted.update(renderReportBlocks(report, { runbookUrl: runbookUrlFor(services), declareIncident: services.incidents !== undefined }));
    await audit(services, { actor: userId, channel: channelId, target: target.name, text, outcome: report.status, durationMs: report.durationMs });
  },
};

/** Full reports posted under a `/diag all` summary; the summary line names the rest. */
export const MAX_DETAIL_REPLIES = 10;
/** Progress updates of the "running" message at most this often. */
const PROGRESS_EVERY_MS = 2_000;

async function diagAll({ text, userId, channelId, reply, services }: CommandInvocation): Promise<void> {
  const targets = services.config.targets;
  if (targets.length === 0) throw new UserError(`no targets are configured (${services.config.source}); add some under targets:`);
  const posted = await reply.post(progressMessage(`Running diagnostics on ${plural(targets.length, 'target')}…`));
  let lastProgress = Date.now();
  // The last progress update must land before the summary, or it would replace it.
  let progressSent: Promise<void> = Promise.resolve();
  const set = await runAllProbes(targets, {
    log: services.log,
    runbookForCheck: services.runbooks.byCheck,
    state: services.probeState,
    secrets: services.secrets,
    onProgress: (done, total) => {
      if (done === total || Date.now() - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = Date.now();
      const text = `Running diagnostics on ${plural(total, 'target')}… ${done}/${total} done`;
      // Chained, so updates land in order.
      progressSent = progressSent
        .then(() => posted.update(progressMessage(text)))
        .catch((err: unknown) => services.log.warn({ err }, 'while updating /diag all progress'));
    },
  });
  await progressSent;
  await posted.update(renderSummaryBlocks(set, { detailsInThread: true }));
  for (const report of set.reports.filter((r) => r.status !== 'ok').slice(0, MAX_DETAIL_REPLIES)) {
    await posted
      .reply(renderReportBlocks(report, { runbookUrl: runbookUrlFor(services), declareIncident: services.incidents !== undefined }))
      .catch((err: unknown) => services.log.warn({ err, target: report.target }, 'while posting a /diag all detail reply'));
  }
  await audit(services, { actor: userId, channel: channelId, target: 'all', text, outcome: set.status, durationMs: set.durationMs });
}

async function audit(services: AppServices, row: { actor: string; channel: string; target: string; text: string; outcome: string; durationMs: number }) {
  await services.audit
    .record({ actor: row.actor, channel: row.channel, source: 'slack', action: 'diag', target: row.target, params: { text: row.text }, outcome: row.outcome, durationMs: row.durationMs })
    .catch((err: unknown) => services.log.error({ err, target: row.target }, 'while writing the audit row of /diag'));
}

export function diagHelp(services: AppServices): string {
  const lines = ['*Usage:* `/diag <target>`, `/diag <kind>` or `/diag all`; Kubernetes: `/diag k8s [target] [namespace]`', '', '*Configured targets:*'];
  if (services.config.targets.length === 0) lines.push(`_none yet: add targets to ${services.config.source}_`);
  for (const t of services.config.targets) lines.push(`• \`${t.name}\` (${t.kind})`);
  lines.push('', '*Kinds:*');
  for (const p of PROBES) {
    const aliases = p.aliases.length ? ` (also: ${p.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
    lines.push(`• \`${p.kind}\`${aliases}: ${p.description}`);
  }
  return lines.join('\n');
}

function runbookUrlFor(services: AppServices): (id: string) => string | undefined {
  const base = services.config.runbooks.baseUrl;
  return (id) => (base && services.runbooks.byId.has(id) ? `${base.replace(/\/$/, '')}/${id}.md` : undefined);
}

