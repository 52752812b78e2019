// The remediation actions the bot knows, by id: the actions of every kind in the probe registry,
// each defined with its kind (src/probes/<kind>/<kind>-kind.ts). Runbooks and findings refer to
// these ids; the runbook loader refuses an id that is not here. Running them (authorization,
// confirmation, idempotency, audit) is the job of the action runner, which reads the same entries.
import { PROBES } from '../probes/probe-registry.ts';
import type { ActionDefinition } from './action-definition.ts';

export type { ActionSpec } from './action-definition.ts';
export type { IntegerParam, ParamSpec, StringParam } from './param-spec.ts';

/** Every kind's actions, in registry order; checked when the registry loads (check-action-registry.ts). */
export const ACTIONS: readonly ActionDefinition[] = PROBES.flatMap((p) => p.actions);

const byId = new Map(ACTIONS.map((a) => [a.id, a]));

export function findAction(id: string): ActionDefinition | undefined {
  return byId.get(id);
}
