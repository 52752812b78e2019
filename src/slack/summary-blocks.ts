// `/diag all` as Block Kit: one line per target that needs attention, the healthy ones folded.
// The full report of each of those targets goes in the thread under this message.
import { toDisplaySummary, type DisplaySummary, type SummaryLine } from '../render/display-summary.ts';
import type { ReportSet } from '../report.ts';
import { escapeMrkdwn, mrkdwnLength, type SlackMessage } from './message-blocks.ts';
import { STATUS_EMOJI } from './report-blocks.ts';

export function renderSummaryBlocks(set: ReportSet, options: { detailsInThread: boolean }): SlackMessage {
  const d = toDisplaySummary(set, mrkdwnLength);
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: `${STATUS_EMOJI[d.status]} diag all: ${d.headline}`, emoji: true } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${countsText(d)} · in ${d.duration}` }] },
  ];
  for (const section of d.sections) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: section.map(lineText).join('\n') } });
  }
  if (d.omittedLine) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `_${escapeMrkdwn(d.omittedLine)}_` }] });
  if (d.okLine) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${STATUS_EMOJI.ok} ${escapeMrkdwn(d.okLine)}` }] });
  if (options.detailsInThread && d.sections.length > 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: ':thread: The report of each target that needs attention is in the thread.' }] });
  }
  return { text: `${STATUS_EMOJI[d.status]} diag all: ${escapeMrkdwn(d.headline)} (${countsText(d)})`, blocks };
}

function lineText(l: SummaryLine): string {
  return `${STATUS_EMOJI[l.status]} *${escapeMrkdwn(l.target)}* (${escapeMrkdwn(l.kind)}): ${escapeMrkdwn(l.text)}`;
}

function countsText(d: DisplaySummary): string {
  return (['crit', 'warn', 'unknown', 'ok'] as const).filter((s) => d.counts[s] > 0).map((s) => `${d.counts[s]} ${s}`).join(', ') || 'no targets';
}
