// The answer of `/diag explain` as a neutral message: for each entry that matched, its code and
// name, what it means, where it comes from, what to check and its runbooks (by id, as /runbook
// lists them), how the query matched it, and a button per runbook.
import type { Budget } from '../../message/budget.ts';
import { code, command, context, em, header, line, strong, text, type Block, type Button, type Line, type Message, type Paragraph } from '../../message/message.ts';
import { cutText } from '../../render/cut-text.ts';
import { FAMILY_NAMES } from './error-codes.ts';
import type { ErrorMatch } from './find-error.ts';

/** The query is quoted up to this many characters. */
const MAX_QUOTED = 80;

export interface ExplainMessageOptions {
  budget: Budget;
  /** Where a runbook can be read in a browser, when runbooks.baseUrl is set. */
  runbookUrl?: (id: string) => string | undefined;
  /** Whether the bot has this runbook (a runbooks.dir of one's own may not): only those get a button. */
  hasRunbook: (id: string) => boolean;
}

/** `query` as typed (already masked by the caller), `matches` best first (at least one). */
export function explainMessage(query: string, matches: readonly ErrorMatch[], options: ExplainMessageOptions): Message {
  const { budget } = options;
  const quoted = cutText(query.replace(/\s+/g, ' '), MAX_QUOTED);
  const blocks: Block[] = [header(cutText(`Error reference: ${quoted}`, budget.maxHeaderText, budget.measure), 'book')];
  const runbooks: string[] = [];
  matches.forEach((m, i) => {
    if (i > 0) blocks.push({ type: 'divider' });
    const e = m.entry;
    const codes: Line = e.codes.flatMap((c, j) => (j === 0 ? [code(c)] : [text(' / '), code(c)]));
    const paragraphs: Paragraph[] = [
      line(...codes, ...(codes.length > 0 ? [' '] : []), strong(e.name), ' · ', em(FAMILY_NAMES[e.family])),
      line(e.meaning),
      line(strong('Where it comes from:'), ` ${e.source}`),
      line(strong('What to check:')),
      { type: 'list', items: e.check.map((c) => [text(c)]) },
      line(strong(e.runbooks.length === 1 ? 'Runbook:' : 'Runbooks:'), ' ', ...e.runbooks.flatMap((id, j) => (j === 0 ? [code(id)] : [text(', '), code(id)]))),
    ];
    blocks.push({ type: 'section', paragraphs: fitParagraphs(paragraphs, budget) });
    blocks.push(context(...matchWords(m, quoted)));
    for (const id of e.runbooks) if (!runbooks.includes(id)) runbooks.push(id);
  });
  const buttons: Button[] = runbooks
    .filter(options.hasRunbook)
    .slice(0, Math.min(budget.maxButtons, 5))
    .map((id) => {
      const url = options.runbookUrl?.(id);
      return { label: cutText(`Runbook: ${id}`, budget.maxButtonText), icon: 'book', intent: { intent: 'runbook.open', runbook: id }, ...(url !== undefined && { url }) };
    });
  if (buttons.length > 0) blocks.push({ type: 'actions', buttons });
  blocks.push(context(command('runbook', '<id>'), ' shows a runbook; ', command('triage', '<symptom>'), ' checks the configured targets for the causes.'));
  const first = matches[0]!.entry;
  return { notification: [text(first.codes[0] === undefined ? first.name : `${first.codes[0]}: ${first.name}`)], blocks };
}

/** How the query found the entry, in words. */
function matchWords(m: ErrorMatch, quoted: string): Array<string | ReturnType<typeof code>> {
  switch (m.how) {
    case 'code':
      return ['Matched the code ', code(m.matched), '.'];
    case 'message':
      return [`Matched the message "${m.matched}".`];
    case 'close':
      return [`Not an exact match: the closest to "${quoted}" is "${m.matched}".`];
  }
}

/** The entry's paragraphs within one section's characters (entries are short; a long check list is cut at the end). */
function fitParagraphs(paragraphs: Paragraph[], budget: Budget): Paragraph[] {
  const size = (p: Paragraph) => budget.measure(p.type === 'line' ? p.spans.map((s) => ('text' in s ? s.text : '')).join('') : p.type === 'list' ? p.items.map((i) => i.map((s) => ('text' in s ? s.text : '')).join('')).join('\n') : p.lines.join('\n'));
  const room = budget.maxSectionText - 100;
  let used = 0;
  const out: Paragraph[] = [];
  for (const p of paragraphs) {
    used += size(p) + 10;
    if (used > room) break;
    out.push(p);
  }
  return out;
}
