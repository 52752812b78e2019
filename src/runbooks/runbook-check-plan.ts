// What a runbook's Run checks button runs: the runbook's evidence checks, grouped by kind (the check
// id's prefix), on the configured targets of those kinds. Worked out from the config as it is when
// the button is shown and again when it is pressed, so a press never runs on a target the button
// named but the config no longer has.
import type { Target } from '../config/config.ts';
import { PROBES } from '../probes/probe-registry.ts';
import { answersEvidence } from '../probes/prometheus/answers-evidence.ts';
import type { Runbook } from './runbook.ts';

/** Targets one press runs on at most, all at once; the rest are named, for /diag. */
export const MAX_RUNBOOK_CHECK_TARGETS = 8;

export interface RunbookCheckPlan {
  /** The names of the checks to run per kind (`postgres` -> `connections`, `idle_in_transaction`). */
  checks: ReadonlyMap<string, ReadonlySet<string>>;
  /** The targets to run them on, in config order, at most MAX_RUNBOOK_CHECK_TARGETS. */
  targets: Target[];
  /** Targets of those kinds left out: beyond the limit, or their configuration cannot be used. */
  skipped: Array<{ target: string; reason: 'limit' | 'config' }>;
}

/**
 * A runbook's evidence checks by kind, each with its check name within the kind (the id's prefix
 * is the kind; `prometheus.query.<name>`, one query, runs as the kind's `query` check). Only checks
 * that run: the kind's first check is answered by the session itself (reachable: connecting is the
 * check); another without a run (k8s.log_patterns, answered by /diag logs only) is left out.
 * /triage plans its runs from the same list.
 */
export function evidenceByKind(runbook: Pick<Runbook, 'evidence'>): Map<string, Array<{ check: string; name: string }>> {
  const out = new Map<string, Array<{ check: string; name: string }>>();
  for (const { check } of runbook.evidence) {
    const kind = PROBES.find((p) => check.startsWith(`${p.kind}.`));
    const name = kind ? check.slice(kind.kind.length + 1).split('.')[0]! : '';
    if (!kind?.checks.some((c, i) => c.name === name && (c.run !== undefined || i === 0))) continue;
    const list = out.get(kind.kind) ?? [];
    list.push({ check, name });
    out.set(kind.kind, list);
  }
  return out;
}

/**
 * The plan for this runbook on these targets: its evidenceByKind, on the configured targets of
 * those kinds (a kind with nothing to run is not planned).
 */
export function runbookCheckPlan(runbook: Pick<Runbook, 'evidence'>, targets: readonly Target[]): RunbookCheckPlan {
  const checks = new Map([...evidenceByKind(runbook)].map(([kind, list]) => [kind, new Set(list.map((c) => c.name))]));
  const chosen: Target[] = [];
  const skipped: RunbookCheckPlan['skipped'] = [];
  for (const t of targets) {
    if (!checks.has(t.kind)) continue;
    // A prometheus target asked only for one PromQL query it does not have has nothing to run.
    if (!runbook.evidence.some((e) => e.check.startsWith(`${t.kind}.`) && answersEvidence(t, e.check))) continue;
    if (t.configProblem !== undefined) skipped.push({ target: t.name, reason: 'config' });
    else if (chosen.length >= MAX_RUNBOOK_CHECK_TARGETS) skipped.push({ target: t.name, reason: 'limit' });
    else chosen.push(t);
  }
  return { checks, targets: chosen, skipped };
}

/** The check ids a plan runs on a target of this kind (`postgres.connections`). */
export function plannedCheckIds(plan: RunbookCheckPlan, kind: string): string[] {
  return [...(plan.checks.get(kind) ?? [])].map((name) => `${kind}.${name}`);
}

/**
 * What the runbook message's Run checks button says it runs (the checks of the kinds that have a
 * target, and the targets), or undefined when a press would have nothing to run.
 */
export function runChecksOffer(runbook: Pick<Runbook, 'evidence'>, targets: readonly Target[]): { checks: string[]; targets: string[] } | undefined {
  const plan = runbookCheckPlan(runbook, targets);
  if (plan.targets.length === 0) return undefined;
  const kinds = [...new Set(plan.targets.map((t) => t.kind))];
  return { checks: kinds.flatMap((kind) => plannedCheckIds(plan, kind)), targets: plan.targets.map((t) => t.name) };
}
