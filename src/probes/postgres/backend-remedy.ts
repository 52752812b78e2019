// The buttons a finding about a session offers: cancel its statement or terminate it, by pid.
import type { Remedy } from '../../report.ts';

const LABELS = {
  'postgres.cancel_query': 'Cancel',
  'postgres.terminate_backend': 'Terminate',
} as const;

export type BackendAction = keyof typeof LABELS;

/** Sessions worth a button each; more would crowd the message. */
export const MAX_SESSION_REMEDIES = 3;

export function backendRemedy(action: BackendAction, pid: number): Remedy {
  return { action, label: `${LABELS[action]} pid ${pid}`, params: { pid } };
}

export function backendRemedies(action: BackendAction, sessions: ReadonlyArray<{ pid: number }>): Remedy[] {
  return sessions.slice(0, MAX_SESSION_REMEDIES).map((s) => backendRemedy(action, s.pid));
}
