// The severity escalation ladder: for each severity, how soon someone must acknowledge and who is
// paged when, until acknowledged or until resolved. The config's ladder (or the default below,
// taken from the teams' troubleshooting guides) is snapshotted onto an incident when it is
// declared, with roles resolved to people and the working hours as configured then: editing the
// config later never changes a running one.
import { DEFAULT_WORKING_HOURS, type WorkingHours } from './working-hours.ts';

export type Severity = 1 | 2 | 3 | 4;
export const SEVERITIES: readonly Severity[] = [1, 2, 3, 4];

/** Whom a step pages. A role is a name in `incidents.roles`, resolved at declaration. */
export type Recipient = { user: string } | { group: string } | { oncall: string } | { channel: string } | { role: string };

/** A recipient after declaration: roles are gone. */
export type ResolvedRecipient = Exclude<Recipient, { role: string }>;

export interface LadderStep {
  /** Who this level is, in messages: "on-call", "team lead". */
  label: string;
  /** Counted from the declaration. */
  afterMs: number;
  notify: Recipient[];
  /** dm: a direct message to each person; mention: a message in the incidents channel naming them. */
  via: Array<'dm' | 'mention'>;
  /** SEV-1: wake the channel too. */
  broadcast?: 'here' | 'channel';
  /** The step fires only while the incident is not yet acknowledged, or not yet resolved. */
  until: 'acknowledged' | 'resolved';
  /** Pages again `times` more times, `everyMs` apart, while the condition holds. */
  repeat: { times: number; everyMs: number };
  /** Pages only within working hours: a time outside them moves to their next start. Absent: at any time. */
  during?: 'working-hours';
}

export interface SeverityLadder {
  /** The response deadline: a missed one is said in the incident's thread. */
  ackWithinMs: number;
  steps: LadderStep[];
}

export type LadderConfig = Record<`sev${Severity}`, SeverityLadder>;

/** A ladder as stored on an incident: roles resolved, nothing left to look up in the config. */
export interface LadderSnapshot {
  severity: Severity;
  ackWithinMs: number;
  steps: Array<Omit<LadderStep, 'notify'> & { notify: ResolvedRecipient[]; unresolvedRoles?: string[] }>;
  /** The working hours as configured at the declaration; only when a step pages in working hours only. */
  workingHours?: WorkingHours;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/**
 * The guides' response times: SEV-1 within 15 min, SEV-2 1 h, SEV-3 4 h, SEV-4 24 h. SEV-1 and
 * SEV-2 page the on-call engineer at once (SEV-1 wakes the channel with @here and pages again
 * every 5 min until acknowledged), then, while unresolved, the team lead after 1 h, the
 * engineering manager after 4 h and the VP of engineering after 24 h (the guides' escalation
 * path). SEV-3 and SEV-4 page nobody at once: the incident is posted in the channel, the on-call
 * engineer is paged when the response time passes unacknowledged, and the team lead and the
 * engineering manager later while unresolved; each of their pages goes out in working hours
 * only. The VP is paged for SEV-1 and SEV-2 only.
 */
export function defaultLadder(): LadderConfig {
  const none = { times: 0, everyMs: 0 };
  const level = (label: string, role: string, afterMs: number, during?: 'working-hours'): LadderStep => ({
    label, afterMs, notify: [{ role }], via: ['dm', 'mention'], until: 'resolved', repeat: none, ...(during && { during }),
  });
  const urgent = (sev: 1 | 2): LadderStep[] => [
    {
      label: 'on-call',
      afterMs: 0,
      notify: [{ oncall: 'primary' }],
      via: ['dm', 'mention'],
      ...(sev === 1 && { broadcast: 'here' as const }),
      until: 'acknowledged',
      repeat: sev === 1 ? { times: 2, everyMs: 5 * MIN } : none,
    },
    level('team lead', 'team-lead', HOUR),
    level('engineering manager', 'engineering-manager', 4 * HOUR),
    level('VP of engineering', 'vp-engineering', DAY),
  ];
  const quiet = (respondMs: number, leadMs: number, managerMs: number): LadderStep[] => [
    { label: 'on-call', afterMs: respondMs, notify: [{ oncall: 'primary' }], via: ['dm', 'mention'], until: 'acknowledged', repeat: none, during: 'working-hours' },
    level('team lead', 'team-lead', leadMs, 'working-hours'),
    level('engineering manager', 'engineering-manager', managerMs, 'working-hours'),
  ];
  return {
    sev1: { ackWithinMs: 15 * MIN, steps: urgent(1) },
    sev2: { ackWithinMs: HOUR, steps: urgent(2) },
    sev3: { ackWithinMs: 4 * HOUR, steps: quiet(4 * HOUR, DAY, 3 * DAY) },
    sev4: { ackWithinMs: DAY, steps: quiet(DAY, 3 * DAY, 7 * DAY) },
  };
}

/**
 * The ladder of one severity with roles resolved through `roles`; unknown roles are kept by name so
 * the step can say so. The working hours go with it when a step pages in working hours only.
 */
export function snapshotLadder(
  ladder: LadderConfig, severity: Severity, roles: Readonly<Record<string, ResolvedRecipient[]>>, workingHours: WorkingHours = DEFAULT_WORKING_HOURS,
): LadderSnapshot {
  const sev = ladder[`sev${severity}`];
  return {
    severity,
    ackWithinMs: sev.ackWithinMs,
    ...(sev.steps.some((s) => s.during === 'working-hours') && { workingHours }),
    steps: sev.steps.map((step) => {
      const notify: ResolvedRecipient[] = [];
      const unresolvedRoles: string[] = [];
      for (const r of step.notify) {
        if ('role' in r) {
          const people = roles[r.role];
          if (people && people.length > 0) notify.push(...people);
          else unresolvedRoles.push(r.role);
        } else notify.push(r);
      }
      return { ...step, notify, ...(unresolvedRoles.length > 0 && { unresolvedRoles }) };
    }),
  };
}

export function severityLabel(severity: Severity): string {
  return `SEV-${severity}`;
}

export function parseSeverity(word: string): Severity | undefined {
  const m = /^(?:sev-?)?([1-4])$/i.exec(word.trim());
  return m ? (Number(m[1]) as Severity) : undefined;
}
