// The playground's workspace: messages kept in ts order with unique, increasing Slack-like ts,
// every change told to subscribers (created, then updated in place), the oldest dropped beyond
// `keep` (with their files), keyed posts found again, dialogs opened and closed.
import { describe, expect, it } from 'vitest';
import { simpleMessage } from '../../src/message/message.ts';
import type { PlaygroundEvent, PlaygroundFile } from '../../src/playground/playground-types.ts';
import { PlaygroundWorkspace, type NewPlaygroundMessage } from '../../src/playground/playground-workspace.ts';

const CHANNELS = [{ id: 'C0OPS', name: 'ops' }, { id: 'C0ALERTS', name: 'alerts' }];
const PEOPLE = new Map([['U0YOU', 'you']]);

function draft(words: string, more: Partial<NewPlaygroundMessage> = {}): NewPlaygroundMessage {
  return { channel: 'C0OPS', message: simpleMessage(words), buttons: [], nonce: 'nonce-0001', ...more };
}

describe('PlaygroundWorkspace', () => {
  it('gives every message a unique, increasing <seconds>.<6 digits> ts and keeps them in that order', () => {
    const ws = new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE });
    const posted = Array.from({ length: 50 }, (_, i) => ws.post(draft(`m${i}`)));
    const tss = posted.map((m) => m.ts);
    for (const ts of tss) expect(ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(new Set(tss).size).toBe(50);
    for (let i = 1; i < tss.length; i++) expect(Number(tss[i])).toBeGreaterThan(Number(tss[i - 1]));
    expect(ws.messages().map((m) => m.ts)).toEqual(tss);
    expect(ws.message(tss[7]!)?.message).toEqual(simpleMessage('m7'));
    expect(ws.message('1.000000')).toBeUndefined();
  });

  it('tells subscribers a new message (created) and its replacement (updated, same ts, edited); an unsubscribed one hears nothing more', () => {
    const ws = new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE });
    const events: PlaygroundEvent[] = [];
    const unsubscribe = ws.subscribe((e) => events.push(e));
    // A broken listener (a page gone) neither stops the others nor the post.
    ws.subscribe(() => {
      throw new Error('connection gone');
    });
    const first = ws.post(draft('running'));
    const next = ws.replace(first.ts, { message: simpleMessage('the report'), buttons: [{ actionId: 'link' }], nonce: 'nonce-0002' });
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({ type: 'message', message: first, created: true });
    expect(events[1]).toMatchObject({ type: 'message', created: false, message: { ts: first.ts, message: simpleMessage('the report'), nonce: 'nonce-0002', buttons: [{ actionId: 'link' }] } });
    expect(next.editedAt).toBeDefined();
    expect(ws.message(first.ts)).toEqual(next);
    expect(() => ws.replace('1.000001', { message: simpleMessage('x'), buttons: [], nonce: 'nonce-0003' })).toThrow(/no message with ts 1\.000001/);
    unsubscribe();
    ws.post(draft('unheard'));
    expect(events).toHaveLength(2);
  });

  it('keeps the last `keep` messages: the oldest go, with their files', () => {
    const ws = new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE, keep: 3 });
    const file: PlaygroundFile = { id: 'F1', title: 'chart', filename: 'chart.png', contentType: 'image/png', bytes: Buffer.from([1, 2, 3]) };
    const withFile = ws.post(draft('chart', { files: [file] }));
    expect(ws.file('F1')).toBe(file);
    const rest = ['a', 'b', 'c'].map((w) => ws.post(draft(w)));
    expect(ws.messages().map((m) => m.ts)).toEqual(rest.map((m) => m.ts));
    expect(ws.message(withFile.ts)).toBeUndefined();
    expect(ws.file('F1')).toBeUndefined();
    expect(() => new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE, keep: 0 })).toThrow(/keep must be a whole number of messages from 1, got 0/);
  });

  it('finds a keyed message in its channel, or only in a thread when one is named', () => {
    const ws = new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE });
    const top = ws.post(draft('alert', { channel: 'C0ALERTS' }), 'alert:1');
    const reply = ws.post(draft('diagnosis', { channel: 'C0ALERTS', threadTs: top.ts }), 'alert:1:diagnosis');
    ws.post(draft('unkeyed', { channel: 'C0ALERTS' }));
    expect(ws.findByKey('alert:1', { channel: 'C0ALERTS' })?.ts).toBe(top.ts);
    expect(ws.findByKey('alert:1', { channel: 'C0OPS' })).toBeUndefined();
    expect(ws.findByKey('alert:1:diagnosis', { channel: 'C0ALERTS', threadTs: top.ts })?.ts).toBe(reply.ts);
    expect(ws.findByKey('alert:1:diagnosis', { channel: 'C0ALERTS', threadTs: '1.000000' })).toBeUndefined();
    expect(ws.keyOf(top.ts)).toBe('alert:1');
  });

  it('opens and closes dialogs, telling subscribers each', () => {
    const ws = new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE });
    const events: PlaygroundEvent[] = [];
    ws.subscribe((e) => events.push(e));
    const dialog = { id: 'Dabc', callbackId: 'incident-declare', title: 'Declare', submitLabel: 'Declare', closeLabel: 'Cancel', intro: [], fields: [], signedMetadata: 'cs1.x', notifyOnClose: false, openedAt: new Date().toISOString() };
    ws.openDialog(dialog);
    expect(ws.dialog('Dabc')).toBe(dialog);
    expect(ws.dialogs()).toEqual([dialog]);
    expect(ws.closeDialog('Dabc')).toBe(true);
    expect(ws.closeDialog('Dabc')).toBe(false);
    expect(ws.dialog('Dabc')).toBeUndefined();
    expect(events).toEqual([{ type: 'dialog', dialog }, { type: 'dialog-closed', id: 'Dabc' }]);
  });

  it('refuses a channel listed twice, naming it', () => {
    expect(() => new PlaygroundWorkspace({ channels: [...CHANNELS, { id: 'C0OPS', name: 'ops2' }], people: PEOPLE })).toThrow(/channel C0OPS is listed twice/);
  });
});
