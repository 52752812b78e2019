// /digest now [name] | list | history <target> [days]: the scheduled health digests on demand.
import type { AppServices } from '../src/app-services.ts';
import { statusRank, worstStatus, type Status } from '../src/report.ts';
import { escapeMrkdwn, progressMessage, textMessage } from '../src/slack/message-blocks.ts';
import { STATUS_EMOJI } from '../src/slack/report-blocks.ts';
import type { SlashCommand } from '../src/slash-command.ts';
import { UserError } from '../src/user-error.ts';

const USAGE = '`/digest list`, `/digest now [name]` or `/digest history <target> [days]`';
const MAX_HISTORY_DAYS = 90;

export const digestCommand: SlashCommand = {
  name: '/digest',
  description: 'Health digests: list the schedules, run one now, or show a target\'s history',
  usageHint: 'list | now [name] | history <target> [days]',
  async run({ text, reply, services }) {
    const [sub = '', ...args] = text.trim().split(/\s+/).filter(Boolean);
    const scheduler = services.digests;
    if (sub === '' || sub === 'help' || sub === 'list') {
      await reply.ephemeral(textMessage(listText(services)));
      return;
    }
    if (sub === 'now') {
      if (!scheduler || scheduler.digests.length === 0) throw new UserError(`no digests are configured (${services.config.source}); add one under digests:`);
      const name = args[0] ?? (scheduler.digests.length === 1 ? scheduler.digests[0]!.name : undefined);
      if (!name) throw new UserError(`name the digest to run: ${scheduler.digests.map((d) => d.name).join(', ')}`);
      const digest = scheduler.find(name);
      if (!digest) throw new UserError(`unknown digest "${name}"; configured: ${scheduler.digests.map((d) => d.name).join(', ')}`);
      await reply.ephemeral(progressMessage(`Running the *${escapeMrkdwn(digest.name)}* digest; it will be posted in <#${digest.channel}>.`));
      await scheduler.runSlot(digest, new Date());
      return;
    }
    if (sub === 'history') {
      const [target, daysText = '7'] = args;
      if (!target) throw new UserError(`usage: /digest history <target> [days]; targets: ${services.config.targets.map((t) => t.name).join(', ')}`);
      if (!services.config.targets.some((t) => t.name === target)) {
        throw new UserError(`unknown target "${target}"; configured: ${services.config.targets.map((t) => t.name).join(', ') || 'none'}`);
      }
      const days = Number(daysText);
      if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS) throw new UserError(`days must be a whole number from 1 to ${MAX_HISTORY_DAYS}, got "${daysText}"`);
      await reply.ephemeral(textMessage(await historyText(services, target, days)));
      return;
    }
    throw new UserError(`unknown subcommand "${sub}"; use ${USAGE}`);
  },
};

function listText(services: AppServices): string {
  const scheduler = services.digests;
  if (!scheduler || scheduler.digests.length === 0) return `No digests configured (${services.config.source}). Use ${USAGE}.`;
  const lines = ['*Digests*'];
  for (const d of scheduler.digests) {
    const next = scheduler.nextRun(d.name);
    const when = next ? `<!date^${Math.floor(next.getTime() / 1000)}^{date_short_pretty} {time}|${next.toISOString()}>` : 'not scheduled';
    const targets = d.targets === 'all' ? 'all targets' : d.targets.join(', ');
    lines.push(`• *${escapeMrkdwn(d.name)}*: \`${d.cron}\` (${d.timezone}) to <#${d.channel}>, ${escapeMrkdwn(targets)}; next ${when}`);
  }
  return lines.join('\n');
}

/** One line per day: the worst status of the target that day and its worst finding. */
async function historyText(services: AppServices, target: string, days: number): Promise<string> {
  const reports = await services.history.since(target, new Date(Date.now() - days * 86_400_000));
  if (reports.length === 0) return `No stored reports of *${escapeMrkdwn(target)}* in the last ${days} days (digests store them).`;
  const byDay = new Map<string, typeof reports>();
  for (const r of reports) {
    const day = r.startedAt.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  const lines = [`*${escapeMrkdwn(target)}*, last ${days} days (${reports.length} reports):`];
  for (const [day, rs] of [...byDay].reverse()) {
    const status: Status = worstStatus(rs.map((r) => r.status));
    const worst = rs.flatMap((r) => r.findings).sort((a, b) => statusRank(b.status) - statusRank(a.status))[0];
    const what = worst && worst.status !== 'ok' ? `: ${escapeMrkdwn(worst.title)}` : '';
    lines.push(`${STATUS_EMOJI[status]} ${day} ${status} (${rs.length} runs)${what}`);
  }
  return lines.join('\n');
}
