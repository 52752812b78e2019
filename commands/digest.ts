// /digest now [name] [--notify] | list | history <target> [days]: the scheduled health digests on
// demand. A digest run by hand mentions nobody unless --notify asks it to, so trying one out does
// not page the on-call group; scheduled runs mention as configured.
import type { Config } from '../src/config/config.ts';
import type { Budget } from '../src/message/budget.ts';
import { channel, code, command, context, date, icon, progressMessage, section, simpleMessage, spans, strong, text, type Line, type Message } from '../src/message/message.ts';
import { statusRank, worstStatus, type Status } from '../src/report.ts';
import type { CommandSource } from '../src/slash-command.ts';
import type { ChatCommand } from './parts/chat-command.ts';
import type { StoredReport } from '../src/store/report-history.ts';
import { UserError } from '../src/user-error.ts';
import { fitList } from './parts/fit-list.ts';

/** How to call /digest where it is typed: a terminal cannot post a digest (`now`). */
function usage(source: CommandSource): Line {
  if (source === 'cli') return spans(command('digest', 'list'), ' or ', command('digest', 'history <target> [days]'));
  return spans(command('digest', 'list'), ', ', command('digest', 'now [name] [--notify]'), ' or ', command('digest', 'history <target> [days]'));
}
/** The options `/digest now` accepts: --notify mentions the digest's mentionOnCrit group, as a scheduled run does. */
const NOW_FLAGS = ['--notify'] as const;
const MAX_HISTORY_DAYS = 90;

export const digestCommand: ChatCommand = {
  name: '/digest',
  description: 'Health digests: list the schedules, run one now, or show a target\'s history',
  usageHint: 'list | now [name] [--notify] | history <target> [days]',
  terminalUsageHint: 'list | history <target> [days]',
  slackOnly: ['now'],
  async run({ text: typed, reply, services }) {
    const [sub = '', ...args] = typed.trim().split(/\s+/).filter(Boolean);
    const scheduler = services.digests;
    if (sub === '' || sub === 'help' || sub === 'list') {
      const now = new Date();
      await reply.ephemeral(digestListMessage(services.config, (name) => scheduler?.nextRun(name, now), reply.source));
      return;
    }
    if (sub === 'now') {
      if (reply.source === 'cli') {
        throw new UserError(spans('a digest is posted to its Slack channel: run ', code('/digest now'), ' in Slack; the terminal shows ', command('digest', 'list'), ', ', command('digest', 'history <target> [days]'), ' and ', command('diag', 'all')));
      }
      if (!scheduler || scheduler.digests.length === 0) throw new UserError(`no digests are configured (${services.config.source}); add one under digests:`);
      const flags = args.filter((a) => a.startsWith('-'));
      const words = args.filter((a) => !a.startsWith('-'));
      const unknown = flags.find((f) => !(NOW_FLAGS as readonly string[]).includes(f));
      if (unknown) throw new UserError(spans(`unknown option "${unknown}"; `, command('digest', 'now [name] [--notify]'), ` accepts ${NOW_FLAGS.join(', ')}`));
      if (words.length > 1) throw new UserError(spans(`one digest at a time, got "${words.join(' ')}"; usage: `, command('digest', 'now [name] [--notify]')));
      const notify = flags.includes('--notify');
      const name = words[0] ?? (scheduler.digests.length === 1 ? scheduler.digests[0]!.name : undefined);
      if (!name) throw new UserError(`name the digest to run: ${scheduler.digests.map((d) => d.name).join(', ')}`);
      const digest = scheduler.find(name);
      if (!digest) throw new UserError(`unknown digest "${name}"; configured: ${scheduler.digests.map((d) => d.name).join(', ')}`);
      // Words only: a mention in this answer would notify the group too.
      const mentions = !digest.mentionOnCrit
        ? []
        : notify
          ? [' If a target is critical, its on-call group (mentionOnCrit) is mentioned.']
          : [' Nobody is mentioned; ', command('digest', `now ${digest.name} --notify`), ' mentions its on-call group (mentionOnCrit) when a target is critical.'];
      await reply.ephemeral(progressMessage('Running the ', strong(digest.name), ' digest; it will be posted in ', channel(digest.channel), '.', ...mentions));
      await scheduler.runSlot(digest, new Date(), { notify });
      return;
    }
    if (sub === 'history') {
      const [target, daysText = '7'] = args;
      if (!target) throw new UserError(spans('usage: ', command('digest', 'history <target> [days]'), `; targets: ${services.config.targets.map((t) => t.name).join(', ')}`));
      if (!services.config.targets.some((t) => t.name === target)) {
        throw new UserError(`unknown target "${target}"; configured: ${services.config.targets.map((t) => t.name).join(', ') || 'none'}`);
      }
      const days = Number(daysText);
      if (!Number.isInteger(days) || days < 1 || days > MAX_HISTORY_DAYS) throw new UserError(`days must be a whole number from 1 to ${MAX_HISTORY_DAYS}, got "${daysText}"`);
      const reports = await services.history.since(target, new Date(Date.now() - days * 86_400_000));
      await reply.ephemeral(digestHistoryMessage(target, days, reports, reply.budget));
      return;
    }
    throw new UserError(spans(`unknown subcommand "${sub}"; use `, ...usage(reply.source)));
  },
};

/**
 * Each configured digest: its schedule, channel, targets and next run (`nextRun`, when it has one).
 * `source`: where it is read, for the forms it names when there are none.
 */
export function digestListMessage(config: Pick<Config, 'digests' | 'source'>, nextRun: (name: string) => Date | undefined, source: CommandSource = 'slack'): Message {
  const { digests } = config;
  if (digests.length === 0) return simpleMessage(`No digests configured (${config.source}). Use `, ...usage(source), '.');
  const title = spans(strong('Digests'));
  const items = digests.map((d): Line => {
    const next = nextRun(d.name);
    const targets = d.targets === 'all' ? 'all targets' : d.targets.join(', ');
    return spans(strong(d.name), ': ', code(d.cron), ` (${d.timezone}) to `, channel(d.channel), `, ${targets}; next `, next ? date(next) : 'not scheduled');
  });
  // Where a digest can be run by hand (Slack): how, and that it mentions nobody unless asked.
  const hint = source === 'cli'
    ? []
    : [context(command('digest', 'now <name>'), ' posts one now, mentioning nobody; add ', code('--notify'), ' to mention its on-call group on crit as a scheduled run does.')];
  return { notification: title, blocks: [section({ type: 'line', spans: title }, { type: 'list', items }), ...hint] };
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
