// The status a /triage answer ends with, for a terminal's exit code and the audit row: the worst
// finding that confirms the most likely cause, or ok when nothing is confirmed (an answer that
// found nothing wrong is not a failure, and a guess is never reported as a problem).
import { worstStatus, type Status } from '../report.ts';
import type { TriageResult } from './triage-result.ts';

export function triageStatus(result: Pick<TriageResult, 'causes'>): Status {
  const top = result.causes[0];
  if (!top?.confirmed) return 'ok';
  return worstStatus(top.evidence.filter((e) => e.supports === true).map((e) => e.status));
}
