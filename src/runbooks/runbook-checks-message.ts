// What a runbook's Run checks button says in the channel: "running", then one line per target
// (worst first, as /diag all shows them) above the targets' full reports in the thread; and, to the
// presser only, why there is nothing to run.
import type { Budget } from '../message/budget.ts';
import { code, command, context, date, em, header, icon, line, progressMessage, section, strong, text, user, type Block, type Message, type Paragraph, type Span } from '../message/message.ts';
import type { ReportSet } from '../report.ts';
import { plural } from '../render/display-report.ts';
import { toDisplaySummary, type SummaryLine } from '../render/display-summary.ts';
import { cutText } from '../render/cut-text.ts';
import { withCode } from '../render/with-code.ts';
import { MAX_RUNBOOK_CHECK_TARGETS, type RunbookCheckPlan } from './runbook-check-plan.ts';
import type { Runbook } from './runbook.ts';

/** Target names in the "running" line and in the "not run" line; the rest are counted. */
const NAMED_TARGETS = 8;

/** "Running the checks of runbook X on a, b for @presser…", posted in the channel. */
export function runbookChecksProgressMessage(runbook: Pick<Runbook, 'title'>, plan: RunbookCheckPlan, presser: string, budget: Budget): Message {
  return progressMessage('Running the checks of runbook ', strong(cutText(runbook.title, 150, budget.measure)), ' on ', ...targetList(plan.targets.map((t) => t.name)), ' for ', user(presser), '…');
}

/** The outcome of every target above their reports (posted in the thread under it). */
export function runbookChecksSummaryMessage(runbook: Pick<Runbook, 'id' | 'title'>, set: ReportSet, plan: RunbookCheckPlan, presser: string, budget: Budget): Message {
  const d = toDisplaySummary(set, budget);
  const title = `Checks of ${runbook.title}`;
  const blocks: Block[] = [
    header(cutText(`${title}: ${d.headline}`, budget.maxHeaderText, budget.measure), d.status),
    context('Run checks of ', code(runbook.id), ' pressed by ', user(presser), ` · in ${d.duration} · `, date(d.startedAt, 'datetime-secs')),
  ];
  for (const lines of d.sections) blocks.push({ type: 'section', paragraphs: lines.map(summaryParagraph) });
  if (d.config) {
    // A target the bot could not run for its own configuration (a host name that does not resolve).
    blocks.push(section(line(icon('unknown'), ' ', strong(d.config.headline)), { type: 'list', items: d.config.lines.map((l) => [text(l)]) }, line(strong('Fix:'), ' ', ...withCode(d.config.fix))));
  }
  if (d.okLine) blocks.push(context(icon('ok'), ' ', d.okLine));
  const notRun = notRunLine(plan);
  if (notRun) blocks.push(context(...notRun));
  if (set.reports.length > 0) blocks.push(context(icon('thread'), ` The report of ${set.reports.length === 1 ? 'the target' : `each of the ${set.reports.length} targets`} is in the thread.`));
  return { notification: [icon(d.status), text(` ${cutText(title, 150, budget.measure)}: ${d.headline}`)], blocks };
}

/**
 * Why a press has nothing to run, to the presser: the runbook names no check a probe runs, or no
 * configured target is of its checks' kinds (or none of them can be used).
 */
export function runbookChecksNothingMessage(runbook: Pick<Runbook, 'id'>, plan: RunbookCheckPlan, configSource: string): Message {
  const kinds = [...plan.checks.keys()];
  const why: Span[] =
    kinds.length === 0
      ? [text('Runbook '), code(runbook.id), text(' has no checks a probe runs.')]
      : plan.skipped.length > 0
        ? [text('No target of kind '), ...orList(kinds.map(code)), text(' can be used: '), text(plan.skipped.map((s) => s.target).join(', ')), text(` ${plan.skipped.length === 1 ? 'has' : 'have'} a configuration problem (chatops config check names it).`)]
        : [text('No target of kind '), ...orList(kinds.map(code)), text(` is configured (${configSource}): add one under targets:, or read the runbook's steps.`)];
  return { notification: [icon('error'), text(' Nothing to run')], blocks: [{ type: 'section', paragraphs: [line(icon('error'), ' ', strong('Nothing to run.'), ' ', ...why)] }] };
}

function summaryParagraph(l: SummaryLine): Paragraph {
  return line(icon(l.status), ' ', strong(l.target), ` (${l.kind}): ${l.text} `, em(`[${l.duration}]`));
}

/** "Not run: x, y (over the limit of 8 targets: /diag x); z (configuration problem)". */
function notRunLine(plan: RunbookCheckPlan): Span[] | undefined {
  const limit = plan.skipped.filter((s) => s.reason === 'limit').map((s) => s.target);
  const config = plan.skipped.filter((s) => s.reason === 'config').map((s) => s.target);
  const parts: Span[][] = [];
  if (limit.length > 0) parts.push([...targetList(limit), text(` (over the limit of ${MAX_RUNBOOK_CHECK_TARGETS} targets a press runs: `), command('diag', limit[0]), text(')')]);
  if (config.length > 0) parts.push([...targetList(config), text(` (configuration problem: chatops config check)`)]);
  if (parts.length === 0) return undefined;
  return [text('Not run: '), ...parts.flatMap((p, i) => (i === 0 ? p : [text('; '), ...p]))];
}

/** "a, b, c and 4 more targets". */
function targetList(names: readonly string[]): Span[] {
  const shown = names.slice(0, NAMED_TARGETS).flatMap((n, i): Span[] => (i === 0 ? [strong(n)] : [text(', '), strong(n)]));
  const rest = names.length - NAMED_TARGETS;
  return rest > 0 ? [...shown, text(` and ${plural(rest, 'more target')}`)] : shown;
}

function orList(items: Span[]): Span[] {
  return items.flatMap((s, i) => (i === 0 ? [s] : [text(i === items.length - 1 ? ' or ' : ', '), s]));
}
