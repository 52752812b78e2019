// What an interactive element asks the bot to do, in the bot's own terms. The transport encodes an
// intent into whatever its buttons carry (Slack: an action id and a signed value) and decodes a
// press back into an intent, refusing what it did not offer. Adding an intent here is a type error
// in every transport's registry until it declares how to encode, decode and handle it.

/** Run one remediation action (an id of the action registry) with these parameters on a target. */
export interface RemedyIntent {
  intent: 'remedy';
  action: string;
  params: Record<string, string | number>;
  target: string;
}

/** Show a runbook. */
export interface RunbookOpenIntent {
  intent: 'runbook.open';
  runbook: string;
}

/** Run a runbook's checks on the configured targets of their kinds (worked out at the press). */
export interface RunbookChecksIntent {
  intent: 'runbook.checks';
  runbook: string;
}

/** Open the "declare an incident" dialog prefilled from a report. */
export interface IncidentDeclareIntent {
  intent: 'incident.declare';
  title: string;
  report: { target: string; kind: string; status: string; startedAt: string; findings: Array<{ check: string; status: string; title: string }> };
}

/** Acknowledge, escalate now or resolve an incident. */
export interface IncidentMoveIntent {
  intent: 'incident.ack' | 'incident.escalate' | 'incident.resolve';
  incident: number;
}

/** Show a stored report (a digest's Details button). */
export interface DigestDetailsIntent {
  intent: 'digest.details';
  report: number;
}

/** Run or cancel a destructive action the presser was asked to confirm (a recorded confirmation id). */
export interface ConfirmIntent {
  intent: 'confirm.run' | 'confirm.cancel';
  confirmation: string;
}

/**
 * The /triage answer for a report's findings, posted in the report's thread (its Explain
 * button). The findings travel in the signed value: what the report showed, not a new run.
 */
export interface TriageExplainIntent {
  intent: 'triage.explain';
  report: {
    target: string;
    kind: string;
    /** The findings that are not ok, worst first; `merged`: the checks a root cause took in. */
    findings: Array<{ check: string; status: string; title: string; merged?: string[] }>;
    /** The ids of the checks that came back ok (they rule causes out). */
    ok: string[];
  };
}

/** Mark an alert group's episode useful or noise (the presser's vote, changeable). */
export interface AlertVoteIntent {
  intent: 'alert.useful' | 'alert.noise';
  group: number;
  episode: number;
}

/**
 * Silence a firing alert group's episode in Alertmanager for `minutes` (0: until it resolves), or
 * expire the silence made from its message. The matchers come from the stored group at the press.
 */
export interface AlertSilenceIntent {
  intent: 'alert.silence';
  group: number;
  episode: number;
  minutes: number;
  /** The presser's private prompt's button: without it, a press only asks. */
  confirmed?: true;
}

export interface AlertUnsilenceIntent {
  intent: 'alert.unsilence';
  group: number;
  silence: string;
  confirmed?: true;
}

export type Intent = RemedyIntent | RunbookOpenIntent | RunbookChecksIntent | IncidentDeclareIntent | IncidentMoveIntent | DigestDetailsIntent | ConfirmIntent | TriageExplainIntent | AlertVoteIntent | AlertSilenceIntent | AlertUnsilenceIntent;

export type IntentName = Intent['intent'];
