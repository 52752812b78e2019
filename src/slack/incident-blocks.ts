// Incidents in Block Kit: the incident's own message in the incidents channel (kept up to date),
// a page (DM or channel), and the buttons every one of them carries.
import type { IncidentDisplay, OutgoingPage } from '../incidents/pager.ts';
import { incidentRef, type Incident } from '../incidents/incident.ts';
import { severityLabel } from '../incidents/ladder.ts';
import { formatDuration } from '../probes/format.ts';
import { cutText } from '../render/display-report.ts';
import { escapeMrkdwn, type SlackMessage } from './message-blocks.ts';

export const INCIDENT_ACTIONS = { ack: 'incident:ack', escalate: 'incident:escalate', resolve: 'incident:resolve' } as const;

const SEV_EMOJI = { 1: ':rotating_light:', 2: ':red_circle:', 3: ':large_orange_circle:', 4: ':large_yellow_circle:' } as const;

/** <!date^…> shows the time in each reader's own time zone. */
export function slackDate(at: Date, format = '{date_short_pretty} {time}'): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^${format}|${at.toISOString()}>`;
}

function headline(incident: Incident): string {
  return `${SEV_EMOJI[incident.severity]} ${severityLabel(incident.severity)} ${incidentRef(incident.id)}: ${incident.title}`;
}

function statusLine(incident: Incident): string {
  if (incident.status === 'resolved') return `:white_check_mark: Resolved by <@${incident.resolvedBy}> ${slackDate(incident.resolvedAt!)}`;
  if (incident.status === 'acknowledged') return `:eyes: Acknowledged by <@${incident.acknowledgedBy}> ${slackDate(incident.acknowledgedAt!)}`;
  return ':bell: Open, not acknowledged';
}

function buttons(incident: Incident): object {
  const value = String(incident.id);
  return {
    type: 'actions',
    elements: [
      ...(incident.status === 'open' ? [{ type: 'button', style: 'primary', text: { type: 'plain_text', text: 'Acknowledge' }, action_id: INCIDENT_ACTIONS.ack, value }] : []),
      { type: 'button', text: { type: 'plain_text', text: 'Escalate now' }, action_id: INCIDENT_ACTIONS.escalate, value },
      {
        type: 'button', style: 'danger', text: { type: 'plain_text', text: 'Resolve' }, action_id: INCIDENT_ACTIONS.resolve, value,
        confirm: {
          title: { type: 'plain_text', text: `Resolve ${incidentRef(incident.id)}?` },
          text: { type: 'plain_text', text: 'Paging stops for every level.' },
          confirm: { type: 'plain_text', text: 'Resolve' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
    ],
  };
}

/** `now`: when the message is rendered; the countdown is as of then (the message is re-rendered at every page and change). */
export function renderIncidentMessage(d: IncidentDisplay, now: Date): SlackMessage {
  const i = d.incident;
  const left = d.ackDueAt ? d.ackDueAt.getTime() - now.getTime() : 0;
  const lines = [
    statusLine(i),
    `Commander <@${i.commander}> · declared ${slackDate(i.declaredAt)}`,
    ...(d.ackDueAt ? [left > 0 ? `Ack due in ${formatDuration(left / 1000)} (${slackDate(d.ackDueAt, '{time}')})` : `:warning: Ack overdue since ${slackDate(d.ackDueAt, '{time}')}`] : []),
    ...(d.next ? [`Next: ${escapeMrkdwn(d.next.label)} paged ${slackDate(d.next.at, '{time}')} if nobody acts`] : []),
    ...(i.dedicatedChannel ? [`Channel: <#${i.dedicatedChannel}>`] : []),
  ];
  const paged = d.paged.slice(-10).map((p) => `• ${escapeMrkdwn(p.label)}: ${p.to} ${slackDate(p.at, '{time}')}`);
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: cutText(headline(i), 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cutText(lines.join('\n'), 3000) } },
    ...(paged.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: cutText(`Paged:\n${paged.join('\n')}`, 3000) }] }] : []),
    ...(i.status !== 'resolved' ? [buttons(i)] : []),
  ];
  return { text: cutText(`${headline(i)} (${i.status})`, 3000), blocks };
}

export function renderPage(page: OutgoingPage, now: Date): SlackMessage {
  const i = page.incident;
  const r = page.recipient;
  if ('thread' in r) return { text: escapeMrkdwn(r.text), blocks: [{ type: 'section', text: { type: 'mrkdwn', text: cutText(r.text, 3000) } }] };
  const age = formatDuration((now.getTime() - i.declaredAt.getTime()) / 1000);
  const who = 'dm' in r ? `You are paged as *${escapeMrkdwn(page.label)}*` : `${[r.broadcast ? `<!${r.broadcast}>` : '', ...r.mentions].filter(Boolean).join(' ')}: paged as *${escapeMrkdwn(page.label)}*`;
  const repeat = page.attempt > 0 ? ` (reminder ${page.attempt})` : '';
  const next = page.next ? `Next: ${escapeMrkdwn(page.next.label)} paged ${slackDate(page.next.at, '{time}')} if not ${page.next.until}.` : 'This is the last level of the ladder.';
  const late = page.lateMs > 2_000 ? ` Sent ${formatDuration(page.lateMs / 1000)} late.` : '';
  const body = `*${escapeMrkdwn(headline(i))}*\n${who}${repeat}. Declared ${age} ago by <@${i.commander}>.`;
  return {
    text: cutText(`${'dm' in r ? '' : `${[r.broadcast ? `<!${r.broadcast}>` : '', ...r.mentions].filter(Boolean).join(' ')} `}${headline(i)}${repeat}`, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cutText(body, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: cutText(`${next}${late}`, 3000) }] },
      buttons(i),
    ],
  };
}
