// What /triage answers, neutral of any renderer: the causes the symptom's words and the checks'
// findings point at, most likely first, each with a confidence from the evidence, and what the
// checks ruled out. `chatops triage --json` prints this shape.
import type { Remedy, Status } from '../report.ts';

/** One finding that speaks for or against a cause. */
export interface TriageEvidence {
  /** The configured target the check ran on. */
  target: string;
  /** The finding's check id (`postgres.blocking_locks`, `prometheus.query.http_5xx_ratio`). */
  check: string;
  status: Status;
  title: string;
  /** true: at or above the status the runbook says confirms it; false: ok, so it speaks against. unknown findings are neither (undefined). */
  supports?: boolean;
}

export interface TriageCause {
  /** Runbook id. */
  runbook: string;
  title: string;
  /** 0..1, from the evidence: a confirming crit weighs more than a text match; ok findings lower it. */
  confidence: number;
  /** At least one finding confirms it. */
  confirmed: boolean;
  evidence: TriageEvidence[];
  /** The next step in words: press a button, read a runbook section, a manual step. */
  next: string;
  /** Buttons offered by the confirming findings (already validated remedies of those findings). */
  remedies?: Remedy[];
}

export interface TriageResult {
  symptom: string;
  /** Sorted by confidence, highest first. */
  causes: TriageCause[];
  /** Candidate runbooks whose every check that ran came back ok. */
  ruledOut: Array<{ runbook: string; title: string; evidence: TriageEvidence[] }>;
  /** Candidate runbooks with no configured target to check them on. */
  notChecked?: Array<{ runbook: string; title: string; reason: string }>;
  durationMs: number;
  /** The optional model's words: present when a model is configured. */
  narration?: { ok: true; text: string; model: string } | { ok: false; reason: string };
}

/** A runbook picked by its text for a symptom (src/triage/rank-runbooks.ts). */
export interface RankedRunbook {
  runbook: string;
  /** 0..1: how well the words match; 1 is an exact phrasing of one of its symptoms. */
  score: number;
  /** The words of the symptom that matched (after typo correction), for the evidence line. */
  matched: string[];
}
