// The bot as the playground's page drives it: a command typed in a channel, a button pressed, a
// dialog submitted or closed. Each goes where its Slack counterpart goes (src/slack/create-slack-app.ts,
// verify-interactive.ts, register-interactions.ts): the same commands, the same interaction
// registry and handlers, the same signature checks, access rules, confirmations, once-only claims
// and audit rows (source `playground`). The page names a button by its message's ts and its index
// only: the value pressed is the one the bot offered and signed on that message, looked up here,
// never taken from the page. Work that outlives the request (a command's progress, a remedy's run)
// goes on in the background, as after Slack's ack; `settled()` waits for it.
import { randomBytes } from 'node:crypto';
import { describeErrorLine } from '../answer-error.ts';
import type { AppServices } from '../app-services.ts';
import { cleanTypedText } from '../clean-command-text.ts';
import { runCommandText } from '../run-command-text.ts';
import type { Logger } from '../logger.ts';
import { errorMessage } from '../message/message.ts';
import { observeCommand } from '../metrics/observe-command.ts';
import { cutText } from '../render/cut-text.ts';
import type { Rejected, ValueSigner } from '../security/value-signer.ts';
import type { SlashCommand } from '../slash-command.ts';
import { recordButtonRefusal, type ButtonRefusal } from '../slack/interactions/record-button-refusal.ts';
import { BOT_INTERACTIONS } from '../slack/interactions/bot-interactions.ts';
import type { DialogPress, Edge, Press } from '../slack/interactions/interaction.ts';
import { signedIntentOf } from '../slack/interactions/interaction-registry.ts';
import { isUserError, UserError } from '../user-error.ts';
import type { PlaygroundTransport } from './playground-transport.ts';
import type { PlaygroundWorkspace } from './playground-workspace.ts';
import type { PlaygroundDialog, PlaygroundMessage } from './playground-types.ts';

export interface PlaygroundBotOptions {
  workspace: PlaygroundWorkspace;
  transport: PlaygroundTransport;
  services: AppServices;
  commands: readonly SlashCommand[];
  signer: ValueSigner;
  /** The page's user: every command, press and dialog is theirs. */
  user: string;
  log: Logger;
}

export type DialogSubmitted = { ok: true } | { errors: Record<string, string> };

export class PlaygroundBot {
  readonly #o: PlaygroundBotOptions;
  readonly #log: Logger;
  /** Work still running after its request was answered. */
  readonly #pending = new Set<Promise<unknown>>();
  /** Dialogs whose submission waits for its handler's answer: a second submit meanwhile is refused. */
  readonly #submitting = new Set<string>();

  constructor(o: PlaygroundBotOptions) {
    this.#o = o;
    this.#log = o.log.child({ component: 'playground' });
  }

  /** A command as typed (`/diag db`) in one of the page's channels; resolves once it has started. */
  async command(o: { channel: string; text: string }): Promise<void> {
    const { workspace, transport, commands, services, user } = this.#o;
    if (typeof o.channel !== 'string' || !workspace.hasChannel(o.channel)) {
      const known = workspace.channels.map((c) => `${c.id} (#${c.name})`).join(', ') || 'none';
      throw new UserError(`channel ${JSON.stringify(cutText(String(o.channel), 40))} is not one of the playground's channels: ${known}`);
    }
    const channel = o.channel;
    const reply = transport.replier({ channel, user });
    const accepted = commands.map((c) => c.name).join(', ');
    const typed = typeof o.text === 'string' ? o.text.trim() : '';
    const parts = /^(\/\S*)(?:\s+([\s\S]*))?$/.exec(typed);
    const command = parts ? commands.find((c) => c.name === parts[1]) : undefined;
    if (!parts || !command) {
      try {
        // What is echoed back below is refused first if it holds a control character (a right-to-left override would show it reversed).
        cleanTypedText(typed, 'the command');
      } catch (error) {
        if (!isUserError(error)) throw error;
        await reply.ephemeral(errorMessage(`${error.message} The commands are ${accepted}.`));
        return;
      }
      const said = parts
        ? `unknown command ${JSON.stringify(cutText(parts[1]!, 40))}: the commands are ${accepted}`
        : `${JSON.stringify(cutText(typed, 40))} is not a command: type one of ${accepted} (with its slash), e.g. /diag`;
      await reply.ephemeral(errorMessage(said));
      return;
    }
    const observed = observeCommand({ command: command.name, triggerId: triggerId(), user, channel }, this.#log);
    this.#track((async () => {
      const inGroup = async (group: string) => (await transport.groupMembers(group)).includes(user);
      await runCommandText(command, parts[2] ?? '', { userId: user, channelId: channel, reply, services, inGroup }, observed, this.#log);
    })());
  }

  /**
   * The button at `button` (in buttonsInOrder's order) of the message `ts`, pressed; resolves once
   * its handler has started. `version`: the message's version the page showed (the page always
   * sends it): a message updated since then may have other buttons at that index, so nothing is
   * pressed.
   */
  async press(o: { ts: string; button: number; version?: string }): Promise<void> {
    const { transport, services, signer, user } = this.#o;
    const message = this.#visibleMessage(o.ts);
    if (o.version !== undefined && o.version !== message.nonce) {
      throw new UserError(`message ${message.ts} was updated after the page showed it, and its buttons may have changed: nothing was pressed; press the button again on the message as it is now`);
    }
    const count = message.buttons.length;
    if (typeof o.button !== 'number' || !Number.isInteger(o.button) || o.button < 0 || o.button >= count) {
      const has = count === 0 ? 'it has no buttons' : count === 1 ? 'it has one button: 0' : `it has ${count} buttons: 0 to ${count - 1}`;
      const given = typeof o.button === 'number' ? String(o.button) : JSON.stringify(cutText(String(o.button), 20));
      throw new UserError(`button ${given} is not on message ${message.ts}: ${has}`);
    }
    const offered = message.buttons[o.button]!;
    const trigger = triggerId();
    const logLine = (outcome: string) => this.#log.info({ op: 'press', correlation_id: trigger, action_id: offered.actionId, user, outcome }, 'press');
    // A link opens its address in the page; there is nothing for the bot to do.
    if (offered.value === undefined) {
      logLine('not_run');
      return;
    }
    const edge = transport.edge({ services, user, ephemeralChannel: message.channel, ...(message.threadTs !== undefined && { ephemeralThread: message.threadTs }), pressedTs: message.ts });
    const intentName = signedIntentOf(offered.actionId);
    const verdict = await signer.verify(intentName, offered.value);
    if (!verdict.ok) {
      await this.#refuse({ id: intentName, channel: message.channel, refusal: verdict, edge });
      logLine('not_run');
      return;
    }
    const decoded = BOT_INTERACTIONS.decode(offered.actionId, verdict.raw, services);
    const declaration = BOT_INTERACTIONS.lookup(offered.actionId);
    if (!decoded.ok || !declaration) {
      const problem = decoded.ok ? `no button of the bot has action id "${offered.actionId.slice(0, 60)}"` : decoded.problem;
      await this.#refuse({ id: intentName, channel: message.channel, refusal: { reason: 'invalid', problem }, edge });
      logLine('not_run');
      return;
    }
    const press: Press = {
      user,
      channel: message.channel,
      messageTs: message.ts,
      // A report posted as a thread reply (/diag all details) answers in that same thread.
      threadTs: message.threadTs ?? message.ts,
      messageKey: verdict.nonce,
      triggerId: trigger,
      actionId: offered.actionId,
      source: 'playground',
    };
    this.#track((async () => {
      try {
        await declaration.handle(decoded.intent, press, edge);
        logLine('ok');
      } catch (error) {
        this.#log.warn({ op: 'press', correlation_id: trigger, action_id: offered.actionId, user, outcome: 'error' }, 'press');
        const line = describeErrorLine(error, this.#log, { action: offered.actionId, user });
        await edge.answer(errorMessage(line)).catch((err: unknown) => this.#log.error({ err }, 'while answering a failed press'));
      }
    })());
  }

  /**
   * The dialog submitted with these values (block id -> action id -> what was typed or chosen);
   * resolves as soon as its handler answers: with errors on fields (the dialog stays open), or
   * without (it closes). What the handler does after answering goes on in the background.
   */
  async submitDialog(o: { dialog: string; values: Record<string, Record<string, string>> }): Promise<DialogSubmitted> {
    const { user } = this.#o;
    const dialog = this.#openDialog(o.dialog);
    if (this.#submitting.has(dialog.id)) throw new UserError(`dialog ${dialog.id} is being submitted already: wait for its answer`);
    const values = this.#dialogValues(dialog, o.values);
    if ('errors' in values) return values;
    const declared = BOT_INTERACTIONS.dialog(dialog.callbackId);
    const edge = this.#dialogEdge(dialog.id);
    const verdict = await this.#o.signer.verify(dialog.callbackId, dialog.signedMetadata);
    if (!verdict.ok || !declared) {
      // Slack closes a refused dialog too: this one can never be submitted.
      this.#removeDialog(dialog.id);
      throw new UserError(await this.#refuseDialog(dialog, verdict.ok ? { ok: false, reason: 'malformed' } : verdict));
    }
    const press: DialogPress = { user, metadata: verdict.raw, values: values.values, source: 'playground' };
    this.#submitting.add(dialog.id);
    const trigger = triggerId();
    return await new Promise<DialogSubmitted>((resolve, reject) => {
      let answered = false;
      const ack = async (errors?: Record<string, string>): Promise<void> => {
        if (answered) return;
        answered = true;
        this.#submitting.delete(dialog.id);
        if (errors && Object.keys(errors).length > 0) {
          resolve({ errors: { ...errors } });
          return;
        }
        this.#removeDialog(dialog.id);
        resolve({ ok: true });
      };
      this.#track(
        declared.submit(press, ack, edge).then(
          () => {
            this.#log.info({ op: 'dialog', correlation_id: trigger, callback_id: dialog.callbackId, user, outcome: 'ok' }, 'dialog');
            if (!answered) {
              this.#log.warn({ callback_id: dialog.callbackId }, 'a dialog\'s handler ended without answering: the dialog is closed');
              void ack();
            }
          },
          async (error: unknown) => {
            this.#log.warn({ op: 'dialog', correlation_id: trigger, callback_id: dialog.callbackId, user, outcome: 'error' }, 'dialog');
            const line = describeErrorLine(error, this.#log, { action: dialog.callbackId, user });
            if (!answered) {
              answered = true;
              this.#submitting.delete(dialog.id);
              reject(new UserError(line));
              return;
            }
            await edge.answer(errorMessage(line)).catch((err: unknown) => this.#log.error({ err }, 'while answering a failed dialog'));
          },
        ),
      );
    });
  }

  /** The dialog closed without submitting; the bot is told when the dialog asked to be (notify_on_close). */
  async closeDialog(id: string): Promise<void> {
    const { user } = this.#o;
    const dialog = this.#openDialog(id);
    const edge = this.#dialogEdge(dialog.id);
    this.#removeDialog(dialog.id);
    const declared = BOT_INTERACTIONS.dialog(dialog.callbackId);
    if (!declared?.closed || !dialog.notifyOnClose) return;
    const verdict = await this.#o.signer.verify(dialog.callbackId, dialog.signedMetadata);
    if (!verdict.ok) {
      await edge.answer(errorMessage(await this.#refuseDialog(dialog, verdict))).catch((err: unknown) => this.#log.warn({ err }, 'while answering a refused dialog'));
      return;
    }
    await declared.closed({ user, metadata: verdict.raw, values: {}, source: 'playground' }, edge).catch((err: unknown) => {
      this.#log.error({ err, callback_id: dialog.callbackId }, 'while closing a dialog');
    });
  }

  /** Resolves when every command, press and dialog started so far has finished (also what each started meanwhile). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((err: unknown) => this.#log.error({ err }, 'playground work failed')).finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
  }

  /** The message `ts`, if the user can see it (another user's private message is not there for them). */
  #visibleMessage(ts: unknown): PlaygroundMessage {
    const message = typeof ts === 'string' ? this.#o.workspace.message(ts) : undefined;
    if (!message || (message.ephemeralTo !== undefined && message.ephemeralTo !== this.#o.user)) {
      throw new UserError(`no message with ts ${JSON.stringify(cutText(String(ts), 40))} is on the page for you: press a button of a message the page shows (older ones than the last kept are gone)`);
    }
    return message;
  }

  #openDialog(id: unknown): PlaygroundDialog {
    const dialog = typeof id === 'string' ? this.#o.workspace.dialog(id) : undefined;
    if (!dialog) throw new UserError(`no open dialog has id ${JSON.stringify(cutText(String(id), 40))}: it was submitted or closed already`);
    return dialog;
  }

  #removeDialog(id: string): void {
    this.#o.workspace.closeDialog(id);
    this.#o.transport.forgetDialog(id);
  }

  /** A dialog's answers go where it was opened from (else to the user directly, as Slack does). */
  #dialogEdge(id: string): Edge {
    const origin = this.#o.transport.dialogOrigin(id);
    return this.#o.transport.edge({
      services: this.#o.services,
      user: this.#o.user,
      ephemeralChannel: origin?.channel ?? this.#o.user,
      ...(origin?.threadTs !== undefined && { ephemeralThread: origin.threadTs }),
    });
  }

  /**
   * The page's values in Slack's shape, for the dialog's own fields only: text as `{ value }`, a
   * choice as `{ selected_option: { value } }`. Anything else is refused naming it; a required
   * field left empty is an error on it, as Slack's own dialog says before it submits.
   */
  #dialogValues(dialog: PlaygroundDialog, given: unknown): { values: DialogPress['values'] } | { errors: Record<string, string> } {
    const fields = dialog.fields;
    const accepted = fields.map((f) => `${f.blockId}.${f.actionId}`).join(', ') || 'none';
    if (!given || typeof given !== 'object' || Array.isArray(given)) throw new UserError(`the values of dialog ${dialog.id} are not an object of fields: its fields are ${accepted}`);
    const typed = new Map<string, string>();
    const unknown: string[] = [];
    for (const [blockId, inner] of Object.entries(given as Record<string, unknown>)) {
      if (!inner || typeof inner !== 'object' || Array.isArray(inner)) {
        unknown.push(blockId);
        continue;
      }
      for (const [actionId, value] of Object.entries(inner as Record<string, unknown>)) {
        const field = fields.find((f) => f.blockId === blockId && f.actionId === actionId);
        if (!field) unknown.push(`${blockId}.${actionId}`);
        else if (typeof value !== 'string') throw new UserError(`the value of ${blockId}.${actionId} is not text`);
        else typed.set(`${blockId}.${actionId}`, value);
      }
    }
    if (unknown.length > 0) {
      throw new UserError(`dialog "${cutText(dialog.title, 40)}" has no field ${unknown.map((u) => JSON.stringify(cutText(u, 40))).slice(0, 5).join(', ')}: its fields are ${accepted}`);
    }
    const values: DialogPress['values'] = {};
    const errors: Record<string, string> = {};
    for (const field of fields) {
      const value = typed.get(`${field.blockId}.${field.actionId}`) ?? '';
      if (value === '' && !field.optional) errors[field.blockId] = 'this field is required';
      if (field.kind === 'select') {
        if (value !== '' && !field.options.some((option) => option.value === value)) {
          throw new UserError(`${JSON.stringify(cutText(value, 40))} is not a choice of "${field.label}": the choices are ${field.options.map((option) => option.value).join(', ')}`);
        }
        (values[field.blockId] ??= {})[field.actionId] = { selected_option: value === '' ? null : { value } };
      } else {
        (values[field.blockId] ??= {})[field.actionId] = { value: value === '' ? null : value };
      }
    }
    return Object.keys(errors).length > 0 ? { errors } : { values };
  }

  /** A button refused before any handler, as verify-interactive.ts refuses one: logged, audited, and the presser told privately. */
  async #refuse(r: { id: string; channel: string | undefined; refusal: ButtonRefusal; edge: Edge }): Promise<void> {
    const { services, user } = this.#o;
    const message = await recordButtonRefusal({ id: r.id, user, channel: r.channel, refusal: r.refusal, source: 'playground', audit: services.audit, log: this.#log });
    await r.edge.answer(message).catch((err: unknown) => this.#log.warn({ err }, 'while answering a refused button'));
  }

  /** A dialog whose signed metadata does not verify: audited like a refused button; returns the sentence to say. */
  async #refuseDialog(dialog: PlaygroundDialog, verdict: Rejected): Promise<string> {
    const { services, user } = this.#o;
    const fresh = BOT_INTERACTIONS.fresh(dialog.callbackId);
    this.#log.warn({ intent: dialog.callbackId.slice(0, 100), user, reason: verdict.reason }, 'refused a dialog the bot did not sign');
    await services.audit
      .record({ actor: user, source: 'playground', action: BOT_INTERACTIONS.auditAs(dialog.callbackId).slice(0, 100), outcome: 'refused', detail: `dialog metadata ${verdict.reason}` })
      .catch((err: unknown) => this.#log.error({ err }, 'while auditing a refused dialog'));
    return verdict.reason === 'expired'
      ? `This dialog has expired: ${fresh} for a fresh one. Nothing was done.`
      : `This dialog was changed or has expired: ${fresh}. Nothing was done.`;
  }
}

/** A press's or command's correlation id, as Slack's trigger_id is one. */
function triggerId(): string {
  return `pg.${randomBytes(9).toString('base64url')}`;
}
