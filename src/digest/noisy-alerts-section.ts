// The digest's "Noisiest alerts" section: per alert name over the last days, how often it fired
// (episodes), flapped, was marked noise, and how long it took to resolve (median), with its rules'
// runbooks; the noisiest few only. Alert names and runbook addresses came from Alertmanager: they
// are plain text and links in the neutral message, cut to bounds.
import type { NoisyAlert } from '../alerts/alert-store.ts';
import { line, link, spans, strong, type Block, type Line, type Span } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import { cutText } from '../render/cut-text.ts';

/** The days the section counts, and how many alert names it shows. */
export const NOISY_ALERT_DAYS = 7;
export const NOISY_ALERTS_SHOWN = 5;

/** The section's blocks; none when no alert fired in the period. */
export function noisyAlertsBlocks(alerts: readonly NoisyAlert[]): Block[] {
  if (alerts.length === 0) return [];
  const items: Line[] = alerts.slice(0, NOISY_ALERTS_SHOWN).map(noisyLine);
  return [{ type: 'section', paragraphs: [line(strong(`Noisiest alerts (last ${NOISY_ALERT_DAYS} days):`)), { type: 'list', items }] }];
}

function noisyLine(a: NoisyAlert): Line {
  const facts = [`fired ${times(a.fired)}`];
  if (a.flapped > 0) facts.push(`flapped ${times(a.flapped)}`);
  if (a.noise > 0 || a.useful > 0) facts.push(`marked noise by ${a.noise}${a.useful > 0 ? ` (useful by ${a.useful})` : ''}`);
  facts.push(a.medianResolveSeconds === null ? 'not resolved yet' : `median ${formatDuration(a.medianResolveSeconds)} to resolve`);
  const parts: Array<Span | string> = [strong(cutText(a.alertname, 100)), `: ${facts.join(', ')}`];
  a.runbookUrls.forEach((url, i) => parts.push(i === 0 ? ' · ' : ', ', link(url, a.runbookUrls.length > 1 ? `Runbook ${i + 1}` : 'Runbook')));
  return spans(...parts);
}

function times(n: number): string {
  return n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`;
}
