// The narrating model's answer is untrusted: before it is shown it must be text of a few sentences
// that does not contradict the triage it explains. An empty or non-text answer, one many times
// longer than asked, one naming a runbook or a check the triage did not name, or one that calls a
// cause confirmed when nothing is, is refused with the reason; a long one is cut at a sentence.
import type { TriageResult } from './triage-result.ts';
import { maskSecrets } from '../security/mask-secrets.ts';

/** The narration shown is at most this long. */
export const MAX_NARRATION_CHARS = 800;
/** Beyond this the model did not write "a few sentences": refused rather than cut. */
const MAX_ANSWER_CHARS = 4 * MAX_NARRATION_CHARS;

export type JudgedAnswer = { ok: true; text: string } | { ok: false; reason: string };

export interface KnownIds {
  /** Every runbook id there is (the runbooks directory). */
  runbooks: ReadonlySet<string>;
  /** Every check id there is (`postgres.blocking_locks`). */
  checks: ReadonlySet<string>;
}

/** The answer as it may be shown, or why it may not. */
export function judgeAnswer(content: unknown, result: Omit<TriageResult, 'narration'>, known: KnownIds, secrets: readonly string[]): JudgedAnswer {
  const nonsense = (why: string): JudgedAnswer => ({ ok: false, reason: `the model answered nonsense: ${why}` });
  if (typeof content !== 'string') return nonsense(content === null || content === undefined ? 'no text' : `not text (${typeof content})`);
  // Invisible and control characters out (they could hide words or split a secret past the mask).
  const clean = content.replace(/[\p{Cc}\p{Cf}]/gu, (c) => (/\s/.test(c) ? ' ' : '')).replace(/[ \t]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
  if (clean === '') return nonsense('an empty answer');
  if (clean.length > MAX_ANSWER_CHARS) return nonsense(`${clean.length} characters where a few sentences were asked`);
  const letters = clean.match(/\p{L}/gu)?.length ?? 0;
  const words = clean.match(/\p{L}{2,}/gu)?.length ?? 0;
  if (letters < clean.length * 0.5 || words < 3) return nonsense('not sentences (too few words among the characters)');
  if (/^\s*[{[<]/.test(clean) || /<\/?[a-z][\w-]*[\s>]/i.test(clean)) return nonsense('markup or data, not sentences');
  // Posted under the causes, it must not carry a link, an address or a mention anyone could be
  // sent by (a finding's text may have told the model to): the causes and runbooks say where to go.
  if (/\b(?:https?|ftp|mailto|slack):|\bwww\.|[\w.+-]+@[\w-]+\.[\w.-]+|(?:^|\s)@[\w.-]+|<[!@#]/i.test(clean)) return nonsense('it carries a link, an address or a mention');

  const named = new Set([...result.causes.map((c) => c.runbook), ...result.ruledOut.map((o) => o.runbook), ...(result.notChecked ?? []).map((n) => n.runbook)]);
  const foreignRunbook = tokens(clean, /[a-z0-9]+(?:-[a-z0-9]+)+/g).find((t) => known.runbooks.has(t) && !named.has(t));
  if (foreignRunbook) return nonsense(`it names runbook ${foreignRunbook}, which is not among the causes`);
  const checked = new Set([...result.causes.flatMap((c) => c.evidence.map((e) => e.check)), ...result.ruledOut.flatMap((o) => o.evidence.map((e) => e.check))]);
  const foreignCheck = tokens(clean, /[a-z0-9_]+(?:\.[a-z0-9_]+)+/g).find((t) => known.checks.has(t) && !checked.has(t));
  if (foreignCheck) return nonsense(`it names check ${foreignCheck}, which no finding of this triage comes from`);
  if (!result.causes.some((c) => c.confirmed) && claimsConfirmed(clean)) return nonsense('it calls a cause confirmed, and no finding confirms one');
  const wrongConfidence = statedConfidences(clean).find((v) => !result.causes.some((c) => Math.abs(c.confidence - v) <= CONFIDENCE_SLACK));
  if (wrongConfidence !== undefined) return nonsense(`it states a confidence of ${wrongConfidence.toFixed(2)}, which no cause has`);

  const masked = maskSecrets(clean, secrets);
  return { ok: true, text: masked.length > MAX_NARRATION_CHARS ? cutAtSentence(masked, MAX_NARRATION_CHARS) : masked };
}

/** A confidence the answer states may be rounded this much (0.86 as 0.9, 86% as 85%). */
const CONFIDENCE_SLACK = 0.05;

/** Confidences the answer states: "confidence 0.86", "confidence of 86%", "86% confidence", as 0..1. */
function statedConfidences(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\bconfidence\s*(?:of|is|at|:|=)?\s*(?:about|around|roughly)?\s*(\d{1,3}(?:\.\d+)?\s?%|[01]?\.\d+|[01](?![\d.%]))|(\d{1,3}(?:\.\d+)?\s?%|0?\.\d+)\s*(?:confidence|confident)\b/gi)) {
    const raw = (m[1] ?? m[2])!.replace(/\s/g, '');
    const value = raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : Number(raw);
    if (Number.isFinite(value) && value >= 0 && value <= 1) out.push(value);
  }
  return out;
}

function tokens(text: string, re: RegExp): string[] {
  return [...text.toLowerCase().matchAll(re)].map((m) => m[0]);
}

/** "X is confirmed", "confirmed the cause": a claim, unless a negation comes just before it. */
function claimsConfirmed(text: string): boolean {
  for (const m of text.matchAll(/\b(?:is|was|are|were|been|has been|have been)\s+(?:\w+\s+)?confirmed\b|\bconfirm(?:s|ed)\s+(?:that|the|a)\b|\broot cause is\b/gi)) {
    const before = text.slice(Math.max(0, m.index - 40), m.index).toLowerCase();
    const phrase = m[0].toLowerCase();
    if (/\b(?:no|not|nothing|none|neither|nor|never|without|un)\b|n't\b|\bif\b|\bwhether\b|\bcould\b|\bwould\b/.test(before) || /\b(?:not|never|yet)\b/.test(phrase)) continue;
    return true;
  }
  return false;
}

/** At most `max` characters, ending at the last sentence end (or word) that fits, with an ellipsis. */
function cutAtSentence(text: string, max: number): string {
  const head = text.slice(0, max - 1);
  const sentence = Math.max(head.lastIndexOf('. '), head.lastIndexOf('! '), head.lastIndexOf('? '), head.lastIndexOf('.\n'));
  if (sentence >= max / 2) return `${head.slice(0, sentence + 1)} …`;
  const word = head.lastIndexOf(' ');
  return `${head.slice(0, word > max / 2 ? word : head.length).trimEnd()}…`;
}
