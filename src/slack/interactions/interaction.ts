// What the Slack edge knows about one intent, declared once: the action id its buttons carry, how
// the intent is written into a button value and read back (refusing a value of the wrong shape),
// how long a signed button works, what to run again for a fresh one, and what a press does.
// Dialogs likewise: their callback id, how long a signed one works, and what submitting (or
// closing) it does. The registry (interaction-registry.ts) checks the declarations against each
// other when the bot starts; the handlers answer with neutral messages, rendered by the edge.
import type { types } from '@slack/bolt';
import type { AppServices } from '../../app-services.ts';
import type { Intent, IntentName } from '../../message/intent.ts';
import type { Message } from '../../message/message.ts';

type IntentWith<I, N> = I extends { intent: infer M } ? (N extends M ? Omit<I, 'intent'> & { intent: N } : never) : never;
/** The intent named N (one of a shared interface's names: `incident.ack` of the incident moves). */
export type IntentOf<N extends IntentName> = IntentWith<Intent, N>;

/** A value read back into its intent, or why it cannot be (a sentence naming the bad value and what is accepted). */
export type Decoded<T> = { ok: true; intent: T } | { ok: false; problem: string };

/** An intent as a Slack button carries it (the value before it is signed). */
export interface EncodedIntent {
  /** Unique within a block after the renderer appends `:<n>` to repeats. */
  actionId: string;
  value: string;
}

/** What decoding may consult: the bot's own tables (runbook ids). */
export type DecodeContext = Pick<AppServices, 'runbooks'>;

/** The transport a press or a dialog came through: Slack, or the playground's page. */
export type InteractionSource = 'slack' | 'playground';

/** A button press as every handler sees it. */
export interface Press {
  user: string;
  /** The channel of the message the button is on ('' when Slack did not say). */
  channel: string;
  messageTs: string;
  /** The thread the message is in, or the message itself. */
  threadTs: string;
  /** The nonce the bot signed into the message's buttons (the message ts where there is none). */
  messageKey: string;
  triggerId: string;
  actionId: string;
  /** Where it was pressed, for the audit rows it leads to (absent: Slack). */
  source?: InteractionSource;
}

/** A dialog submission or close as its handler sees it. */
export interface DialogPress {
  user: string;
  /** What the dialog holds, as the bot wrote it (signature checked). */
  metadata: string;
  /** The typed values by block id and element id. */
  values: Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null }>>;
  /** Where it was submitted (absent: Slack). */
  source?: InteractionSource;
}

/** A Slack modal the bot opens: its callback id names a declared dialog. */
export type DialogView = types.ModalView & { callback_id: string; private_metadata: string };

/** How a handler answers: every message is neutral, and sealed (masked, signed) on its way out. */
export interface Edge {
  services: AppServices;
  /** The transport it answers over, written as the source of the audit rows its handlers write (absent: Slack). */
  readonly source?: InteractionSource;
  /** Privately to the presser, below the message pressed (the press's response_url). */
  answer(message: Message): Promise<void>;
  /** Replaces the presser's private message the button is on (a confirmation prompt). */
  replace(message: Message): Promise<void>;
  /** Privately to a user in a channel, through the Web API. */
  tell(to: { channel: string; user: string; threadTs?: string }, message: Message): Promise<void>;
  /** A message for everyone in a channel (or a DM, by user id); resolves with its ts. */
  post(channel: string, message: Message, threadTs?: string): Promise<string | undefined>;
  update(channel: string, ts: string, message: Message): Promise<void>;
  /** A text file in a thread (masked). */
  uploadText(to: { channel: string; threadTs: string }, file: { content: string; filename: string; title: string }): Promise<void>;
  /** Opens a dialog; its private_metadata is signed for its callback id. */
  openDialog(triggerId: string, view: DialogView): Promise<void>;
  /** Whether a user is in a Slack user group. */
  inGroup(group: string, user: string): Promise<boolean>;
}

export interface ButtonInteraction<N extends IntentName> {
  intent: N;
  /**
   * The action id of its buttons; with `family`, the start of it, followed by a name
   * (`remedy:` + the action id of the catalogue).
   */
  actionId: string;
  family?: true;
  encode(intent: IntentOf<N>): EncodedIntent;
  /** The value as the bot wrote it (signature checked) back into the intent, shape and types checked. */
  decode(value: string, actionId: string, context: DecodeContext): Decoded<IntentOf<N>>;
  /** How long a signed button works, from the moment it is sent. */
  ttlMs: number | ((actionId: string) => number);
  /** What to do for a fresh button, when one was refused: "run /diag again". */
  fresh: string;
  /** The action a refused value is audited under (default: the action id). */
  auditAs?(actionId: string): string;
  /** A link button (it opens a url) may come without a value: nothing to do then. */
  linkWithoutValue?: true;
  handle(intent: IntentOf<N>, press: Press, edge: Edge): Promise<void>;
}

/** Every intent's declaration: an intent without one is a type error. */
export type ButtonInteractions = { [N in IntentName]: ButtonInteraction<N> };

/** Some intents' declarations: one file per family. */
export type InteractionFamily = Partial<ButtonInteractions>;

export interface DialogInteraction {
  callbackId: string;
  /** How long a signed dialog works once opened. */
  ttlMs: number;
  /** What to do for a fresh dialog, when one was refused. */
  fresh: string;
  /** Submitted: `ack` first (with errors on fields to keep the dialog open). */
  submit(press: DialogPress, ack: (errors?: Record<string, string>) => Promise<void>, edge: Edge): Promise<void>;
  /** Closed without submitting (only dialogs opened with notify_on_close). */
  closed?(press: DialogPress, edge: Edge): Promise<void>;
}
