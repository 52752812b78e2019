// A cause's confidence as a reader takes it: "likely" only when a finding confirms it and the
// evidence is strong (0.7 and above), "possible" for a weaker confirmation or a bad finding below
// what the runbook says confirms it, "not confirmed" for the words alone.
import type { TriageCause } from './triage-result.ts';
import { TEXT_ONLY_MAX } from './triage-from-reports.ts';

export type ConfidenceWords = 'likely' | 'possible' | 'not confirmed';

export const LIKELY_FROM = 0.7;

export function confidenceWords(cause: Pick<TriageCause, 'confidence' | 'confirmed'>): ConfidenceWords {
  if (cause.confirmed && cause.confidence >= LIKELY_FROM) return 'likely';
  if (cause.confirmed || cause.confidence > TEXT_ONLY_MAX) return 'possible';
  return 'not confirmed';
}
