// Presses an incident button (Acknowledge, Escalate now, Resolve) of a page or of the incident's
// message, the way Slack sends it: the value the bot itself put on that button (the latest one it
// posted for the incident), in a signed block_actions payload. Each press has an action_ts of its
// own, as each click in Slack does. The one place that knows how an incident button is pressed.
import { blockActionBody } from './signed-slack-request.ts';
import type { HttpTestBot } from './test-bot.ts';

let clicks = 0;

export interface IncidentPress {
  /** The response_url id the fake Slack API records the bot's answers under. */
  responseId: string;
  /** Where the button is: default the presser's DM with the bot (a page). */
  channelId?: string;
}

export async function pressIncidentButton(t: HttpTestBot, actionId: string, incidentId: number, user: string, press: IncidentPress): Promise<Response> {
  const value = postedValue(t, actionId, incidentId) ?? String(incidentId);
  const body = blockActionBody({ actionId, value, responseUrl: t.slack.responseUrl(press.responseId), userId: user, channelId: press.channelId ?? `D${user}` });
  const payload = JSON.parse(new URLSearchParams(body).get('payload')!) as { actions: Array<{ action_ts: string }> };
  payload.actions[0]!.action_ts = `${1_700_000_100 + ++clicks}.000100`;
  return await t.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
}

/** The value of the newest button with this action id the bot posted for the incident (plain `42` or signed `….42`). */
function postedValue(t: HttpTestBot, actionId: string, incidentId: number): string | undefined {
  const values: string[] = [];
  for (const call of t.slack.calls) {
    if (call.method !== 'chat.postMessage' && call.method !== 'chat.update') continue;
    const blocks = Array.isArray(call.args.blocks) ? (call.args.blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>) : [];
    for (const e of blocks.flatMap((b) => b.elements ?? [])) {
      if (e.action_id === actionId && typeof e.value === 'string' && (e.value === String(incidentId) || e.value.endsWith(`.${incidentId}`))) values.push(e.value);
    }
  }
  return values.at(-1);
}
