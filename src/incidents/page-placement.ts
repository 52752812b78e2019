// Where a page that is not a direct message goes, the same for every transport: a channel page in
// the incident card's channel goes in the card's thread (broadcast to the channel when the page
// says so), one in another channel stands alone there, and a thread line goes under the card (or
// in the card's channel while there is no card yet).
import type { OutgoingPage } from './pager.ts';

export interface ChannelPlacement {
  channel: string;
  threadTs?: string;
  broadcast?: boolean;
}

/** `cardTs`: where the card is (the stored one by default; a transport may know it elsewhere). */
export function pagePlacement(page: OutgoingPage, incidentsChannel: string, cardTs: string | undefined = page.incident.messageTs): ChannelPlacement {
  const r = page.recipient;
  if ('dm' in r) throw new Error('a direct message is placed by the transport (its DM channel)');
  const cardChannel = page.incident.channel ?? incidentsChannel;
  if ('channel' in r) {
    // Beside the card: in its thread. Another channel has no card: the page stands alone there.
    if (r.channel !== cardChannel || !cardTs) return { channel: r.channel };
    return { channel: r.channel, threadTs: cardTs, ...(r.broadcast && { broadcast: true }) };
  }
  return cardTs ? { channel: cardChannel, threadTs: cardTs } : { channel: cardChannel };
}
