// The escalation ladder's pre-flight check: every Slack id the ladder can page (directly, through a
// role or an on-call rotation) is looked up, so that a deactivated lead or an empty rotation is
// found before an incident needs them rather than during one.
import type { Config } from '../config/config.ts';
import type { Rotation } from '../oncall/rotation.ts';
import { formatDuration, plural } from '../probes/format.ts';
import { SEVERITIES, severityLabel, type ResolvedRecipient, type Severity } from './ladder.ts';
import type { DirectoryGroup, DirectoryUser, SlackDirectory } from './slack-directory.ts';

export interface LadderLevel {
  severity: Severity;
  /** The step's label: "on-call", "team lead". */
  step: string;
  afterMs: number;
  /** Set when the step pages in working hours only. */
  during?: 'working-hours';
  /** Who would be paged: user ids, `group S…`, `rotation primary (2 members)`, `channel C…`. */
  receivers: string[];
}

export interface LadderCheck {
  /** One sentence each, naming the id and where the ladder uses it. */
  problems: string[];
  levels: LadderLevel[];
}

const INCIDENTS_NOT_CONFIGURED =
  'incidents are not configured: add incidents.channel (the channel id where incidents are announced) to the config to use /incident and the escalation ladder';

/** Where the ladder uses one role, rotation, user or group. */
interface Use {
  /** Step label -> the severities whose ladder has it. */
  steps: Map<string, Severity[]>;
  roles: Set<string>;
  rotations: Set<string>;
}

/** Whether a recipient can be paged: who it reaches, or why nobody. */
type Reach = { receivers: string[] } | { reason: string };

export async function checkLadder(config: Config, directory: SlackDirectory): Promise<LadderCheck> {
  const incidents = config.incidents;
  if (!incidents) return { problems: [INCIDENTS_NOT_CONFIGURED], levels: [] };
  // toIncidentsConfig has already put the default ladder here when the config has none.
  const ladder = incidents.ladder;
  const rotations = new Map<string, Rotation>(config.oncall.rotations.map((r) => [r.name, r]));

  const uses = new Map<string, Use>();
  const use = (key: string): Use => {
    let u = uses.get(key);
    if (!u) uses.set(key, (u = { steps: new Map(), roles: new Set(), rotations: new Set() }));
    return u;
  };
  const usePerson = (p: ResolvedRecipient, add: (u: Use) => void): void => {
    if ('user' in p) add(use(`user:${p.user}`));
    else if ('group' in p) add(use(`group:${p.group}`));
  };
  for (const severity of SEVERITIES) {
    for (const step of ladder[`sev${severity}`].steps) {
      const atStep = (u: Use): void => {
        const severities = u.steps.get(step.label) ?? [];
        if (!severities.includes(severity)) severities.push(severity);
        u.steps.set(step.label, severities);
      };
      for (const r of step.notify) {
        if ('role' in r) {
          atStep(use(`role:${r.role}`));
          for (const p of incidents.roles[r.role] ?? []) usePerson(p, (u) => u.roles.add(r.role));
        } else if ('oncall' in r) {
          atStep(use(`rotation:${r.oncall}`));
          for (const m of rotations.get(r.oncall)?.members ?? []) use(`user:${m}`).rotations.add(r.oncall);
        } else usePerson(r, atStep);
      }
    }
  }

  const userAnswers = new Map<string, DirectoryUser>();
  const groupAnswers = new Map<string, DirectoryGroup>();
  await Promise.all(
    [...uses.keys()].map(async (key) => {
      const [kind, id] = splitKey(key);
      if (kind === 'user') userAnswers.set(id, await directory.user(id));
      else if (kind === 'group') groupAnswers.set(id, await directory.groupMembers(id));
    }),
  );

  const reachUser = (id: string): Reach => {
    const a = userAnswers.get(id);
    if (!a) return { reason: `user ${id} was not looked up` };
    if (!a.ok) {
      return a.problem === 'not-found'
        ? { reason: `user ${id} is not a Slack user (${a.detail})` }
        : { reason: `user ${id} cannot be looked up (${a.detail}${a.fix ? `: ${a.fix}` : ''})` };
    }
    if (a.deleted) return { reason: `user ${id}${a.name ? ` (@${a.name})` : ''} is deactivated` };
    return { receivers: [id] };
  };
  const reachGroup = (id: string): Reach => {
    const a = groupAnswers.get(id);
    if (!a) return { reason: `user group ${id} was not looked up` };
    if (!a.ok) return { reason: `user group ${id} cannot be read (${a.detail}${a.fix ? `: ${a.fix}` : ''})` };
    if (a.members.length === 0) return { reason: `user group ${id} has no members` };
    return { receivers: [`group ${id}`] };
  };
  const reachPerson = (p: ResolvedRecipient): Reach => ('user' in p ? reachUser(p.user) : 'group' in p ? reachGroup(p.group) : { receivers: [] });
  const reachRole = (name: string): Reach => {
    const people = incidents.roles[name];
    if (!people || people.length === 0) return { reason: `role ${name} is not defined in incidents.roles` };
    return combine(people.map(reachPerson), `role ${name}`);
  };
  const reachRotation = (name: string): Reach => {
    const rotation = rotations.get(name);
    if (!rotation) return { reason: `rotation ${name} is not defined in oncall.rotations` };
    if (rotation.members.length === 0) return { reason: `rotation ${name} has no members` };
    const reached = combine(rotation.members.map(reachUser), `rotation ${name}`);
    // Its members take turns: the level reaches whoever is on call, not all of them.
    return 'reason' in reached ? reached : { receivers: [`rotation ${name} (${plural(reached.receivers.length, 'member')})`] };
  };

  const levels: LadderLevel[] = [];
  const levelProblems: string[] = [];
  for (const severity of SEVERITIES) {
    for (const step of ladder[`sev${severity}`].steps) {
      const reaches = step.notify.map((r): Reach =>
        'role' in r ? reachRole(r.role) : 'oncall' in r ? reachRotation(r.oncall) : 'channel' in r ? { receivers: [`channel ${r.channel}`] } : reachPerson(r),
      );
      const receivers = [...new Set(reaches.flatMap((x) => ('receivers' in x ? x.receivers : [])))];
      levels.push({ severity, step: step.label, afterMs: step.afterMs, ...(step.during && { during: step.during }), receivers });
      if (receivers.length === 0) {
        const reasons = reaches.flatMap((x) => ('reason' in x ? [x.reason] : []));
        levelProblems.push(`${severityLabel(severity)} step '${step.label}' (${describeStepTime(step.afterMs, step.during)}): nobody can receive it: ${reasons.join('; ')}`);
      }
    }
  }

  const idProblems: string[] = [];
  for (const [key, u] of uses) {
    const [kind, id] = splitKey(key);
    let reach: Reach | undefined;
    if (kind === 'user') reach = reachUser(id);
    else if (kind === 'group') reach = reachGroup(id);
    else if (kind === 'role') {
      // A defined role's people are reported one by one.
      if (!incidents.roles[id]?.length) reach = reachRole(id);
    } else {
      const rotation = rotations.get(id);
      if (!rotation || rotation.members.length === 0) reach = reachRotation(id);
    }
    if (reach && 'reason' in reach) idProblems.push(`${reach.reason}; used ${where(u)}`);
  }
  return { problems: [...levelProblems, ...idProblems], levels };
}

/** Log lines for the bot's start: one warning per problem, none when the ladder is sound. */
export function describeLadderCheck(check: LadderCheck): string[] {
  return check.problems.map((p) => `escalation ladder: ${p}`);
}

/** When a step pages, counted from the declaration: "at once", "after 1 h", "after 4 h, in working hours". */
export function describeStepTime(afterMs: number, during?: 'working-hours'): string {
  const when = afterMs <= 0 ? 'at once' : `after ${formatDuration(afterMs / 1000)}`;
  return during === 'working-hours' ? `${when}, in working hours` : when;
}

/** Reachable if any part is; otherwise every part's reason, under `label`. */
function combine(reaches: Reach[], label: string): Reach {
  const receivers = reaches.flatMap((x) => ('receivers' in x ? x.receivers : []));
  if (receivers.length > 0) return { receivers };
  return { reason: `${label}: ${reaches.flatMap((x) => ('reason' in x ? [x.reason] : [])).join(', ')}` };
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf(':');
  return [key.slice(0, at), key.slice(at + 1)];
}

/** "at step 'team lead' of SEV-1 and SEV-2, in role team-lead". */
function where(u: Use): string {
  const parts: string[] = [];
  for (const [label, severities] of u.steps) parts.push(`at step '${label}' of ${list(severities.map(severityLabel))}`);
  if (u.roles.size > 0) parts.push(`in ${u.roles.size === 1 ? 'role' : 'roles'} ${list([...u.roles])}`);
  if (u.rotations.size > 0) parts.push(`in ${u.rotations.size === 1 ? 'rotation' : 'rotations'} ${list([...u.rotations])}`);
  return parts.join(', ');
}

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
