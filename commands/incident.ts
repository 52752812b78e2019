// /incident: declare an incident and drive it through its ladder from Slack.
//   /incident declare <sev1|sev2|sev3|sev4> <title>   (or /incident sev1 <title>)
//   /incident list | show <id> | ack <id> | resolve <id> | escalate <id> | sev <n> <id> | note <id> <text>
import type { AppServices } from '../src/app-services.ts';
import { incidentRef, parseIncidentRef, type Incident } from '../src/incidents/incident.ts';
import type { IncidentService } from '../src/incidents/incident-service.ts';
import { parseSeverity, severityLabel } from '../src/incidents/ladder.ts';
import { escapeMrkdwn, textMessage } from '../src/slack/message-blocks.ts';
import { slackDate } from '../src/slack/incident-blocks.ts';
import { incidentRefusalMessage } from '../src/slack/incident-refusal.ts';
import type { CommandInvocation, SlashCommand } from '../src/slash-command.ts';
import { UserError } from '../src/user-error.ts';
import { formatDuration } from '../src/probes/format.ts';

const USAGE = [
  '`/incident declare <sev1|sev2|sev3|sev4> <title>` (or `/incident sev1 <title>`)',
  '`/incident list`, `/incident show <id>`',
  '`/incident ack <id>`, `/incident resolve <id>`, `/incident escalate <id>`',
  '`/incident sev <1-4> <id>`, `/incident note <id> <text>`',
].join('\n');

export const incidentCommand: SlashCommand = {
  name: '/incident',
  description: 'Declare an incident, page up the severity ladder until someone acknowledges, and keep its timeline',
  usageHint: 'declare sev1|sev2|sev3|sev4 <title> | list | show|ack|resolve|escalate <id> | sev <n> <id> | note <id> <text>',
  async run(invocation) {
    try {
      await runIncidentCommand(invocation);
    } catch (error) {
      // Refused by access rules or a repeated escalation: named with who could, or when, and markup the error text cannot carry.
      const refusal = incidentRefusalMessage(error, 'run');
      if (!refusal) throw error;
      await invocation.reply.ephemeral(refusal);
    }
  },
};

async function runIncidentCommand({ text, userId, channelId, reply, services }: CommandInvocation): Promise<void> {
  const [sub = '', ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const word = sub.toLowerCase();
  if (word === '' || word === 'help') {
    await reply.ephemeral(textMessage(`*Usage*\n${USAGE}`));
    return;
  }
  const incidents = serviceOf(services);
  const actor = { user: userId, channel: channelId };
  const directSeverity = parseSeverity(word);
  if (word === 'declare' || (directSeverity && /^sev/.test(word))) {
    const sevWord = word === 'declare' ? rest.shift() ?? '' : word;
    const severity = parseSeverity(sevWord);
    if (!severity || !/^sev-?[1-4]$/i.test(sevWord)) throw new UserError(`"${sevWord}" is not a severity; accepted: sev1, sev2, sev3, sev4`);
    const incident = await incidents.declare({ severity, title: rest.join(' '), commander: userId, channel: channelId });
    const where = incident.channel ? ` Follow it in <#${incident.channel}>.` : '';
    await reply.post(textMessage(`:rotating_light: <@${userId}> declared *${severityLabel(severity)} ${incidentRef(incident.id)}*: ${escapeMrkdwn(incident.title)}.${where}`));
    return;
  }
  if (word === 'list') {
    const open = await incidents.listOpen();
    await reply.ephemeral(textMessage(open.length ? `*Open incidents*\n${open.map(listLine).join('\n')}` : 'No open incidents.'));
    return;
  }
  if (word === 'sev') {
    const severity = parseSeverity(rest[0] ?? '');
    if (!severity) throw new UserError(`"${rest[0] ?? ''}" is not a severity; accepted: 1, 2, 3, 4 (or sev1..sev4)`);
    const incident = await incidents.setSeverity(idFrom(rest[1]), severity, actor);
    await reply.post(textMessage(`<@${userId}> changed ${incidentRef(incident.id)} to *${severityLabel(severity)}*: the ladder follows the new severity.`));
    return;
  }
  const known = ['show', 'ack', 'acknowledge', 'resolve', 'escalate', 'note'];
  if (!known.includes(word)) throw new UserError(`unknown subcommand "${sub}"; accepted: declare, sev1..sev4, list, show, ack, resolve, escalate, sev, note`);
  const id = idFrom(rest[0]);
  switch (word) {
    case 'show':
      await reply.ephemeral(textMessage(await showText(incidents, id)));
      return;
    case 'ack':
    case 'acknowledge':
      await incidents.acknowledge(id, actor);
      await reply.post(textMessage(`:eyes: <@${userId}> acknowledged ${incidentRef(id)}.`));
      return;
    case 'resolve':
      await incidents.resolve(id, actor);
      await reply.post(textMessage(`:white_check_mark: <@${userId}> resolved ${incidentRef(id)}.`));
      return;
    case 'escalate':
    {
      const escalated = await incidents.escalate(id, actor);
      const level = escalated.lastEscalation ? `paging ${escapeMrkdwn(escalated.lastEscalation.to)} now` : 'the next level is paged now';
      await reply.post(textMessage(`:arrow_double_up: <@${userId}> escalated ${incidentRef(id)}: ${level}.`));
    }
      return;
    case 'note':
      await incidents.note(id, actor, rest.slice(1).join(' '));
      await reply.ephemeral(textMessage(`Noted in the timeline of ${incidentRef(id)}.`));
      return;
  }
}

function serviceOf(services: AppServices): IncidentService {
  if (!services.incidents) throw new UserError(`incidents are not set up: add an incidents: section with the channel to announce them in to ${services.config.source}`);
  return services.incidents;
}

function idFrom(word: string | undefined): number {
  const id = parseIncidentRef(word ?? '');
  if (id === undefined) throw new UserError(`"${word ?? ''}" is not an incident id; use INC-42 or 42 (/incident list shows them)`);
  return id;
}

function listLine(i: Incident): string {
  const age = formatDuration((Date.now() - i.declaredAt.getTime()) / 1000);
  const state = i.status === 'acknowledged' ? `acknowledged by <@${i.acknowledgedBy}>` : 'not acknowledged';
  return `• *${severityLabel(i.severity)} ${incidentRef(i.id)}* ${escapeMrkdwn(i.title)}: ${state}, open ${age}, commander <@${i.commander}>`;
}

async function showText(incidents: IncidentService, id: number): Promise<string> {
  const incident = await incidents.get(id);
  if (!incident) throw new UserError(`there is no incident ${incidentRef(id)}; /incident list shows the open ones`);
  const events = await incidents.timeline(id);
  const shown = events.slice(-40);
  const lines = shown.map((e) => `• ${slackDate(e.at, '{date_short} {time}')} ${e.kind === 'note' && e.actor ? `<@${e.actor}>: ${escapeMrkdwn(e.text)}` : e.text}`);
  const header = `*${severityLabel(incident.severity)} ${incidentRef(id)}*: ${escapeMrkdwn(incident.title)} (${incident.status})`;
  return [header, ...(events.length > shown.length ? [`_${events.length - shown.length} earlier events not shown_`] : []), ...lines].join('\n');
}
