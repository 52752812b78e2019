// What the narrating model is asked: the symptom, the ranked causes with their confidence and the
// titles of their evidence, what was ruled out and what could not be checked, every text redacted
// (narrate-redact.ts), and the instruction to explain it in a few sentences without adding to it.
import type { TriageResult } from './triage-result.ts';
import { redactForModel } from './narrate-redact.ts';

/** Causes, findings per cause and ruled-out runbooks sent at most: the model explains the top of the list. */
const MAX_CAUSES = 5;
const MAX_EVIDENCE = 5;
const MAX_RULED_OUT = 5;

export const NARRATOR_INSTRUCTIONS = [
  'You explain the result of an automated troubleshooting run to an on-call engineer.',
  'Use only the symptom, causes and findings given; the causes are already ranked by evidence.',
  'Write 3 to 5 plain sentences: the most likely cause and why the findings point at it, what was ruled out, and the next step given.',
  'Do not add causes, runbooks, checks, numbers or commands that are not in the list, and do not change the order or the confidence.',
  'When no cause is confirmed, say plainly that nothing is confirmed.',
  'Values shown as <host>, <ip>, <url>, <email>, ? or *** are masked: do not guess them.',
  'No lists, no headings, no code blocks.',
].join(' ');

export interface NarratorPrompt {
  instructions: string;
  input: string;
}

/** The prompt for one triage answer, redacted with the configured secrets. */
export function narratorPrompt(result: Omit<TriageResult, 'narration'>, secrets: readonly string[]): NarratorPrompt {
  const r = (text: string, max?: number) => redactForModel(text, secrets, max);
  const lines: string[] = [`Symptom: ${r(result.symptom)}`, ''];
  if (result.causes.length === 0) lines.push('Causes: none of the candidate runbooks is supported by a finding.');
  else {
    lines.push('Causes, most likely first:');
    result.causes.slice(0, MAX_CAUSES).forEach((cause, i) => {
      lines.push(`${i + 1}. runbook ${cause.runbook} "${r(cause.title, 120)}": confidence ${cause.confidence.toFixed(2)}, ${cause.confirmed ? 'confirmed by a finding' : 'not confirmed'}`);
      for (const e of cause.evidence.slice(0, MAX_EVIDENCE)) {
        const side = e.supports === true ? 'supports' : e.supports === false ? 'speaks against' : 'neither';
        lines.push(`   - ${e.status} ${e.check} on target ${e.target} (${side}): ${r(e.title, 240)}`);
      }
      if (cause.evidence.length > MAX_EVIDENCE) lines.push(`   - ${cause.evidence.length - MAX_EVIDENCE} more findings`);
      lines.push(`   next step: ${r(cause.next, 240)}`);
    });
    if (result.causes.length > MAX_CAUSES) lines.push(`(${result.causes.length - MAX_CAUSES} less likely causes left out)`);
  }
  if (result.ruledOut.length > 0) {
    lines.push('', 'Ruled out (every check that ran came back ok):');
    for (const o of result.ruledOut.slice(0, MAX_RULED_OUT)) lines.push(`- runbook ${o.runbook} "${r(o.title, 120)}"`);
  }
  if (result.notChecked && result.notChecked.length > 0) {
    lines.push('', 'Not checked:');
    for (const n of result.notChecked.slice(0, MAX_RULED_OUT)) lines.push(`- runbook ${n.runbook} "${r(n.title, 120)}": ${r(n.reason, 160)}`);
  }
  return { instructions: NARRATOR_INSTRUCTIONS, input: lines.join('\n') };
}
