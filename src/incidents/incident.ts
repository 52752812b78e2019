// An incident as stored, and as the rest of the bot sees it.
import type { IncidentStatus } from './escalation-plan.ts';
import type { LadderSnapshot, Severity } from './ladder.ts';

export interface Incident {
  id: number;
  severity: Severity;
  title: string;
  status: IncidentStatus;
  commander: string;
  declaredAt: Date;
  acknowledgedAt?: Date;
  acknowledgedBy?: string;
  resolvedAt?: Date;
  resolvedBy?: string;
  /** Every severity's ladder as it was when the incident was declared. */
  ladders: Record<`sev${Severity}`, LadderSnapshot>;
  donePoints: string[];
  epoch: number;
  activeTimer?: number;
  /** The incident's message in the incidents channel. */
  channel?: string;
  messageTs?: string;
  dedicatedChannel?: string;
  report?: unknown;
  /** The latest "Escalate now": by whom, to which level, when. */
  lastEscalation?: { at: Date; by: string; to: string };
}

export function incidentRef(id: number): string {
  return `INC-${id}`;
}

/** "INC-42", "inc-42" or "42" -> 42. */
export function parseIncidentRef(word: string): number | undefined {
  const m = /^(?:inc-?)?(\d{1,12})$/i.exec(word.trim());
  return m ? Number(m[1]) : undefined;
}

/** A row of `incidents` as pg returns it. */
export interface IncidentRow {
  id: string;
  severity: number;
  title: string;
  status: IncidentStatus;
  commander: string;
  declared_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  ladders: Incident['ladders'];
  done_points: string[];
  epoch: number;
  active_timer: string | null;
  channel: string | null;
  message_ts: string | null;
  dedicated_channel: string | null;
  report: unknown;
  last_escalated_at?: Date | null;
  last_escalated_by?: string | null;
  last_escalated_to?: string | null;
}

export function incidentFromRow(r: IncidentRow): Incident {
  return {
    id: Number(r.id),
    severity: r.severity as Severity,
    title: r.title,
    status: r.status,
    commander: r.commander,
    declaredAt: r.declared_at,
    ...(r.acknowledged_at && { acknowledgedAt: r.acknowledged_at }),
    ...(r.acknowledged_by && { acknowledgedBy: r.acknowledged_by }),
    ...(r.resolved_at && { resolvedAt: r.resolved_at }),
    ...(r.resolved_by && { resolvedBy: r.resolved_by }),
    ladders: r.ladders,
    donePoints: r.done_points,
    epoch: r.epoch,
    ...(r.active_timer && { activeTimer: Number(r.active_timer) }),
    ...(r.channel && { channel: r.channel }),
    ...(r.message_ts && { messageTs: r.message_ts }),
    ...(r.dedicated_channel && { dedicatedChannel: r.dedicated_channel }),
    ...(r.report !== null && r.report !== undefined && { report: r.report }),
    ...(r.last_escalated_at && { lastEscalation: { at: r.last_escalated_at, by: r.last_escalated_by ?? '', to: r.last_escalated_to ?? '' } }),
  };
}

export function currentLadder(incident: Pick<Incident, 'ladders' | 'severity'>): LadderSnapshot {
  return incident.ladders[`sev${incident.severity}`];
}
