// An alert message's Silence 1h / 4h / until resolved buttons, and Expire silence on a silenced
// one. A press on the message only asks: the presser gets a private prompt naming the matchers,
// the duration and the Alertmanager, whose button (its own action id, signed for 10 minutes) does
// it; a replayed message button therefore never skips the prompt. The values only name the group,
// its episode and a duration the bot offers: the matchers are the stored group's common labels,
// the Alertmanager the route's. Both steps are allowed by the `alerts.silence` access rules (no
// rule, no silence); the silence is claimed once per episode before Alertmanager is asked (a
// second press finds the claim), audited, and answered privately; the message then shows who
// silenced it until when, with Expire silence.
import { isAllowed, askableFor } from '../../actions/authorize-action.ts';
import { AlertmanagerSilences, SilenceError } from '../../alerts/alertmanager-silences.ts';
import type { AlertGroup } from '../../alerts/alert-store.ts';
import { SILENCE_ACCESS_ID, SILENCE_MINUTES, UNTIL_RESOLVED_MINUTES, silenceDuration, silenceMatchers, silenceTarget } from '../../alerts/silence-target.ts';
import { describeErrorLine } from '../../answer-error.ts';
import type { Target } from '../../config/config.ts';
import { context, errorMessage, icon, plainText, section, simpleMessage, spans, strong, user as mention, type Line, type Message, type Span } from '../../message/message.ts';
import { cutText } from '../../render/cut-text.ts';
import type { ApiTarget } from '../../probes/http/api-target.ts';
import type { Decoded, Edge, InteractionFamily, IntentOf, Press } from './interaction.ts';

const SILENCE_ACTION = SILENCE_ACCESS_ID;
const DAY = 24 * 3600_000;
/** A silence button is for the firing alert in front of the presser: the episode a week long at most. */
const SILENCE_TTL_MS = 7 * DAY;

const OFFER = 'alert-silence:offer';
const CONFIRM = 'alert-silence:confirm';
const EXPIRE_OFFER = 'alert-unsilence:offer';
const EXPIRE_CONFIRM = 'alert-unsilence:confirm';
/** The private prompt's button works this long. */
const PROMPT_TTL_MS = 10 * 60_000;

function decodeSilence(value: string, actionId: string): Decoded<IntentOf<'alert.silence'>> {
  const m = /^([1-9]\d{0,15}):([1-9]\d{0,8}):(\d{1,5})$/.exec(value);
  const minutes = m ? Number(m[3]) : NaN;
  if (!m || !(SILENCE_MINUTES as readonly number[]).includes(minutes) || (actionId !== OFFER && actionId !== CONFIRM)) {
    return { ok: false, problem: `This Silence button is not valid (value ${JSON.stringify(cutText(value, 30))}, expected group:episode:minutes with minutes one of ${SILENCE_MINUTES.join(', ')})` };
  }
  return { ok: true, intent: { intent: 'alert.silence', group: Number(m[1]), episode: Number(m[2]), minutes, ...(actionId === CONFIRM && { confirmed: true as const }) } };
}

function decodeUnsilence(value: string, actionId: string): Decoded<IntentOf<'alert.unsilence'>> {
  const m = /^([1-9]\d{0,15}):([A-Za-z0-9-]{1,64})$/.exec(value);
  if (!m || (actionId !== EXPIRE_OFFER && actionId !== EXPIRE_CONFIRM)) return { ok: false, problem: `This Expire silence button is not valid (value ${JSON.stringify(cutText(value, 30))}, expected group:silence id)` };
  return { ok: true, intent: { intent: 'alert.unsilence', group: Number(m[1]), silence: m[2]!, ...(actionId === EXPIRE_CONFIRM && { confirmed: true as const }) } };
}

export const ALERT_SILENCE_INTERACTIONS = {
  'alert.silence': {
    intent: 'alert.silence',
    actionId: 'alert-silence:',
    family: true,
    encode: (i) => ({ actionId: i.confirmed ? CONFIRM : OFFER, value: `${i.group}:${i.episode}:${i.minutes}` }),
    decode: decodeSilence,
    ttlMs: (actionId) => (actionId === CONFIRM ? PROMPT_TTL_MS : SILENCE_TTL_MS),
    fresh: 'use the alert\'s latest message',
    auditAs: () => SILENCE_ACTION,
    handle: pressSilence,
  },
  'alert.unsilence': {
    intent: 'alert.unsilence',
    actionId: 'alert-unsilence:',
    family: true,
    encode: (i) => ({ actionId: i.confirmed ? EXPIRE_CONFIRM : EXPIRE_OFFER, value: `${i.group}:${i.silence}` }),
    decode: decodeUnsilence,
    ttlMs: (actionId) => (actionId === EXPIRE_CONFIRM ? PROMPT_TTL_MS : SILENCE_TTL_MS + DAY),
    fresh: 'use the alert\'s latest message',
    auditAs: () => `${SILENCE_ACTION}.expire`,
    handle: pressExpire,
  },
} satisfies InteractionFamily;

/** The presser's private prompt: what pressing its button does, exactly. */
async function prompt(p: Press, edge: Edge, words: string, button: { label: string; intent: IntentOf<'alert.silence'> | IntentOf<'alert.unsilence'> }): Promise<void> {
  const ask = spans(strong(words));
  const message: Message = {
    notification: ask,
    blocks: [
      section({ type: 'line', spans: ask }),
      context('Only you see this. It works for 10 minutes.'),
      { type: 'actions', buttons: [{ label: button.label, style: 'danger', intent: button.intent }] },
    ],
  };
  // Through the Web API to the presser, as a remedy's prompt; response_url where the bot cannot post.
  try {
    await edge.tell({ channel: p.channel, user: p.user, ...(p.threadTs !== p.messageTs && { threadTs: p.threadTs }) }, message);
  } catch (err) {
    const code = (err as { data?: { error?: string } }).data?.error;
    if (code !== 'not_in_channel' && code !== 'channel_not_found') throw err;
    await edge.answer(message);
  }
}

async function pressSilence(intent: IntentOf<'alert.silence'>, p: Press, edge: Edge): Promise<void> {
  const { services } = edge;
  const audit = (outcome: string, params: Record<string, string | number>, detail?: string) =>
    services.audit.record({ actor: p.user, ...(p.channel && { channel: p.channel }), source: edge.source ?? 'slack', action: SILENCE_ACTION, target: `alert-group:${intent.group}`, params, outcome, ...(detail && { detail }) });
  const duration = silenceDuration(intent.minutes);
  try {
    const found = await groupOf(intent.group, edge);
    if (typeof found === 'string') {
      await audit('refused', { duration }, found);
      await edge.answer(errorMessage(found));
      return;
    }
    const g = found;
    if (g.episode !== intent.episode || g.status !== 'firing') {
      await edge.answer(simpleMessage(icon('info'), ' ', g.status === 'firing' ? 'This alert fired again since this message: silence it from its latest message.' : 'This alert has resolved: there is nothing to silence.'));
      return;
    }
    const target = silenceTarget(services.config, g.route);
    if (!target) {
      await edge.answer(errorMessage(`No alertmanager target to silence in: configure one under targets: (or name it with silenceVia: on the route).`));
      return;
    }
    const matchers = silenceMatchers(g.commonLabels);
    const params = { duration, via: target.name, matchers: matchersText(matchers) };
    if (matchers.length === 0) {
      await audit('refused', params, 'the group has no common labels');
      await edge.answer(errorMessage('This alert group has no common labels: a silence of no matchers would silence everything, so none is made.'));
      return;
    }
    if (!(await allowed(p, edge))) {
      await audit('denied', params);
      await edge.answer(simpleMessage(icon('denied'), ' ', ...denial(edge)));
      return;
    }
    if (!intent.confirmed) {
      if (g.silence) {
        await edge.answer(simpleMessage(icon('info'), ' ', 'Already silenced by ', mention(g.silence.by), g.silence.id ? '.' : ' (being created).'));
        return;
      }
      const how = intent.minutes === 0 ? 'until it resolves (a 7-day silence the bot expires then)' : `for ${duration}`;
      await prompt(p, edge, `Silence in ${target.name} ${how} the alerts matching ${params.matchers}?`, { label: `Silence ${duration}`, intent: { ...intent, confirmed: true } });
      return;
    }
    const startsAt = new Date();
    const endsAt = new Date(startsAt.getTime() + (intent.minutes === 0 ? UNTIL_RESOLVED_MINUTES : intent.minutes) * 60_000);
    const claimed = await services.alerts!.store.claimSilence(g.id, g.episode, { by: p.user, via: target.name, endsAt, untilResolved: intent.minutes === 0 });
    if (!claimed) {
      const now = await services.alerts!.store.get(g.id);
      const s = now?.silence;
      await edge.answer(simpleMessage(icon('info'), ' ', ...(s ? ['Already silenced by ', mention(s.by), s.id ? '.' : ' (being created).'] : ['This alert is not firing any more: nothing to silence.'])));
      return;
    }
    let id: string;
    try {
      id = await client(target, edge).create({ matchers, startsAt, endsAt, createdBy: p.user, comment: `silenced from Slack by <@${p.user}> ${intent.minutes === 0 ? 'until resolved' : `for ${duration}`} (alert group ${shortKey(g)})` });
    } catch (error) {
      await services.alerts!.store.dropSilenceClaim(g.id, g.episode, p.user);
      const text = error instanceof SilenceError ? error.message : lineText(describeErrorLine(error, services.log, { action: SILENCE_ACTION, user: p.user }));
      await audit('failed', params, text);
      await edge.answer(errorMessage(`Not silenced: ${text}`));
      return;
    }
    await services.alerts!.store.setSilenceId(g.id, g.episode, p.user, id);
    services.alerts!.wake();
    await audit('silenced', { ...params, silence: id, endsAt: endsAt.toISOString() });
    await edge.answer(simpleMessage(icon('done'), ` Silenced in ${target.name} ${intent.minutes === 0 ? 'until the alert resolves' : `until ${endsAt.toISOString().slice(11, 16)} UTC`}: ${params.matchers} (silence ${id}).`));
  } catch (error) {
    const text = describeErrorLine(error, services.log, { action: SILENCE_ACTION, user: p.user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

async function pressExpire(intent: IntentOf<'alert.unsilence'>, p: Press, edge: Edge): Promise<void> {
  const { services } = edge;
  const audit = (outcome: string, detail?: string) =>
    services.audit.record({ actor: p.user, ...(p.channel && { channel: p.channel }), source: edge.source ?? 'slack', action: `${SILENCE_ACTION}.expire`, target: `alert-group:${intent.group}`, params: { silence: intent.silence }, outcome, ...(detail && { detail }) });
  try {
    const found = await groupOf(intent.group, edge);
    if (typeof found === 'string') {
      await audit('refused', found);
      await edge.answer(errorMessage(found));
      return;
    }
    if (!(await allowed(p, edge))) {
      await audit('denied');
      await edge.answer(simpleMessage(icon('denied'), ' ', ...denial(edge)));
      return;
    }
    const store = services.alerts!.store;
    if (!intent.confirmed) {
      const s = found.silence;
      if (!s || s.id !== intent.silence) {
        await edge.answer(simpleMessage(icon('info'), ' ', 'This silence is not on the alert any more (already expired).'));
        return;
      }
      await prompt(p, edge, `Expire silence ${intent.silence} in ${s.via}? Alerts matching ${matchersText(silenceMatchers(found.commonLabels))} notify again.`, { label: 'Expire silence', intent: { ...intent, confirmed: true } });
      return;
    }
    const taken = await store.takeSilence(found.id, intent.silence);
    if (!taken) {
      await edge.answer(simpleMessage(icon('info'), ' ', 'This silence is not on the alert any more (already expired).'));
      return;
    }
    const target = services.config.targets.find((t) => t.name === taken.via);
    try {
      if (!target) throw new SilenceError(`target "${taken.via}" is no longer configured`);
      await client(target, edge).expire(intent.silence);
    } catch (error) {
      await store.restoreSilence(found.id, found.episode, taken);
      services.alerts!.wake();
      const text = error instanceof SilenceError ? error.message : lineText(describeErrorLine(error, services.log, { action: SILENCE_ACTION, user: p.user }));
      await audit('failed', text);
      await edge.answer(errorMessage(`Not expired: ${text}`));
      return;
    }
    services.alerts!.wake();
    await audit('expired');
    await edge.answer(simpleMessage(icon('done'), ` Silence ${intent.silence} expired in ${taken.via}: the alert notifies again.`));
  } catch (error) {
    const text = describeErrorLine(error, services.log, { action: `${SILENCE_ACTION}.expire`, user: p.user });
    await edge.answer(errorMessage(text)).catch(() => undefined);
  }
}

/** The group the value names, from the store (never the value), or why there is none. */
async function groupOf(id: number, edge: Edge): Promise<AlertGroup | string> {
  const alerts = edge.services.alerts;
  if (!alerts) return 'Alerts are not received by this bot (ALERTS_TOKEN is not set): nothing is silenced.';
  return (await alerts.store.get(id)) ?? `Alert group ${id} is not known to this bot: nothing is silenced.`;
}

async function allowed(p: Press, edge: Edge): Promise<boolean> {
  return await isAllowed(edge.services.config.access, SILENCE_ACTION, { user: p.user, channel: p.channel || undefined, inGroup: (group) => edge.inGroup(group, p.user) });
}

function denial(edge: Edge): Array<Span | string> {
  const who = askableFor(edge.services.config.access, SILENCE_ACTION);
  const names: Array<Span | string> = [...who.users.map((u) => mention(u))];
  if (names.length === 0) return [`You are not allowed to silence alerts: no access rule names ${SILENCE_ACTION} (add one under access:).`];
  return [`You are not allowed to silence alerts (${SILENCE_ACTION}); ask `, ...names.flatMap((n, i) => (i === 0 ? [n] : [', ', n])), '.'];
}

function client(target: Target, edge: Edge): AlertmanagerSilences {
  const t = target as unknown as ApiTarget;
  return new AlertmanagerSilences(target.name, { url: t.url, ...(t.headers && { headers: t.headers }) }, edge.services.secrets);
}

function matchersText(matchers: ReadonlyArray<{ name: string; value: string }>): string {
  return matchers.map((m) => `${m.name}="${m.value}"`).join(', ');
}

/** The group in the comment: its id and the start of Alertmanager's group key. */
function shortKey(g: AlertGroup): string {
  return `#${g.id} ${cutText(g.groupKey, 60)}`;
}

function lineText(l: string | Line): string {
  return typeof l === 'string' ? l : plainText(l);
}
