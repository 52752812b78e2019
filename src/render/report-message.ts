// A diagnostics report as a neutral message: a header with the report's status, when and how long,
// one section per finding that is not ok (worst first) with its remedies and runbook as buttons,
// and the ok checks folded into one line. What is left out to fit is decided against the budget
// the caller passes: SLACK_BUDGET from the Slack side, UNLIMITED_BUDGET for a terminal.
import type { Budget } from '../message/budget.ts';
import type { IncidentDeclareIntent, TriageExplainIntent } from '../message/intent.ts';
import { context, date, em, header, icon, line, strong, text, type Block, type Button, type Message, type Paragraph } from '../message/message.ts';
import { sortFindings, type Report, type Status } from '../report.ts';
import { cutText } from './cut-text.ts';
import { withCode } from './with-code.ts';
import { remedyButton } from './remedy-button.ts';
import { toDisplayReport, type DisplayFinding, type DisplayReport } from './display-report.ts';

export interface ReportMessageOptions {
  /** What the transport can show. */
  budget: Budget;
  /** Where a runbook can be read; without one the runbook button asks the bot to show it. */
  runbookUrl?: (id: string) => string | undefined;
  /** Remedies as buttons (default); false where no action runner answers them (a stored report). */
  remedyButtons?: boolean;
  /** A "Declare incident" button under a report with a critical finding (when incidents are set up). */
  declareIncident?: boolean;
  /** An "Explain" button under a report with a warn or crit finding: the /triage answer for its findings, in its thread. */
  explain?: boolean;
  /** Configured secrets, masked in every title, detail and label before anything is cut. */
  secrets?: readonly string[];
}


export function reportMessage(report: Report, options: ReportMessageOptions): Message {
  const d = toDisplayReport(report, {
    budget: options.budget,
    ...(options.runbookUrl && { runbookUrl: options.runbookUrl }),
    ...(options.secrets && { secrets: options.secrets }),
  });
  const blocks: Block[] = [header(d.headline, d.status), context(`in ${d.duration} · `, date(d.startedAt, 'datetime-secs'))];
  for (const f of d.findings) {
    blocks.push({ type: 'section', paragraphs: findingParagraphs(f) });
    const buttons = findingButtons(f, options.remedyButtons ?? true, report.target);
    if (buttons.length > 0) blocks.push({ type: 'actions', buttons });
  }
  const whole: Button[] = [];
  if (options.explain && report.findings.some((f) => !f.config && (f.status === 'warn' || f.status === 'crit'))) whole.push(explainButton(report, options.budget));
  if (options.declareIncident && report.status === 'crit') whole.push(declareButton(report, options.budget));
  if (whole.length > 0) blocks.push({ type: 'actions', buttons: whole });
  if (d.omittedLine) blocks.push(context(em(d.omittedLine)));
  if (d.okLine) blocks.push(context(icon('ok'), ' ', d.okLine));
  return { notification: [icon(d.status), text(` ${d.headline}${countsSuffix(d)}`)], blocks };
}

function findingParagraphs(f: DisplayFinding): Paragraph[] {
  const out: Paragraph[] = [line(icon(f.status, 'strong'), strong(f.rootCause ? ' Root cause: ' : ' '), strong(f.title))];
  if (f.detail.length > 0) out.push({ type: 'code', lines: f.detail });
  if (f.effects.length > 0) {
    out.push(line(em(f.effects.length === 1 ? 'Effect:' : 'Effects:')));
    out.push({ type: 'list', items: f.effects.map((e) => [text(e)]) });
  }
  if (f.fix) out.push(line(strong('Fix:'), ' ', ...withCode(f.fix)));
  if (f.note) out.push(line(em(f.note)));
  return out;
}


function findingButtons(f: DisplayFinding, withRemedies: boolean, target: string): Button[] {
  const buttons: Button[] = (withRemedies ? f.remedies : []).map((r) => remedyButton(r, target));
  if (f.runbook) {
    buttons.push({ label: 'Runbook', icon: 'book', intent: { intent: 'runbook.open', runbook: f.runbook.id }, ...(f.runbook.url !== undefined && { url: f.runbook.url }) });
  }
  return buttons;
}

/** The dialog comes prefilled with a title and the report's findings that are not ok, as many as the budget's button holds. */
function declareButton(report: Report, budget: Budget): Button {
  const bad = sortFindings(report.findings).filter((f) => f.status !== 'ok');
  const intent: IncidentDeclareIntent = {
    intent: 'incident.declare',
    title: cutText(`${report.target}: ${bad[0]?.title ?? 'critical'}`, 150),
    report: { target: report.target, kind: report.kind, status: report.status, startedAt: report.startedAt, findings: [] },
  };
  for (const f of bad) {
    const next = { check: f.check, status: f.status, title: cutText(f.title, 150) };
    if (budget.fitsButton && !budget.fitsButton({ ...intent, report: { ...intent.report, findings: [...intent.report.findings, next] } })) break;
    intent.report.findings.push(next);
  }
  return { label: 'Declare incident', icon: 'siren', style: 'danger', intent };
}

/**
 * The report's findings in the button (what it showed: the press runs nothing again): those that
 * are not ok, worst first, then the ids of the ok checks, as many as the budget's button holds.
 */
function explainButton(report: Report, budget: Budget): Button {
  const intent: TriageExplainIntent = { intent: 'triage.explain', report: { target: report.target, kind: report.kind, findings: [], ok: [] } };
  const fits = (candidate: TriageExplainIntent) => !budget.fitsButton || budget.fitsButton(candidate);
  for (const f of sortFindings(report.findings).filter((x) => x.status !== 'ok' && !x.config)) {
    const next = { check: f.check, status: f.status, title: cutText(f.title, 150), ...(f.merged?.length && { merged: f.merged }) };
    const candidate = { ...intent, report: { ...intent.report, findings: [...intent.report.findings, next] } };
    if (!fits(candidate)) break;
    intent.report.findings.push(next);
  }
  for (const f of report.findings.filter((x) => x.status === 'ok')) {
    const candidate = { ...intent, report: { ...intent.report, ok: [...intent.report.ok, f.check] } };
    if (!fits(candidate)) break;
    intent.report.ok.push(f.check);
  }
  return { label: 'Explain', icon: 'info', intent };
}

/** " (1 crit, 2 warn, 12 ok)", for notifications. */
function countsSuffix(d: DisplayReport): string {
  const counts = (['crit', 'warn', 'unknown', 'ok'] as const satisfies readonly Status[])
    .filter((s) => d.counts[s] > 0)
    .map((s) => `${d.counts[s]} ${s}`)
    .join(', ');
  return counts ? ` (${counts})` : '';
}
