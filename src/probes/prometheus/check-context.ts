// Shared by the prometheus checks: the kind's finding helper, typed by its check names, and what
// a run hands them (the JSON-API context plus the target's PromQL queries).
import type { ApiCheckContext } from '../http/failed-call.ts';
import { findingFor } from '../http/probe-support.ts';
import type { PromQuery } from './query-config.ts';

export const KIND = 'prometheus';

/** The names of the prometheus checks: a finding naming another is a type error. */
export type PrometheusCheckName = 'reachable' | 'targets' | 'alerts' | 'rules' | 'alertmanagers' | 'query';

export const finding = findingFor<PrometheusCheckName>(KIND);

export interface PrometheusContext extends ApiCheckContext {
  /** The target's queries and its packs', in report order. */
  queries: readonly PromQuery[];
  /** Why the target's queries cannot be used (a target that did not come through the config loader). */
  queryProblem?: string;
  /** `targets.<name>`: where the queries are configured, for the fix of a bad one. */
  targetKey: string;
}
