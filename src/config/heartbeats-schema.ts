// The `heartbeats:` section of chatops.yml: jobs that must call POST /heartbeats/<name> at least
// every `every`; one silent for `every + grace` is said in its channel (a dead-man switch), and
// with `declare: sevN` declares an incident once per outage (which needs an incidents: section).
import { z } from 'zod';
import { declareSeverity } from './declare-severity.ts';
import { showValue } from './show-value.ts';
import { DURATION_FORMS, parseDuration } from '../parse-duration.ts';
import type { ConfigProblem } from './config.ts';
import type { Severity } from '../incidents/ladder.ts';

export interface HeartbeatConfig {
  name: string;
  /** The longest expected time between two beats. */
  everyMs: number;
  /** How long past `every` a beat may be late before it is said to be missed. */
  graceMs: number;
  channel: string;
  /** The severity of the incident a missed heartbeat declares, once per outage; absent: never declares. */
  declare?: Severity;
}

export const MIN_HEARTBEAT_EVERY_MS = 10_000;
const MAX_HEARTBEATS = 200;
const HEARTBEAT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const HEARTBEAT_KEYS = ['every', 'grace', 'channel', 'declare'] as const;

const CHANNEL = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD (channel details -> bottom of the About tab)');

const duration = (least: number, leastText: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms < least) {
      ctx.addIssue({ code: 'custom', message: ms === undefined ? `not ${DURATION_FORMS}` : `at least ${leastText}` });
      return z.NEVER;
    }
    return ms;
  });

const heartbeatSchema = z.strictObject({
  every: duration(MIN_HEARTBEAT_EVERY_MS, '10s (a job beating more often is better watched by its own metrics)'),
  grace: duration(0, '0s'),
  channel: CHANNEL,
  declare: declareSeverity,
});

/**
 * The section read and checked: every problem (a bad name, unknown keys with the accepted ones, a
 * bad duration or channel, `declare` without an incidents: section when `hasIncidents` says so) is
 * told to `add`; a heartbeat with a problem is left out (the others are watched). Undefined when
 * the section is absent.
 */
export function parseHeartbeatsSection(raw: unknown, add: (keyPath: string, message: string) => void, hasIncidents?: boolean): HeartbeatConfig[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    add('heartbeats', `must be a mapping of heartbeat names to { ${HEARTBEAT_KEYS.join(', ')} } (got ${showValue(raw)})`);
    return undefined;
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_HEARTBEATS) add('heartbeats', `at most ${MAX_HEARTBEATS} heartbeats (got ${entries.length})`);
  const heartbeats: HeartbeatConfig[] = [];
  for (const [name, value] of entries.slice(0, MAX_HEARTBEATS)) {
    const at = `heartbeats.${name}`;
    const problems: ConfigProblem[] = [];
    if (!HEARTBEAT_NAME.test(name)) problems.push({ path: at, message: `a heartbeat name must be lowercase letters, digits, - or _ (at most 63), as it is the end of its URL /heartbeats/<name> (got ${showValue(name)})` });
    const parsed = heartbeatSchema.safeParse(value, { reportInput: true });
    if (!parsed.success) for (const issue of parsed.error.issues) problems.push(describe(name, issue));
    if (parsed.success && parsed.data.declare !== undefined && hasIncidents === false) problems.push({ path: `${at}.declare`, message: 'declares incidents, but there is no incidents: section (its channel and ladder); add one, or remove declare' });
    for (const p of problems) add(p.path, p.message);
    if (parsed.success && problems.length === 0) heartbeats.push({ name, everyMs: parsed.data.every, graceMs: parsed.data.grace, channel: parsed.data.channel, ...(parsed.data.declare !== undefined && { declare: parsed.data.declare }) });
  }
  return heartbeats;
}

function describe(name: string, issue: z.core.$ZodIssue): ConfigProblem {
  const path = ['heartbeats', name, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; accepted keys: ${HEARTBEAT_KEYS.join(', ')}` };
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    return { path, message: `must be a mapping with keys ${HEARTBEAT_KEYS.join(', ')} (got ${showValue(issue.input)})` };
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    const key = String(issue.path.at(-1));
    return { path, message: `${key} is required: ${key === 'channel' ? 'a Slack channel id like C0123ABCD' : DURATION_FORMS}` };
  }
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${showValue(issue.input)})` : '';
  return { path, message: `${issue.message}${got}` };
}
