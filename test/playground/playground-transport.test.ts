// The playground's transport: what the engine and the handlers send lands in the workspace masked
// and sealed (button values signed for their action ids, one nonce per message, links unsigned);
// Slack's behaviours the bot relies on hold: a channel the page lacks fails as channel_not_found,
// replies go in the root's thread, keyed alert posts and pages are found again, a DM goes to the
// user id as its channel, a page beside the incident card goes in its thread, the card is posted
// then updated in place; the directory knows the page's people; a dialog's metadata is signed.
import { describe, expect, it } from 'vitest';
import { AlertPostError } from '../../src/alerts/alert-poster.ts';
import type { AppServices } from '../../src/app-services.ts';
import type { Incident } from '../../src/incidents/incident.ts';
import { defaultLadder, snapshotLadder } from '../../src/incidents/ladder.ts';
import type { OutgoingPage } from '../../src/incidents/pager.ts';
import { plainText, simpleMessage, type Message } from '../../src/message/message.ts';
import { createPlaygroundTransport } from '../../src/playground/playground-transport.ts';
import { PlaygroundWorkspace } from '../../src/playground/playground-workspace.ts';
import { sealPlaygroundMessage } from '../../src/playground/seal-playground-message.ts';
import { BOT_INTERACTIONS } from '../../src/slack/interactions/bot-interactions.ts';
import { signedIntentOf } from '../../src/slack/interactions/interaction-registry.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

const SECRET = 'hunter2-very-secret-password';
const CHANNELS = [{ id: 'C0OPS', name: 'ops' }, { id: 'C0INCIDENTS', name: 'incidents' }];
const PEOPLE = new Map([['U0YOU', 'you'], ['U0ALICE', 'alice (placeholder)']]);

function setup() {
  const workspace = new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE });
  const transport = createPlaygroundTransport({ workspace, signer: TEST_SIGNER, secrets: [SECRET], groups: new Map([['S0DBA', ['U0ALICE']]]) });
  return { workspace, transport };
}

const words = (m: Message) => JSON.stringify(m);

/** A report-like message with a remedy, a runbook link and a runbook button. */
function reportMessage(): Message {
  return {
    notification: [{ type: 'text', text: `main-db: password ${SECRET} leaked` }],
    blocks: [
      { type: 'section', paragraphs: [{ type: 'line', spans: [{ type: 'text', text: `connection string postgres://app:${SECRET}@db/app` }] }] },
      {
        type: 'actions',
        buttons: [
          { label: 'Terminate', style: 'danger', intent: { intent: 'remedy', action: 'postgres.terminate_backend', params: { pid: 4242 }, target: 'main-db' } },
          { label: 'Runbook', url: 'https://runbooks.example/postgres-locks.md' },
        ],
      },
      { type: 'actions', buttons: [{ label: 'Open runbook', intent: { intent: 'runbook.open', runbook: 'postgres-locks' } }] },
    ],
  };
}

function incident(more: Partial<Incident> = {}): Incident {
  const ladder = defaultLadder();
  const roles = { 'team-lead': [{ user: 'U0LEAD' }], 'engineering-manager': [{ user: 'U0EM' }], 'vp-engineering': [{ user: 'U0VP' }] };
  return {
    id: 7,
    severity: 2,
    title: 'checkout latency',
    status: 'open',
    commander: 'U0YOU',
    declaredAt: new Date(),
    ladders: { sev1: snapshotLadder(ladder, 1, roles), sev2: snapshotLadder(ladder, 2, roles), sev3: snapshotLadder(ladder, 3, roles), sev4: snapshotLadder(ladder, 4, roles) },
    donePoints: [],
    epoch: 1,
    ...more,
  };
}

function page(recipient: OutgoingPage['recipient'], key: string, i: Incident): OutgoingPage {
  return { key, incident: i, label: 'on-call', recipient, attempt: 0, lateMs: 0 };
}

describe('sealPlaygroundMessage', () => {
  it('masks every secret and signs each intent button for its action id with one nonce; a pure link is unsigned', async () => {
    const sealed = sealPlaygroundMessage(reportMessage(), TEST_SIGNER, [SECRET]);
    expect(words(sealed.message)).not.toContain(SECRET);
    expect(sealed.buttons.map((b) => b.actionId)).toEqual(['remedy:postgres.terminate_backend', 'link', 'runbook:open']);
    expect(sealed.buttons[1]).toEqual({ actionId: 'link' });
    for (const i of [0, 2]) {
      const b = sealed.buttons[i]!;
      const verdict = await TEST_SIGNER.verify(signedIntentOf(b.actionId), b.value);
      expect(verdict).toMatchObject({ ok: true, nonce: sealed.nonce });
      if (!verdict.ok) throw new Error('not verified');
      const decoded = BOT_INTERACTIONS.decode(b.actionId, verdict.raw, { runbooks: { byId: new Map([['postgres-locks', {}]]) } as never });
      expect(decoded.ok).toBe(true);
    }
    // Signed for its own action id only: another button's intent does not accept it.
    expect(await TEST_SIGNER.verify('runbook:open', sealed.buttons[0]!.value)).toEqual({ ok: false, reason: 'bad-signature' });
    // A fresh nonce per message.
    expect(sealPlaygroundMessage(reportMessage(), TEST_SIGNER, [SECRET]).nonce).not.toBe(sealed.nonce);
  });
});

describe('createPlaygroundTransport', () => {
  it('channel poster: posts sealed, replies in the root\'s thread, uploads a PNG as a message with the file; an unknown channel is channel_not_found naming the channels', async () => {
    const { workspace, transport } = setup();
    const events: string[] = [];
    workspace.subscribe((e) => events.push(e.type === 'message' ? `${e.created ? 'created' : 'updated'} ${e.message.ts}` : e.type));
    let before = 0;
    const top = await transport.channelPoster.post('C0OPS', reportMessage(), { beforeSend: async () => void before++ });
    expect(before).toBe(1);
    const stored = workspace.message(top.ts)!;
    expect(stored).toMatchObject({ channel: 'C0OPS', ts: top.ts });
    expect(stored.threadTs).toBeUndefined();
    expect(words(stored.message)).not.toContain(SECRET);
    expect(stored.buttons).toHaveLength(3);
    const reply = await transport.channelPoster.reply(top, simpleMessage('in the thread'));
    const replyToReply = await transport.channelPoster.reply(reply, simpleMessage('still in the thread'));
    expect(workspace.message(reply.ts)?.threadTs).toBe(top.ts);
    expect(workspace.message(replyToReply.ts)?.threadTs).toBe(top.ts);
    await transport.channelPoster.uploadPng('C0OPS', Buffer.from([0x89, 0x50, 0x4e, 0x47]), { filename: 'chart.png', title: 'Latency', parent: top, comment: `chart for ${SECRET}` });
    const withFile = workspace.messages().at(-1)!;
    expect(withFile.threadTs).toBe(top.ts);
    expect(withFile.files).toHaveLength(1);
    const file = workspace.file(withFile.files![0]!.id)!;
    expect(file).toMatchObject({ contentType: 'image/png', filename: 'chart.png', title: 'Latency' });
    expect(file.comment).not.toContain(SECRET);
    expect(events).toEqual([`created ${top.ts}`, `created ${reply.ts}`, `created ${replyToReply.ts}`, `created ${withFile.ts}`]);
    // A file's own words are masked too: its title and its name may quote what a report found.
    await transport.channelPoster.uploadPng('C0OPS', Buffer.from([0x89, 0x50, 0x4e, 0x47]), { filename: `${SECRET}.png`, title: `Latency of ${SECRET}` });
    const leaky = workspace.file(workspace.messages().at(-1)!.files![0]!.id)!;
    expect(JSON.stringify({ ...leaky, bytes: undefined })).not.toContain(SECRET);
    expect(leaky).toMatchObject({ filename: '***.png', title: 'Latency of ***' });
    await expect(transport.channelPoster.post('C0NOWHERE', simpleMessage('x'))).rejects.toMatchObject({ data: { error: 'channel_not_found' }, message: expect.stringMatching(/channel C0NOWHERE is not one of the playground's channels \(C0OPS \(#ops\), C0INCIDENTS \(#incidents\)\)/) });
  });

  it('alert poster: a keyed post and reply are found again; update replaces in place; updating a message not there is messageGone', async () => {
    const { workspace, transport } = setup();
    const since = new Date();
    const posted = await transport.alertPoster.post('C0OPS', simpleMessage('HighLatency firing'), 'alert:g1:e1');
    const reply = await transport.alertPoster.reply(posted, simpleMessage('diagnosis'), 'alert:g1:e1:diag');
    expect(await transport.alertPoster.findPosted('C0OPS', 'alert:g1:e1', since)).toEqual(posted);
    expect(await transport.alertPoster.findPosted('C0OPS', 'alert:other', since)).toBeUndefined();
    expect(await transport.alertPoster.findReply(posted, 'alert:g1:e1:diag')).toEqual(reply);
    expect(await transport.alertPoster.findReply(posted, 'alert:g1:e1')).toBeUndefined();
    await transport.alertPoster.update(posted, simpleMessage('HighLatency resolved'));
    expect(plainText(workspace.message(posted.ts)!.message.notification)).toBe('HighLatency resolved');
    expect(workspace.messages()).toHaveLength(2);
    const gone = await transport.alertPoster.update({ channel: 'C0OPS', ts: '1.000000' }, simpleMessage('x')).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(AlertPostError);
    expect(gone).toMatchObject({ messageGone: true, permanent: true });
  });

  it('pager: a DM goes to the user id as its channel; the card is posted then updated; a channel page beside it goes in its thread; pages are found by key', async () => {
    const { workspace, transport } = setup();
    const pager = transport.createPager({ incidentsChannel: 'C0INCIDENTS', clock: { now: () => new Date() } });
    const dm = await pager.send(page({ dm: 'U0ALICE' }, 'p:dm', incident()));
    expect(dm.channel).toBe('U0ALICE');
    expect(workspace.message(dm.ts)).toMatchObject({ channel: 'U0ALICE' });
    expect(workspace.message(dm.ts)!.buttons.map((b) => b.actionId)).toContain('incident:ack');
    expect(await pager.findSent(page({ dm: 'U0ALICE' }, 'p:dm', incident()))).toEqual(dm);
    expect(await pager.findSent(page({ dm: 'U0ALICE' }, 'p:other', incident()))).toBeUndefined();

    const card = await pager.showIncident('C0INCIDENTS', { incident: incident(), paged: [] });
    expect(card.channel).toBe('C0INCIDENTS');
    const withCard = incident({ channel: card.channel, messageTs: card.ts });
    const channelPage = await pager.send(page({ channel: 'C0INCIDENTS', mentions: { users: ['U0ALICE'], groups: [] } }, 'p:ch', withCard));
    expect(workspace.message(channelPage.ts)).toMatchObject({ channel: 'C0INCIDENTS', threadTs: card.ts });
    expect(await pager.findSent(page({ channel: 'C0INCIDENTS', mentions: { users: ['U0ALICE'], groups: [] } }, 'p:ch', withCard))).toEqual(channelPage);
    const line = await pager.send(page({ thread: true, text: 'nobody to page' }, 'p:line', withCard));
    expect(workspace.message(line.ts)).toMatchObject({ channel: 'C0INCIDENTS', threadTs: card.ts });

    const updated = await pager.showIncident('C0INCIDENTS', { incident: { ...withCard, status: 'acknowledged', acknowledgedBy: 'U0ALICE', acknowledgedAt: new Date() }, paged: [] });
    expect(updated).toEqual(card);
    expect(workspace.message(card.ts)!.editedAt).toBeDefined();
    // A card posted before a restart is not on the page: posted again once, then updated in place,
    // and the incident's thread pages go under the card that is on the page.
    const before = incident({ channel: 'C0INCIDENTS', messageTs: '1.000000' });
    const cardsBefore = workspace.messages().length;
    expect(await pager.showIncident('C0INCIDENTS', { incident: before, paged: [] })).toEqual({ channel: 'C0INCIDENTS', ts: '1.000000' });
    const shownAgain = workspace.messages().at(-1)!;
    expect(workspace.messages()).toHaveLength(cardsBefore + 1);
    expect(shownAgain).toMatchObject({ channel: 'C0INCIDENTS' });
    expect(shownAgain.threadTs).toBeUndefined();
    await pager.showIncident('C0INCIDENTS', { incident: { ...before, status: 'acknowledged', acknowledgedBy: 'U0ALICE', acknowledgedAt: new Date() }, paged: [] });
    expect(workspace.messages()).toHaveLength(cardsBefore + 1);
    expect(workspace.message(shownAgain.ts)!.editedAt).toBeDefined();
    const lineAfter = await pager.send(page({ thread: true, text: 'nobody to page' }, 'p:line-after', before));
    expect(workspace.message(lineAfter.ts)).toMatchObject({ channel: 'C0INCIDENTS', threadTs: shownAgain.ts });
  });

  it('directory and groups: a person of the page is found with their name, anyone else is not-found; group members from the map', async () => {
    const { transport } = setup();
    expect(await transport.directory.user('U0ALICE')).toEqual({ ok: true, name: 'alice (placeholder)' });
    expect(await transport.directory.user('U0NOBODY')).toMatchObject({ ok: false, problem: 'not-found' });
    expect(await transport.directory.groupMembers('S0DBA')).toEqual({ ok: true, members: ['U0ALICE'] });
    expect(await transport.directory.groupMembers('S0NONE')).toMatchObject({ ok: false, problem: 'not-found' });
    expect(await transport.groupMembers('S0DBA')).toEqual(['U0ALICE']);
    expect(await transport.groupMembers('S0NONE')).toEqual([]);
  });

  it('replier: source playground, everything fits; ephemeral is the user\'s only; a post is updated in place and replied to in its thread', async () => {
    const { workspace, transport } = setup();
    const reply = transport.replier({ channel: 'C0OPS', user: 'U0YOU' });
    expect(reply.source).toBe('playground');
    expect(reply.budget.maxBlocks).toBe(Infinity);
    await reply.ephemeral(simpleMessage('only you'));
    expect(workspace.messages()[0]).toMatchObject({ channel: 'C0OPS', ephemeralTo: 'U0YOU' });
    const posted = await reply.post(simpleMessage('running'));
    const ts = workspace.messages()[1]!.ts;
    await posted.update(simpleMessage(`report ${SECRET}`));
    await posted.reply(simpleMessage('details'));
    expect(plainText(workspace.message(ts)!.message.notification)).toBe('report ***');
    expect(workspace.messages()[2]).toMatchObject({ channel: 'C0OPS', threadTs: ts });
  });

  it('edge: answers privately where the press was, replaces the presser\'s own private message, opens a dialog with signed metadata and masked words', async () => {
    const { workspace, transport } = setup();
    const top = await transport.channelPoster.post('C0OPS', simpleMessage('report'));
    // The services are handed through to the handlers; the edge itself does not use them.
    const services = {} as AppServices;
    await transport.edge({ services, user: 'U0YOU', ephemeralChannel: 'C0OPS' }).tell({ channel: 'C0OPS', user: 'U0YOU', threadTs: top.ts }, simpleMessage('Run it?'));
    const promptMsg = workspace.messages().at(-1)!;
    expect(promptMsg).toMatchObject({ ephemeralTo: 'U0YOU', threadTs: top.ts });
    const edge = transport.edge({ services, user: 'U0YOU', ephemeralChannel: 'C0OPS', ephemeralThread: top.ts, pressedTs: promptMsg.ts });
    expect(edge.source).toBe('playground');
    await edge.replace(simpleMessage('Confirmed'));
    expect(plainText(workspace.message(promptMsg.ts)!.message.notification)).toBe('Confirmed');
    await edge.answer(simpleMessage('answered'));
    expect(workspace.messages().at(-1)).toMatchObject({ channel: 'C0OPS', threadTs: top.ts, ephemeralTo: 'U0YOU' });
    // Someone else's or a public message is not the presser's to replace: answered below it instead.
    const onPublic = transport.edge({ services, user: 'U0YOU', ephemeralChannel: 'C0OPS', pressedTs: top.ts });
    await onPublic.replace(simpleMessage('not replacing the report'));
    expect(plainText(workspace.message(top.ts)!.message.notification)).toBe('report');
    await expect(transport.edge({ services, user: 'U0YOU', ephemeralChannel: 'C0OPS' }).replace(simpleMessage('x'))).rejects.toThrow(/only a press has a message of its own to replace/);
    const postedTs = await edge.post('C0OPS', simpleMessage('outcome'), top.ts);
    await edge.update('C0OPS', postedTs!, simpleMessage('outcome, done'));
    expect(workspace.message(postedTs!)).toMatchObject({ threadTs: top.ts });
    await edge.uploadText({ channel: 'C0OPS', threadTs: top.ts }, { content: `log line with ${SECRET}`, filename: `log-${SECRET}.txt`, title: `Log of ${SECRET}` });
    const text = workspace.file(workspace.messages().at(-1)!.files![0]!.id)!;
    expect(text).toMatchObject({ contentType: 'text/plain', filename: 'log-***.txt', title: 'Log of ***' });
    expect(JSON.stringify(workspace.messages().at(-1))).not.toContain(SECRET);
    expect(text.bytes.toString('utf8')).toBe('log line with ***');
    expect(await edge.inGroup('S0DBA', 'U0ALICE')).toBe(true);
    expect(await edge.inGroup('S0DBA', 'U0YOU')).toBe(false);

    await edge.openDialog('trigger', {
      type: 'modal',
      callback_id: 'incident-declare',
      private_metadata: JSON.stringify({ channel: 'C0OPS' }),
      title: { type: 'plain_text', text: 'Declare incident' },
      submit: { type: 'plain_text', text: 'Declare' },
      blocks: [{ type: 'input', block_id: 'title', label: { type: 'plain_text', text: 'Title' }, element: { type: 'plain_text_input', action_id: 'title', initial_value: `leak of ${SECRET}` } }],
    });
    await edge.openDialog('trigger', {
      type: 'modal',
      callback_id: 'incident-declare',
      private_metadata: '{}',
      title: { type: 'plain_text', text: 'Declare incident' },
      submit: { type: 'plain_text', text: `Send ${SECRET}` },
      close: { type: 'plain_text', text: `Keep ${SECRET}` },
      blocks: [],
    });
    // Every word of a dialog is masked, its buttons' too.
    const second = workspace.dialogs().at(-1)!;
    expect(second).toMatchObject({ submitLabel: 'Send ***', closeLabel: 'Keep ***' });
    expect(JSON.stringify(workspace.dialogs())).not.toContain(SECRET);
    const [dialog] = workspace.dialogs();
    expect(dialog).toMatchObject({ callbackId: 'incident-declare', title: 'Declare incident', submitLabel: 'Declare', fields: [{ kind: 'text', blockId: 'title', actionId: 'title', initial: 'leak of ***' }] });
    expect(await TEST_SIGNER.verify('incident-declare', dialog!.signedMetadata)).toMatchObject({ ok: true, raw: JSON.stringify({ channel: 'C0OPS' }) });
    expect(transport.dialogOrigin(dialog!.id)).toEqual({ channel: 'C0OPS', threadTs: top.ts });
    await expect(edge.openDialog('trigger', { type: 'modal', callback_id: 'no-such-dialog', private_metadata: '', title: { type: 'plain_text', text: 'x' }, blocks: [] })).rejects.toThrow(/no declared dialog has callback id "no-such-dialog"/);
  });
});
