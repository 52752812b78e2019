// The severity escalation ladder: for each severity, how soon someone must acknowledge and who is
// paged when, until acknowledged or until resolved. The config's ladder (or the default below,
// taken from the teams' troubleshooting guides) is snapshotted onto an incident when it is
// declared, with roles resolved to people: editing the config later never changes a running one.

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
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * The guides' ladder: respond within 15 min (SEV-1), 1 h, 4 h, 24 h (SEV-4); page the on-call
 * engineer at once (SEV-1 wakes the channel and pages again every 5 min until acknowledged), then,
 * while unresolved, the team lead after 1 h, the engineering manager after 4 h, the VP of
 * engineering after 24 h.
 */
export function defaultLadder(): LadderConfig {
  const climb = (): LadderStep[] => [
    { label: 'team lead', afterMs: HOUR, notify: [{ role: 'team-lead' }], via: ['dm', 'mention'], until: 'resolved', repeat: { times: 0, everyMs: 0 } },
    { label: 'engineering manager', afterMs: 4 * HOUR, notify: [{ role: 'engineering-manager' }], via: ['dm', 'mention'], until: 'resolved', repeat: { times: 0, everyMs: 0 } },
    { label: 'VP of engineering', afterMs: 24 * HOUR, notify: [{ role: 'vp-engineering' }], via: ['dm', 'mention'], until: 'resolved', repeat: { times: 0, everyMs: 0 } },
  ];
  const onCall = (sev: Severity): LadderStep => ({
    label: 'on-call',
    afterMs: 0,
    notify: [{ oncall: 'primary' }],
    via: ['dm', 'mention'],
    ...(sev === 1 && { broadcast: 'here' as const }),
    until: 'acknowledged',
    repeat: sev === 1 ? { times: 2, everyMs: 5 * MIN } : { times: 0, everyMs: 0 },
  });
  return {
    sev1: { ackWithinMs: 15 * MIN, steps: [onCall(1), ...climb()] },
    sev2: { ackWithinMs: HOUR, steps: [onCall(2), ...climb()] },
    sev3: { ackWithinMs: 4 * HOUR, steps: [onCall(3), ...climb()] },
    sev4: { ackWithinMs: 24 * HOUR, steps: [onCall(4), ...climb()] },
  };
}

/** The ladder of one severity with roles resolved through `roles`; unknown roles are kept by name so the step can say so. */
export function snapshotLadder(ladder: LadderConfig, severity: Severity, roles: Readonly<Record<string, ResolvedRecipient[]>>): LadderSnapshot {
  const sev = ladder[`sev${severity}`];
  return {
    severity,
    ackWithinMs: sev.ackWithinMs,
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
