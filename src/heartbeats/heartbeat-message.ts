// A heartbeat outage's one message: missed since when, and what was expected; then, at the next
// beat, the same message says it recovered and how long it was missing. Times are said in UTC in
// the text (a notification and a log read the same everywhere), with Slack's own date beside.
import { context, date, header, line, type Block, type Message } from '../message/message.ts';
import { formatDuration } from '../probes/format.ts';
import type { HeartbeatRow } from './heartbeat-store.ts';

export function heartbeatMessage(hb: Pick<HeartbeatRow, 'name' | 'status' | 'missedSince' | 'recoveredAt' | 'everyMs' | 'graceMs' | 'neverBeat' | 'watchedSince'>, now: Date): Message {
  const utc = (at: Date) => utcTime(at, now);
  const since = hb.missedSince ?? hb.watchedSince;
  const expected = `expected every ${formatDuration(hb.everyMs / 1000)}, grace ${hb.graceMs > 0 ? formatDuration(hb.graceMs / 1000) : 'none'}`;
  const never = hb.neverBeat ? `; no beat since the bot started watching it at ${utc(hb.watchedSince)}` : '';
  const recovered = hb.status === 'ok' && hb.recoveredAt !== null;
  const words = recovered
    ? `heartbeat ${hb.name} recovered at ${utc(hb.recoveredAt!)} after ${formatDuration(Math.max(0, hb.recoveredAt!.getTime() - since.getTime()) / 1000)} missing (missed since ${utc(since)}, ${expected})`
    : `heartbeat ${hb.name} missed since ${utc(since)} (${expected}${never})`;
  const blocks: Block[] = [
    header(`${recovered ? 'Recovered' : 'Missed'}: heartbeat ${hb.name}`, recovered ? 'ok' : 'crit'),
    { type: 'section', paragraphs: [line(words)] },
    recovered
      ? context('Missing from ', date(since), ' to ', date(hb.recoveredAt!))
      : context('Due at ', date(since), hb.neverBeat ? ' (counted from the first start with it configured)' : '', '. This message turns recovered at its next beat.'),
  ];
  return { notification: [{ type: 'text', text: words }], blocks };
}

/** HH:MM UTC, with the day when it is not today's. */
function utcTime(at: Date, now: Date): string {
  const iso = at.toISOString();
  const day = iso.slice(0, 10);
  const today = now.toISOString().slice(0, 10);
  return `${iso.slice(11, 16)} UTC${day === today ? '' : ` on ${day}`}`;
}
