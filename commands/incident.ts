// /incident: declare an incident and drive it through its ladder from Slack.
//   /incident declare <sev1|sev2|sev3|sev4> <title>   (or /incident sev1 <title>)
//   /incident list | show <id> | ack <id> | resolve <id> | escalate <id> | sev <n> <id> | note <id> <text>
import type { AppServices } from '../src/app-services.ts';
import { incidentRef, parseIncidentRef, type Incident } from '../src/incidents/incident.ts';
import { storedTimelineLine } from '../src/incidents/stored-timeline-line.ts';
import { incidentRefusalMessage } from '../src/incidents/incident-refusal-message.ts';
import type { IncidentEvent, IncidentService } from '../src/incidents/incident-service.ts';
import { parseSeverity, severityLabel } from '../src/incidents/ladder.ts';
import type { Budget } from '../src/message/budget.ts';
import { channel, code, command, context, date, em, icon, line, section, simpleMessage, spans, strong, text, user, type Line, type Message } from '../src/message/message.ts';
import type { CommandInvocation, CommandSource } from '../src/slash-command.ts';
import type { ChatCommand } from './parts/chat-command.ts';
import { UserError } from '../src/user-error.ts';
import { formatDuration } from '../src/probes/format.ts';
import { fitList } from './parts/fit-list.ts';

const READ: Line = spans(command('incident', 'list'), ', ', command('incident', 'show <id>'));
const USAGE: Line[] = [
  spans(command('incident', 'declare <sev1|sev2|sev3|sev4> <title>'), ' (or ', command('incident', 'sev1 <title>'), ')'),
  READ,
  spans(command('incident', 'ack <id>'), ', ', command('incident', 'resolve <id>'), ', ', command('incident', 'escalate <id>')),
  spans(command('incident', 'sev <1-4> <id>'), ', ', command('incident', 'note <id> <text>')),
];
/** What a terminal runs (it only reads incidents); the rest is named as Slack only. */
const TERMINAL_USAGE: Line[] = [READ, spans('In Slack only: declare, sev1..sev4, ack, resolve, escalate, sev, note.')];
const usage = (source: CommandSource): Line[] => (source === 'cli' ? TERMINAL_USAGE : USAGE);
/** Subcommands that change an incident: they page, post and are allowed by rules that name Slack users. */
const CHANGES = new Set(['declare', 'sev', 'ack', 'acknowledge', 'resolve', 'escalate', 'note']);
/** Events shown by /incident show, the latest. */
const MAX_EVENTS = 40;

export const incidentCommand: ChatCommand = {
  name: '/incident',
  description: 'Declare an incident, page up the severity ladder until someone acknowledges, and keep its timeline',
  usageHint: 'declare sev1|sev2|sev3|sev4 <title> | list | show|ack|resolve|escalate <id> | sev <n> <id> | note <id> <text>',
  terminalUsageHint: 'list | show <id>',
  slackOnly: ['declare', 'sev1..sev4', 'ack', 'resolve', 'escalate', 'sev', 'note'],
  async run(invocation) {
    try {
      await runIncidentCommand(invocation);
    } catch (error) {
      // Refused by access rules or a repeated escalation: named with who could, or when.
      const refusal = incidentRefusalMessage(error, 'run');
      if (!refusal) throw error;
      await invocation.reply.ephemeral(refusal);
    }
  },
};

async function runIncidentCommand({ text: typed, userId, channelId, reply, services }: CommandInvocation): Promise<void> {
  const [sub = '', ...rest] = typed.trim().split(/\s+/).filter(Boolean);
  const word = sub.toLowerCase();
  if (word === '' || word === 'help') {
    const title = spans(strong('Usage'));
    await reply.ephemeral({ notification: title, blocks: [section(line(...title), ...usage(reply.source).map((l) => line(...l)))] });
    return;
  }
  const directSeverity = parseSeverity(word);
  const declaring = word === 'declare' || (directSeverity !== undefined && /^sev/.test(word));
  if (reply.source === 'cli' && (declaring || CHANGES.has(word))) {
    throw new UserError(spans(`incident ${word} changes an incident, which pages and posts through Slack and is allowed by rules naming Slack users: run `, code(`/incident ${word}`), ' in Slack; the terminal shows ', command('incident', 'list'), ' and ', command('incident', 'show <id>')));
  }
  const incidents = serviceOf(services);
  const actor = { user: userId, channel: channelId };
  if (declaring) {
    const sevWord = word === 'declare' ? rest.shift() ?? '' : word;
    const severity = parseSeverity(sevWord);
    if (!severity || !/^sev-?[1-4]$/i.test(sevWord)) throw new UserError(`"${sevWord}" is not a severity; accepted: sev1, sev2, sev3, sev4`);
    const incident = await incidents.declare({ severity, title: rest.join(' '), commander: userId, channel: channelId });
    const where = incident.channel ? [' Follow it in ', channel(incident.channel), '.'] : [];
    await reply.post(simpleMessage(icon('siren'), ' ', user(userId), ' declared ', strong(`${severityLabel(severity)} ${incidentRef(incident.id)}`), `: ${incident.title}.`, ...where));
    return;
  }
  if (word === 'list') {
    await reply.ephemeral(incidentListMessage(await incidents.listOpen(), new Date(), reply.budget));
    return;
  }
  if (word === 'sev') {
    const severity = parseSeverity(rest[0] ?? '');
    if (!severity) throw new UserError(`"${rest[0] ?? ''}" is not a severity; accepted: 1, 2, 3, 4 (or sev1..sev4)`);
    const incident = await incidents.setSeverity(idFrom(rest[1]), severity, actor);
    await reply.post(simpleMessage(user(userId), ` changed ${incidentRef(incident.id)} to `, strong(severityLabel(severity)), ': the ladder follows the new severity.'));
    return;
  }
  const known = ['show', 'ack', 'acknowledge', 'resolve', 'escalate', 'note'];
  if (!known.includes(word)) throw new UserError(`unknown subcommand "${sub}"; accepted: declare, sev1..sev4, list, show, ack, resolve, escalate, sev, note`);
  const id = idFrom(rest[0]);
  switch (word) {
    case 'show': {
      const incident = await incidents.get(id);
      if (!incident) throw new UserError(spans(`there is no incident ${incidentRef(id)}; `, command('incident', 'list'), ' shows the open ones'));
      await reply.ephemeral(incidentShowMessage(incident, await incidents.timeline(id), reply.budget));
      return;
    }
    case 'ack':
    case 'acknowledge':
      await incidents.acknowledge(id, actor);
      await reply.post(simpleMessage(icon('eyes'), ' ', user(userId), ` acknowledged ${incidentRef(id)}.`));
      return;
    case 'resolve':
      await incidents.resolve(id, actor);
      await reply.post(simpleMessage(icon('done'), ' ', user(userId), ` resolved ${incidentRef(id)}.`));
      return;
    case 'escalate': {
      const escalated = await incidents.escalate(id, actor);
      const level = escalated.lastEscalation ? `paging ${escalated.lastEscalation.to} now` : 'the next level is paged now';
      await reply.post(simpleMessage(icon('escalate'), ' ', user(userId), ` escalated ${incidentRef(id)}: ${level}.`));
      return;
    }
    case 'note':
      await incidents.note(id, actor, rest.slice(1).join(' '));
      await reply.ephemeral(simpleMessage(`Noted in the timeline of ${incidentRef(id)}.`));
      return;
  }
}

function serviceOf(services: AppServices): IncidentService {
  if (!services.incidents) throw new UserError(spans('incidents are not set up: add an ', code('incidents:'), ` section with the channel to announce them in to ${services.config.source}`));
  return services.incidents;
}

function idFrom(word: string | undefined): number {
  const id = parseIncidentRef(word ?? '');
  if (id === undefined) throw new UserError(spans(`"${word ?? ''}" is not an incident id; use INC-42 or 42 (`, command('incident', 'list'), ' shows them)'));
  return id;
}

/** The open incidents, most severe and oldest first: who acknowledged, how long open, who commands. */
export function incidentListMessage(open: readonly Incident[], now: Date, budget: Budget): Message {
  if (open.length === 0) return simpleMessage('No open incidents.');
  const title = spans(strong('Open incidents'));
  const lines = open.map((i): Line => {
    const age = formatDuration((now.getTime() - i.declaredAt.getTime()) / 1000);
    const state = i.status === 'acknowledged' && i.acknowledgedBy ? spans('acknowledged by ', user(i.acknowledgedBy)) : spans('not acknowledged');
    return spans(strong(`${severityLabel(i.severity)} ${incidentRef(i.id)}`), ` ${i.title}: `, ...state, `, open ${age}, commander `, user(i.commander));
  });
  return { notification: title, blocks: fitList(title, lines, budget, (n) => `${n} more not shown`) };
}

/** One incident and the latest events of its timeline. */
export function incidentShowMessage(incident: Incident, events: readonly IncidentEvent[], budget: Budget): Message {
  const title = spans(strong(`${severityLabel(incident.severity)} ${incidentRef(incident.id)}`), `: ${incident.title} (${incident.status})`);
  const shown = events.slice(-MAX_EVENTS);
  const earlier = events.length - shown.length;
  const lines = shown.map((e): Line => [date(e.at), text(' '), ...(e.kind === 'note' && e.actor ? [user(e.actor), text(`: ${e.text}`)] : storedTimelineLine({ text: e.text, line: e.line ?? null }))]);
  if (earlier === 0) return { notification: title, blocks: fitList(title, lines, budget, (n) => `${n} later events not shown`) };
  return {
    notification: title,
    blocks: [section(line(...title)), context(em(`${earlier} earlier events not shown`)), ...fitList(undefined, lines, budget, (n) => `${n} later events not shown`)],
  };
}

