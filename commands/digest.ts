// /digest now [name] | list | history <target> [days]: the scheduled health digests on demand.
import type { Config } from '../src/config/config.ts';
import type { Budget } from '../src/message/budget.ts';
import { channel, code, date, icon, progressMessage, section, simpleMessage, spans, strong, text, type Line, type Message } from '../src/message/message.ts';
import { statusRank, worstStatus, type Status } from '../src/report.ts';
import type { SlashCommand } from '../src/slash-command.ts';
import type { StoredReport } from '../src/store/report-history.ts';
import { UserError } from '../src/user-error.ts';
import { fitList } from './parts/fit-list.ts';

const USAGE = '`/digest list`, `/digest now [name]` or `/digest history <target> [days]`';
const MAX_HISTORY_DAYS = 90;

export const digestCommand: SlashCommand = {
  name: '/digest',
  description: 'Health digests: list the schedules, run one now, or show a target\'s history',
  usageHint: 'list | now [name] | history <target> [days]',
  async run({ text: typed, reply, services }) {
    const [sub = '', ...args] = typed.trim().split(/\s+/).filter(Boolean);
    const scheduler = services.digests;
    if (sub === '' || sub === 'help' || sub === 'list') {
      const now = new Date();
      await reply.ephemeral(digestListMessage(services.config, (name) => scheduler?.nextRun(name, now)));
      return;
    }
    if (sub === 'now') {
      if (reply.source === 'cli') {
        throw new UserError('a digest is posted to its Slack channel: run /digest now in Slack; the terminal shows chatops digest list, chatops digest history <target> [days] and chatops diag all');
      }
      if (!scheduler || scheduler.digests.length === 0) throw new UserError(`no digests are configured (${services.config.source}); add one under digests:`);
      const name = args[0] ?? (scheduler.digests.length === 1 ? scheduler.digests[0]!.name : undefined);
      if (!name) throw new UserError(`name the digest to run: ${scheduler.digests.map((d) => d.name).join(', ')}`);
      const digest = scheduler.find(name);
      if (!digest) throw new UserError(`unknown digest "${name}"; configured: ${scheduler.digests.map((d) => d.name).join(', ')}`);
      await reply.ephemeral(progressMessage('Running the ', strong(digest.name), ' digest; it will be posted in ', channel(digest.channel), '.'));
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
      const reports = await services.history.since(target, new Date(Date.now() - days * 86_400_000));
      await reply.ephemeral(digestHistoryMessage(target, days, reports, reply.budget));
      return;
    }
    throw new UserError(`unknown subcommand "${sub}"; use ${USAGE}`);
  },
};

/** Each configured digest: its schedule, channel, targets and next run (`nextRun`, when it has one). */
export function digestListMessage(config: Pick<Config, 'digests' | 'source'>, nextRun: (name: string) => Date | undefined): Message {
  const { digests } = config;
  if (digests.length === 0) {
    return simpleMessage(`No digests configured (${config.source}). Use `, code('/digest list'), ', ', code('/digest now [name]'), ' or ', code('/digest history <target> [days]'), '.');
  }
  const title = spans(strong('Digests'));
  const items = digests.map((d): Line => {
    const next = nextRun(d.name);
    const targets = d.targets === 'all' ? 'all targets' : d.targets.join(', ');
    return spans(strong(d.name), ': ', code(d.cron), ` (${d.timezone}) to `, channel(d.channel), `, ${targets}; next `, next ? date(next) : 'not scheduled');
  });
  return { notification: title, blocks: [section({ type: 'line', spans: title }, { type: 'list', items })] };
}

/** One line per day, newest first: the worst status of the target that day and its worst finding. */
export function digestHistoryMessage(target: string, days: number, reports: readonly StoredReport[], budget: Budget): Message {
  if (reports.length === 0) return simpleMessage('No stored reports of ', strong(target), ` in the last ${days} days (digests store them).`);
  const byDay = new Map<string, StoredReport[]>();
  for (const r of reports) {
    const day = r.startedAt.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), r]);
  }
  const lines = [...byDay].reverse().map(([day, rs]): Line => {
    const status: Status = worstStatus(rs.map((r) => r.status));
    const worst = rs.flatMap((r) => r.findings).sort((a, b) => statusRank(b.status) - statusRank(a.status))[0];
    return [icon(status), text(` ${day} ${status} (${rs.length} runs)${worst && worst.status !== 'ok' ? `: ${worst.title}` : ''}`)];
  });
  const title = spans(strong(target), `, last ${days} days (${reports.length} reports):`);
  return { notification: title, blocks: fitList(title, lines, budget, (n) => `${n} earlier days not shown`, 'lines') };
}
