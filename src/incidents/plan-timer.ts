// What firing one ladder timer does, as a pure step (the grafana/oncall and GoAlert way): given
// the timer, the incident as locked, the time and the recipients' data fetched beforehand, it
// returns the page rows and timeline entries to write and the points now handled; the caller
// writes them and arms the next point. A timer that is not the incident's active one under its
// current epoch (an ack, resolve, escalation or severity change came after it) is discarded.
import { channel, group, spans, user, type Line, type Span } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import { isLive, ladderPoints, type LadderPoint } from './escalation-plan.ts';
import { currentLadder, incidentRef, type Incident } from './incident.ts';
import type { NewPage, TimerRef } from './incident-store.ts';
import { severityLabel } from './ladder.ts';
import { resolveRecipients, type RecipientData, type RecipientNeeds } from './resolve-recipients.ts';

export interface PlannedEvent {
  kind: string;
  /** People, channels and groups by id. */
  line: Line;
}

export type TimerPlan =
  | { kind: 'discard' }
  /** Recipient data to fetch (outside the transaction) before the timer can be planned. */
  | { kind: 'needs'; needs: RecipientNeeds }
  | { kind: 'fire'; pages: NewPage[]; events: PlannedEvent[]; donePoints: string[] };

export interface TimerPlanInput {
  timer: TimerRef;
  incident: Incident | undefined;
  now: Date;
  incidentsChannel: string;
  data: RecipientData;
}

export function planTimer({ timer, incident, now, incidentsChannel, data }: TimerPlanInput): TimerPlan {
  // The fencing check: a timer from before an ack, resolve, escalation or severity change.
  if (!incident || incident.activeTimer !== Number(timer.id) || incident.epoch !== timer.epoch) return { kind: 'discard' };
  const points = ladderPoints(currentLadder(incident), incident.declaredAt);
  const done = new Set(incident.donePoints);
  const pages: NewPage[] = [];
  const events: PlannedEvent[] = [];
  let point = points.find((p) => p.id === timer.point);
  while (point && !done.has(point.id) && isLive(point, incident.status)) {
    const outcome = planPoint(incident, point, points, done, now, incidentsChannel, data);
    if ('needs' in outcome) return { kind: 'needs', needs: outcome.needs };
    pages.push(...outcome.pages);
    events.push(...outcome.events);
    done.add(point.id);
    const step = point.step;
    // Nobody could be paged at this level: the next level is paged now, and the thread says so.
    point = outcome.nobody ? points.find((p) => p.kind === 'page' && !done.has(p.id) && isLive(p, incident.status) && p.step !== step) : undefined;
  }
  return { kind: 'fire', pages, events, donePoints: [...done] };
}

function planPoint(
  incident: Incident, point: LadderPoint, points: readonly LadderPoint[], done: ReadonlySet<string>, now: Date, incidentsChannel: string, data: RecipientData,
): { needs: RecipientNeeds } | { pages: NewPage[]; events: PlannedEvent[]; nobody: boolean } {
  const ref = incidentRef(incident.id);
  const ladder = currentLadder(incident);
  const page = (key: string, label: string, recipient: NewPage['recipient'], until: NewPage['until']): NewPage => ({
    key, incidentId: incident.id, point: point.id, label, recipient, until, dueAt: new Date(Math.min(point.dueAt, now.getTime())), createdAt: now,
  });
  if (point.kind === 'deadline') {
    const text = `${severityLabel(incident.severity)} acknowledge deadline (${formatDuration(ladder.ackWithinMs / 1000)}) missed: nobody has acknowledged ${ref} yet.`;
    return { pages: [page(`${ref}/${point.id}/thread`, point.label, { thread: true, text }, 'resolved')], events: [{ kind: 'deadline_missed', line: spans(text) }], nobody: false };
  }
  // After downtime, a repeat already due makes the earlier one pointless: one page, not three.
  const later = points.find((p) => p.kind === 'page' && p.step === point.step && (p.attempt ?? 0) > (point.attempt ?? 0) && p.dueAt <= now.getTime() && !done.has(p.id));
  if (later) return { pages: [], events: [], nobody: false };

  const step = ladder.steps[point.step!]!;
  const resolution = resolveRecipients(step, incidentsChannel, data);
  if ('needs' in resolution) return resolution;
  const { recipients, users, groups, channels, missing } = resolution.resolved;
  if (recipients.length === 0) {
    const why = missing.length > 0 ? missing.join('; ') : 'the level names nobody';
    const text = `Nobody to page for ${step.label} (${why}): paging the next level now.`;
    return { pages: [page(`${ref}/${point.id}/thread`, step.label, { thread: true, text }, 'resolved')], events: [{ kind: 'nobody_to_page', line: spans(text) }], nobody: true };
  }
  const pages = recipients.map((recipient) => {
    const to = 'dm' in recipient ? `dm:${recipient.dm}` : 'channel' in recipient ? `channel:${recipient.channel}` : 'thread';
    return page(`${ref}/${point.id}/${to}`, step.label, recipient, point.until);
  });
  const named: Span[] = [...users.map(user), ...groups.map(group), ...channels.map(channel)];
  const who = named.flatMap((s, n) => (n === 0 ? [s] : [', ', s]));
  const repeat = (point.attempt ?? 0) > 0 ? ` (repeat ${point.attempt})` : '';
  return { pages, events: [{ kind: 'page', line: spans(`Paging ${step.label}${repeat}: `, ...who, ...(missing.length ? [` (${missing.join('; ')})`] : [])) }], nobody: false };
}
