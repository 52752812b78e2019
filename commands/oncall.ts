// /oncall [list] | override <@user> <duration> [rotation]: who is on call now and next, and
// putting someone else on call for a while (for users `access.oncall.override` names).
import { isAllowed, rulesFor } from '../src/actions/authorize-action.ts';
import type { AppServices } from '../src/app-services.ts';
import { OverrideStore } from '../src/oncall/override-store.ts';
import { nextShifts, onCallAt, type OnCallShift, type Rotation } from '../src/oncall/rotation.ts';
import { DURATION_FORMS, parseDuration } from '../src/parse-duration.ts';
import { channel, code, command, date, group, icon, joinLines, section, simpleMessage, spans, strong, text, user, type Line, type Message, type Span } from '../src/message/message.ts';
import type { CommandSource } from '../src/slash-command.ts';
import type { ChatCommand } from './parts/chat-command.ts';
import { UserError } from '../src/user-error.ts';

const OVERRIDE = 'override @user <duration> [rotation]';
/** How to call /oncall where it is typed: a terminal cannot set an override. */
function usage(source: CommandSource): Line {
  if (source === 'cli') return spans(command('oncall'), ' or ', command('oncall', 'list'));
  return spans(command('oncall'), ', ', command('oncall', 'list'), ' or ', command('oncall', OVERRIDE));
}
const MIN_OVERRIDE_MS = 60_000;
const MAX_OVERRIDE_MS = 14 * 86_400_000;
// Overrides last 14 days at most and shifts 7: this window holds every one that can shape
// "now" and "next".
const LOOK_BACK_MS = 15 * 86_400_000;
const LOOK_AHEAD_MS = 30 * 86_400_000;
// Slack sends a mention in command text as <@U123|alice>, or <@U123> without the name.
const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

export const oncallCommand: ChatCommand = {
  name: '/oncall',
  description: 'Who is on call now and next; put someone else on call for a while',
  usageHint: `list | ${OVERRIDE}`,
  terminalUsageHint: '[list]',
  slackOnly: ['override'],
  async run({ text, userId, channelId, reply, services, inGroup }) {
    const [sub = '', ...args] = text.trim().split(/\s+/).filter(Boolean);
    const rotations = services.config.oncall.rotations;
    if (sub === '' || sub === 'list') {
      await reply.ephemeral(rotations.length === 0 ? howToConfigure(services.config.source) : onCallMessage(await shiftsOf(services, rotations, new Date()), services.config.source));
      return;
    }
    if (sub === 'help') {
      await reply.ephemeral(simpleMessage('Use ', ...usage(reply.source), '.'));
      return;
    }
    if (sub !== 'override') throw new UserError(spans(`unknown subcommand "${sub}"; use `, ...usage(reply.source)));
    if (reply.source === 'cli') {
      // Who gets paged is changed by a Slack user the access rules name; pages go out through Slack.
      throw new UserError(spans('an on-call override is set in Slack (', code('/oncall override @user <duration>'), '), by a user ', code('access.oncall.override'), ' names; the terminal shows the rotations: ', command('oncall')));
    }

    const [who, durationText, rotationName, ...extra] = args;
    if (!who || !durationText || extra.length > 0) throw new UserError(spans('usage: ', command('oncall', OVERRIDE), ', e.g. ', command('oncall', 'override @alice 4h')));
    const person = MENTION.exec(who)?.[1];
    if (!person) {
      // Without "escape users" on the command, Slack sends the name as typed, not the user id.
      const hint = who.startsWith('@') ? spans(' (if you did, the app needs should_escape: true for /oncall, see manifest.yml)') : [];
      throw new UserError(spans(`"${who}" is not a Slack user: mention them, e.g. `, command('oncall', 'override @alice 4h'), ...hint));
    }
    const ms = parseDuration(durationText);
    if (ms === undefined || ms < MIN_OVERRIDE_MS || ms > MAX_OVERRIDE_MS) {
      throw new UserError(`"${durationText}" is not a valid override duration: use ${DURATION_FORMS}, from 1m to 14d`);
    }
    const rotation = pickRotation(services, rotations, rotationName);

    if (!(await isAllowed(services.config.access, 'oncall.override', { user: userId, channel: channelId, inGroup }))) {
      await reply.ephemeral(simpleMessage(icon('denied'), ' You may not set on-call overrides: ', ...whoMay(services), '.'));
      return;
    }

    const store = new OverrideStore(services.pool);
    const startsAt = new Date();
    const replaced = onCallAt(rotation, startsAt, await store.active(rotation.name, startsAt));
    const stored = await store.add({ rotation: rotation.name, user: person, startsAt, endsAt: new Date(startsAt.getTime() + ms), createdBy: userId });
    await services.audit.record({
      actor: userId, channel: channelId, source: 'slack', action: 'oncall.override', target: rotation.name,
      params: { user: person, duration: durationText }, outcome: 'succeeded',
    });
    const instead = replaced && replaced.user !== person ? [', instead of ', user(replaced.user)] : [];
    await reply.post(simpleMessage(icon('pager'), ' ', user(person), ` is on call for ${rotation.name} until `, date(stored.endsAt), ...instead, ', set by ', user(userId), '.'));
  },
};

function pickRotation(services: AppServices, rotations: readonly Rotation[], name: string | undefined): Rotation {
  if (rotations.length === 0) throw new UserError(`no on-call rotations are configured (${services.config.source}); add them under oncall.rotations`);
  const names = rotations.map((r) => r.name).join(', ');
  if (name === undefined) {
    if (rotations.length === 1) return rotations[0]!;
    throw new UserError(`name the rotation: ${names}`);
  }
  const rotation = rotations.find((r) => r.name === name);
  if (!rotation) throw new UserError(`unknown rotation "${name}"; configured: ${names}`);
  return rotation;
}

/** The shifts of each rotation that shape "now" and "next" (overrides included). */
async function shiftsOf(services: Pick<AppServices, 'pool'>, rotations: readonly Rotation[], now: Date): Promise<RotationShifts[]> {
  const store = new OverrideStore(services.pool);
  const out: RotationShifts[] = [];
  for (const rotation of rotations) {
    const overrides = await store.covering(rotation.name, new Date(now.getTime() - LOOK_BACK_MS), new Date(now.getTime() + LOOK_AHEAD_MS));
    out.push({ rotation, shifts: nextShifts(rotation, now, overrides, 2) });
  }
  return out;
}

export interface RotationShifts {
  rotation: Rotation;
  /** The current shift, then the next. */
  shifts: readonly OnCallShift[];
}

/** Each rotation: who is on call now, until when, and who is next from when. `source`: the config file. */
export function onCallMessage(rotations: readonly RotationShifts[], source: string): Message {
  const title = spans(strong('On call'));
  const items = rotations.map((r) => rotationLine(r.rotation, r.shifts, source));
  return { notification: title, blocks: [section({ type: 'line', spans: title }, { type: 'list', items })] };
}

/** "primary (weekly, handoff 09:00 Europe/Berlin): @alice until <date>; next @bob from <date>" */
function rotationLine(r: Rotation, [current, next]: readonly OnCallShift[], source: string): Line {
  const head = spans(strong(r.name), ` (${r.every}, handoff ${r.handoff} ${r.timezone}): `);
  if (!current) return [...head, text(`no members; add Slack user ids under oncall.rotations.${r.name}.members (${source})`)];
  const after = next ? spans('; next ', ...shiftSpans(next), ' from ', date(next.from)) : [];
  return [...head, ...shiftSpans(current), text(' until '), date(current.until), ...after];
}

function shiftSpans(s: OnCallShift): Span[] {
  return s.override ? [user(s.user), text(' (override, set by '), user(s.override.createdBy), text(')')] : [user(s.user)];
}

/** No rotations yet: where to add them, with an example. */
export function howToConfigure(source: string): Message {
  const intro = spans(`No on-call rotations are configured (${source}). Add them under `, code('oncall.rotations'), ', e.g.:');
  const example = ['oncall:', '  rotations:', '    primary:', '      members: [U0123ABCD, U0456EFGH]', '      every: weekly', '      handoff: "09:00"', '      timezone: Europe/Berlin', '      start: "2026-01-05"'];
  return { notification: intro, blocks: [section({ type: 'line', spans: intro }, { type: 'code', lines: example })] };
}

/** "ask @U1 or a member of @S1, or run it in #C1", from the oncall.override rules. */
function whoMay(services: Pick<AppServices, 'config'>): Span[] {
  const rules = rulesFor(services.config.access, 'oncall.override');
  const people = [...rules.flatMap((r) => r.users).map((u) => [user(u)]), ...rules.flatMap((r) => r.groups).map((g) => [text('a member of '), group(g)])];
  const channels = rules.flatMap((r) => r.channels).map((c) => [channel(c)]);
  const parts = [...(people.length ? [[text('ask '), ...joinLines(people, ' or ')]] : []), ...(channels.length ? [[text('run it in '), ...joinLines(channels, ' or ')]] : [])];
  return parts.length ? joinLines(parts, ', or ') : [text(`no one may: add a rule under access.oncall.override (${services.config.source})`)];
}
