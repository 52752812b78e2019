// The fake Slack Web API answers conversations.replies as Slack does, since the incident pager's
// lookups are tested against it: the parent first, then the replies oldest first, after `oldest`,
// `limit` at a time with the rest behind response_metadata.next_cursor, metadata only when asked
// for, thread_not_found for a parent it does not know.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';

let slack: FakeSlackApi;
let client: WebClient;
const T = Date.parse('2026-11-23T10:00:00Z');
let now = T;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  slack.setClock(() => now);
  client = new WebClient('xoxb-test', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(async () => {
  await slack.close();
});

describe('conversations.replies', () => {
  it('pages through a thread oldest first from `oldest`, with metadata only when asked for', async () => {
    const parent = (await client.chat.postMessage({ channel: 'C0ONE', text: 'card' })).ts!;
    for (let i = 0; i < 5; i++) {
      now = T + i * 60_000;
      await client.chat.postMessage({ channel: 'C0ONE', thread_ts: parent, text: `reply ${i}`, metadata: { event_type: 't', event_payload: { n: i } } });
    }
    await client.chat.postMessage({ channel: 'C0TWO', thread_ts: parent, text: 'elsewhere' });

    const all = await client.conversations.replies({ channel: 'C0ONE', ts: parent });
    expect(all.messages!.map((m) => m.text)).toEqual(['card', 'reply 0', 'reply 1', 'reply 2', 'reply 3', 'reply 4']);
    expect(all.messages!.some((m) => m.metadata)).toBe(false);
    expect(all.has_more).toBe(false);

    // From 10:01:30: replies 2 to 4, two messages a call (the parent counts on the first).
    const oldest = ((T + 90_000) / 1000).toFixed(6);
    const first = await client.conversations.replies({ channel: 'C0ONE', ts: parent, oldest, limit: 2, include_all_metadata: true });
    expect(first.messages!.map((m) => m.text)).toEqual(['card', 'reply 2']);
    expect(first.messages![1]!.metadata).toEqual({ event_type: 't', event_payload: { n: 2 } });
    expect(first.has_more).toBe(true);
    const second = await client.conversations.replies({ channel: 'C0ONE', ts: parent, oldest, limit: 2, cursor: first.response_metadata!.next_cursor! });
    expect(second.messages!.map((m) => m.text)).toEqual(['reply 3', 'reply 4']);
    expect(second.has_more).toBe(false);
    expect(second.response_metadata?.next_cursor ?? '').toBe('');
  });

  it('refuses a parent it does not know, and a cursor it did not hand out', async () => {
    await expect(client.conversations.replies({ channel: 'C0ONE', ts: '1700000000.000001' })).rejects.toMatchObject({ data: { error: 'thread_not_found' } });
    const parent = (await client.chat.postMessage({ channel: 'C0ONE', text: 'card' })).ts!;
    await expect(client.conversations.replies({ channel: 'C0ONE', ts: parent, cursor: 'bm9wZQ==' })).rejects.toMatchObject({ data: { error: 'invalid_cursor' } });
  });
});
