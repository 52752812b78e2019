// Access at press time: a destructive action runs only for a user a rule names directly, through
// one of the rule's user groups, or in one of its channels. No rule, no run.
import type { AccessRule } from '../config/config.ts';

export interface Presser {
  user: string;
  channel: string | undefined;
  /** Whether the user is in a Slack user group (asked only when a rule names groups). */
  inGroup(group: string): Promise<boolean>;
}

export function rulesFor(rules: readonly AccessRule[], actionId: string): AccessRule[] {
  return rules.filter((r) => r.pattern === actionId || (r.pattern.endsWith('.*') && actionId.startsWith(r.pattern.slice(0, -1))));
}

export async function isAllowed(rules: readonly AccessRule[], actionId: string, presser: Presser): Promise<boolean> {
  for (const rule of rulesFor(rules, actionId)) {
    if (rule.users.includes(presser.user)) return true;
    if (presser.channel && rule.channels.includes(presser.channel)) return true;
    for (const group of rule.groups) if (await presser.inGroup(group)) return true;
  }
  return false;
}

/** Who the rules for an action name: users, user groups and channels, each once (for "ask ..." answers). */
export function askableFor(rules: readonly AccessRule[], actionId: string): { users: string[]; groups: string[]; channels: string[] } {
  const matching = rulesFor(rules, actionId);
  const unique = (values: string[]) => [...new Set(values)];
  return { users: unique(matching.flatMap((r) => r.users)), groups: unique(matching.flatMap((r) => r.groups)), channels: unique(matching.flatMap((r) => r.channels)) };
}
