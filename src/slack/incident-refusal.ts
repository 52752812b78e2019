// How an incident refusal reads in Slack: who could do it instead, as mentions, and when an
// escalation can be repeated, in each reader's own time zone. The incident service gives the
// structured answer; only this file knows the markup.
import { deniedSentence, EscalatedTooRecently, IncidentAccessDenied, type IncidentAskable } from '../incidents/incident-access.ts';
import { incidentRef } from '../incidents/incident.ts';
import { escapeMrkdwn, textMessage, type SlackMessage } from './message-blocks.ts';
import { slackDate } from './incident-blocks.ts';

/** The ephemeral answer to a refused incident operation, or undefined for any other error. `again`: how the user repeats it. */
export function incidentRefusalMessage(error: unknown, again: 'press' | 'run'): SlackMessage | undefined {
  if (error instanceof IncidentAccessDenied) {
    return textMessage(`:no_entry: ${deniedSentence(error.operation, error.incident)} (${askWhom(error.askable)}).`);
  }
  if (error instanceof EscalatedTooRecently) {
    const verb = again === 'press' ? 'press again' : 'run it again';
    return textMessage(
      `:no_entry: ${incidentRef(error.incident)} was escalated ${error.ageSeconds} s ago ${error.by ? `by <@${error.by}>` : 'by its ladder'} to ${escapeMrkdwn(error.to)}; ` +
        `${verb} after ${slackDate(error.againAt, '{time_secs}')} to go one more level.`,
    );
  }
  return undefined;
}

/** "ask <@U1> (commander), <@U2> (paged) or a member of <!subteam^S1>, or do it in <#C1>" */
function askWhom(a: IncidentAskable): string {
  const people = [
    ...(a.commander ? [`<@${a.commander}> (commander)`] : []),
    ...a.paged.map((u) => `<@${u}> (paged)`),
    ...a.users.map((u) => `<@${u}>`),
    ...[...a.pagedGroups, ...a.groups].map((g) => `a member of <!subteam^${g}>`),
  ];
  const parts = [...(people.length ? [`ask ${people.join(' or ')}`] : []), ...(a.channels.length ? [`do it in ${a.channels.map((c) => `<#${c}>`).join(' or ')}`] : [])];
  return parts.length ? parts.join(', or ') : 'no one may: add a rule under access in the bot\'s config';
}
