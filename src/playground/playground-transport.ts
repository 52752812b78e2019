// The playground as the bot's transport: everything the engine and the interaction handlers send
// (channel posts, alert messages, pages and incident cards, command answers, press answers, files,
// dialogs) lands in the workspace instead of Slack, masked and sealed like a Slack message
// (sealPlaygroundMessage). Each interface is the one the Slack edge implements over the Web API,
// with Slack's behaviour where it matters to the bot: a post to a channel the page does not have
// fails as Slack's channel_not_found does, a DM goes to the user id as its channel, a page beside
// the incident card goes in the card's thread, a keyed post (alerts, pages) can be found again.
import { randomBytes } from 'node:crypto';
import { AlertPostError, type AlertPoster } from '../alerts/alert-poster.ts';
import type { AppServices } from '../app-services.ts';
import type { ChannelPoster, PostedRef } from '../channel-poster.ts';
import type { Clock } from '../incidents/clock.ts';
import { incidentCardMessage } from '../incidents/incident-card-message.ts';
import { pageMessage } from '../incidents/page-message.ts';
import { pagePlacement } from '../incidents/page-placement.ts';
import { PageError, type OutgoingPage, type Pager } from '../incidents/pager.ts';
import type { DirectoryFailure, SlackDirectory } from '../incidents/slack-directory.ts';
import { UNLIMITED_BUDGET } from '../message/budget.ts';
import { section, line, spans, type Message } from '../message/message.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import { ValueSigner } from '../security/value-signer.ts';
import type { PostedMessage, Replier } from '../slash-command.ts';
import { BOT_INTERACTIONS } from '../slack/interactions/bot-interactions.ts';
import type { DialogView, Edge } from '../slack/interactions/interaction.ts';
import { dialogFields } from './dialog-fields.ts';
import type { PlaygroundWorkspace } from './playground-workspace.ts';
import type { DialogField, PlaygroundDialog, PlaygroundFile, PlaygroundMessage } from './playground-types.ts';
import { sealPlaygroundMessage } from './seal-playground-message.ts';

export interface PlaygroundTransportOptions {
  workspace: PlaygroundWorkspace;
  signer: ValueSigner;
  /** Every configured secret: masked in everything kept. */
  secrets: readonly string[];
  /** User group id -> its members (access rules by group, group pages). */
  groups?: ReadonlyMap<string, string[]>;
}

/** Where a press's private answers go, and whose they are. */
export interface PlaygroundEdgeOptions {
  services: AppServices;
  user: string;
  ephemeralChannel: string;
  ephemeralThread?: string;
  /** The message the pressed button is on: what `replace` replaces, when it is the presser's private one. */
  pressedTs?: string;
}

export type PlaygroundTransport = ReturnType<typeof createPlaygroundTransport>;

/** A failure worded as Slack's Web API words it (`data.error`), so handlers that fall back on `channel_not_found` do so here too. */
export class PlaygroundPostError extends Error {
  override name = 'PlaygroundPostError';
  readonly data: { error: string };

  constructor(message: string, code: string) {
    super(message);
    this.data = { error: code };
  }
}

/** A user id as Slack writes one: a DM to it is a channel of its own. */
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

export function createPlaygroundTransport(o: PlaygroundTransportOptions) {
  const { workspace, signer, secrets } = o;
  const groups = o.groups ?? new Map<string, string[]>();
  /** Where each open dialog was opened from: its answers go there. */
  const dialogOrigins = new Map<string, { channel: string; threadTs?: string }>();

  function checkChannel(channel: string): void {
    if (workspace.hasChannel(channel) || workspace.people.has(channel) || USER_ID.test(channel)) return;
    const known = workspace.channels.map((c) => `${c.id} (#${c.name})`).join(', ') || 'none';
    throw new PlaygroundPostError(`channel ${channel.slice(0, 40)} is not one of the playground's channels (${known}) nor a person's id`, 'channel_not_found');
  }

  /** A thread's root: a reply to a reply lands in the first one's thread, as in Slack. */
  function rootOf(threadTs: string | undefined): string | undefined {
    if (threadTs === undefined) return undefined;
    return workspace.message(threadTs)?.threadTs ?? threadTs;
  }

  function put(where: { channel: string; threadTs?: string; ephemeralTo?: string }, message: Message, extra: { key?: string; files?: PlaygroundFile[] } = {}): PlaygroundMessage {
    checkChannel(where.channel);
    const sealed = sealPlaygroundMessage(message, signer, secrets);
    const threadTs = rootOf(where.threadTs);
    return workspace.post(
      {
        channel: where.channel,
        ...(threadTs !== undefined && { threadTs }),
        ...(where.ephemeralTo !== undefined && { ephemeralTo: where.ephemeralTo }),
        ...sealed,
        ...(extra.files && { files: extra.files }),
      },
      extra.key,
    );
  }

  function replace(channel: string, ts: string, message: Message): PlaygroundMessage {
    const old = workspace.message(ts);
    if (!old || old.channel !== channel) throw new PlaygroundPostError(`no message ${ts.slice(0, 40)} in ${channel.slice(0, 40)} in the playground`, 'message_not_found');
    return workspace.replace(ts, sealPlaygroundMessage(message, signer, secrets));
  }

  /** A file as kept: its words masked like a message's (a title or a name may quote a report's secret). */
  function fileOf(f: { title: string; filename: string; contentType: string; bytes: Buffer; comment?: string }): PlaygroundFile {
    const mask = (t: string) => maskSecrets(t, secrets);
    return {
      id: `F${randomBytes(6).toString('hex').toUpperCase()}`,
      ...f,
      title: mask(f.title),
      filename: mask(f.filename),
      ...(f.comment !== undefined && { comment: mask(f.comment) }),
    };
  }

  /** A message showing an uploaded file: its comment (else its title) as the words. */
  function fileMessage(file: PlaygroundFile): Message {
    const words = file.comment ?? file.title;
    return { notification: spans(words), blocks: file.comment === undefined ? [] : [section(line(file.comment))] };
  }

  const ref = (m: PlaygroundMessage): PostedRef => ({ channel: m.channel, ts: m.ts });

  const channelPoster: ChannelPoster = {
    budget: UNLIMITED_BUDGET,
    async post(channel, message, options) {
      await options?.beforeSend?.();
      return ref(put({ channel }, message));
    },
    async reply(parent, message) {
      return ref(put({ channel: parent.channel, threadTs: parent.ts }, message));
    },
    async uploadPng(channel, png, options) {
      const file = fileOf({ title: options.title, filename: options.filename, contentType: 'image/png', bytes: png, ...(options.comment !== undefined && { comment: options.comment }) });
      put({ channel, ...(options.parent && { threadTs: options.parent.ts }) }, fileMessage(file), { files: [file] });
    },
  };

  /** An alert delivery that failed, as the outbox acts on it: nothing a retry soon can fix here. */
  function alertCall<T>(doing: string, fn: () => T): T {
    try {
      return fn();
    } catch (cause) {
      const code = (cause as { data?: { error?: string } }).data?.error;
      throw new AlertPostError(`${doing}: ${(cause as Error).message}`, { permanent: true, messageGone: code === 'message_not_found', cause });
    }
  }

  const alertPoster: AlertPoster = {
    budget: UNLIMITED_BUDGET,
    async post(channel, message, key) {
      return alertCall(`while posting an alert to ${channel}`, () => ref(put({ channel }, message, { key })));
    },
    async update(r, message) {
      alertCall(`while updating the alert message in ${r.channel}`, () => replace(r.channel, r.ts, message));
    },
    async reply(parent, message, key) {
      return alertCall(`while replying in ${parent.channel} (thread ${parent.ts})`, () => ref(put({ channel: parent.channel, threadTs: parent.ts }, message, { key })));
    },
    async findPosted(channel, key) {
      // The whole run's messages are at hand: no window from `since` is needed to bound the search.
      const m = workspace.findByKey(key, { channel });
      return m && m.threadTs === undefined ? ref(m) : undefined;
    },
    async findReply(parent, key) {
      const m = workspace.findByKey(key, { channel: parent.channel, threadTs: parent.ts });
      return m ? ref(m) : undefined;
    },
  };

  function createPager(p: { incidentsChannel: string; clock: Clock }): Pager {
    /**
     * The page holds this run's messages only: an incident card posted before a restart (its ts kept
     * in the store) is posted again at its first refresh, and this maps the stored ts to the new one.
     */
    const carried = new Map<string, string>();
    /** The ts of the incident's card on the page, if it is there. */
    function cardOnPage(i: OutgoingPage['incident']): string | undefined {
      if (!i.messageTs) return undefined;
      return workspace.message(i.messageTs) ? i.messageTs : carried.get(i.messageTs);
    }
    /** Where a page goes, as the Slack pager decides it; `threadTs`: in the incident card's thread. */
    function placeOf(page: OutgoingPage): { channel: string; threadTs?: string } {
      if ('dm' in page.recipient) return { channel: page.recipient.dm };
      // The page has no broadcast: a reply is shown under its card either way.
      const { channel, threadTs } = pagePlacement(page, p.incidentsChannel, cardOnPage(page.incident));
      return threadTs === undefined ? { channel } : { channel, threadTs };
    }
    function pageCall<T>(doing: string, fn: () => T): T {
      try {
        return fn();
      } catch (cause) {
        throw new PageError(`${doing}: ${(cause as Error).message}`, { permanent: true, cause });
      }
    }
    return {
      async send(page) {
        const where = placeOf(page);
        const placement = where.threadTs && !('thread' in page.recipient) ? 'card-thread' : 'alone';
        const m = pageCall(`while paging ${where.channel}`, () => put(where, pageMessage(page, p.clock.now(), placement), { key: page.key }));
        return ref(m);
      },
      async findSent(page) {
        if ('thread' in page.recipient) return undefined;
        const m = workspace.findByKey(page.key, { channel: placeOf(page).channel });
        return m ? ref(m) : undefined;
      },
      async showIncident(channel, display) {
        const message = incidentCardMessage(display, p.clock.now());
        const i = display.incident;
        if (i.messageTs && i.channel) {
          const card = cardOnPage(i);
          if (card) pageCall(`while updating the incident message in ${i.channel}`, () => replace(i.channel!, card, message));
          // Posted before a restart: shown again once, then updated in place like any card.
          else carried.set(i.messageTs, pageCall(`while posting to ${i.channel}`, () => put({ channel: i.channel! }, message)).ts);
          return { channel: i.channel, ts: i.messageTs };
        }
        return ref(pageCall(`while posting to ${channel}`, () => put({ channel }, message)));
      },
    };
  }

  const directory: SlackDirectory = {
    async user(id) {
      const name = workspace.people.get(id);
      return name === undefined ? notFound('user_not_found') : { ok: true, name };
    },
    async groupMembers(id) {
      const members = groups.get(id);
      return members === undefined ? notFound('no_such_subteam') : { ok: true, members: [...members] };
    },
  };

  async function groupMembers(group: string): Promise<string[]> {
    return [...(groups.get(group) ?? [])];
  }

  function replier(r: { channel: string; user: string }): Replier {
    return {
      source: 'playground',
      budget: UNLIMITED_BUDGET,
      async ephemeral(message) {
        put({ channel: r.channel, ephemeralTo: r.user }, message);
      },
      async post(message): Promise<PostedMessage> {
        const posted = put({ channel: r.channel }, message);
        return {
          async update(next) {
            replace(posted.channel, posted.ts, next);
          },
          async reply(next) {
            put({ channel: posted.channel, threadTs: posted.ts }, next);
          },
        };
      },
    };
  }

  function edge(e: PlaygroundEdgeOptions): Edge {
    const privately = (message: Message) => put({ channel: e.ephemeralChannel, ephemeralTo: e.user, ...(e.ephemeralThread !== undefined && { threadTs: e.ephemeralThread }) }, message);
    return {
      services: e.services,
      source: 'playground',
      async answer(message) {
        privately(message);
      },
      async replace(message) {
        if (e.pressedTs === undefined) throw new Error('only a press has a message of its own to replace');
        const pressed = workspace.message(e.pressedTs);
        // Only the presser's own private message is theirs to replace; anything else is answered below it.
        if (pressed?.ephemeralTo === e.user) replace(pressed.channel, pressed.ts, message);
        else privately(message);
      },
      async tell(to, message) {
        put({ channel: to.channel, ephemeralTo: to.user, ...(to.threadTs !== undefined && { threadTs: to.threadTs }) }, message);
      },
      async post(channel, message, threadTs) {
        return put({ channel, ...(threadTs !== undefined && { threadTs }) }, message).ts;
      },
      async update(channel, ts, message) {
        replace(channel, ts, message);
      },
      async uploadText(to, file) {
        const f = fileOf({ title: file.title, filename: file.filename, contentType: 'text/plain', bytes: Buffer.from(maskSecrets(file.content, secrets, Infinity), 'utf8') });
        put({ channel: to.channel, threadTs: to.threadTs }, fileMessage(f), { files: [f] });
      },
      async openDialog(_triggerId, view) {
        workspace.openDialog(sealDialog(view));
      },
      async inGroup(group, member) {
        return (groups.get(group) ?? []).includes(member);
      },
    };

    function sealDialog(view: DialogView): PlaygroundDialog {
      const declared = BOT_INTERACTIONS.dialog(view.callback_id);
      if (!declared) throw new Error(`no declared dialog has callback id "${view.callback_id.slice(0, 100)}"`);
      // Its words masked as a message's are (a title prefilled from a report may quote a secret).
      const shown = dialogFields(view);
      const mask = (t: string) => maskSecrets(t, secrets);
      const id = `D${randomBytes(12).toString('base64url')}`;
      dialogOrigins.set(id, { channel: e.ephemeralChannel, ...(e.ephemeralThread !== undefined && { threadTs: e.ephemeralThread }) });
      return {
        ...shown,
        title: mask(shown.title),
        submitLabel: mask(shown.submitLabel),
        closeLabel: mask(shown.closeLabel),
        intro: shown.intro.map(mask),
        fields: shown.fields.map((f): DialogField => ({
          ...f,
          label: mask(f.label),
          ...(f.initial !== undefined && { initial: mask(f.initial) }),
          ...(f.kind === 'text' && f.placeholder !== undefined && { placeholder: mask(f.placeholder) }),
          ...(f.kind === 'select' && { options: f.options.map((option) => ({ ...option, text: mask(option.text) })) }),
        })),
        id,
        callbackId: view.callback_id,
        signedMetadata: signer.sign(view.callback_id, view.private_metadata, { nonce: ValueSigner.nonce(), ttlMs: declared.ttlMs }),
        openedAt: new Date().toISOString(),
      };
    }
  }

  return {
    channelPoster,
    alertPoster,
    createPager,
    directory,
    groupMembers,
    replier,
    edge,
    /** Where a dialog was opened from (its answers go there); forgotten when it is closed or submitted. */
    dialogOrigin(id: string): { channel: string; threadTs?: string } | undefined {
      return dialogOrigins.get(id);
    },
    forgetDialog(id: string): void {
      dialogOrigins.delete(id);
    },
  };
}

function notFound(detail: string): DirectoryFailure {
  return { ok: false, problem: 'not-found', detail };
}
