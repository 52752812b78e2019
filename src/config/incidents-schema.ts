// The `incidents:` and `oncall:` sections of chatops.yml: where incidents are announced, who the
// ladder's roles are, the working hours, the ladder itself (per severity; a severity the config
// leaves out keeps the guides' ladder), and on-call rotations.
import { z } from 'zod';
import { isTimeZone } from './is-time-zone.ts';
import { defaultLadder, SEVERITIES, type LadderConfig, type LadderStep, type ResolvedRecipient } from '../incidents/ladder.ts';
import { DEFAULT_WORKING_HOURS, WEEKDAYS, type WorkingHours } from '../incidents/working-hours.ts';
import type { Rotation } from '../oncall/rotation.ts';
import type { AccessRule } from './config.ts';
import { DURATION_FORMS, parseDuration } from '../parse-duration.ts';

const USER = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack user id like U0123ABCD');
const GROUP = z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id like S0123ABCD');
const CHANNEL = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD');
const NAME = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, - or _');
const LOCAL_TIME = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a local time like 09:00');
const TIME_ZONE = z.string().refine(isTimeZone, { error: 'not an IANA time zone (e.g. "Europe/Berlin", "UTC")' });

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
  during: z.enum(['any-time', 'working-hours']).default('any-time'),
});

const severity = z.strictObject({ ackWithin: duration, steps: z.array(step).min(1).max(20) });

const workingHours = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).min(1).default([...DEFAULT_WORKING_HOURS.days]),
    from: LOCAL_TIME.default(DEFAULT_WORKING_HOURS.from),
    to: LOCAL_TIME.default(DEFAULT_WORKING_HOURS.to),
    timezone: TIME_ZONE.default(DEFAULT_WORKING_HOURS.timezone),
  })
  .superRefine((hours, ctx) => {
    if (hours.to <= hours.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], input: hours.to, message: `ends before it starts: working hours run from "from" (${hours.from}) to a later "to" on the same day` });
    }
  });

export const incidentsSchema = z.strictObject({
  channel: CHANNEL,
  dedicatedChannels: z.boolean().default(false),
  roles: z.record(NAME, z.union([person, z.array(person).min(1)])).default({}),
  workingHours: workingHours.optional(),
  ladder: z.strictObject({ sev1: severity.optional(), sev2: severity.optional(), sev3: severity.optional(), sev4: severity.optional() }).optional(),
});

const rotation = z.strictObject({
  members: z.array(USER).default([]),
  every: z.enum(['daily', 'weekly']).default('weekly'),
  handoff: LOCAL_TIME.default('09:00'),
  timezone: TIME_ZONE.default('UTC'),
  start: z.string().regex(/^\d{4}-\d\d-\d\d$/, 'a date like 2026-01-05'),
});

export const oncallSchema = z.strictObject({ rotations: z.record(NAME, rotation).default({}) });

export interface IncidentsConfig {
  /** Channel id where incidents are announced and kept up to date. */
  channel: string;
  dedicatedChannels: boolean;
  /** Role name -> the people it stands for. */
  roles: Record<string, ResolvedRecipient[]>;
  /** Each severity's ladder: the configured one, or the guides' default. */
  ladder: LadderConfig;
  /** When steps marked `during: working-hours` may page. */
  workingHours: WorkingHours;
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
    ...(s.during === 'working-hours' && { during: 'working-hours' as const }),
  });
  // A severity the config leaves out keeps its default ladder.
  const ladder = defaultLadder();
  for (const sev of SEVERITIES) {
    const own = raw.ladder?.[`sev${sev}`];
    if (own) ladder[`sev${sev}`] = { ackWithinMs: own.ackWithin, steps: own.steps.map(toStep) };
  }
  const roles = Object.fromEntries(Object.entries(raw.roles).map(([name, r]) => [name, Array.isArray(r) ? r : [r]]));
  return {
    channel: raw.channel, dedicatedChannels: raw.dedicatedChannels, roles, ladder, workingHours: raw.workingHours ?? { ...DEFAULT_WORKING_HOURS },
    access: access.filter((r) => r.pattern.startsWith('incident.')),
  };
}

export function toRotations(raw: z.infer<typeof oncallSchema>): Rotation[] {
  return Object.entries(raw.rotations).map(([name, r]) => ({ name, ...r }));
}

