// /oncall [list] | override <@user> <duration> [rotation]: who is on call now and next, and
// putting someone else on call for a while (for users `access.oncall.override` names).
import { isAllowed, rulesFor } from '../src/actions/authorize-action.ts';
import type { AppServices } from '../src/app-services.ts';
import { OverrideStore } from '../src/oncall/override-store.ts';
import { nextShifts, onCallAt, type OnCallShift, type Rotation } from '../src/oncall/rotation.ts';
import { DURATION_FORMS, parseDuration } from '../src/parse-duration.ts';
import { escapeMrkdwn, textMessage } from '../src/slack/message-blocks.ts';
import type { SlashCommand } from '../src/slash-command.ts';
import { UserError } from '../src/user-error.ts';

const USAGE = '`/oncall`, `/oncall list` or `/oncall override @user <duration> [rotation]`';
const MIN_OVERRIDE_MS = 60_000;
const MAX_OVERRIDE_MS = 14 * 86_400_000;
// Overrides last 14 days at most and shifts 7: this window holds every one that can shape
// "now" and "next".
const LOOK_BACK_MS = 15 * 86_400_000;
const LOOK_AHEAD_MS = 30 * 86_400_000;
// Slack sends a mention in command text as <@U123|alice>, or <@U123> without the name.
const MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/;

export const oncallCommand: SlashCommand = {
  name: '/oncall',
  description: 'Who is on call now and next; put someone else on call for a while',
  usageHint: 'list | override @user <duration> [rotation]',
  async run({ text, userId, channelId, reply, services, inGroup }) {
    const [sub = '', ...args] = text.trim().split(/\s+/).filter(Boolean);
    const rotations = services.config.oncall.rotations;
    if (sub === '' || sub === 'list') {
      await reply.ephemeral(textMessage(rotations.length === 0 ? howToConfigure(services) : await listText(services, rotations, new Date())));
      return;
    }
    if (sub === 'help') {
      await reply.ephemeral(textMessage(`Use ${USAGE}.`));
      return;
    }
    if (sub !== 'override') throw new UserError(`unknown subcommand "${sub}"; use ${USAGE}`);

    const [who, durationText, rotationName, ...extra] = args;
    if (!who || !durationText || extra.length > 0) throw new UserError('usage: /oncall override @user <duration> [rotation], e.g. /oncall override @alice 4h');
    const user = MENTION.exec(who)?.[1];
    if (!user) {
      // Without "escape users" on the command, Slack sends the name as typed, not the user id.
      const hint = who.startsWith('@') ? ' (if you did, the app needs should_escape: true for /oncall, see manifest.yml)' : '';
      throw new UserError(`"${who}" is not a Slack user: mention them, e.g. /oncall override @alice 4h${hint}`);
    }
    const ms = parseDuration(durationText);
    if (ms === undefined || ms < MIN_OVERRIDE_MS || ms > MAX_OVERRIDE_MS) {
      throw new UserError(`"${durationText}" is not a valid override duration: use ${DURATION_FORMS}, from 1m to 14d`);
    }
    const rotation = pickRotation(services, rotations, rotationName);

    if (!(await isAllowed(services.config.access, 'oncall.override', { user: userId, channel: channelId, inGroup }))) {
      await reply.ephemeral(textMessage(`:no_entry: You may not set on-call overrides: ${whoMay(services)}.`));
      return;
    }

    const store = new OverrideStore(services.pool);
    const startsAt = new Date();
    const replaced = onCallAt(rotation, startsAt, await store.active(rotation.name, startsAt));
    const stored = await store.add({ rotation: rotation.name, user, startsAt, endsAt: new Date(startsAt.getTime() + ms), createdBy: userId });
    await services.audit.record({
      actor: userId, channel: channelId, source: 'slack', action: 'oncall.override', target: rotation.name,
      params: { user, duration: durationText }, outcome: 'succeeded',
    });
    const instead = replaced && replaced.user !== user ? `, instead of <@${replaced.user}>` : '';
    await reply.post(textMessage(`:pager: <@${user}> is on call for ${rotation.name} until ${slackDate(stored.endsAt)}${instead}, set by <@${userId}>.`));
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

async function listText(services: AppServices, rotations: readonly Rotation[], now: Date): Promise<string> {
  const store = new OverrideStore(services.pool);
  const lines = ['*On call*'];
  for (const r of rotations) {
    const overrides = await store.covering(r.name, new Date(now.getTime() - LOOK_BACK_MS), new Date(now.getTime() + LOOK_AHEAD_MS));
    const [current, next] = nextShifts(r, now, overrides, 2);
    const schedule = `${r.every}, handoff ${r.handoff} ${escapeMrkdwn(r.timezone)}`;
    if (!current) {
      lines.push(`• *${r.name}* (${schedule}): no members; add Slack user ids under oncall.rotations.${r.name}.members (${escapeMrkdwn(services.config.source)})`);
      continue;
    }
    const after = next ? `; next ${shiftText(next)} from ${slackDate(next.from)}` : '';
    lines.push(`• *${r.name}* (${schedule}): ${shiftText(current)} until ${slackDate(current.until)}${after}`);
  }
  return lines.join('\n');
}

function shiftText(s: OnCallShift): string {
  return s.override ? `<@${s.user}> (override, set by <@${s.override.createdBy}>)` : `<@${s.user}>`;
}

function howToConfigure(services: AppServices): string {
  return [
    `No on-call rotations are configured (${escapeMrkdwn(services.config.source)}). Add them under \`oncall.rotations\`, e.g.:`,
    '```oncall:\n  rotations:\n    primary:\n      members: [U0123ABCD, U0456EFGH]\n      every: weekly\n      handoff: "09:00"\n      timezone: Europe/Berlin\n      start: "2026-01-05"```',
  ].join('\n');
}

/** "ask <@U1> or a member of <!subteam^S1>, or run it in <#C1>", from the oncall.override rules. */
function whoMay(services: AppServices): string {
  const rules = rulesFor(services.config.access, 'oncall.override');
  const users = rules.flatMap((r) => r.users);
  const groups = rules.flatMap((r) => r.groups);
  const channels = rules.flatMap((r) => r.channels);
  const people = [...users.map((u) => `<@${u}>`), ...groups.map((g) => `a member of <!subteam^${g}>`)];
  const parts = [...(people.length ? [`ask ${people.join(' or ')}`] : []), ...(channels.length ? [`run it in ${channels.map((c) => `<#${c}>`).join(' or ')}`] : [])];
  return parts.length ? parts.join(', or ') : `no one may: add a rule under access.oncall.override (${escapeMrkdwn(services.config.source)})`;
}

/** Shown in each reader's own time zone; the ISO time is the fallback. */
function slackDate(d: Date): string {
  return `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString()}>`;
}
