// /diag [target|kind|help]: runs a probe and answers with its report.
import { runProbe } from '../src/probes/run-probe.ts';
import { PROBES } from '../src/probes/probe-registry.ts';
import { resolveTarget } from '../src/probes/resolve-target.ts';
import { renderReportBlocks } from '../src/slack/report-blocks.ts';
import { progressMessage, textMessage } from '../src/slack/message-blocks.ts';
import type { AppServices } from '../src/app-services.ts';
import type { SlashCommand } from '../src/slash-command.ts';

export const diagCommand: SlashCommand = {
  name: '/diag',
  description: 'Run read-only diagnostics against a configured target',
  usageHint: '[target | kind | help]',
  async run({ text, userId, channelId, reply, services }) {
    const word = text.trim().split(/\s+/)[0] ?? '';
    if (word === '' || word === 'help') {
      await reply.ephemeral(textMessage(diagHelp(services)));
      return;
    }
    const target = resolveTarget(services.config, word);
    const posted = await reply.post(progressMessage(`Running ${target.kind} diagnostics on *${target.name}*…`));
    const report = await runProbe(target, { log: services.log, runbookForCheck: services.runbooks.byCheck, state: services.probeState });
    // Remedies stay in the Report (CLI --json shows them); buttons come with the action runner.
    await posted.update(renderReportBlocks(report, { runbookUrl: runbookUrlFor(services), remedyButtons: false }));
    await services.audit
      .record({
        actor: userId, channel: channelId, source: 'slack', action: 'diag', target: target.name,
        params: { text }, outcome: report.status, durationMs: report.durationMs,
      })
      .catch((err: unknown) => services.log.error({ err, target: target.name }, 'while writing the audit row of /diag'));
  },
};

export function diagHelp(services: AppServices): string {
  const lines = ['*Usage:* `/diag <target>` or `/diag <kind>`', '', '*Configured targets:*'];
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

