// The incident's own message in the incidents channel, kept up to date (re-rendered at every page
// and every change): its state, who commands it, the acknowledgement deadline, what comes next,
// who was paged, and the Acknowledge / Escalate now / Resolve buttons pages carry too.
import type { IconName } from '../message/icon-name.ts';
import { channel, date, header, icon, line, spans, text, user, type Block, type Line, type Message, type Paragraph, type Span } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import { incidentRef, type Incident } from './incident.ts';
import { severityLabel, type Severity } from './ladder.ts';
import type { IncidentDisplay, PageRecipient } from './pager.ts';

const SEVERITY_ICON: Record<Severity, IconName> = { 1: 'sev1', 2: 'sev2', 3: 'sev3', 4: 'sev4' };
/** Pages listed on the card: the latest ones. */
const PAGED_SHOWN = 10;

/** `now`: when the message is rendered; the countdown is as of then. */
export function incidentCardMessage(display: IncidentDisplay, now: Date): Message {
  const i = display.incident;
  const lines: Paragraph[] = [statusLine(i), line('Commander ', user(i.commander), ' · declared ', date(i.declaredAt, 'datetime'))];
  if (display.ackDueAt) {
    const left = display.ackDueAt.getTime() - now.getTime();
    lines.push(left > 0
      ? line(`Ack due in ${formatDuration(left / 1000)} (`, date(display.ackDueAt, 'time'), ')')
      : line(icon('warning'), ' Ack overdue since ', date(display.ackDueAt, 'time')));
  }
  if (display.next) lines.push(line(`Next: ${display.next.label} paged `, date(display.next.at, 'time'), ' if nobody acts'));
  if (i.dedicatedChannel) lines.push(line('Channel: ', channel(i.dedicatedChannel)));

  const paged = display.paged.filter((p) => !('thread' in p.to)).slice(-PAGED_SHOWN);
  const blocks: Block[] = [header(incidentTitle(i), SEVERITY_ICON[i.severity]), { type: 'section', paragraphs: lines }];
  if (paged.length > 0) blocks.push({ type: 'context', spans: spans('Paged:', ...paged.flatMap((p) => [`\n• ${p.label}: `, ...reached(p.to), ' ', date(p.at, 'time')])) });
  if (i.status !== 'resolved') blocks.push(incidentButtons(i));
  return { notification: spans(...incidentHeadline(i), ` (${i.status})`), blocks };
}

/** "SEV-1 INC-42: API gateway returns 502". */
export function incidentTitle(i: Incident): string {
  return `${severityLabel(i.severity)} ${incidentRef(i.id)}: ${i.title}`;
}

/** The severity's icon, then the title; `strong` for a page's first line. */
export function incidentHeadline(i: Incident, style?: 'strong'): Line {
  return [icon(SEVERITY_ICON[i.severity], style), text(` ${incidentTitle(i)}`, style)];
}

/** Acknowledge (while nobody has), Escalate now, and Resolve after a confirmation. */
export function incidentButtons(i: Incident): Block {
  const ref = incidentRef(i.id);
  return {
    type: 'actions',
    buttons: [
      ...(i.status === 'open' ? [{ label: 'Acknowledge', style: 'primary' as const, intent: { intent: 'incident.ack' as const, incident: i.id } }] : []),
      { label: 'Escalate now', intent: { intent: 'incident.escalate', incident: i.id } },
      {
        label: 'Resolve',
        style: 'danger',
        intent: { intent: 'incident.resolve', incident: i.id },
        confirm: { title: `Resolve ${ref}?`, text: 'Paging stops for every level.', ok: 'Resolve', deny: 'Cancel' },
      },
    ],
  };
}

function statusLine(i: Incident): Paragraph {
  if (i.status === 'resolved') return line(icon('done'), ' Resolved by ', ...who(i.resolvedBy), ' ', ...when(i.resolvedAt));
  if (i.status === 'acknowledged') return line(icon('eyes'), ' Acknowledged by ', ...who(i.acknowledgedBy), ' ', ...when(i.acknowledgedAt));
  return line(icon('bell'), ' Open, not acknowledged');
}

function who(id: string | undefined): Span[] {
  return [id ? user(id) : text('someone')];
}

function when(at: Date | undefined): Span[] {
  return at ? [date(at, 'datetime')] : [];
}

/** Whom a sent page reached: the person of a DM, the channel of a channel page. */
function reached(to: PageRecipient): Array<Span | string> {
  if ('dm' in to) return [user(to.dm)];
  if ('channel' in to) return [channel(to.channel)];
  return [];
}
