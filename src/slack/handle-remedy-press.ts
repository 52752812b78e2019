// A remedy button press: ack, vet it (valid for the config, allowed for the presser), and answer
// where it belongs: refusals to the presser only, progress and outcome in the thread of the report
// for everyone. The value was signed by the bot (verify-interactive.ts checked it).
//
// A destructive action runs only after a confirmation the bot itself recorded: Slack's confirm
// dialog is the first prompt, then the press creates a confirmation row and the presser gets
// "Run it / Cancel" privately; "Run it" consumes the row once. An action that needs a value from
// the presser (Scale: replicas) records the confirmation when it opens its dialog, and the
// dialog's submission consumes it. A forged or replayed press therefore never skips the prompt.
import { randomBytes } from 'node:crypto';
import type { App, BlockAction, ButtonAction, ViewClosedAction, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type pg from 'pg';
import { findAction, type ActionSpec } from '../actions/action-catalogue.ts';
import type { ActionIo } from '../actions/action-executor.ts';
import { runAction, vetAction, type ActionOutcome, type ActionRequest } from '../actions/run-action.ts';
import type { Presser } from '../actions/authorize-action.ts';
import type { AppServices } from '../app-services.ts';
import { describeErrorForUser } from '../answer-error.ts';
import { cutText } from '../render/display-report.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { errorMessage, escapeMrkdwn, textMessage } from './message-blocks.ts';
import { sealMessage, sealView } from './seal-message.ts';

export const REMEDY_INPUT_VIEW = 'remedy-input';
/** The presser's private "Run it" and "Cancel" under a destructive action's confirmation. */
export const CONFIRM_ACTIONS = { run: 'confirm:run', cancel: 'confirm:cancel' } as const;
const INPUT_BLOCK = 'value';
const INPUT_ELEMENT = 'value';
/** How long a recorded confirmation (or an open Scale dialog) can be used. */
const CONFIRM_TTL_MS = 10 * 60_000;

interface ButtonPayload {
  action: string;
  params: Record<string, string | number>;
  target: string;
}

/** Where the press happened and what it asks: kept in the confirmation row until it is used. */
interface PressContext extends ButtonPayload {
  channel: string;
  messageTs: string;
  threadTs: string;
  /** The nonce the bot signed into the message's buttons: the once-only key's message part. */
  messageKey: string;
}

type Reply = (message: { text: string }) => Promise<unknown>;

export function handleRemedyPresses(app: App, services: AppServices, signer: ValueSigner): void {
  app.action<BlockAction<ButtonAction>>(/^remedy:/, async ({ ack, action, body, client, respond, context }) => {
    await ack();
    const channel = body.container?.channel_id ?? body.channel?.id ?? '';
    const messageTs = body.container?.message_ts ?? body.message?.ts ?? '';
    // A report posted as a thread reply (/diag all details) answers in that same thread.
    const threadTs = body.container?.thread_ts ?? body.message?.thread_ts ?? messageTs;
    const ephemeral: Reply = (m) => respond({ response_type: 'ephemeral', replace_original: false, ...textMessage(maskSecrets(m.text, services.secrets)) } as never);
    const user = body.user.id;
    try {
      const messageKey = typeof context.signedNonce === 'string' ? context.signedNonce : messageTs;
      const press: PressContext = { ...parseValue(action.value), channel, messageTs, threadTs, messageKey };
      const spec = findAction(press.action);
      const presser = presserOf(client, user, channel);
      // A value the presser chooses (replicas) comes from the dialog only, never from the button.
      if (spec?.input && Object.hasOwn(press.params, spec.input.param)) {
        await refuseCarried(press, spec, user, services, ephemeral);
        return;
      }
      const placeholder = spec?.input ? { [spec.input.param]: spec.input.min } : {};
      const vetted = await vetAction({ ...request(press, presser), params: { ...press.params, ...placeholder } }, services);
      if ('outcome' in vetted) {
        await answer(vetted.outcome, user, undefined, ephemeral);
        return;
      }
      if (spec?.input) {
        const id = await recordConfirmation(services.pool, user, press);
        await client.views.open({ trigger_id: body.trigger_id, view: sealView(inputView(spec, press, id), signer) as never });
        return;
      }
      if (!vetted.spec.destructive) {
        await runAndAnswer(press, user, client, services, ephemeral);
        return;
      }
      const id = await recordConfirmation(services.pool, user, press);
      const prompt = sealMessage(confirmationMessage(vetted.spec, press, id), signer, services.secrets);
      // Through the Web API to the presser: the prompt reaches the real user whatever the request
      // said about itself; response_url only where the bot cannot post (a channel it is not in).
      try {
        await client.chat.postEphemeral({ channel, user, text: prompt.text, blocks: prompt.blocks as never, ...(threadTs !== messageTs && { thread_ts: threadTs }) });
      } catch (err) {
        const code = (err as { data?: { error?: string } }).data?.error;
        if (code !== 'not_in_channel' && code !== 'channel_not_found') throw err;
        // A channel the bot is not in: Slack's own response URL of this press (checked to be this
        // workspace's) reaches the presser there.
        services.log.info({ channel, error: code }, 'cannot post the confirmation in the channel: answering through response_url');
        await respond({ response_type: 'ephemeral', replace_original: false, ...prompt } as never);
      }
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: action.action_id, user });
      await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(text) } as never).catch(() => undefined);
    }
  });

  app.action<BlockAction<ButtonAction>>(CONFIRM_ACTIONS.run, async ({ ack, action, body, client, respond }) => {
    await ack();
    const user = body.user.id;
    const ephemeral: Reply = (m) => respond({ response_type: 'ephemeral', replace_original: false, ...textMessage(maskSecrets(m.text, services.secrets)) } as never);
    try {
      const press = await useConfirmation(services.pool, action.value ?? '', user);
      if (typeof press === 'string') {
        await auditRefusedConfirmation(services, user, body.channel?.id, CONFIRM_ACTIONS.run, press);
        await ephemeral({ text: `:no_entry: ${escapeMrkdwn(press)}` });
        return;
      }
      // The prompt gives way to what happens next (in the thread, for everyone).
      await respond({ response_type: 'ephemeral', replace_original: true, text: `:white_check_mark: Confirmed: ${escapeMrkdwn(describe(press))} Progress and outcome follow in the thread.` } as never)
        .catch((err: unknown) => services.log.warn({ err }, 'while replacing a confirmation prompt'));
      await runAndAnswer(press, user, client, services, ephemeral);
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: CONFIRM_ACTIONS.run, user });
      await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(text) } as never).catch(() => undefined);
    }
  });

  app.action<BlockAction<ButtonAction>>(CONFIRM_ACTIONS.cancel, async ({ ack, action, body, respond }) => {
    await ack();
    const user = body.user.id;
    try {
      const press = await useConfirmation(services.pool, action.value ?? '', user);
      if (typeof press === 'string') {
        await auditRefusedConfirmation(services, user, body.channel?.id, CONFIRM_ACTIONS.cancel, press);
        await respond({ response_type: 'ephemeral', replace_original: false, text: `:no_entry: ${escapeMrkdwn(press)}` } as never);
        return;
      }
      await services.audit.record({ actor: user, channel: press.channel, source: 'slack', action: press.action, target: press.target, params: press.params, outcome: 'cancelled' });
      await respond({ response_type: 'ephemeral', replace_original: true, text: `Cancelled: ${escapeMrkdwn(press.action)} on ${escapeMrkdwn(press.target)} was not run.` } as never);
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: CONFIRM_ACTIONS.cancel, user });
      await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(text) } as never).catch(() => undefined);
    }
  });

  app.view<ViewSubmitAction>(REMEDY_INPUT_VIEW, async ({ ack, view, body, client }) => {
    const user = body.user.id;
    const id = parseConfirmationRef(view.private_metadata);
    const pending = id ? await peekConfirmation(services.pool, id) : undefined;
    const input = pending ? findAction(pending.action)?.input : undefined;
    const raw = view.state.values[INPUT_BLOCK]?.[INPUT_ELEMENT]?.value ?? '';
    const value = Number(raw.trim());
    if (input && (!/^\d{1,6}$/.test(raw.trim()) || value < input.min || value > input.max)) {
      await ack({ response_action: 'errors', errors: { [INPUT_BLOCK]: `a whole number from ${input.min} to ${input.max}, got "${cutText(raw, 20)}"` } });
      return;
    }
    await ack();
    const press = id ? await useConfirmation(services.pool, id, user) : 'This dialog is not one the bot opened.';
    if (typeof press === 'string' || !input) {
      await auditRefusedConfirmation(services, user, typeof press === 'string' ? undefined : press.channel, REMEDY_INPUT_VIEW, typeof press === 'string' ? press : 'this action takes no value');
      const channel = typeof press === 'string' ? user : press.channel;
      await client.chat.postMessage({ channel, text: `:no_entry: ${escapeMrkdwn(typeof press === 'string' ? press : 'this action takes no value')}` }).catch(() => undefined);
      return;
    }
    // Refusals go to the presser privately, as for a button.
    const ephemeral: Reply = (m) => client.chat.postEphemeral({ channel: press.channel, user, text: maskSecrets(m.text, services.secrets), ...(press.threadTs && { thread_ts: press.threadTs }) });
    try {
      await runAndAnswer({ ...press, params: { ...press.params, [input.param]: value } }, user, client, services, ephemeral);
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: press.action, user });
      await ephemeral({ text: `:x: ${escapeMrkdwn(text)}` }).catch(() => undefined);
    }
  });
}

/** A Scale dialog closed without submitting: its confirmation is used up, the attempt audited as cancelled. */
export function handleRemedyDialogClosed(app: App, services: AppServices): void {
  app.view<ViewClosedAction>({ callback_id: REMEDY_INPUT_VIEW, type: 'view_closed' }, async ({ ack, view, body }) => {
    await ack();
    const id = parseConfirmationRef(view.private_metadata);
    const press = id ? await useConfirmation(services.pool, id, body.user.id).catch(() => undefined) : undefined;
    if (!press || typeof press === 'string') return;
    await services.audit
      .record({ actor: body.user.id, channel: press.channel, source: 'slack', action: press.action, target: press.target, params: press.params, outcome: 'cancelled', detail: 'the dialog was closed' })
      .catch((err: unknown) => services.log.error({ err }, 'while auditing a closed dialog'));
  });
}

function presserOf(client: WebClient, user: string, channel: string): Presser {
  return { user, channel, inGroup: (group) => inGroup(client, group, user) };
}

function request(press: PressContext, presser: Presser): Omit<ActionRequest, 'messageTs'> {
  return { action: press.action, params: press.params, target: press.target, presser };
}

async function refuseCarried(press: PressContext, spec: ActionSpec, user: string, services: AppServices, ephemeral: Reply): Promise<void> {
  const problem = `parameter "${spec.input!.param}" is chosen in the dialog, not carried by the button`;
  await services.audit.record({ actor: user, channel: press.channel, source: 'slack', action: press.action, target: press.target, params: press.params, outcome: 'refused', detail: problem });
  await answer({ kind: 'refused', text: `This button is not valid any more: ${problem}.` }, user, undefined, ephemeral);
}

async function runAndAnswer(press: PressContext, user: string, client: WebClient, services: AppServices, ephemeral: Reply): Promise<void> {
  const thread = createThreadIo(client, press, user, services);
  // Tracked as a whole: a shutdown waits (within its grace period) until the outcome is posted.
  await services.actions.track((async () => {
    const outcome = await runAction(
      { ...request(press, presserOf(client, user, press.channel)), messageTs: press.messageTs, messageKey: press.messageKey, io: thread.io, thread: { channel: press.channel, ts: press.threadTs } },
      { config: services.config, audit: services.audit, pool: services.pool, log: services.log, actions: services.actions },
    );
    await answer(outcome, user, thread, ephemeral);
  })());
}

async function answer(outcome: ActionOutcome, user: string, thread: ThreadIo | undefined, ephemeral: Reply): Promise<void> {
  const text = escapeMrkdwn(outcome.text);
  if (thread && (outcome.kind === 'succeeded' || outcome.kind === 'failed')) {
    const icon = outcome.kind === 'succeeded' ? ':white_check_mark:' : ':x:';
    await thread.finish(`${icon} <@${user}> ${text}`);
  } else if (outcome.kind === 'denied') {
    await ephemeral({ text: `:no_entry: ${text} (${askWhom(outcome.askable)}).` });
  } else {
    const who = outcome.kind === 'duplicate' ? `, started by <@${outcome.startedBy}> ${outcome.ageSeconds} s ago.` : '';
    // An interrupted run was already said in the thread; the presser gets it too.
    await ephemeral({ text: `${outcome.kind === 'interrupted' ? ':warning:' : ':no_entry:'} ${text}${who}` });
  }
}

/** "ask <@U1> or a member of <!subteam^S1>, or press it in <#C1>": ids from the config, as mentions. */
function askWhom(a: { users: string[]; groups: string[]; channels: string[] }): string {
  const people = [...a.users.map((u) => `<@${u}>`), ...a.groups.map((g) => `a member of <!subteam^${g}>`)];
  const parts = [...(people.length ? [`ask ${people.join(' or ')}`] : []), ...(a.channels.length ? [`press it in ${a.channels.map((c) => `<#${c}>`).join(' or ')}`] : [])];
  return parts.length ? parts.join(', or ') : 'no one may: add a rule under access in the bot\'s config';
}

// --- the bot's own record of a confirmation -----------------------------------------------------

async function recordConfirmation(pool: pg.Pool, user: string, press: PressContext): Promise<string> {
  const id = randomBytes(12).toString('base64url');
  await pool.query(
    `INSERT INTO action_confirmations (id, user_id, request, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
    [id, user, JSON.stringify(press), CONFIRM_TTL_MS]);
  // Old rows go as new ones come: the table stays the size of the last day's presses.
  void pool.query(`DELETE FROM action_confirmations WHERE expires_at < now() - interval '1 day'`).catch(() => undefined);
  return id;
}

async function peekConfirmation(pool: pg.Pool, id: string): Promise<PressContext | undefined> {
  const { rows } = await pool.query<{ request: PressContext }>(`SELECT request FROM action_confirmations WHERE id = $1`, [id]);
  return rows[0]?.request;
}

/** Uses the confirmation once: the press it confirms, or why it cannot be used. */
async function useConfirmation(pool: pg.Pool, id: string, user: string): Promise<PressContext | string> {
  const { rows } = await pool.query<{ request: PressContext }>(
    `UPDATE action_confirmations SET used_at = now() WHERE id = $1 AND user_id = $2 AND used_at IS NULL AND expires_at > now() RETURNING request`, [id, user]);
  if (rows[0]) return rows[0].request;
  const { rows: found } = await pool.query<{ user_id: string; used: boolean; expired: boolean }>(
    `SELECT user_id, used_at IS NOT NULL AS used, expires_at <= now() AS expired FROM action_confirmations WHERE id = $1`, [id]);
  const c = found[0];
  if (!c) return 'This confirmation is not one the bot recorded: press the button on the report again.';
  if (c.user_id !== user) return 'This confirmation belongs to whoever pressed the button: press it yourself to run it.';
  if (c.used) return 'This confirmation was already used.';
  return 'This confirmation has expired: press the button on the report again.';
}

/** A "Run it", "Cancel" or dialog that could not use its confirmation: one audit row, like any refusal. */
async function auditRefusedConfirmation(services: AppServices, user: string, channel: string | undefined, step: string, reason: string): Promise<void> {
  await services.audit
    .record({ actor: user, ...(channel && { channel }), source: 'slack', action: step, outcome: 'refused', detail: reason })
    .catch((err: unknown) => services.log.error({ err }, 'while auditing a refused confirmation'));
}

function parseConfirmationRef(metadata: string): string | undefined {
  try {
    const v = JSON.parse(metadata) as { confirmation?: unknown };
    return typeof v.confirmation === 'string' ? v.confirmation : undefined;
  } catch {
    return undefined;
  }
}

function describe(press: PressContext): string {
  return findAction(press.action)?.describe(press.params, press.target) ?? press.action;
}

function confirmationMessage(spec: ActionSpec, press: PressContext, id: string): { text: string; blocks: object[] } {
  const text = `*Confirm ${escapeMrkdwn(spec.title)}?* ${escapeMrkdwn(describe(press))}`;
  return {
    text: cutText(text, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: cutText(text, 3000) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'Only you see this. It works for 10 minutes, once.' }] },
      {
        type: 'actions',
        elements: [
          { type: 'button', style: 'danger', text: { type: 'plain_text', text: cutText(`Run it: ${spec.title}`, 75) }, action_id: CONFIRM_ACTIONS.run, value: id },
          { type: 'button', text: { type: 'plain_text', text: 'Cancel' }, action_id: CONFIRM_ACTIONS.cancel, value: id },
        ],
      },
    ],
  };
}

interface ThreadIo {
  io: ActionIo;
  /** The final word: replaces the progress line when there is one, else a new thread reply. */
  finish(mrkdwn: string): Promise<void>;
}

/** Progress as one thread reply that is edited in place; updates are chained so they land in order. */
function createThreadIo(client: WebClient, press: PressContext, user: string, services: AppServices): ThreadIo {
  let progressTs: string | undefined;
  let chain: Promise<void> = Promise.resolve();
  const show = (unmasked: string): Promise<void> => {
    // Progress and outcomes quote what executors and servers said: masked like everything posted.
    const text = maskSecrets(unmasked, services.secrets);
    chain = chain.then(async () => {
      if (progressTs) {
        await client.chat.update({ channel: press.channel, ts: progressTs, text });
      } else {
        const res = await client.chat.postMessage({ channel: press.channel, thread_ts: press.threadTs, text });
        progressTs = res.ts;
      }
    });
    return chain;
  };
  return {
    io: {
      async progress(text) {
        await show(`:hourglass_flowing_sand: <@${user}> ${escapeMrkdwn(text)}`).catch((err: unknown) => {
          services.log.warn({ err, action: press.action }, 'while showing action progress');
          chain = Promise.resolve();
        });
      },
      async attachText(file) {
        await client.files.uploadV2({
          channel_id: press.channel,
          thread_ts: press.threadTs,
          content: maskSecrets(file.content, services.secrets),
          filename: file.filename,
          title: file.title,
          snippet_type: 'text',
        } as never);
      },
    },
    async finish(text) {
      await show(text);
    },
  };
}

function inputView(spec: ActionSpec, press: PressContext, confirmation: string): { type: string; callback_id: string; private_metadata: string; [key: string]: unknown } {
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

function parseValue(value: string | undefined): ButtonPayload {
  try {
    const v = JSON.parse(value ?? '') as { action?: unknown; params?: unknown; target?: unknown };
    if (typeof v.action === 'string' && typeof v.target === 'string' && v.params && typeof v.params === 'object' && !Array.isArray(v.params)) {
      return { action: v.action, target: v.target, params: v.params as Record<string, string | number> };
    }
  } catch {
    // fall through: a button value we did not write
  }
  return { action: '(unreadable button)', target: '(none)', params: {} };
}

async function inGroup(client: WebClient, group: string, user: string): Promise<boolean> {
  const res = await client.usergroups.users.list({ usergroup: group });
  return (res.users ?? []).includes(user);
}
