// A remedy button press: ack, run it through the action runner, and answer where it belongs:
// refusals to the presser only, progress and outcome in the thread of the report for everyone.
// An action that needs a value from the presser (Scale: replicas) first opens a dialog; its
// submission runs the action the same way.
import type { App, BlockAction, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { findAction } from '../actions/action-catalogue.ts';
import type { ActionIo } from '../actions/action-executor.ts';
import { runAction, type ActionOutcome } from '../actions/run-action.ts';
import type { AppServices } from '../app-services.ts';
import { describeErrorForUser } from '../answer-error.ts';
import { cutText } from '../render/display-report.ts';
import { redactSecrets } from '../redact-secrets.ts';
import { errorMessage, escapeMrkdwn, textMessage } from './message-blocks.ts';

export const REMEDY_INPUT_VIEW = 'remedy-input';
const INPUT_BLOCK = 'value';
const INPUT_ELEMENT = 'value';

interface ButtonPayload {
  action: string;
  params: Record<string, string | number>;
  target: string;
}

/** Where the press happened: kept in a dialog's private_metadata until it is submitted. */
interface PressContext extends ButtonPayload {
  channel: string;
  messageTs: string;
  threadTs: string;
}

type Reply = (message: { text: string }) => Promise<unknown>;

export function handleRemedyPresses(app: App, services: AppServices): void {
  app.action<BlockAction<ButtonAction>>(/^remedy:/, async ({ ack, action, body, client, respond }) => {
    await ack();
    const channel = body.container?.channel_id ?? body.channel?.id ?? '';
    const messageTs = body.container?.message_ts ?? body.message?.ts ?? '';
    // A report posted as a thread reply (/diag all details) answers in that same thread.
    const threadTs = body.container?.thread_ts ?? body.message?.thread_ts ?? messageTs;
    const ephemeral: Reply = (m) => respond({ response_type: 'ephemeral', replace_original: false, ...textMessage(m.text) } as never);
    try {
      const press: PressContext = { ...parseValue(action.value), channel, messageTs, threadTs };
      const input = findAction(press.action)?.input;
      if (input && !(input.param in press.params)) {
        await client.views.open({ trigger_id: body.trigger_id, view: inputView(press, input) as never });
        return;
      }
      await runAndAnswer(press, body.user.id, client, services, ephemeral);
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: action.action_id, user: body.user.id });
      await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(text) } as never).catch(() => undefined);
    }
  });

  app.view<ViewSubmitAction>(REMEDY_INPUT_VIEW, async ({ ack, view, body, client }) => {
    const press = JSON.parse(view.private_metadata) as PressContext;
    const input = findAction(press.action)?.input;
    const raw = view.state.values[INPUT_BLOCK]?.[INPUT_ELEMENT]?.value ?? '';
    const value = Number(raw.trim());
    if (!input || !/^\d+$/.test(raw.trim()) || value < input.min || value > input.max) {
      await ack({ response_action: 'errors', errors: { [INPUT_BLOCK]: `a whole number from ${input?.min ?? 0} to ${input?.max ?? 0}, got "${cutText(raw, 20)}"` } });
      return;
    }
    await ack();
    const user = body.user.id;
    // Refusals go to the presser privately, as for a button.
    const ephemeral: Reply = (m) => client.chat.postEphemeral({ channel: press.channel, user, text: m.text, ...(press.threadTs && { thread_ts: press.threadTs }) });
    try {
      await runAndAnswer({ ...press, params: { ...press.params, [input.param]: value } }, user, client, services, ephemeral);
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: press.action, user });
      await ephemeral({ text: `:x: ${escapeMrkdwn(text)}` }).catch(() => undefined);
    }
  });
}

async function runAndAnswer(press: PressContext, user: string, client: WebClient, services: AppServices, ephemeral: Reply): Promise<void> {
  const thread = createThreadIo(client, press, user, services);
  const outcome = await runAction(
    { action: press.action, params: press.params, target: press.target, messageTs: press.messageTs, io: thread.io, presser: { user, channel: press.channel, inGroup: (group) => inGroup(client, group, user) } },
    { config: services.config, audit: services.audit, pool: services.pool, log: services.log },
  );
  await answer(outcome, user, thread, ephemeral);
}

async function answer(outcome: ActionOutcome, user: string, thread: ThreadIo, ephemeral: Reply): Promise<void> {
  const text = escapeMrkdwn(outcome.text);
  if (outcome.kind === 'succeeded' || outcome.kind === 'failed') {
    const icon = outcome.kind === 'succeeded' ? ':white_check_mark:' : ':x:';
    await thread.finish(`${icon} <@${user}> ${text}`);
  } else if (outcome.kind === 'denied') {
    await ephemeral({ text: `:no_entry: ${text} (${askWhom(outcome.askable)}).` });
  } else {
    const who = outcome.kind === 'duplicate' ? `, started by <@${outcome.startedBy}> ${outcome.ageSeconds} s ago.` : '';
    await ephemeral({ text: `:no_entry: ${text}${who}` });
  }
}

/** "ask <@U1> or a member of <!subteam^S1>, or press it in <#C1>": ids from the config, as mentions. */
function askWhom(a: { users: string[]; groups: string[]; channels: string[] }): string {
  const people = [...a.users.map((u) => `<@${u}>`), ...a.groups.map((g) => `a member of <!subteam^${g}>`)];
  const parts = [...(people.length ? [`ask ${people.join(' or ')}`] : []), ...(a.channels.length ? [`press it in ${a.channels.map((c) => `<#${c}>`).join(' or ')}`] : [])];
  return parts.length ? parts.join(', or ') : 'no one may: add a rule under access in the bot\'s config';
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
  const show = (text: string): Promise<void> => {
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
          content: redactSecrets(file.content),
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

function inputView(press: PressContext, input: { param: string; label: string; min: number; max: number }): object {
  const spec = findAction(press.action)!;
  return {
    type: 'modal',
    callback_id: REMEDY_INPUT_VIEW,
    private_metadata: JSON.stringify(press),
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
    if (typeof v.action === 'string' && typeof v.target === 'string' && v.params && typeof v.params === 'object') {
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
