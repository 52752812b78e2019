// An interrupted page in a long incident thread: Slack took the page, the engine died before
// recording it, and by then the card's thread holds hundreds of replies. Slack answers a thread
// oldest first, a page of replies at a time; the restarted engine still finds the page by its key
// and does not send it again.
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { HOUR, INCIDENTS_CHANNEL, MIN, T0, useIncidentHarness } from './incident-harness.ts';

const h = useIncidentHarness('longthread');

/** People talking in the card's thread at `atMs` after T0. */
async function chatter(threadTs: string, count: number, atMs: number): Promise<void> {
  const people = new WebClient('xoxb-test', { slackApiUrl: h.apiUrl, retryConfig: { retries: 0 } });
  h.clock.set(T0 + atMs);
  for (let i = 0; i < count; i++) await people.chat.postMessage({ channel: INCIDENTS_CHANNEL, thread_ts: threadTs, text: `looking at shard ${i}` });
}

describe('an interrupted page in a thread of more than 200 replies', () => {
  it('is found after the restart and not sent again', async () => {
    const inc = await h.service.declare({ severity: 2, title: 'checkout errors', commander: 'U0CMDR' });
    await h.at(0);
    const cardTs = h.slack.messagesIn(INCIDENTS_CHANNEL).find((m) => !m.metadata)!.ts;
    // Early talk, then more than a page of replies in the minutes before the next page.
    await chatter(cardTs, 150, 10 * MIN);
    await chatter(cardTs, 250, 58 * MIN);

    // The team lead is paged after an hour, in the card's thread: reply number 400-something.
    await h.at(HOUR);
    const leadKey = `INC-${inc.id}/sev2:s1a0/channel:${INCIDENTS_CHANNEL}`;
    const leadPage = h.pages().find((p) => p.key === leadKey)!;
    expect(leadPage.thread_ts).toBe(cardTs);
    const thread = h.slack.messagesIn(INCIDENTS_CHANNEL).filter((m) => m.thread_ts === cardTs);
    expect(thread.length).toBeGreaterThan(400);
    expect(thread.findIndex((m) => m.ts === leadPage.ts)).toBeGreaterThan(400);
    const sentBefore = h.keys().length;

    // Slack took it; the engine died before recording it. Its lease runs out a minute later.
    await h.pool.query(`UPDATE incident_pages SET state = 'sending', lease_until = $1 WHERE key = $2`, [new Date(h.clock.t + MIN), leadKey]);
    h.slack.calls.length = 0;
    const restarted = h.make();
    h.clock.set(T0 + HOUR + 2 * MIN);
    await restarted.engine.runDue();

    expect(h.keys()).toHaveLength(sentBefore);
    expect(h.keys().filter((k) => k === leadKey)).toHaveLength(1);
    const { rows } = await h.pool.query<{ state: string; ts: string }>('SELECT state, ts FROM incident_pages WHERE key = $1', [leadKey]);
    expect(rows).toEqual([{ state: 'sent', ts: leadPage.ts }]);
    // Looked up in the card's thread, from shortly before the page was due, not from the thread's start.
    const lookups = h.slack.callsTo('conversations.replies');
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((c) => c.args.channel === INCIDENTS_CHANNEL && c.args.ts === cardTs)).toBe(true);
    const oldest = Number(lookups[0]!.args.oldest);
    expect(oldest).toBeGreaterThan(Number(cardTs));
    expect(oldest).toBeLessThan(Number(leadPage.ts));
  });
});
