// A /triage answer as a neutral message: the most likely causes first, each with its confidence in
// a percentage and words, the findings for and against it, the next step and its buttons (the
// confirming findings' remedies, through the same signed path as a report's, and its runbook);
// then, when nothing is confirmed, that said plainly; what was ruled out and what could not be
// checked; and the model's words, labelled as generated, or why there are none.
import type { Budget } from '../message/budget.ts';
import { code, command, context, em, header, icon, line, section, spans, strong, text, type Block, type Button, type Line, type Message, type Paragraph, type Span } from '../message/message.ts';
import { statusRank, type Status } from '../report.ts';
import { cutText } from '../render/cut-text.ts';
import { remedyButton } from '../render/remedy-button.ts';
import { withCode } from '../render/with-code.ts';
import { confidenceWords } from './confidence-words.ts';
import { triageStatus } from './triage-status.ts';
import type { TriageCause, TriageEvidence, TriageResult } from './triage-result.ts';

export interface TriageMessageOptions {
  budget: Budget;
  /** Where a runbook can be read; without one the Runbook button asks the bot to show it. */
  runbookUrl?: (id: string) => string | undefined;
  /** The targets that were checked, for the line under the title. */
  checked?: readonly string[];
  /** What the answer is about when it is not a typed symptom (a report's findings). */
  about?: string;
}

/** Causes shown; the JSON has them all. */
const MAX_CAUSES = 5;
/** Evidence lines under one cause, worst first, before "N more". */
const MAX_EVIDENCE = 5;
/** Remedy buttons under one cause (its Runbook button comes after them). */
const MAX_REMEDIES = 3;
const MAX_RULED_OUT = 8;
const MAX_TITLE = 200;
const MAX_NARRATION = 2_500;

export function triageMessage(result: TriageResult, options: TriageMessageOptions): Message {
  const { budget } = options;
  const limited = budget.maxSectionText !== Infinity;
  const cut = (t: string, n: number) => (limited ? cutText(t, n, budget.measure) : t);
  const about = options.about ?? `Triage: ${result.symptom}`;
  const status = triageStatus(result);
  const confirmed = result.causes.filter((c) => c.confirmed);
  const blocks: Block[] = [header(cut(about, budget.maxHeaderText - 24), confirmed.length > 0 ? status : 'info'), context(...contextLine(result, options))];

  const matchedNothing = result.causes.length === 0 && result.ruledOut.length === 0 && !result.notChecked?.length;
  // Not a typed symptom (a report's findings): no words to have matched.
  if (matchedNothing && options.about !== undefined) {
    blocks.push(section(line(icon('info'), ' ', strong('No runbook explains these findings'), ': their reports link what is known; ', command('runbook', 'search <words>'), ' finds a runbook by what you see.')));
  } else if (matchedNothing) {
    blocks.push(section(line(icon('info'), ' ', strong('No runbook matches these words'), ': nothing was checked. Say what you see as you would tell a colleague (an error message, what is slow or failing), or find a runbook with ', command('runbook', 'search <words>'), '.')));
  } else if (confirmed.length === 0) {
    blocks.push(section(line(icon('info'), ' ', strong('Nothing confirmed: '), `no check found a problem that explains this.${result.causes.length > 0 ? ' The causes below come from the words (or from findings too weak to confirm them); check them by hand.' : ''}`)));
  }
  const shown = limited ? result.causes.slice(0, MAX_CAUSES) : result.causes;
  for (const cause of shown) {
    blocks.push({ type: 'section', paragraphs: causeParagraphs(cause, cut, limited) });
    const buttons = causeButtons(cause, budget, options.runbookUrl, limited);
    if (buttons.length > 0) blocks.push({ type: 'actions', buttons });
  }
  if (shown.length < result.causes.length) blocks.push(context(em(`${result.causes.length - shown.length} less likely causes not shown`)));
  if (result.ruledOut.length > 0) {
    const ruled = limited ? result.ruledOut.slice(0, MAX_RULED_OUT) : result.ruledOut;
    const items: Line[] = ruled.map((r) => spans(icon('ok'), ' ', cut(r.title, MAX_TITLE), ' ', em(`(${okSummary(r.evidence)})`)));
    if (ruled.length < result.ruledOut.length) items.push(spans(em(`${result.ruledOut.length - ruled.length} more`)));
    blocks.push(section(line(strong('Ruled out'), ' (every check that ran came back ok):'), { type: 'list', items }));
  }
  if (result.notChecked?.length) {
    const items: Line[] = result.notChecked.slice(0, limited ? MAX_RULED_OUT : undefined).map((n) => spans(cut(n.title, MAX_TITLE), ': ', em(cut(n.reason, 300))));
    blocks.push(section(line(strong('Not checked:')), { type: 'list', items }));
  }
  const narration = result.narration;
  if (narration?.ok) {
    const paragraphs: Paragraph[] = cut(narration.text, MAX_NARRATION).split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((p) => line(p));
    blocks.push(section(line(strong(`Generated by ${cut(narration.model, 80)}`), em(': a language model\'s reading of the findings above; it may be wrong, and it changes neither the causes, their confidence nor the buttons')), ...paragraphs));
  } else if (narration) {
    blocks.push(context(icon('warning'), ` No generated explanation: ${cut(narration.reason, 300)}`));
  }
  return { notification: notification(result, status), blocks };
}

function contextLine(result: TriageResult, options: TriageMessageOptions): Span[] {
  const seconds = `${(result.durationMs / 1000).toFixed(1)} s`;
  const checked = options.checked;
  if (checked === undefined) return [text('from the findings of the report, as it showed them')];
  if (checked.length === 0) return [text(`no target checked · ${seconds}`)];
  const names = checked.length <= 6 ? checked.join(', ') : `${checked.slice(0, 6).join(', ')} and ${checked.length - 6} more`;
  return [text(`checked ${names} in ${seconds}`)];
}

function notification(result: TriageResult, status: Status): Line {
  const top = result.causes[0];
  if (!top && result.ruledOut.length === 0 && !result.notChecked?.length) return [icon('info'), text(` No runbook matches "${result.symptom}"`)];
  if (!top?.confirmed) return [icon('info'), text(` Nothing confirmed for "${result.symptom}"`)];
  return [icon(status), text(` ${percent(top.confidence)} ${confidenceWords(top)}: ${top.title}`)];
}

function causeParagraphs(cause: TriageCause, cut: (t: string, n: number) => string, limited: boolean): Paragraph[] {
  const words = confidenceWords(cause);
  const out: Paragraph[] = [line(icon(causeIcon(cause), 'strong'), strong(` ${percent(cause.confidence)} ${words}: `), strong(cut(cause.title, MAX_TITLE)))];
  const evidence = [...cause.evidence].sort((a, b) => order(b) - order(a));
  const shown = limited ? evidence.slice(0, MAX_EVIDENCE) : evidence;
  if (shown.length > 0) {
    const items: Line[] = shown.map((e) => evidenceLine(e, cut, !cause.confirmed));
    if (shown.length < evidence.length) items.push(spans(em(`${evidence.length - shown.length} more findings`)));
    out.push({ type: 'list', items });
  } else {
    out.push(line(em('No check of this cause could run: from the words only.')));
  }
  // The runbook as a command the reader can type where it is read (Slack or a terminal).
  const next = cause.next === `read /runbook ${cause.runbook}` ? [text('read '), command('runbook', cause.runbook)] : withCode(cut(cause.next, 500));
  out.push(line(strong('Next:'), ' ', ...next));
  return out;
}

/** Findings for it first (worst first), then the weak ones, then those against, then the unknown. */
function order(e: TriageEvidence): number {
  const base = e.supports === true ? 100 : e.supports === false ? 20 : e.status === 'unknown' ? 0 : 50;
  return base + statusRank(e.status);
}

/** An ok finding speaks against a cause nothing confirms; beside a confirming one it only narrows it down. */
function evidenceLine(e: TriageEvidence, cut: (t: string, n: number) => string, sayAgainst: boolean): Line {
  const against = sayAgainst && e.supports === false ? [text(' '), em('(against)')] : [];
  return spans(icon(e.status), ' ', strong(e.target), ': ', cut(e.title, MAX_TITLE), ' (', code(e.check), ')', ...against);
}

function causeIcon(cause: TriageCause): 'crit' | 'warn' | 'info' {
  if (!cause.confirmed) return 'info';
  return cause.evidence.some((e) => e.supports === true && e.status === 'crit') ? 'crit' : 'warn';
}

function causeButtons(cause: TriageCause, budget: Budget, runbookUrl: TriageMessageOptions['runbookUrl'], limited: boolean): Button[] {
  const remedies = (cause.remedies ?? []).filter((r): r is typeof r & { target: string } => typeof (r as { target?: unknown }).target === 'string');
  const room = Math.max(0, Math.min(limited ? MAX_REMEDIES : Infinity, budget.maxButtons - 1));
  const buttons = remedies.slice(0, room).map((r) => remedyButton({ ...r, label: limited ? cutText(r.label, budget.maxButtonText, budget.measure) : r.label }, r.target)).filter((b) => !budget.fitsButton || budget.fitsButton(b.intent!));
  const url = runbookUrl?.(cause.runbook);
  buttons.push({ label: 'Runbook', icon: 'book', intent: { intent: 'runbook.open', runbook: cause.runbook }, ...(url !== undefined && { url }) });
  return buttons;
}

function okSummary(evidence: readonly TriageEvidence[]): string {
  const targets = [...new Set(evidence.map((e) => e.target))];
  return `${evidence.length} ${evidence.length === 1 ? 'check' : 'checks'} ok on ${targets.join(', ')}`;
}

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}
