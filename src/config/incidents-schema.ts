// The `incidents:` and `oncall:` sections of chatops.yml: where incidents are announced, who the
// ladder's roles are, the ladder itself (default: the guides' ladder), and on-call rotations.
import { z } from 'zod';
import { isTimeZone } from './is-time-zone.ts';
import { defaultLadder, type LadderConfig, type LadderStep, type ResolvedRecipient } from '../incidents/ladder.ts';
import type { Rotation } from '../oncall/rotation.ts';
import type { AccessRule } from './config.ts';
import { DURATION_FORMS, parseDuration } from '../parse-duration.ts';

const USER = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like U0123ABCD');
const GROUP = z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like S0123ABCD');
const CHANNEL = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD');
const NAME = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - or _');

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `not ${DURATION_FORMS}` });
    return z.NEVER;
  }
  return ms;
});

const person = z.union([z.strictObject({ user: USER }), z.strictObject({ group: GROUP })]);
const recipient = z.union([
  z.strictObject({ user: USER }),
  z.strictObject({ group: GROUP }),
  z.strictObject({ channel: CHANNEL }),
  z.strictObject({ oncall: NAME }),
  z.strictObject({ role: NAME }),
]);

const step = z.strictObject({
  label: z.string().min(1).max(60),
  after: duration,
  notify: z.array(recipient).min(1),
  via: z.array(z.enum(['dm', 'mention'])).min(1).default(['dm', 'mention']),
  broadcast: z.enum(['here', 'channel']).optional(),
  until: z.enum(['acknowledged', 'resolved']),
  repeat: z.strictObject({ times: z.number().int().min(0).max(20), every: duration }).optional(),
});

const severity = z.strictObject({ ackWithin: duration, steps: z.array(step).min(1).max(20) });

export const incidentsSchema = z.strictObject({
  channel: CHANNEL,
  dedicatedChannels: z.boolean().default(false),
  roles: z.record(NAME, z.union([person, z.array(person).min(1)])).default({}),
  ladder: z.strictObject({ sev1: severity, sev2: severity, sev3: severity, sev4: severity }).optional(),
});

const rotation = z.strictObject({
  members: z.array(USER).default([]),
  every: z.enum(['daily', 'weekly']).default('weekly'),
  handoff: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time like 09:00').default('09:00'),
  timezone: z.string().refine(isTimeZone, { error: 'not an IANA time zone (e.g. "Europe/Berlin", "UTC")' }).default('UTC'),
  start: z.string().regex(/^\d{4}-\d\d-\d\d$/, 'a date like 2026-01-05'),
});

export const oncallSchema = z.strictObject({ rotations: z.record(NAME, rotation).default({}) });

export interface IncidentsConfig {
  /** Channel id where incidents are announced and kept up to date. */
  channel: string;
  dedicatedChannels: boolean;
  /** Role name -> the people it stands for. */
  roles: Record<string, ResolvedRecipient[]>;
  ladder: LadderConfig;
  /** The `access.incident.*` rules: who besides the commander and the paged people may act (see incident-access.ts). */
  access: AccessRule[];
}

export function toIncidentsConfig(raw: z.infer<typeof incidentsSchema>, access: readonly AccessRule[] = []): IncidentsConfig {
  const toStep = (s: z.infer<typeof step>): LadderStep => ({
    label: s.label,
    afterMs: s.after,
    notify: s.notify,
    via: s.via,
    ...(s.broadcast && { broadcast: s.broadcast }),
    until: s.until,
    repeat: s.repeat ? { times: s.repeat.times, everyMs: s.repeat.every } : { times: 0, everyMs: 0 },
  });
  const ladder: LadderConfig = raw.ladder
    ? {
        sev1: { ackWithinMs: raw.ladder.sev1.ackWithin, steps: raw.ladder.sev1.steps.map(toStep) },
        sev2: { ackWithinMs: raw.ladder.sev2.ackWithin, steps: raw.ladder.sev2.steps.map(toStep) },
        sev3: { ackWithinMs: raw.ladder.sev3.ackWithin, steps: raw.ladder.sev3.steps.map(toStep) },
        sev4: { ackWithinMs: raw.ladder.sev4.ackWithin, steps: raw.ladder.sev4.steps.map(toStep) },
      }
    : defaultLadder();
  const roles = Object.fromEntries(Object.entries(raw.roles).map(([name, r]) => [name, Array.isArray(r) ? r : [r]]));
  return { channel: raw.channel, dedicatedChannels: raw.dedicatedChannels, roles, ladder, access: access.filter((r) => r.pattern.startsWith('incident.')) };
}

export function toRotations(raw: z.infer<typeof oncallSchema>): Rotation[] {
  return Object.entries(raw.rotations).map(([name, r]) => ({ name, ...r }));
}

