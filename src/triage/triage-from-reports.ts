// From findings to causes: the runbooks a symptom's words picked (or a report's findings alone),
// each weighed by what the checks found, most likely first. No I/O: runTriage runs the probes and
// calls this; a report's Explain button calls it with the report it is on.
//
// How confidence (0..1) comes from the evidence, for one runbook:
// - A finding of one of its evidence checks at or above the status the runbook says confirms it
//   confirms it. The strongest confirming finding sets the level: a crit one 0.90, a warn one
//   0.83; each further confirming finding adds 0.02 (at most 0.06), the words' match adds up to
//   0.10 (score x 0.1), and every ok finding of its evidence on a target where it was confirmed
//   takes 0.04 off (at most 0.10). A runbook the words did not pick, added because a finding
//   confirms it at crit while a symptom was given, counts three quarters of that.
// - A runbook confirmed only by checks it borrows from other runbooks (`evidence:`, not its own
//   `checks:`) counts 0.65 of that: at most "possible", and the owner of the check comes first.
//   When its own checks ran and came back ok, borrowed evidence is only a weak sign (below).
// - A warn finding where the runbook wants crit supports it only weakly: 0.25 + 0.25 x score,
//   at most 0.5, "possible" (0.8 of that beside ok findings of its own checks).
// - Nothing found for or against (no finding, or only unknown ones: a check that could not see is
//   neither): the words alone, 0.4 x score, at most 0.4, "not confirmed".
// - Ok findings and no other: every check that ran came back ok, so the runbook is ruled out;
//   only when its own checks were among them (a runbook is not ruled out by what it borrows), and
//   not when some of its targets were left out by the cap on targets.
//   Ok findings beside unknown ones lower the words' share in proportion (down to half).
// The thresholds a reader sees (likely at 0.7 and above, possible above 0.4) are in
// confidenceWords.
import type { Finding, Remedy, Report, Status } from '../report.ts';
import { sortFindings, statusRank } from '../report.ts';
import type { RunbookIndex } from '../runbooks/load-runbooks.ts';
import type { Runbook, RunbookEvidence } from '../runbooks/runbook.ts';
import type { RankedRunbook, TriageCause, TriageEvidence, TriageResult } from './triage-result.ts';

/** Levels of a confirmed cause, by the status of its strongest confirming finding. */
const CONFIRMED_BASE = 0.55;
const CONFIRMED_SPAN = 0.35;
const STRENGTH: Record<'warn' | 'crit', number> = { crit: 1, warn: 0.8 };
const TEXT_SHARE_CONFIRMED = 0.1;
const EXTRA_CONFIRMING = 0.02;
const MAX_EXTRA = 0.06;
const OK_PENALTY = 0.04;
const MAX_OK_PENALTY = 0.1;
/** A runbook the words did not pick, confirmed at crit by a finding of a target that was run anyway. */
const UNASKED_WEIGHT = 0.75;
const WEAK_BASE = 0.25;
/**
 * A runbook confirmed only by checks it borrows from others (a crashloop for "users see 503s"):
 * the owner of the check comes first, and alone it stays below "likely" for the borrower.
 */
const BORROWED_WEIGHT = 0.65;
/** A weak sign beside the runbook's own ok checks: "possible" at most, lower than alone. */
const OWN_OK_WEAK = 0.8;
const WEAK_TEXT = 0.25;
/** The most the words alone can give. */
export const TEXT_ONLY_MAX = 0.4;
/** Never 1: a check can be wrong too. */
const MAX_CONFIDENCE = 0.99;

export interface TriageInput {
  symptom: string;
  /** The runbooks the words picked, best first; empty when a report's findings are all there is. */
  candidates: readonly RankedRunbook[];
  reports: readonly Report[];
  runbooks: RunbookIndex;
  /** Candidates nothing could check, and why (no target of their kind is configured). */
  notChecked?: ReadonlyArray<{ runbook: string; title: string; reason: string }>;
  /**
   * Runbooks the words did not pick but a finding confirms: `crit` adds them on a crit finding at
   * a lower weight (a symptom was given and points elsewhere); `all` on any confirming finding, at
   * full weight (a report's Explain: its findings are all there is).
   */
  unasked: 'crit' | 'all';
  /** Runbooks some of whose targets were not run (the cap): never ruled out by those that were. */
  partiallyChecked?: readonly string[];
  durationMs: number;
}

/** One finding of a report as it bears on one runbook. */
interface Weighed {
  finding: Finding;
  target: string;
  /** A check of the runbook's own (`checks:`), not one it borrows from another runbook (`evidence:`). */
  own: boolean;
  /** true: confirms; false: ok; 'weak': bad, below what the runbook says confirms; undefined: unknown. */
  verdict: true | false | 'weak' | undefined;
}

export function triageFromReports(input: TriageInput): Omit<TriageResult, 'narration'> {
  const causes: TriageCause[] = [];
  const ruledOut: TriageResult['ruledOut'] = [];
  const scores = new Map(input.candidates.map((c) => [c.runbook, c.score]));
  const notChecked = new Set((input.notChecked ?? []).map((n) => n.runbook));
  const partial = new Set(input.partiallyChecked ?? []);
  for (const candidate of input.candidates) {
    const runbook = input.runbooks.byId.get(candidate.runbook);
    if (!runbook || notChecked.has(runbook.id)) continue;
    const weighed = weigh(runbook, input.reports);
    const cause = causeOf(runbook, weighed, candidate.score, 1, partial.has(runbook.id));
    if (cause) causes.push(cause);
    else ruledOut.push({ runbook: runbook.id, title: runbook.title, evidence: weighed.map(evidenceOf) });
  }
  for (const runbook of input.runbooks.all) {
    if (scores.has(runbook.id)) continue;
    const weighed = weigh(runbook, input.reports);
    const confirming = weighed.filter((w) => w.verdict === true);
    const enough = input.unasked === 'all' ? confirming.length > 0 : confirming.some((w) => w.finding.status === 'crit');
    if (!enough) continue;
    const cause = causeOf(runbook, weighed, 0, input.unasked === 'all' ? 1 : UNASKED_WEIGHT, partial.has(runbook.id));
    if (cause) causes.push(cause);
  }
  causes.sort((a, b) => b.confidence - a.confidence || (scores.get(b.runbook) ?? 0) - (scores.get(a.runbook) ?? 0) || a.runbook.localeCompare(b.runbook));
  return {
    symptom: input.symptom,
    causes,
    ruledOut,
    ...(input.notChecked?.length && { notChecked: [...input.notChecked] }),
    durationMs: input.durationMs,
  };
}

/** Whether a finding speaks for an evidence check: its own id, a sub-id (`prometheus.query.<name>`), or a check a root cause took in. */
export function speaksFor(finding: Pick<Finding, 'check' | 'merged'>, check: string): boolean {
  return finding.check === check || finding.check.startsWith(`${check}.`) || (finding.merged?.includes(check) ?? false);
}

/** Every finding of the reports that bears on the runbook, with what it says about it. */
function weigh(runbook: Runbook, reports: readonly Report[]): Weighed[] {
  const out: Weighed[] = [];
  for (const report of reports) {
    for (const finding of report.findings) {
      const evidence = runbook.evidence.filter((e) => speaksFor(finding, e.check));
      if (evidence.length === 0) continue;
      const own = runbook.checks.some((c) => speaksFor(finding, c));
      out.push({ finding, target: report.target, own, verdict: finding.config ? undefined : verdictOf(finding.status, evidence) });
    }
  }
  return out;
}

function verdictOf(status: Status, evidence: readonly RunbookEvidence[]): Weighed['verdict'] {
  if (status === 'unknown') return undefined;
  if (status === 'ok') return false;
  // The least demanding evidence entry the finding's check has.
  const least = Math.min(...evidence.map((e) => statusRank(e.confirms)));
  return statusRank(status) >= least ? true : 'weak';
}

/** The cause the weighed findings make of the runbook, or undefined when they rule it out. */
function causeOf(runbook: Runbook, weighed: readonly Weighed[], score: number, weight: number, partial: boolean): TriageCause | undefined {
  let confirming = sortFindingsOf(weighed.filter((w) => w.verdict === true));
  const weak = weighed.filter((w) => w.verdict === 'weak');
  const ok = weighed.filter((w) => w.verdict === false);
  const unknown = weighed.filter((w) => w.verdict === undefined);
  // Borrowed evidence (a crashloop somewhere, for "users see 503s") confirms only while the
  // runbook's own checks have not spoken: when they ran and came back ok, and none of them
  // confirms, it is a weak sign, and their ok findings speak against it.
  const ownOk = ok.filter((w) => w.own);
  const ownConfirms = confirming.some((w) => w.own);
  const borrowedOnly = confirming.length > 0 && !ownConfirms;
  if (borrowedOnly && ownOk.length > 0) {
    weak.push(...confirming);
    confirming = [];
  }
  let confidence: number;
  if (confirming.length > 0) {
    const strongest = Math.max(...confirming.map((w) => STRENGTH[w.finding.status as 'warn' | 'crit']));
    const confirmedOn = new Set(confirming.map((w) => w.target));
    const against = ok.filter((w) => confirmedOn.has(w.target)).length;
    confidence =
      (CONFIRMED_BASE + CONFIRMED_SPAN * strongest + TEXT_SHARE_CONFIRMED * score + Math.min(MAX_EXTRA, EXTRA_CONFIRMING * (confirming.length - 1)) - Math.min(MAX_OK_PENALTY, OK_PENALTY * against)) *
      weight *
      (borrowedOnly ? BORROWED_WEIGHT : 1);
  } else if (weak.length > 0) {
    confidence = (WEAK_BASE + WEAK_TEXT * score) * (ownOk.length > 0 ? OWN_OK_WEAK : 1);
  } else if (ok.length > 0 && unknown.length === 0 && !partial && (ownOk.length > 0 || runbook.checks.length === 0)) {
    // Ruled out only by its own checks (or, with none, by its evidence), on every target of theirs.
    return undefined;
  } else {
    const okShare = ok.length / Math.max(1, ok.length + unknown.length);
    confidence = TEXT_ONLY_MAX * score * (1 - okShare / 2);
  }
  const evidence = [...confirming, ...weak, ...ok, ...unknown].map(evidenceOf);
  const remedies = remediesOf(confirming);
  return {
    runbook: runbook.id,
    title: runbook.title,
    confidence: round(Math.max(0, Math.min(MAX_CONFIDENCE, confidence))),
    confirmed: confirming.length > 0,
    evidence,
    next: nextStep(runbook, confirming, remedies),
    ...(remedies.length > 0 && { remedies }),
  };
}

function sortFindingsOf(weighed: Weighed[]): Weighed[] {
  const order = sortFindings(weighed.map((w) => w.finding));
  return [...weighed].sort((a, b) => order.indexOf(a.finding) - order.indexOf(b.finding));
}

function evidenceOf(w: Weighed): TriageEvidence {
  const supports = w.verdict === true ? true : w.verdict === false ? false : undefined;
  return { target: w.target, check: w.finding.check, status: w.finding.status, title: w.finding.title, ...(supports !== undefined && { supports }) };
}

/** The confirming findings' remedies, each once, with the target they run on. */
function remediesOf(confirming: readonly Weighed[]): Array<Remedy & { target: string }> {
  const seen = new Set<string>();
  const out: Array<Remedy & { target: string }> = [];
  for (const w of confirming) {
    for (const r of w.finding.remedies ?? []) {
      const key = JSON.stringify([w.target, r.action, r.params]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...r, target: w.target });
    }
  }
  return out;
}

/** The first button of a confirming finding, else its fix, else the runbook's first manual step, else the runbook itself. */
function nextStep(runbook: Runbook, confirming: readonly Weighed[], remedies: ReadonlyArray<Remedy & { target: string }>): string {
  const first = remedies[0];
  if (first) return `press "${first.label}" (${first.action} on ${first.target})`;
  const fix = confirming.find((w) => w.finding.fix)?.finding.fix;
  if (fix) return fix;
  if (runbook.manual[0]) return runbook.manual[0];
  return `read /runbook ${runbook.id}`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
