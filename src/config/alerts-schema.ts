// The `alerts:` section of chatops.yml: where an Alertmanager alert group is posted (the first
// route whose label matchers all hold for the group's common labels), and which targets are
// diagnosed in the message's thread. Each route is a mapping of its own keys, so the keys still to
// come (runbook, silences) join it without changing its form. A route may declare an incident
// (declare: sevN, optionally only after declareAfter, resolved with the group when autoResolve).
import { z } from 'zod';
import { declareSeverity } from './declare-severity.ts';
import { showValue } from './show-value.ts';
import { DURATION_FORMS, parseDuration } from '../parse-duration.ts';
import type { ConfigProblem } from './config.ts';
import type { Severity } from '../incidents/ladder.ts';

/** A route: alerts whose common labels hold every matcher go to its channel. */
export interface AlertRoute {
  /** Label name -> the value it must equal; empty: every alert. */
  match: Record<string, string>;
  channel: string;
  /** Target names diagnosed in the alert message's thread, once per firing episode. */
  targets: string[];
  /** The severity of the incident declared once per firing episode; absent: never declares. */
  declare?: Severity;
  /** Declared only once the group has fired this long (ms); absent: at once. */
  declareAfterMs?: number;
  /** The incident is resolved when the alert group resolves (otherwise a person resolves it). */
  autoResolve: boolean;
  /** The alertmanager target its Silence buttons create silences in (needed when there are several). */
  silenceVia?: string;
}

export interface AlertsConfig {
  /** First match wins; an alert group no route takes is acknowledged and not posted. */
  routes: AlertRoute[];
  /**
   * A group that fires again within this long after it resolved is the same episode: its message
   * is updated and counts the flap; later, a new message is posted.
   */
  flapWindowMs: number;
}

export const DEFAULT_FLAP_WINDOW_MS = 60 * 60_000;
const MAX_ROUTES = 100;
const MAX_ROUTE_TARGETS = 8;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CHANNEL = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id like C0123ABCD (channel details -> bottom of the About tab)');
/** YAML reads `code: 500` as a number: a label value is text either way. */
const LABEL_VALUE = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)).pipe(z.string().max(1024, 'at most 1024 characters'));

const ROUTE_KEYS = ['match', 'channel', 'targets', 'declare', 'declareAfter', 'autoResolve', 'silenceVia'] as const;
const ALERTS_KEYS = ['routes', 'flapWindow'] as const;

const routeSchema = z.strictObject({
  match: z.record(z.string().regex(LABEL_NAME, 'a label name: letters, digits and _, not starting with a digit'), LABEL_VALUE).default({}),
  channel: CHANNEL,
  targets: z.array(z.string()).max(MAX_ROUTE_TARGETS, `at most ${MAX_ROUTE_TARGETS} targets are diagnosed per alert`).default([]),
  silenceVia: z.string().optional(),
  declare: declareSeverity,
  declareAfter: z.string().optional().transform((text, ctx) => {
    if (text === undefined) return undefined;
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `not ${DURATION_FORMS}`, input: text });
      return z.NEVER;
    }
    return ms;
  }),
  autoResolve: z.boolean().default(false),
});

const flapWindow = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 60_000) {
    ctx.addIssue({ code: 'custom', message: ms === undefined ? `not ${DURATION_FORMS}` : 'at least 1m' });
    return z.NEVER;
  }
  return ms;
});

const alertsSchema = z.strictObject({
  routes: z.array(routeSchema).max(MAX_ROUTES, `at most ${MAX_ROUTES} routes`).default([]),
  flapWindow: flapWindow.optional(),
});

/**
 * The section read and checked: every problem (unknown keys with the accepted ones, a bad channel,
 * a target that is not configured, `declare` without an incidents: section when `hasIncidents`
 * says so) is told to `add`; undefined when the section is absent or has
 * a problem (the bot then posts no alert rather than post one to the wrong place).
 */
export function parseAlertsSection(raw: unknown, targetNames: readonly string[], add: (keyPath: string, message: string) => void, hasIncidents?: boolean): AlertsConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const problems: ConfigProblem[] = [];
  const parsed = alertsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(describe(issue));
  } else {
    parsed.data.routes.forEach((route, i) => {
      // Without a severity to declare at, these say nothing: said rather than ignored.
      if (route.declare !== undefined && hasIncidents === false) problems.push({ path: `alerts.routes.${i}.declare`, message: 'declares incidents, but there is no incidents: section (its channel and ladder); add one, or remove declare' });
      if (route.declare === undefined && route.declareAfter !== undefined) problems.push({ path: `alerts.routes.${i}.declareAfter`, message: 'declareAfter without declare: add declare: sev1|sev2|sev3|sev4, or remove it' });
      if (route.declare === undefined && route.autoResolve) problems.push({ path: `alerts.routes.${i}.autoResolve`, message: 'autoResolve without declare: add declare: sev1|sev2|sev3|sev4, or remove it' });
      if (route.silenceVia !== undefined && !targetNames.includes(route.silenceVia)) {
        problems.push({ path: `alerts.routes.${i}.silenceVia`, message: `no target named "${route.silenceVia}"; configured: ${targetNames.join(', ') || 'none'}` });
      }
      for (const name of route.targets) {
        if (!targetNames.includes(name)) problems.push({ path: `alerts.routes.${i}.targets`, message: `no target named "${name}"; configured: ${targetNames.join(', ') || 'none'}` });
      }
    });
  }
  for (const p of problems) add(p.path, p.message);
  if (!parsed.success || problems.length > 0) return undefined;
  const routes = parsed.data.routes.map(({ declare, declareAfter, ...rest }): AlertRoute => ({
    ...rest,
    ...(declare !== undefined && { declare }),
    ...(declareAfter !== undefined && declareAfter > 0 && { declareAfterMs: declareAfter }),
  }));
  return { routes, flapWindowMs: parsed.data.flapWindow ?? DEFAULT_FLAP_WINDOW_MS };
}

function describe(issue: z.core.$ZodIssue): ConfigProblem {
  const keyPath = ['alerts', ...issue.path.map(String)];
  const path = keyPath.join('.');
  if (issue.code === 'unrecognized_keys') {
    // A route's keys, or the section's: which is told by the path's depth (alerts.routes.N).
    const accepted = issue.path.length === 2 && issue.path[0] === 'routes' ? ROUTE_KEYS : ALERTS_KEYS;
    return { path, message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}; accepted keys: ${accepted.join(', ')}` };
  }
  if (issue.code === 'invalid_key') {
    // zod says "Invalid key in record" whatever the key's own rule said.
    return { path, message: `not a label name: letters, digits and _, not starting with a digit (got ${showValue(issue.path.at(-1))})` };
  }
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${showValue(issue.input)})` : '';
  return { path, message: `${issue.message}${got}` };
}
