// A health digest as a neutral message: its status and slot, what changed since the previous
// digest, the /diag all summary of its targets, and a "Details" button per target that needs
// attention (its stored report). Fitted to the caller's budget, as the summary is.
import type { DigestConfig } from '../config/config.ts';
import type { Budget } from '../message/budget.ts';
import { code, context, date, em, group, header, icon, line, spans, strong, text, type Block, type Button, type Message, type Paragraph } from '../message/message.ts';
import { cutText } from '../render/cut-text.ts';
import { summaryMessage } from '../render/summary-message.ts';
import type { ReportSet } from '../report.ts';
import type { DigestChanges } from './digest-changes.ts';
import type { NoisyAlert } from '../alerts/alert-store.ts';
import { noisyAlertsBlocks } from './noisy-alerts-section.ts';

/** Change lines shown under a limited budget; the rest are counted. */
const MAX_CHANGE_LINES = 15;
/** Characters of the changes under a limited budget: room next to the summary's, under Slack's message total. */
const MAX_CHANGES_TEXT = 1_500;
/** Details buttons: one per target that needs attention, worst first, at most the budget's buttons of a block. */
const MAX_DETAIL_BUTTONS = 25;

export interface DigestMessageOptions {
  /** What the transport can show. */
  budget: Budget;
  late: boolean;
  /** Mention the digest's mentionOnCrit group when a target is critical (scheduled runs, `/digest now --notify`). */
  notify: boolean;
  slot: Date;
  /** Stored report id per target: the Details buttons carry them. */
  storedIds: ReadonlyMap<string, number>;
  /** The alert names that fired most in the last days (none: no section). */
  noisyAlerts?: readonly NoisyAlert[];
}

export function digestMessage(digest: DigestConfig, set: ReportSet, changes: DigestChanges, options: DigestMessageOptions): Message {
  const { budget } = options;
  const summary = summaryMessage(set, { budget });
  // The summary without its header: the digest has its own.
  const [, ...summaryBlocks] = summary.blocks;
  const limited = budget.maxMessageText !== Infinity;
  const blocks: Block[] = [
    header(limited ? cutText(`${digest.name} digest`, budget.maxHeaderText - 24) : `${digest.name} digest`, set.status),
    context(date(options.slot, 'datetime'), ...(options.late ? [' · ', icon('warning'), ' posted late: the bot was down when this digest was due'] : [])),
  ];
  if (digest.mentionOnCrit && set.status === 'crit') {
    blocks.push({
      type: 'section',
      paragraphs: [options.notify
        ? line(group(digest.mentionOnCrit), ' a target is critical')
        : line('A target is critical; run by hand, so nobody was mentioned (', code(`/digest now ${digest.name} --notify`), ' mentions the on-call group).')],
    });
  }
  blocks.push({ type: 'section', paragraphs: changesParagraphs(changes, limited, budget.measure) }, ...summaryBlocks, ...noisyAlertsBlocks(options.noisyAlerts ?? []));

  const buttons = detailButtons(set, options.storedIds, Math.min(MAX_DETAIL_BUTTONS, budget.maxButtons));
  const room = budget.maxBlocks - (buttons.length > 0 ? 1 : 0);
  const out = blocks.slice(0, room);
  if (buttons.length > 0) out.push({ type: 'actions', buttons });
  return { notification: spans(`${digest.name} digest: `, ...summary.notification), blocks: out };
}

function detailButtons(set: ReportSet, storedIds: ReadonlyMap<string, number>, max: number): Button[] {
  return set.reports
    .filter((r) => r.status !== 'ok' && storedIds.has(r.target))
    .slice(0, max)
    .map((r) => ({ label: `Details: ${r.target}`, icon: r.status, intent: { intent: 'digest.details', report: storedIds.get(r.target)! } }));
}

function changesParagraphs(changes: DigestChanges, limited: boolean, measure: (text: string) => number): Paragraph[] {
  if (changes.firstDigest) return [line(strong('What changed:'), ' first digest, nothing to compare with yet.')];
  if (changes.changes.length === 0) return [line(strong('What changed:'), ' nothing since the previous digest.')];
  const title = 'What changed since the previous digest:';
  const items = [];
  let chars = measure(title);
  for (const c of changes.changes) {
    if (limited && items.length >= MAX_CHANGE_LINES) break;
    // "• " before and the "and N more" line after each item count too.
    const cost = measure(c.text) + 3;
    if (limited && chars + cost + 20 > MAX_CHANGES_TEXT) break;
    chars += cost;
    items.push([text(c.text)]);
  }
  const out: Paragraph[] = [line(strong(title)), { type: 'list', items }];
  const more = changes.changes.length - items.length;
  if (more > 0) out.push(line(em(`and ${more} more`)));
  return out;
}
