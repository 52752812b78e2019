// /runbook [id | list | search <words>]: lists the runbooks, finds them by what is wrong (the same
// ranking as /triage, offline), or shows one, with a Run checks button where its checks can run.
import { UserError } from '../src/user-error.ts';
import { runbookMessage } from '../src/runbooks/runbook-message.ts';
import { runChecksOffer } from '../src/runbooks/runbook-check-plan.ts';
import type { RankedRunbook } from '../src/triage/triage-result.ts';
import type { Budget } from '../src/message/budget.ts';
import { code, command, context, em, line, section, spans, strong, text, type Line, type Message, type Paragraph, type Span } from '../src/message/message.ts';
import { cutText } from '../src/render/cut-text.ts';
import type { RunbookIndex } from '../src/runbooks/load-runbooks.ts';
import type { ChatCommand } from './parts/chat-command.ts';

/** Runbooks a search shows at most. */
export const SEARCH_RESULTS = 5;
/**
 * A score from which a runbook is called a strong match: most of the words hit one of its
 * symptoms; below it, some words matched (a partial match), as when one word such as "cpu" or
 * "database" is all a symptom has in common with several runbooks.
 */
export const STRONG_MATCH = 0.7;
/** Characters of the typed words quoted back, under a limited budget. */
const MAX_QUOTED = 100;

export const runbookCommand: ChatCommand = {
  name: '/runbook',
  description: 'Show a troubleshooting runbook, or find one by what is wrong',
  usageHint: '[runbook-id | list | search <words>]',
  async run({ text: typed, reply, services }) {
    const words = typed.trim().split(/\s+/).filter(Boolean);
    const first = words[0] ?? '';
    const { runbooks } = services;
    if (first === '' || first === 'help' || first === 'list') {
      await reply.ephemeral(runbookListMessage(runbooks));
      return;
    }
    if (first === 'search') {
      const query = words.slice(1).join(' ');
      if (query === '') throw new UserError(spans('say what is wrong after search: ', command('runbook', 'search <words>'), ', e.g. ', command('runbook', 'search too many clients')));
      // The ranker (and its word lists) is loaded by the first search, as /triage loads it.
      const { rankRunbooks } = await import('../src/triage/rank-runbooks.ts');
      await reply.ephemeral(runbookSearchMessage(query, rankRunbooks(query, runbooks.all, { limit: runbooks.all.length }), runbooks, reply.budget));
      return;
    }
    const runbook = runbooks.byId.get(first);
    if (!runbook) {
      throw new UserError(spans(`unknown runbook "${cutText(first, 60)}"; available: ${runbooks.all.map((r) => r.id).join(', ') || 'none'}; to find one by what is wrong: `, command('runbook', 'search <words>')));
    }
    // A terminal has no button to press: its checks are `chatops diag <target>` there.
    const runChecks = reply.source !== 'cli' ? runChecksOffer(runbook, services.config.targets) : undefined;
    await reply.ephemeral(runbookMessage(runbook, { budget: reply.budget, ...(runChecks && { runChecks }) }));
  },
};

/** Every runbook: its id (what /runbook takes) and its title. */
export function runbookListMessage(runbooks: Pick<RunbookIndex, 'all'>): Message {
  const title = spans(strong('Runbooks'), ' (', command('runbook', '<id>'), ' shows one):');
  const items = runbooks.all.map((r) => spans(code(r.id), `: ${r.title}`));
  const list: Paragraph = items.length ? { type: 'list', items } : line('none yet: add Markdown files to the runbooks directory (runbooks.dir)');
  return { notification: title, blocks: [section({ type: 'line', spans: title }, list)] };
}

/**
 * The runbooks that match the words, best first (at most SEARCH_RESULTS): how well (strong or
 * partial match), the title, the words that matched and how to open it. None: says so, and how to
 * list them all.
 */
export function runbookSearchMessage(query: string, ranked: readonly RankedRunbook[], runbooks: Pick<RunbookIndex, 'byId'>, budget: Budget): Message {
  const quoted = `“${cutText(query.replace(/\s+/g, ' ').trim(), MAX_QUOTED, budget.measure)}”`;
  const found = ranked.filter((r) => r.score > 0 && runbooks.byId.has(r.runbook));
  if (found.length === 0) {
    const l = spans(`No runbook matches ${quoted}. `, command('runbook', 'list'), ' lists every runbook.');
    return { notification: l, blocks: [section({ type: 'line', spans: l })] };
  }
  const shown = found.slice(0, SEARCH_RESULTS);
  const title = spans(strong('Runbooks for'), ` ${quoted} (`, command('runbook', '<id>'), ' opens one):');
  const items = shown.map((r): Line => {
    const rb = runbooks.byId.get(r.runbook)!;
    const matched: Span[] = r.matched.length > 0 ? [text(' · matched: '), em(r.matched.join(', '))] : [];
    return spans(strong(rb.title), ` (${r.score >= STRONG_MATCH ? 'strong match' : 'partial match'})`, ...matched, ' · ', command('runbook', rb.id));
  });
  const rest = found.length - shown.length;
  const footer: Span[] = [
    text(rest > 0 ? `${rest} more ${rest === 1 ? 'runbook matches' : 'runbooks match'} less well. ` : ''),
    command('runbook', 'list'),
    text(' lists every runbook.'),
  ];
  return {
    notification: spans(`Runbooks for ${quoted}`),
    blocks: [section({ type: 'line', spans: title }, { type: 'list', items }), context(...footer)],
  };
}
