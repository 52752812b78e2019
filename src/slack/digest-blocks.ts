// A health digest as Block Kit: status, what changed since the previous digest, one line per
// target that needs attention. Built on the /diag all summary model, so the same limits hold.
import type { DigestChanges } from '../digest/digest-changes.ts';
import type { DigestConfig } from '../config/config.ts';
import { cutText, MAX_BLOCKS, MAX_BUTTON_TEXT } from '../render/display-report.ts';
import type { ReportSet } from '../report.ts';
import { escapeMrkdwn, type SlackMessage } from './message-blocks.ts';
import { STATUS_EMOJI } from './report-blocks.ts';
import { renderSummaryBlocks } from './summary-blocks.ts';

/** Prefix of the action ids of the Details buttons. */
export const DIGEST_DETAILS_ACTION = 'digest:details';

/** Change lines shown; the rest are counted. */
export const MAX_CHANGE_LINES = 15;
/** Room for the changes next to the summary's 10,000 characters, under Slack's message total. */
const MAX_CHANGES_TEXT = 1_500;

/** Details buttons: one per target that needs attention, worst first (Slack allows 25 a block). */
export const MAX_DETAIL_BUTTONS = 25;

export interface DigestBlocksOptions {
  late: boolean;
  slot: Date;
  /** Stored report id per target: the Details buttons carry them. */
  storedIds: ReadonlyMap<string, number>;
}

export function renderDigestBlocks(digest: DigestConfig, set: ReportSet, changes: DigestChanges, options: DigestBlocksOptions): SlackMessage {
  const summary = renderSummaryBlocks(set, { detailsInThread: false });
  const [, context, ...rest] = summary.blocks;
  const slot = Math.floor(options.slot.getTime() / 1000);
  const when = `<!date^${slot}^{date_short_pretty} {time}|${options.slot.toISOString()}>`;
  const late = options.late ? ' · :warning: posted late: the bot was down when this digest was due' : '';
  const mention = digest.mentionOnCrit && set.status === 'crit' ? [{ type: 'section', text: { type: 'mrkdwn', text: `<!subteam^${digest.mentionOnCrit}> a target is critical` } }] : [];
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: `${STATUS_EMOJI[set.status]} ${digest.name} digest`.slice(0, 150), emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${when}${late}` }] },
    ...mention,
    { type: 'section', text: { type: 'mrkdwn', text: changesText(changes) } },
    context!,
    ...rest,
  ];
  const buttons = detailButtons(set, options.storedIds);
  const room = MAX_BLOCKS - (buttons.length > 0 ? 1 : 0);
  const out = blocks.slice(0, room);
  if (buttons.length > 0) out.push({ type: 'actions', elements: buttons });
  return { text: `${digest.name} digest: ${summary.text}`, blocks: out };
}

function detailButtons(set: ReportSet, storedIds: ReadonlyMap<string, number>): object[] {
  return set.reports
    .filter((r) => r.status !== 'ok' && storedIds.has(r.target))
    .slice(0, MAX_DETAIL_BUTTONS)
    .map((r, i) => ({
      type: 'button',
      text: { type: 'plain_text', text: cutText(`${STATUS_EMOJI[r.status]} Details: ${r.target}`, MAX_BUTTON_TEXT), emoji: true },
      // Action ids must differ within a block; the handler matches the prefix.
      action_id: `${DIGEST_DETAILS_ACTION}:${i}`,
      value: String(storedIds.get(r.target)),
    }));
}

function changesText(changes: DigestChanges): string {
  if (changes.firstDigest) return '*What changed:* first digest, nothing to compare with yet.';
  if (changes.changes.length === 0) return '*What changed:* nothing since the previous digest.';
  const lines = changes.changes.slice(0, MAX_CHANGE_LINES).map((c) => `• ${escapeMrkdwn(c.text)}`);
  const more = changes.changes.length - lines.length;
  if (more > 0) lines.push(`_and ${more} more_`);
  return cutText(`*What changed since the previous digest:*\n${lines.join('\n')}`, MAX_CHANGES_TEXT);
}
