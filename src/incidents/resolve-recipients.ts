// Whom one ladder level pages, as a pure step over the incident's ladder snapshot and data fetched
// beforehand (members of user groups from Slack, who is on call): no I/O, so it runs inside the
// transaction that holds the incident's row lock. Data it lacks is named in `needs`; the caller
// fetches it outside any transaction and asks again.
import type { LadderSnapshot } from './ladder.ts';
import type { PageRecipient } from './pager.ts';

type Step = LadderSnapshot['steps'][number];

/** What was fetched before the transaction. */
export interface RecipientData {
  /** Members of a user group, or why Slack could not say. */
  groupMembers: Map<string, { members: string[] } | { error: string }>;
  /** Who is on call per rotation at the firing time (undefined: nobody). */
  onCall: Map<string, string | undefined>;
}

export interface RecipientNeeds {
  groups: string[];
  rotations: string[];
}

export interface ResolvedRecipients {
  recipients: PageRecipient[];
  /** People paged (by DM or named in the channel), in the ladder's order. */
  users: string[];
  /** User groups named in the channel page. */
  groups: string[];
  /** Channels paged. */
  channels: string[];
  /** Why someone the level names cannot be paged: "rotation primary has nobody on call". */
  missing: string[];
}

export function emptyRecipientData(): RecipientData {
  return { groupMembers: new Map(), onCall: new Map() };
}

export function resolveRecipients(step: Step, incidentsChannel: string, data: RecipientData): { needs: RecipientNeeds } | { resolved: ResolvedRecipients } {
  const needs: RecipientNeeds = { groups: [], rotations: [] };
  const byDm = step.via.includes('dm');
  for (const r of step.notify) {
    if ('group' in r && byDm && !data.groupMembers.has(r.group)) needs.groups.push(r.group);
    if ('oncall' in r && !data.onCall.has(r.oncall)) needs.rotations.push(r.oncall);
  }
  if (needs.groups.length > 0 || needs.rotations.length > 0) return { needs };

  const users = new Set<string>();
  const groups: string[] = [];
  const channels: string[] = [];
  const missing = (step.unresolvedRoles ?? []).map((r) => `role ${r} is not defined in incidents.roles`);
  for (const r of step.notify) {
    if ('user' in r) users.add(r.user);
    else if ('channel' in r) channels.push(r.channel);
    else if ('group' in r) {
      groups.push(r.group);
      const members = byDm ? data.groupMembers.get(r.group) : undefined;
      if (members && 'members' in members) for (const u of members.members) users.add(u);
      else if (members) missing.push(`members of user group ${r.group} could not be read (${members.error})`);
    } else {
      const user = data.onCall.get(r.oncall);
      if (user) users.add(user);
      else missing.push(`rotation ${r.oncall} has nobody on call`);
    }
  }
  const recipients: PageRecipient[] = [];
  if (byDm) for (const u of users) recipients.push({ dm: u });
  if (step.via.includes('mention') && users.size + groups.length > 0) recipients.push({ channel: incidentsChannel, mentions: { users: [...users], groups: [...groups] }, ...(step.broadcast && { broadcast: step.broadcast }) });
  for (const c of channels) recipients.push({ channel: c, mentions: { users: [], groups: [] }, ...(step.broadcast && { broadcast: step.broadcast }) });
  return { resolved: { recipients, users: [...users], groups, channels, missing } };
}
