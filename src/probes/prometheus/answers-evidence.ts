// Whether a target can answer an evidence check of a runbook: `prometheus.query.<name>` names one
// PromQL query, which only a prometheus target that has it (its own queries or a pack it switched
// on) answers; any other check id, every target of its kind.
import type { Target } from '../../config/config.ts';
import { parseQueryConfig } from './query-config.ts';

const ONE_QUERY = /^prometheus\.query\.([a-z0-9_]+)$/;

export function answersEvidence(target: Target, check: string): boolean {
  const query = ONE_QUERY.exec(check)?.[1];
  if (query === undefined) return true;
  if (target.kind !== 'prometheus') return false;
  const parsed = parseQueryConfig(target as { queries?: unknown; queryPacks?: unknown });
  return parsed.ok && parsed.queries.some((q) => q.name === query);
}

/** Evidence that only a target with that one query answers: a kind it cannot be "missing" for. */
export function isOneQuery(check: string): boolean {
  return ONE_QUERY.test(check);
}
