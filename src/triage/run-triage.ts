// /triage: from a symptom in plain words to its likely causes. The words pick the candidate
// runbooks (rankRunbooks, offline); their evidence checks say which kinds to look at; every
// configured target of those kinds runs once, with only the checks some candidate needs,
// concurrently (runAllProbes' pool), each bounded by runProbe's own limit and all of them by the
// budget; then triageFromReports weighs the findings. The optional model narrates the result
// within what is left of the budget, and never changes it.
import type { Target } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import { findProbe } from '../probes/probe-registry.ts';
import { answersEvidence, isOneQuery } from '../probes/prometheus/answers-evidence.ts';
import type { ProbeStateStore } from '../probes/probe-state.ts';
import { runAllProbes } from '../probes/run-all-probes.ts';
import { runProbe, type RunProbeOptions } from '../probes/run-probe.ts';
import type { Report } from '../report.ts';
import type { RunbookIndex } from '../runbooks/load-runbooks.ts';
import type { Narrator } from './narrator-for.ts';
import { rankRunbooks } from './rank-runbooks.ts';
import { evidenceByKind } from '../runbooks/runbook-check-plan.ts';
import { triageFromReports } from './triage-from-reports.ts';
import type { RankedRunbook, TriageResult } from './triage-result.ts';

/** Candidate runbooks taken from the words. */
export const DEFAULT_CANDIDATES = 5;
/** Targets run for one symptom at most: the ones the best candidates need first. */
export const DEFAULT_MAX_TARGETS = 8;
/** The whole answer, model included; each probe is bounded well within it by runProbe. */
export const DEFAULT_TRIAGE_BUDGET_MS = 25_000;
/** With a model, the probes get this share of the budget and the model what is left. */
const PROBE_SHARE_WITH_MODEL = 0.6;

export interface RunTriageOptions {
  /** Every configured target (also given to the probes for evidence one target finds on another). */
  targets: readonly Target[];
  runbooks: RunbookIndex;
  log: Logger;
  state?: ProbeStateStore;
  secrets?: readonly string[];
  signal?: AbortSignal;
  budgetMs?: number;
  narrate?: Narrator;
  candidates?: number;
  maxTargets?: number;
  /** After each target finishes, for a progress message. */
  onProgress?: (done: number, total: number) => void;
  /** Called once the targets to run are known (before they run). */
  onPlan?: (targets: readonly Target[]) => void;
}

export interface TriageRun {
  result: TriageResult;
  /** The reports of the targets that ran, in the order they were planned. */
  reports: Report[];
}

/** What runs where: the targets to run, each with the names of its checks, and the candidates nothing can check. */
export interface TriagePlan {
  runs: Array<{ target: Target; checks: Set<string> }>;
  /** Candidates some of whose targets were left out by the cap: what ran cannot rule them out. */
  partial: string[];
  notChecked: Array<{ runbook: string; title: string; reason: string }>;
}

export async function runTriage(symptom: string, options: RunTriageOptions): Promise<TriageRun> {
  const started = performance.now();
  const budgetMs = options.budgetMs ?? DEFAULT_TRIAGE_BUDGET_MS;
  const candidates = rankRunbooks(symptom, options.runbooks.all, { limit: options.candidates ?? DEFAULT_CANDIDATES });
  const plan = planTriage(candidates, options.runbooks, options.targets, options.maxTargets ?? DEFAULT_MAX_TARGETS);
  options.onPlan?.(plan.runs.map((r) => r.target));
  const probeBudget = Math.max(0, Math.round(options.narrate ? budgetMs * PROBE_SHARE_WITH_MODEL : budgetMs));
  const signal = anySignal(options.signal, AbortSignal.timeout(Math.max(1, probeBudget)));
  const checksOf = new Map(plan.runs.map((r) => [r.target.name, r.checks]));
  const set = await runAllProbes(plan.runs.map((r) => r.target), {
    log: options.log,
    signal,
    targets: options.targets,
    runbookForCheck: options.runbooks.byCheck,
    ...(options.state && { state: options.state }),
    ...(options.secrets && { secrets: options.secrets }),
    ...(options.onProgress && { onProgress: (done: number, total: number) => options.onProgress!(done, total) }),
    runOne: (target: Target, o: RunProbeOptions) => runProbe(target, { ...o, checks: checksOf.get(target.name)! }),
  });
  const order = new Map(plan.runs.map((r, i) => [r.target.name, i]));
  const reports = [...set.reports].sort((a, b) => order.get(a.target)! - order.get(b.target)!);
  const found = triageFromReports({
    symptom,
    candidates,
    reports,
    runbooks: options.runbooks,
    notChecked: plan.notChecked,
    partiallyChecked: plan.partial,
    unasked: 'crit',
    durationMs: Math.round(performance.now() - started),
  });
  if (!options.narrate) return { result: found, reports };
  const narration = await narrateWithin(options.narrate, found, budgetMs - (performance.now() - started), options.signal, options.log);
  return { result: { ...found, durationMs: Math.round(performance.now() - started), narration }, reports };
}

/**
 * The targets the candidates need and the checks each runs: a candidate's evidence checks name
 * their kind (`postgres.connections` -> postgres, check `connections`); every configured target of
 * that kind without a configuration problem runs once, with the union of the checks asked of its
 * kind, the best candidates' targets first, at most `maxTargets`.
 */
export function planTriage(candidates: readonly RankedRunbook[], runbooks: RunbookIndex, targets: readonly Target[], maxTargets: number): TriagePlan {
  const runs = new Map<string, { target: Target; checks: Set<string> }>();
  const notChecked: TriagePlan['notChecked'] = [];
  const partial: string[] = [];
  for (const candidate of candidates) {
    const runbook = runbooks.byId.get(candidate.runbook);
    if (!runbook) continue;
    const evidence = evidenceByKind(runbook);
    if (evidence.size === 0) continue;
    let planned = 0;
    const missing: string[] = [];
    for (const [kind, checks] of evidence) {
      const ofKind = targets.filter((t) => kindOf(t) === kind && t.configProblem === undefined);
      let able = 0;
      for (const target of ofKind) {
        // One PromQL query (prometheus.query.<name>) only where the target has that query.
        const names = checks.filter((c) => answersEvidence(target, c.check)).map((c) => c.name);
        if (names.length === 0) continue;
        able++;
        const run = runs.get(target.name);
        if (run) {
          for (const c of names) run.checks.add(c);
          planned++;
        } else if (runs.size < maxTargets) {
          runs.set(target.name, { target, checks: new Set(names) });
          planned++;
        } else if (!partial.includes(runbook.id)) {
          partial.push(runbook.id);
        }
      }
      // A kind asked only for one query is a bonus, not something missing.
      if (able === 0 && !checks.every((c) => isOneQuery(c.check))) missing.push(kind);
    }
    if (planned > 0) continue;
    const kinds = [...evidence].filter(([, checks]) => !checks.every((c) => isOneQuery(c.check))).map(([kind]) => kind);
    notChecked.push({ runbook: runbook.id, title: runbook.title, reason: notCheckedReason(missing, kinds, targets, maxTargets) });
  }
  return { runs: [...runs.values()], notChecked, partial };
}

function kindOf(target: Target): string {
  return findProbe(target.kind)?.kind ?? target.kind;
}

function notCheckedReason(missing: readonly string[], kinds: readonly string[], targets: readonly Target[], maxTargets: number): string {
  if (missing.length === kinds.length) {
    const broken = targets.filter((t) => kinds.includes(kindOf(t)) && t.configProblem !== undefined);
    const none = `no ${orList(kinds)} target configured`;
    return broken.length > 0 ? `${none} that can run (${broken.map((t) => `${t.name}: ${t.configProblem}`).join('; ')})` : none;
  }
  return `its targets were not run: at most ${maxTargets} targets are checked for one symptom, and the likelier causes took them`;
}

function orList(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** The model's words within `ms`, or why there are none; never throws, never waits past `ms`. */
async function narrateWithin(narrate: Narrator, result: Omit<TriageResult, 'narration'>, ms: number, outer: AbortSignal | undefined, log: Logger): Promise<NonNullable<TriageResult['narration']>> {
  if (ms <= 0) return { ok: false, reason: 'no time was left in the answer\'s budget' };
  const controller = new AbortController();
  const abort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', abort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<NonNullable<TriageResult['narration']>>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('triage budget spent'));
      resolve({ ok: false, reason: `no answer within ${(ms / 1000).toFixed(1)} s` });
    }, ms);
  });
  try {
    // A copy: whatever the narrator does to it, the ranking, confidence and buttons stay as found.
    return await Promise.race([narrate(structuredClone(result), controller.signal), late]);
  } catch (err) {
    log.warn({ err }, 'the triage narrator failed');
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', abort);
  }
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}
