// A runbook as a neutral message: its title, summary and symptoms, the checks it explains, then
// its Markdown body as paragraphs (hard-wrapped lines joined, lists, code blocks and tables kept).
// Under a limited budget the body is packed into sections that fit, and the sections that do not
// fit the message are counted; with no budget (a terminal) it is whole. Where the runbook's checks
// can run on configured targets, a Run checks button comes before the body, so no cut hides it.
import type { Budget } from '../message/budget.ts';
import { code, context, header, line, strong, text, type Block, type Message, type Paragraph, type Span } from '../message/message.ts';
import { markdownParagraphs } from '../message/markdown-paragraphs.ts';
import { cutText } from '../render/cut-text.ts';
import { fitSections } from './fit-sections.ts';
import type { Runbook } from './runbook.ts';

/** Characters around the title, summary and symptoms (markers, bullets, "Explains:", the "more parts" line). */
const INTRO_FRAME_CHARS = 200;

export interface RunbookMessageOptions {
  /** What the transport can show. */
  budget: Budget;
  /**
   * The Run checks button: the checks it runs and the targets it runs them on (runbookCheckPlan
   * at the time of showing; a press works them out again). None where nothing presses it (a
   * terminal) or nothing can run.
   */
  runChecks?: { checks: readonly string[]; targets: readonly string[] };
}

/** Check ids and target names named beside the button; the rest are counted. */
const NAMED = 4;

export function runbookMessage(runbook: Runbook, options: RunbookMessageOptions): Message {
  const { budget } = options;
  const intro: Paragraph[] = [line(runbook.summary)];
  if (runbook.symptoms.length > 0) intro.push(line(''), line(strong('Symptoms')), { type: 'list', items: runbook.symptoms.map((s) => [{ type: 'text', text: s }]) });
  const blocks: Block[] = [header(cutText(runbook.title, budget.maxHeaderText)), { type: 'section', paragraphs: intro }];
  if (runbook.checks.length > 0) {
    const checks: Span[] = runbook.checks.flatMap((c, i) => (i === 0 ? [code(c)] : [{ type: 'text', text: ', ' } as const, code(c)]));
    blocks.push(context('Explains: ', ...checks));
  }
  let runChecksChars = 0;
  const run = options.runChecks;
  if (run && run.checks.length > 0 && run.targets.length > 0) {
    const what = [text('Runs '), ...named(run.checks.map(code), 'check'), text(' on '), ...named(run.targets.map(strong), 'target'), text('; the reports are posted in this channel, in a thread.')];
    runChecksChars = budget.measure(`${run.checks.slice(0, NAMED).join('')}${run.targets.slice(0, NAMED).join('')}`) + 80;
    blocks.push({ type: 'actions', buttons: [{ label: 'Run checks', intent: { intent: 'runbook.checks', runbook: runbook.id } }] }, { type: 'context', spans: what });
  }
  blocks.push({ type: 'divider' });
  const parts = fitSections(markdownParagraphs(runbook.body), budget.maxSectionText, budget.measure);
  // As many whole parts as the message has blocks and characters for (the title, summary,
  // symptoms and the "more parts" line counted), in order.
  const room = budget.maxBlocks - blocks.length - 1;
  let chars = INTRO_FRAME_CHARS + runChecksChars + budget.measure(`${runbook.title}${runbook.summary}${runbook.symptoms.join('')}${runbook.checks.join('')}`);
  let shown = 0;
  for (const part of parts) {
    if (shown >= room || chars + part.size > budget.maxMessageText) break;
    chars += part.size;
    blocks.push({ type: 'section', paragraphs: part.paragraphs });
    shown += 1;
  }
  if (shown < parts.length) blocks.push(context(`${parts.length - shown} more parts not shown: see runbooks/${runbook.id}.md`));
  return { notification: [{ type: 'text', text: `Runbook: ${runbook.title}` }], blocks };
}

/** "a, b and 3 more targets": at most NAMED items, each as given. */
function named(items: readonly Span[], noun: string): Span[] {
  const shown = items.slice(0, NAMED).flatMap((item, i) => (i === 0 ? [item] : [text(', '), item]));
  const rest = items.length - NAMED;
  return rest > 0 ? [...shown, text(` and ${rest} more ${rest === 1 ? noun : `${noun}s`}`)] : shown;
}
