// The incident's own message in the incidents channel, kept up to date (re-rendered at every page
// and every change): its state, who commands it, the acknowledgement deadline, what comes next
// (in the words pages use), who was paged (people and user groups; a channel is where a page was
// posted, never someone paged), and the Acknowledge / Escalate now / Resolve buttons. The pages
// to this channel go in the card's thread, without buttons of their own.
import type { IconName } from '../message/icon-name.ts';
import { channel, date, group, header, icon, line, spans, text, user, type Block, type Line, type Message, type Paragraph, type Span } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import { currentLadder, incidentRef, type Incident } from './incident.ts';
import { ladderPoints, nextEscalation } from './escalation-plan.ts';
import { severityLabel, type Severity } from './ladder.ts';
import { dueDate } from './due-date.ts';
import { nextStepLine } from './next-step-line.ts';
import { storedMentions, type IncidentDisplay } from './pager.ts';
import { commanderSpans } from './commander.ts';

const SEVERITY_ICON: Record<Severity, IconName> = { 1: 'sev1', 2: 'sev2', 3: 'sev3', 4: 'sev4' };
/** Ladder points listed on the card: the latest ones. */
const PAGED_SHOWN = 10;

/** `now`: when the message is rendered; the countdown is as of then. */
export function incidentCardMessage(display: IncidentDisplay, now: Date): Message {
  const i = display.incident;
  const lines: Paragraph[] = [statusLine(i), line('Commander ', ...commanderSpans(i.commander), ' · declared ', date(i.declaredAt, 'datetime'))];
  if (display.ackDueAt) {
    const left = display.ackDueAt.getTime() - now.getTime();
    lines.push(left > 0
      ? line(`Ack due in ${formatDuration(left / 1000)} (`, dueDate(display.ackDueAt, now), ')')
      : line(icon('warning'), ' Ack overdue since ', date(display.ackDueAt, 'time')));
  }
  if (display.next) lines.push(line(...nextStepLine(display.next, now)));
  if (i.dedicatedChannel) lines.push(line('Channel: ', channel(i.dedicatedChannel)));

  const paged = pagedLevels(display.paged).slice(-PAGED_SHOWN);
  const blocks: Block[] = [header(incidentTitle(i), SEVERITY_ICON[i.severity]), { type: 'section', paragraphs: lines }];
  if (paged.length > 0) blocks.push({ type: 'context', spans: spans('Paged:', ...paged.flatMap((p) => [`\n• ${p.label}: `, ...p.said, ', ', date(p.at, 'time')])) });
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
      // Offered only while the ladder has a level above the highest one paged: at the last level
      // there is nobody more to page.
      ...(hasLevelAbove(i) ? [{ label: 'Escalate now', intent: { intent: 'incident.escalate' as const, incident: i.id } }] : []),
      {
        label: 'Resolve',
        style: 'danger',
        intent: { intent: 'incident.resolve', incident: i.id },
        confirm: { title: `Resolve ${ref}?`, text: 'Paging stops for every level.', ok: 'Resolve', deny: 'Cancel' },
      },
    ],
  };
}

function hasLevelAbove(i: Incident): boolean {
  return nextEscalation(ladderPoints(currentLadder(i), i.declaredAt), i.status, new Set(i.donePoints)) !== undefined;
}

function statusLine(i: Incident): Paragraph {
  if (i.status === 'resolved') return line(icon('done'), ' Resolved by ', ...who(i.resolvedBy), ' ', ...when(i.resolvedAt));
  if (i.status === 'acknowledged') return line(icon('eyes'), ' Acknowledged by ', ...who(i.acknowledgedBy), ' ', ...when(i.acknowledgedAt));
  return line(icon('bell'), ' Open, not acknowledged');
}

function who(id: string | undefined): Span[] {
  // A person, or the alert that resolved it (autoResolve).
  return id ? commanderSpans(id) : [text('someone')];
}

function when(at: Date | undefined): Span[] {
  return at ? [date(at, 'datetime')] : [];
}

/**
 * The pages of one ladder point on one line: the people and user groups reached (DMs first, then
 * those a channel page named), then how: "by DM and in #incidents"; a channel page naming nobody
 * is "posted in #war-room".
 */
function pagedLevels(paged: IncidentDisplay['paged']): Array<{ label: string; at: Date; said: Span[] }> {
  const levels = new Map<string, { label: string; at: Date; users: string[]; groups: string[]; dm: boolean; channels: string[] }>();
  for (const p of paged) {
    if ('thread' in p.to) continue;
    // Rows without their point (an earlier display) are grouped by level and minute.
    const key = `${p.label}\u0000${p.point ?? Math.floor(p.at.getTime() / 60_000)}`;
    let level = levels.get(key);
    if (!level) {
      const reminder = Number(/a(\d+)$/.exec(p.point ?? '')?.[1] ?? 0);
      levels.set(key, (level = { label: reminder > 0 ? `${p.label} (reminder ${reminder})` : p.label, at: p.at, users: [], groups: [], dm: false, channels: [] }));
    }
    if (p.at < level.at) level.at = p.at;
    const add = (list: string[], id: string) => void (list.includes(id) || list.push(id));
    if ('dm' in p.to) {
      level.dm = true;
      add(level.users, p.to.dm);
    } else {
      const mentions = storedMentions(p.to.mentions);
      for (const u of mentions.users) add(level.users, u);
      for (const g of mentions.groups) add(level.groups, g);
      add(level.channels, p.to.channel);
    }
  }
  return [...levels.values()].map((l) => {
    const named: Span[] = [...l.users.map((u) => user(u)), ...l.groups.map((g) => group(g))];
    const people = named.flatMap((s, n) => (n === 0 ? [s] : [text(', '), s]));
    const places: Span[][] = [...(l.dm ? [[text('by DM')]] : []), ...l.channels.map((c) => [text('in '), channel(c)])];
    const how = places.flatMap((p, n) => (n === 0 ? p : [text(' and '), ...p]));
    const said = people.length > 0 ? [...people, text(' '), ...how] : [text('posted '), ...how];
    return { label: l.label, at: l.at, said };
  });
}
