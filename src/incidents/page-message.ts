// A page: a DM to one person, or a message in a channel naming the people paged (its first line
// carries the mentions and, for SEV-1, @here: that is what notifies them), with the incident,
// what comes next if nobody acts, and the incident's buttons. A line for the incident's thread
// (a missed deadline, nobody to page, an undeliverable page) is just that line.
import { context, date, group, line, simpleMessage, spans, strong, text, user, type Message, type Span } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import { incidentButtons, incidentHeadline } from './incident-card-message.ts';
import { storedMentions, type Mentions, type OutgoingPage } from './pager.ts';
import { storedTimelineLine } from './stored-timeline-line.ts';

/** A page later than this is said to be late. */
const SAY_LATE_AFTER_MS = 2_000;

/** `now`: when the page leaves; its age and lateness are as of then. */
export function pageMessage(page: OutgoingPage, now: Date): Message {
  const i = page.incident;
  const r = page.recipient;
  // A note queued before notes were lines holds Slack's mention strings: read back as ids.
  if ('thread' in r) return simpleMessage(...(typeof r.text === 'string' ? storedTimelineLine({ text: r.text, line: null }) : r.text));

  const named: Span[] = 'dm' in r ? [] : mentioned(r.broadcast, storedMentions(r.mentions));
  const repeat = page.attempt > 0 ? ` (reminder ${page.attempt})` : '';
  const who = 'dm' in r ? spans('You are paged as ', strong(page.label)) : spans(...named, ': paged as ', strong(page.label));
  const age = formatDuration((now.getTime() - i.declaredAt.getTime()) / 1000);
  const next = page.next
    ? spans(`Next: ${page.next.label} paged `, date(page.next.at, 'time'), ` if not ${page.next.until}.`)
    : spans('This is the last level of the ladder.');
  const late = page.lateMs > SAY_LATE_AFTER_MS ? [text(` Sent ${formatDuration(page.lateMs / 1000)} late.`)] : [];
  return {
    notification: spans(...named, ...(named.length > 0 ? [' '] : []), ...incidentHeadline(i), repeat),
    blocks: [
      { type: 'section', paragraphs: [{ type: 'line', spans: incidentHeadline(i, 'strong') }, line(...who, `${repeat}. Declared ${age} ago by `, user(i.commander), '.')] },
      context(...next, ...late),
      incidentButtons(i),
    ],
  };
}

/** "@here @alice @sre-team": the broadcast first, then the people, then the user groups. */
function mentioned(broadcast: 'here' | 'channel' | undefined, mentions: Mentions): Span[] {
  const each: Span[] = [...(broadcast ? [{ type: 'broadcast' as const, to: broadcast }] : []), ...mentions.users.map((u) => user(u)), ...mentions.groups.map((g) => group(g))];
  return each.flatMap((s, n) => (n === 0 ? [s] : [text(' '), s]));
}
