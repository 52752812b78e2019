// The alertmanager target an alert group's Silence buttons create silences in: the route's
// `silenceVia`, else the only alertmanager target configured. None (or several and no
// silenceVia): the message offers no Silence buttons.
import type { Config, Target } from '../config/config.ts';

const KINDS = new Set(['alertmanager', 'am']);

/** The access rules' action id for silencing an alert group and expiring its silence. */
export const SILENCE_ACCESS_ID = 'alerts.silence';

export function silenceTarget(config: Pick<Config, 'targets' | 'alerts'>, route: number | null): Target | undefined {
  const usable = config.targets.filter((t) => KINDS.has(t.kind) && !t.configProblem && typeof t.url === 'string');
  const via = route === null ? undefined : config.alerts?.routes[route]?.silenceVia;
  if (via !== undefined) return usable.find((t) => t.name === via);
  return usable.length === 1 ? usable[0] : undefined;
}

/** The group's common labels as Alertmanager equality matchers (what a silence from Slack silences). */
export function silenceMatchers(commonLabels: Record<string, string>): Array<{ name: string; value: string; isRegex: false; isEqual: true }> {
  return Object.entries(commonLabels)
    .filter(([name, value]) => value !== '' && !name.startsWith('__'))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}

/** 1h, 4h, or until resolved (0): the durations the buttons offer, in minutes. */
export const SILENCE_MINUTES = [60, 240, 0] as const;
/** "Until resolved" is a silence this long, expired by the bot when the group resolves. */
export const UNTIL_RESOLVED_MINUTES = 7 * 24 * 60;

export function silenceDuration(minutes: number): string {
  return minutes === 0 ? 'until resolved' : minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}
