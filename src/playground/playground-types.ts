// The playground: the bot in a browser page on this machine, for trying it without a Slack app.
// It is a third transport beside Slack (src/slack/) and the terminal (src/cli/): commands, presses
// and dialogs go through the same commands, interaction registry, signatures, access rules,
// confirmations, once-only claims and audit as Slack's; what the bot posts is kept here as neutral
// messages and rendered to HTML (render-html.ts). These are the shapes the parts share.
import type { Message } from '../message/message.ts';

/** A channel of the playground's page (`C0OPS` "#ops"). */
export interface PlaygroundChannel {
  id: string;
  name: string;
}

/** A button as the bot offered it on one message: what the press sends back is looked up here, never taken from the page. */
export interface OfferedButton {
  /** The action id the registry encoded the intent into. */
  actionId: string;
  /** The value signed for that action id (nonce of the message, TTL of its declaration); absent for a pure link. */
  value?: string;
}

/** A file the bot uploaded (a digest's chart, a text file of a report). */
export interface PlaygroundFile {
  id: string;
  title: string;
  filename: string;
  /** `image/png` or `text/plain`. */
  contentType: string;
  /** Bytes, served at /files/<id> by the server. */
  bytes: Buffer;
  comment?: string;
}

/** A message as the playground keeps and shows it. */
export interface PlaygroundMessage {
  /** Unique and increasing, Slack-like (`1764670000.000123`). */
  ts: string;
  /** A channel id, or a user id for a direct message (those show in the side panel). */
  channel: string;
  /** The parent's ts, for a reply in a thread. */
  threadTs?: string;
  /** Only this user sees it ("only visible to you"). */
  ephemeralTo?: string;
  /** The neutral message, masked (every configured secret and the generic patterns). */
  message: Message;
  /**
   * The buttons of `message`, in the order render-html.ts meets them (blocks in order, buttons in
   * order within an actions block): the page sends back `{ ts, button: index }`.
   */
  buttons: OfferedButton[];
  /** The nonce its buttons were signed with (a press's messageKey). */
  nonce: string;
  /** When a button of it was last replaced (updated in place). */
  postedAt: string;
  editedAt?: string;
  /** Uploaded files shown in the message (a chart). */
  files?: PlaygroundFile[];
}

/** One input of an open dialog, from its Block Kit input block. */
export type DialogField =
  | { kind: 'text'; blockId: string; actionId: string; label: string; initial?: string; placeholder?: string; multiline?: boolean; optional?: boolean }
  | { kind: 'select'; blockId: string; actionId: string; label: string; options: Array<{ value: string; text: string }>; initial?: string; optional?: boolean };

/** A dialog the bot opened for the playground's user. */
export interface PlaygroundDialog {
  /** The playground's id for it (random, unguessable): the page submits `{ dialog: id, values }`. */
  id: string;
  callbackId: string;
  title: string;
  submitLabel: string;
  closeLabel: string;
  /** Plain words of the dialog's non-input blocks (section text), in order. */
  intro: string[];
  fields: DialogField[];
  /** The private metadata as the bot signed it for callbackId (verified again on submit). */
  signedMetadata: string;
  /** Whether closing it is told to the bot (notify_on_close). */
  notifyOnClose: boolean;
  openedAt: string;
}

/** What the page is told, live (server-sent events). */
export type PlaygroundEvent =
  | { type: 'message'; message: PlaygroundMessage; created: boolean }
  | { type: 'dialog'; dialog: PlaygroundDialog }
  | { type: 'dialog-closed'; id: string };

/** Who the ids in messages are, for showing them as names ("@oncall (placeholder)"). */
export type PeopleNames = ReadonlyMap<string, string>;
