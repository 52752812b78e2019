// A page: a DM to one person, or a message in a channel naming the people paged (its first line
// carries the mentions and, for SEV-1, @here: that is what notifies them), with the incident and
// what comes next if nobody acts, in the card's words. A DM, or a page posted away from the
// incident card, carries the incident's buttons; a page in the card's thread does not (the card
// right above it has them). A line for the incident's thread (a missed deadline, nobody to page,
// an undeliverable page) is just that line.
import { context, group, line, simpleMessage, spans, strong, text, user, type Block, type Message, type Span } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import { incidentButtons, incidentHeadline } from './incident-card-message.ts';
import { nextStepLine } from './next-step-line.ts';
import { storedMentions, type Mentions, type OutgoingPage } from './pager.ts';
import { storedTimelineLine } from './stored-timeline-line.ts';
import { commanderSpans } from './commander.ts';

/** A page later than this is said to be late. */
const SAY_LATE_AFTER_MS = 2_000;

/**
 * `now`: when the page leaves; its age and lateness are as of then. `placement`: `card-thread`
 * when it is posted in the incident card's thread.
 */
export function pageMessage(page: OutgoingPage, now: Date, placement: 'alone' | 'card-thread' = 'alone'): Message {
  const i = page.incident;
  const r = page.recipient;
  // A note queued before notes were lines holds Slack's mention strings: read back as ids.
  if ('thread' in r) return simpleMessage(...(typeof r.text === 'string' ? storedTimelineLine({ text: r.text, line: null }) : r.text));

  const named: Span[] = 'dm' in r ? [] : mentioned(r.broadcast, storedMentions(r.mentions));
  const repeat = page.attempt > 0 ? ` (reminder ${page.attempt})` : '';
  const who = 'dm' in r
    ? spans('You are paged as ', strong(page.label))
    : named.length > 0 ? spans(...named, ': paged as ', strong(page.label)) : spans('This channel is paged as ', strong(page.label));
  const age = formatDuration((now.getTime() - i.declaredAt.getTime()) / 1000);
  const late = page.lateMs > SAY_LATE_AFTER_MS ? [text(` Sent ${formatDuration(page.lateMs / 1000)} late.`)] : [];
  const blocks: Block[] = [
    { type: 'section', paragraphs: [{ type: 'line', spans: incidentHeadline(i, 'strong') }, line(...who, `${repeat}. Declared ${age} ago by `, ...commanderSpans(i.commander), '.')] },
    context(...nextStepLine(page.next, now), ...late),
  ];
  if (placement === 'alone') blocks.push(incidentButtons(i));
  return { notification: spans(...named, ...(named.length > 0 ? [' '] : []), ...incidentHeadline(i), repeat), blocks };
}

/** "@here @alice @sre-team": the broadcast first, then the people, then the user groups. */
function mentioned(broadcast: 'here' | 'channel' | undefined, mentions: Mentions): Span[] {
  const each: Span[] = [...(broadcast ? [{ type: 'broadcast' as const, to: broadcast }] : []), ...mentions.users.map((u) => user(u)), ...mentions.groups.map((g) => group(g))];
  return each.flatMap((s, n) => (n === 0 ? [s] : [text(' '), s]));
}
