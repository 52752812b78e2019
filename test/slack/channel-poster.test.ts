// createChannelPoster against the local fake Slack Web API, through a real WebClient configured as in
// production: messages, threaded replies, a PNG upload by files.uploadV2 (all three steps) and errors.
import { line, section, simpleMessage, spans, strong } from '../../src/message/message.ts';
import { inspect } from 'node:util';
import { retryPolicies, WebClient } from '@slack/web-api';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelPoster } from '../../src/channel-poster.ts';
import { createChannelPoster } from '../../src/slack/create-channel-poster.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

const TOKEN = 'xoxb-1234-5678-channelposterSECRET';
let slack: FakeSlackApi;
let poster: ChannelPoster;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  poster = createChannelPoster(new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: retryPolicies.fiveRetriesInFiveMinutes }), TEST_SIGNER);
});

afterAll(async () => {
  await slack?.close();
});

beforeEach(() => slack.reset());

/** A real PNG of noise: every byte value occurs, so any text or encoding mangling would show. */
function noisePng(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  let seed = 42;
  for (let i = 0; i < png.data.length; i++) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    png.data[i] = seed >>> 16 & 0xff;
  }
  return PNG.sync.write(png);
}

function expectNoToken(err: unknown): void {
  const everything = `${String(err)}\n${inspect(err, { depth: 10 })}\n${JSON.stringify(err)}`;
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain('channelposterSECRET');
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('createChannelPoster', () => {
  it('posts a message and returns the channel and ts Slack gave it', async () => {
    const ref = await poster.post('C0DIGEST', { notification: spans('morning digest'), blocks: [section(line(strong('digest')))] });

    const [call] = slack.callsTo('chat.postMessage');
    expect(call?.args).toMatchObject({ channel: 'C0DIGEST', text: 'morning digest', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*digest*' } }] });
    expect(call?.args.thread_ts).toBeUndefined();
    expect(call?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(ref.channel).toBe('C0DIGEST');
    expect(ref.ts).toMatch(/^\d+\.\d+$/);
  });

  it('replies in the thread of the parent', async () => {
    const parent = await poster.post('C0DIGEST', simpleMessage('parent'));
    const child = await poster.reply(parent, simpleMessage('details'));

    const calls = slack.callsTo('chat.postMessage');
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args).toMatchObject({ channel: 'C0DIGEST', thread_ts: parent.ts, text: 'details' });
    expect(child.channel).toBe('C0DIGEST');
    expect(child.ts).not.toBe(parent.ts);
  });

  it('uploads a PNG byte for byte, with channel, title, thread and comment', async () => {
    const png = noisePng(200, 150);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const parent = await poster.post('C0DIGEST', simpleMessage('digest'));

    await poster.uploadPng('C0DIGEST', png, { filename: 'trend.png', title: 'CPU, last 24 h', parent, comment: '[1] trend' });

    expect(slack.callsTo('files.getUploadURLExternal')[0]?.args).toMatchObject({ filename: 'trend.png', length: String(png.length) });
    expect(slack.callsTo('upload')[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(slack.uploads).toHaveLength(1);
    const [upload] = slack.uploads;
    expect(upload).toMatchObject({ filename: 'trend.png', channel: 'C0DIGEST', threadTs: parent.ts, title: 'CPU, last 24 h', comment: '[1] trend', declaredLength: png.length });
    expect(upload!.bytes.equals(png)).toBe(true);
    expect(PNG.sync.read(upload!.bytes).width).toBe(200);
  });

  it('uploads to the channel itself when there is no parent', async () => {
    const png = noisePng(8, 8);
    await poster.uploadPng('C0OPS', png, { filename: 'tiny.png', title: 'Tiny' });

    expect(slack.uploads).toHaveLength(1);
    expect(slack.uploads[0]).toMatchObject({ channel: 'C0OPS', threadTs: undefined, title: 'Tiny', comment: undefined });
    expect(slack.uploads[0]!.bytes.equals(png)).toBe(true);
    const complete = slack.callsTo('files.completeUploadExternal')[0];
    expect(complete?.args.thread_ts).toBeUndefined();
    expect(complete?.args.initial_comment).toBeUndefined();
  });

  it('reports a platform error with the channel and the Slack error, never the token', async () => {
    slack.failNext('chat.postMessage', 'channel_not_found');
    const err = await rejection(poster.post('C0GONE', simpleMessage('hello')));

    expect(err.message).toBe('while posting to C0GONE: channel_not_found');
    expect((err.cause as { data?: { error?: string } }).data?.error).toBe('channel_not_found');
    expectNoToken(err);
  });

  it('reports a failed reply with the channel and thread', async () => {
    slack.failNext('chat.postMessage', 'is_archived');
    const err = await rejection(poster.reply({ channel: 'C0OLD', ts: '1700000000.000100' }, simpleMessage('late')));

    expect(err.message).toBe('while replying in C0OLD (thread 1700000000.000100): is_archived');
    expectNoToken(err);
  });

  it('reports a failed upload completion with the file and channel, never the token', async () => {
    slack.failNext('files.completeUploadExternal', 'not_in_channel');
    const err = await rejection(poster.uploadPng('C0PRIV', noisePng(4, 4), { filename: 'x.png', title: 'X' }));

    expect(err.message).toBe('while uploading x.png to C0PRIV: not_in_channel');
    expect(slack.uploads).toHaveLength(0);
    expectNoToken(err);
  });

  it('reports bytes the upload URL refused (no retries in this client)', async () => {
    const noRetry = createChannelPoster(new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } }), TEST_SIGNER);
    slack.failNext('upload', 'storage unavailable');
    const err = await rejection(noRetry.uploadPng('C0OPS', noisePng(4, 4), { filename: 'y.png', title: 'Y' }));

    expect(err.message).toMatch(/^while uploading y\.png to C0OPS: /);
    expect(slack.callsTo('files.completeUploadExternal')).toHaveLength(0);
    expectNoToken(err);
  });
});
