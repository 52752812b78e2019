// A remedy button press: ack, run it through the action runner, and answer where it belongs:
// refusals to the presser only, outcomes in the thread of the report for everyone.
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { runAction } from '../actions/run-action.ts';
import type { AppServices } from '../app-services.ts';
import { describeErrorForUser } from '../answer-error.ts';
import { errorMessage, escapeMrkdwn, textMessage } from './message-blocks.ts';

export function handleRemedyPresses(app: App, services: AppServices): void {
  app.action<BlockAction<ButtonAction>>(/^remedy:/, async ({ ack, action, body, client, respond }) => {
    await ack();
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts ?? '';
    // A report posted as a thread reply (/diag all details) answers in that same thread.
    const threadTs = body.container?.thread_ts ?? body.message?.thread_ts ?? messageTs;
    try {
      const payload = parseValue(action.value);
      const outcome = await runAction(
        { ...payload, messageTs, presser: { user: body.user.id, channel, inGroup: (group) => inGroup(client, group, body.user.id) } },
        { config: services.config, audit: services.audit, pool: services.pool, log: services.log },
      );
      const text = escapeMrkdwn(outcome.text);
      if (outcome.kind === 'succeeded' || outcome.kind === 'failed') {
        const icon = outcome.kind === 'succeeded' ? ':white_check_mark:' : ':x:';
        await client.chat.postMessage({ channel: channel!, thread_ts: threadTs, text: `${icon} <@${body.user.id}> ${text}` });
      } else {
        const who = outcome.kind === 'duplicate' ? `, started by <@${outcome.startedBy}> ${outcome.ageSeconds} s ago.` : '';
        await respond({ response_type: 'ephemeral', replace_original: false, ...textMessage(`:no_entry: ${text}${who}`) } as never);
      }
    } catch (error) {
      const text = describeErrorForUser(error, services.log, { action: action.action_id, user: body.user.id });
      await respond({ response_type: 'ephemeral', replace_original: false, ...errorMessage(text) } as never).catch(() => undefined);
    }
  });
}

function parseValue(value: string | undefined): { action: string; params: Record<string, string | number>; target: string } {
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
