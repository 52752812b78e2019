// An alert message's Useful / Noise buttons: the presser's vote on the group's episode, recorded
// once per person (a second press changes it), answered privately; the message shows the counts.
// The value names only the group and the episode; the alert's name is read from the group.
import { describeErrorLine } from '../../answer-error.ts';
import { voteCountsText } from '../../alerts/vote-counts-text.ts';
import type { AlertVoteIntent } from '../../message/intent.ts';
import { errorMessage, simpleMessage } from '../../message/message.ts';
import { cutText } from '../../render/cut-text.ts';
import type { Decoded, InteractionFamily, IntentOf } from './interaction.ts';

const DAY = 24 * 3600_000;
/** An alert is judged in the days after it fired; the weekly digest counts a week. */
const VOTE_TTL_MS = 14 * DAY;

type VoteName = AlertVoteIntent['intent'];

function encodeVote(i: AlertVoteIntent): { actionId: string; value: string } {
  return { actionId: actionIdOf(i.intent), value: `${i.group}:${i.episode}` };
}

function actionIdOf(name: VoteName): string {
  return name === 'alert.noise' ? 'alert-vote:noise' : 'alert-vote:useful';
}

function decodeVote<N extends VoteName>(name: N) {
  return (value: string): Decoded<IntentOf<N>> => {
    const m = /^([1-9]\d{0,15}):([1-9]\d{0,8})$/.exec(value);
    if (!m) return { ok: false, problem: `This ${name === 'alert.noise' ? 'Noise' : 'Useful'} button is not valid (value ${JSON.stringify(cutText(value, 30))}, expected group:episode numbers)` };
    return { ok: true, intent: { intent: name, group: Number(m[1]), episode: Number(m[2]) } as IntentOf<N> };
  };
}

async function handleVote(intent: AlertVoteIntent, press: { user: string; channel: string; actionId: string }, edge: Parameters<NonNullable<InteractionFamily['alert.noise']>['handle']>[2]): Promise<void> {
  const vote = intent.intent === 'alert.noise' ? 'noise' : 'useful';
  try {
    const alerts = edge.services.alerts;
    if (!alerts) {
      await edge.answer(simpleMessage('Alerts are not received by this bot (ALERTS_TOKEN is not set): the vote is not recorded.'));
      return;
    }
    const out = await alerts.store.vote(intent.group, intent.episode, press.user, vote);
    if (out.outcome === 'no-group') {
      await edge.answer(errorMessage(`Alert group ${intent.group} is not known to this bot: the vote is not recorded.`));
      return;
    }
    if (out.outcome === 'no-episode') {
      await edge.answer(errorMessage(`Alert group ${intent.group} has no episode ${intent.episode} (it is at ${out.current}): the vote is not recorded.`));
      return;
    }
    alerts.wake();
    await edge.services.audit.record({ actor: press.user, channel: press.channel || undefined, source: edge.source ?? 'slack', action: press.actionId, target: `alert-group:${intent.group}`, params: { episode: intent.episode, vote }, outcome: out.previous === vote ? 'unchanged' : out.previous ? `changed from ${out.previous}` : 'recorded' });
    const was = out.previous && out.previous !== vote ? ` (was ${out.previous})` : out.previous === vote ? ' (as before)' : '';
    await edge.answer(simpleMessage(`You marked ${cutText(out.alertname, 100)} ${vote}${was}. ${voteCountsText(out.counts)}.`));
  } catch (error) {
    const text = describeErrorLine(error, edge.services.log, { action: press.actionId, user: press.user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

export const ALERT_VOTE_INTERACTIONS = {
  'alert.useful': {
    intent: 'alert.useful',
    actionId: 'alert-vote:useful',
    encode: encodeVote,
    decode: decodeVote('alert.useful'),
    ttlMs: VOTE_TTL_MS,
    fresh: 'vote on the alert\'s latest message',
    handle: (intent, press, edge) => handleVote(intent, press, edge),
  },
  'alert.noise': {
    intent: 'alert.noise',
    actionId: 'alert-vote:noise',
    encode: encodeVote,
    decode: decodeVote('alert.noise'),
    ttlMs: VOTE_TTL_MS,
    fresh: 'vote on the alert\'s latest message',
    handle: (intent, press, edge) => handleVote(intent, press, edge),
  },
} satisfies InteractionFamily;
