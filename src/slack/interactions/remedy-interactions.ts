// Remedy buttons (`remedy:<action>`), the presser's private "Run it" / "Cancel", and the dialog an
// action that needs a value opens (Scale: replicas). A press is vetted (valid for the config,
// allowed for the presser) and answered where it belongs: refusals to the presser only, progress
// and outcome in the thread of the report for everyone.
//
// A destructive action runs only after a confirmation the bot itself recorded: Slack's confirm
// dialog is the first prompt, then the press creates a confirmation row and the presser gets
// "Run it / Cancel" privately; "Run it" consumes the row once. An action that needs a value from
// the presser records the confirmation when it opens its dialog, and the dialog's submission
// consumes it. A forged or replayed press therefore never skips the prompt.
import { findAction, type ActionSpec } from '../../actions/action-catalogue.ts';
import { actionProgressMessage } from '../../actions/action-progress-message.ts';
import type { Presser } from '../../actions/authorize-action.ts';
import { cancelledMessage, confirmationMessage, confirmedMessage } from '../../actions/confirmation-message.ts';
import { outcomeMessage } from '../../actions/outcome-message.ts';
import { runAction, vetAction, type ActionOutcome, type ActionRequest } from '../../actions/run-action.ts';
import type { ActionIo } from '../../actions/action-executor.ts';
import { describeErrorLine } from '../../answer-error.ts';
import { errorMessage, icon, simpleMessage, type Message } from '../../message/message.ts';
import { cutText } from '../../render/cut-text.ts';
import { escapeMrkdwn } from '../escape-mrkdwn.ts';
import { CONFIRMATION_USED, peekConfirmation, recordConfirmation, useConfirmation, type PressedRemedy } from './action-confirmations.ts';
import type { Decoded, DialogInteraction, DialogPress, DialogView, Edge, InteractionFamily, IntentOf, Press } from './interaction.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The Scale dialog's callback id. */
export const REMEDY_INPUT_VIEW = 'remedy-input';
const INPUT_BLOCK = 'value';
const INPUT_ELEMENT = 'value';

export const REMEDY_INTERACTIONS = {
  remedy: {
    intent: 'remedy',
    actionId: 'remedy:',
    family: true,
    encode: (i) => ({ actionId: `remedy:${i.action}`, value: JSON.stringify({ action: i.action, params: i.params, target: i.target }) }),
    decode: decodeRemedy,
    // A report's remedies act on what the report saw: run /diag again after a day, or sooner when
    // the action says so (a button naming a pid lives an hour: buttonTtlMs).
    ttlMs: (actionId) => findAction(actionId.slice('remedy:'.length))?.buttonTtlMs ?? DAY,
    fresh: 'run /diag again',
    // A remedy's refusal is audited under the action's own name, like its runs and denials.
    auditAs: (actionId) => actionId.slice('remedy:'.length) || actionId,
    handle: pressRemedy,
  },
  'confirm.run': {
    intent: 'confirm.run',
    actionId: 'confirm:run',
    encode: (i) => ({ actionId: 'confirm:run', value: i.confirmation }),
    decode: (value) => decodeConfirmation('confirm.run', value),
    ttlMs: 10 * MINUTE,
    fresh: 'press the button on the report again',
    handle: runConfirmed,
  },
  'confirm.cancel': {
    intent: 'confirm.cancel',
    actionId: 'confirm:cancel',
    encode: (i) => ({ actionId: 'confirm:cancel', value: i.confirmation }),
    decode: (value) => decodeConfirmation('confirm.cancel', value),
    ttlMs: 10 * MINUTE,
    fresh: 'press the button on the report again',
    handle: cancelConfirmed,
  },
} satisfies InteractionFamily;

/** The Scale dialog: submitting it runs the action with the value typed; closing it cancels. */
export const REMEDY_INPUT_DIALOG: DialogInteraction = {
  callbackId: REMEDY_INPUT_VIEW,
  ttlMs: HOUR,
  fresh: 'press the button on the report again',
  submit: submitInput,
  closed: closeInput,
};

function decodeRemedy(value: string): Decoded<IntentOf<'remedy'>> {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return { ok: false, problem: `This button is not valid any more: its value is not a remedy (${JSON.stringify(cutText(value, 40))})` };
  }
  const o = v as { action?: unknown; params?: unknown; target?: unknown } | null;
  if (!o || typeof o !== 'object' || typeof o.action !== 'string' || typeof o.target !== 'string' || !o.params || typeof o.params !== 'object' || Array.isArray(o.params)) {
    return { ok: false, problem: 'This button is not valid any more: its value is not a remedy ({"action", "params", "target"})' };
  }
  // The parameters themselves are checked against the catalogue at every press (vetAction), as
  // they came: own properties only, so they are passed on untouched.
  return { ok: true, intent: { intent: 'remedy', action: o.action, params: o.params as Record<string, string | number>, target: o.target } };
}

function decodeConfirmation<N extends 'confirm.run' | 'confirm.cancel'>(intent: N, value: string): Decoded<IntentOf<N>> {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(value)) return { ok: false, problem: `This confirmation is not one the bot recorded (${JSON.stringify(cutText(value, 30))}): press the button on the report again` };
  return { ok: true, intent: { intent, confirmation: value } as IntentOf<N> };
}

async function pressRemedy(intent: IntentOf<'remedy'>, p: Press, edge: Edge): Promise<void> {
  const { services } = edge;
  const { user, channel, messageTs, threadTs } = p;
  try {
    const press: PressedRemedy = { action: intent.action, params: intent.params, target: intent.target, channel, messageTs, threadTs, messageKey: p.messageKey };
    const spec = findAction(press.action);
    // A value the presser chooses (replicas) comes from the dialog only, never from the button.
    if (spec?.input && Object.hasOwn(press.params, spec.input.param)) {
      const problem = `parameter "${spec.input.param}" is chosen in the dialog, not carried by the button`;
      await services.audit.record({ actor: user, channel, source: edge.source ?? 'slack', action: press.action, target: press.target, params: press.params, outcome: 'refused', detail: problem });
      await answer({ kind: 'refused', text: `This button is not valid any more: ${problem}.` }, user, undefined, edge.answer);
      return;
    }
    const placeholder = spec?.input ? { [spec.input.param]: spec.input.min } : {};
    const vetted = await vetAction({ ...request(press, presserOf(edge, user, channel), edge), params: { ...press.params, ...placeholder } }, services);
    if ('outcome' in vetted) {
      await answer(vetted.outcome, user, undefined, edge.answer);
      return;
    }
    if (spec?.input) {
      const id = await recordConfirmation(services.pool, user, press);
      await edge.openDialog(p.triggerId, inputView(spec, press, id));
      return;
    }
    if (!vetted.spec.destructive) {
      await runAndAnswer(press, user, edge, edge.answer);
      return;
    }
    const id = await recordConfirmation(services.pool, user, press);
    const prompt = confirmationMessage(vetted.spec.title, describe(press), id);
    // Through the Web API to the presser: the prompt reaches the real user whatever the request
    // said about itself; response_url only where the bot cannot post (a channel it is not in).
    try {
      await edge.tell({ channel, user, ...(threadTs !== messageTs && { threadTs }) }, prompt);
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code !== 'not_in_channel' && code !== 'channel_not_found') throw err;
      // A channel the bot is not in: Slack's own response URL of this press (checked to be this
      // workspace's) reaches the presser there.
      services.log.info({ channel, error: code }, 'cannot post the confirmation in the channel: answering through response_url');
      await edge.answer(prompt);
    }
  } catch (error) {
    const text = describeErrorLine(error, services.log, { action: p.actionId, user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

async function runConfirmed(intent: IntentOf<'confirm.run'>, p: Press, edge: Edge): Promise<void> {
  const { services } = edge;
  const { user } = p;
  try {
    const press = await useConfirmationOnce(edge, intent.confirmation, user, p.channel || undefined, 'confirm:run');
    if (press === undefined) return;
    if (typeof press === 'string') {
      await auditRefusedConfirmation(edge, user, p.channel || undefined, 'confirm:run', press);
      await edge.answer(simpleMessage(icon('denied'), ' ', press));
      return;
    }
    // The prompt gives way to what happens next (in the thread, for everyone).
    await edge.replace(confirmedMessage(describe(press))).catch((err: unknown) => services.log.warn({ err }, 'while replacing a confirmation prompt'));
    await runAndAnswer(press, user, edge, edge.answer);
  } catch (error) {
    const text = describeErrorLine(error, services.log, { action: 'confirm:run', user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

async function cancelConfirmed(intent: IntentOf<'confirm.cancel'>, p: Press, edge: Edge): Promise<void> {
  const { services } = edge;
  const { user } = p;
  try {
    const press = await useConfirmationOnce(edge, intent.confirmation, user, p.channel || undefined, 'confirm:cancel');
    if (press === undefined) return;
    if (typeof press === 'string') {
      await auditRefusedConfirmation(edge, user, p.channel || undefined, 'confirm:cancel', press);
      await edge.answer(simpleMessage(icon('denied'), ' ', press));
      return;
    }
    await services.audit.record({ actor: user, channel: press.channel, source: edge.source ?? 'slack', action: press.action, target: press.target, params: press.params, outcome: 'cancelled' });
    await edge.replace(cancelledMessage(press.action, press.target));
  } catch (error) {
    const text = describeErrorLine(error, services.log, { action: 'confirm:cancel', user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

async function submitInput(d: DialogPress, ack: (errors?: Record<string, string>) => Promise<void>, edge: Edge): Promise<void> {
  const { services } = edge;
  const { user } = d;
  const id = confirmationRef(d.metadata);
  const pending = id ? await peekConfirmation(services.pool, id) : undefined;
  const input = pending ? findAction(pending.action)?.input : undefined;
  const raw = d.values[INPUT_BLOCK]?.[INPUT_ELEMENT]?.value ?? '';
  const value = Number(raw.trim());
  if (input && (!/^\d{1,6}$/.test(raw.trim()) || value < input.min || value > input.max)) {
    await ack({ [INPUT_BLOCK]: `a whole number from ${input.min} to ${input.max}, got "${cutText(raw, 20)}"` });
    return;
  }
  await ack();
  const press = id ? await useConfirmation(services.pool, id, user) : 'This dialog is not one the bot opened.';
  if (typeof press === 'string' || !input) {
    const reason = typeof press === 'string' ? press : 'this action takes no value';
    await auditRefusedConfirmation(edge, user, typeof press === 'string' ? undefined : press.channel, REMEDY_INPUT_VIEW, reason);
    await edge.post(typeof press === 'string' ? user : press.channel, simpleMessage(icon('denied'), ' ', reason)).catch(() => undefined);
    return;
  }
  // Refusals go to the presser privately, as for a button.
  const privately = (m: Message) => edge.tell({ channel: press.channel, user, ...(press.threadTs && { threadTs: press.threadTs }) }, m);
  try {
    await runAndAnswer({ ...press, params: { ...press.params, [input.param]: value } }, user, edge, privately);
  } catch (error) {
    const text = describeErrorLine(error, services.log, { action: press.action, user });
    await privately(errorMessage(text)).catch(() => undefined);
  }
}

/** A Scale dialog closed without submitting: its confirmation is used up, the attempt audited as cancelled. */
async function closeInput(d: DialogPress, edge: Edge): Promise<void> {
  const { services } = edge;
  const id = confirmationRef(d.metadata);
  const press = id ? await useConfirmation(services.pool, id, d.user).catch(() => undefined) : undefined;
  if (!press || typeof press === 'string') return;
  await services.audit
    .record({ actor: d.user, channel: press.channel, source: edge.source ?? 'slack', action: press.action, target: press.target, params: press.params, outcome: 'cancelled', detail: 'the dialog was closed' })
    .catch((err: unknown) => services.log.error({ err }, 'while auditing a closed dialog'));
}

function presserOf(edge: Edge, user: string, channel: string): Presser {
  return { user, channel, inGroup: (group) => edge.inGroup(group, user) };
}

function request(press: PressedRemedy, presser: Presser, edge: Edge): Omit<ActionRequest, 'messageTs'> {
  return { action: press.action, params: press.params, target: press.target, presser, source: edge.source ?? 'slack' };
}

async function runAndAnswer(press: PressedRemedy, user: string, edge: Edge, privately: (m: Message) => Promise<unknown>): Promise<void> {
  const { services } = edge;
  const thread = threadIo(edge, press, user);
  // Tracked as a whole: a shutdown waits (within its grace period) until the outcome is posted.
  await services.actions.track((async () => {
    const outcome = await runAction(
      { ...request(press, presserOf(edge, user, press.channel), edge), messageTs: press.messageTs, messageKey: press.messageKey, io: thread.io, thread: { channel: press.channel, ts: press.threadTs } },
      { config: services.config, audit: services.audit, pool: services.pool, log: services.log, actions: services.actions },
    );
    await answer(outcome, user, thread, privately);
  })());
}

async function answer(outcome: ActionOutcome, user: string, thread: ThreadIo | undefined, privately: (m: Message) => Promise<unknown>): Promise<void> {
  const { to, message } = outcomeMessage(outcome, user);
  if (to === 'thread' && thread) await thread.show(message);
  else await privately(message);
}

interface ThreadIo {
  io: ActionIo;
  /** Replaces the progress line when there is one, else a new thread reply. */
  show(message: Message): Promise<void>;
}

/** Progress as one thread reply that is edited in place; updates are chained so they land in order. */
function threadIo(edge: Edge, press: PressedRemedy, user: string): ThreadIo {
  let progressTs: string | undefined;
  let chain: Promise<void> = Promise.resolve();
  const show = (message: Message): Promise<void> => {
    chain = chain.then(async () => {
      if (progressTs) await edge.update(press.channel, progressTs, message);
      else progressTs = await edge.post(press.channel, message, press.threadTs);
    });
    return chain;
  };
  return {
    io: {
      async progress(text) {
        await show(actionProgressMessage(user, text)).catch((err: unknown) => {
          edge.services.log.warn({ err, action: press.action }, 'while showing action progress');
          chain = Promise.resolve();
        });
      },
      async attachText(file) {
        await edge.uploadText({ channel: press.channel, threadTs: press.threadTs }, file);
      },
    },
    show,
  };
}

/**
 * Uses a confirmation once, across replicas: while another press of it (Run it or Cancel, on any
 * replica) holds its short lock in Redis, this press is answered at once as the store would answer
 * it ("already used") and audited, and undefined comes back (answered). Otherwise, Redis free or
 * unable to say, the store's conditional UPDATE decides, as without Redis.
 */
async function useConfirmationOnce(edge: Edge, confirmation: string, user: string, channel: string | undefined, step: string): Promise<PressedRemedy | string | undefined> {
  const { services } = edge;
  const lock = await services.actions.holdConfirmation(confirmation, user);
  if (lock === 'held') {
    services.log.info({ step, via: 'redis' }, 'a confirmation being used by another press: answered without using it');
    await edge.answer(simpleMessage(icon('denied'), ' ', CONFIRMATION_USED));
    await auditRefusedConfirmation(edge, user, channel, step, `${CONFIRMATION_USED} (another press was using it at that moment)`);
    return undefined;
  }
  try {
    return await useConfirmation(services.pool, confirmation, user);
  } finally {
    await lock();
  }
}

/** A "Run it", "Cancel" or dialog that could not use its confirmation: one audit row, like any refusal. */
async function auditRefusedConfirmation(edge: Edge, user: string, channel: string | undefined, step: string, reason: string): Promise<void> {
  await edge.services.audit
    .record({ actor: user, ...(channel && { channel }), source: edge.source ?? 'slack', action: step, outcome: 'refused', detail: reason })
    .catch((err: unknown) => edge.services.log.error({ err }, 'while auditing a refused confirmation'));
}

function confirmationRef(metadata: string): string | undefined {
  try {
    const v = JSON.parse(metadata) as { confirmation?: unknown };
    return typeof v.confirmation === 'string' ? v.confirmation : undefined;
  } catch {
    return undefined;
  }
}

function describe(press: PressedRemedy): string {
  return findAction(press.action)?.describe(press.params, press.target) ?? press.action;
}

function inputView(spec: ActionSpec, press: PressedRemedy, confirmation: string): DialogView {
  const input = spec.input!;
  return {
    type: 'modal',
    callback_id: REMEDY_INPUT_VIEW,
    private_metadata: JSON.stringify({ confirmation }),
    // Closing it is an answer too: the attempt is audited as cancelled.
    notify_on_close: true,
    title: { type: 'plain_text', text: cutText(spec.title, 24) },
    submit: { type: 'plain_text', text: cutText(spec.title, 24) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cutText(escapeMrkdwn(spec.describe(press.params, press.target)), 3000) } },
      {
        type: 'input',
        block_id: INPUT_BLOCK,
        label: { type: 'plain_text', text: `${input.label} (${input.min}–${input.max})` },
        element: { type: 'plain_text_input', action_id: INPUT_ELEMENT, placeholder: { type: 'plain_text', text: `${input.min}–${input.max}` } },
      },
    ],
  };
}
