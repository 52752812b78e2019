// Who may do what to an incident. The incident's commander and everyone paged for it (a DM, a
// mention, or a member of a user group mentioned in a page) may always acknowledge, resolve,
// escalate, change the severity and add notes: they are the people working on it. For everyone
// else, `access.incident.<operation>` rules decide when one names the operation (`incident.*`
// names them all); without a rule, any member may declare, acknowledge and add notes, and nobody
// else may resolve, escalate or change the severity.
import { askableFor, isAllowed, rulesFor } from '../actions/authorize-action.ts';
import type { AccessRule } from '../config/config.ts';
import { channel, group, joinLines, spans, text, user, type Line } from '../message/message.ts';
import { UserError } from '../user-error.ts';
import { incidentRef } from './incident.ts';
import { storedMentions, type PageRecipient } from './pager.ts';
import { isPerson } from './commander.ts';

export const INCIDENT_OPERATIONS = ['declare', 'ack', 'resolve', 'escalate', 'sev', 'note'] as const;
export type IncidentOperation = (typeof INCIDENT_OPERATIONS)[number];

/** Access rule ids: `incident.declare`, ... (`incident.*` matches them all). */
export const INCIDENT_ACCESS_IDS: readonly string[] = INCIDENT_OPERATIONS.map((op) => `incident.${op}`);

/** Operations any member may do when no rule names them. */
const OPEN_BY_DEFAULT: ReadonlySet<IncidentOperation> = new Set(['declare', 'ack', 'note']);

/** Who acts, and where (a rule may grant an operation to anyone in a channel). */
export interface IncidentActor {
  user: string;
  channel?: string;
}

/** People paged for an incident: DM recipients and mentioned users, and the user groups mentioned. */
export interface PagedPeople {
  users: string[];
  groups: string[];
}

/** Who could do it instead, for the transport to name: structured, no markup. */
export interface IncidentAskable {
  commander?: string;
  /** Users paged for the incident (the first few). */
  paged: string[];
  /** User groups mentioned by its pages. */
  pagedGroups: string[];
  /** What the access rules for the operation name. */
  users: string[];
  groups: string[];
  channels: string[];
}

const VERBS: Record<IncidentOperation, string> = {
  declare: 'declare incidents',
  ack: 'acknowledge',
  resolve: 'resolve',
  escalate: 'escalate',
  sev: 'change the severity of',
  note: 'add notes to',
};

/** Refused by the access rules. Its message is plain text; transports render `askable` themselves. */
export class IncidentAccessDenied extends UserError {
  override name = 'IncidentAccessDenied';
  readonly operation: IncidentOperation;
  readonly incident: number | undefined;
  readonly askable: IncidentAskable;

  constructor(operation: IncidentOperation, incident: number | undefined, askable: IncidentAskable) {
    super(spans(`${deniedSentence(operation, incident)} (`, ...askWhomLine(askable), ')'));
    this.operation = operation;
    this.incident = incident;
    this.askable = askable;
  }
}

/** "You are not allowed to resolve INC-3" */
export function deniedSentence(operation: IncidentOperation, incident: number | undefined): string {
  return `You are not allowed to ${VERBS[operation]}${incident === undefined ? '' : ` ${incidentRef(incident)}`}`;
}

/** "ask @U1 (commander) or @U2 (paged) or a member of @S1, or do it in #C1": people, groups and channels by id. */
export function askWhomLine(a: IncidentAskable): Line {
  const people: Line[] = [
    ...(a.commander ? [spans(user(a.commander), ' (commander)')] : []),
    ...a.paged.map((u) => spans(user(u), ' (paged)')),
    ...a.users.map((u) => spans(user(u))),
    ...[...a.pagedGroups, ...a.groups].map((g) => spans('a member of ', group(g))),
  ];
  const parts: Line[] = [
    ...(people.length ? [spans('ask ', ...joinLines(people, ' or '))] : []),
    ...(a.channels.length ? [spans('do it in ', ...joinLines(a.channels.map((c) => [channel(c)]), ' or '))] : []),
  ];
  return parts.length ? joinLines(parts, ', or ') : spans('no one may: add a rule under access in the bot\'s config');
}

export interface AccessCheck {
  rules: readonly AccessRule[];
  operation: IncidentOperation;
  actor: IncidentActor;
  /** Absent for a declaration. */
  incident?: { id: number; commander: string };
  /** The incident's paged people (read only when the decision needs them). */
  paged?: () => Promise<PagedPeople>;
  groupMembers(group: string): Promise<string[]>;
}

/** Resolves when allowed; throws IncidentAccessDenied otherwise. */
export async function checkIncidentAccess(c: AccessCheck): Promise<void> {
  const id = `incident.${c.operation}`;
  const { user } = c.actor;
  if (c.incident && c.incident.commander === user) return;
  const rules = rulesFor(c.rules, id);
  if (rules.length === 0 && OPEN_BY_DEFAULT.has(c.operation)) return;
  const inGroup = async (group: string) => (await c.groupMembers(group)).includes(user);
  if (rules.length > 0 && (await isAllowed(c.rules, id, { user, channel: c.actor.channel, inGroup }))) return;
  const paged = c.incident && c.paged ? await c.paged() : { users: [], groups: [] };
  if (paged.users.includes(user)) return;
  for (const group of paged.groups) if (await inGroup(group)) return;
  const fromRules = askableFor(c.rules, id);
  // An alert commanding the incident cannot be asked: it is not named.
  const commander = c.incident && isPerson(c.incident.commander) ? c.incident.commander : undefined;
  const pagedUsers = paged.users.filter((u) => u !== commander).slice(0, 5);
  throw new IncidentAccessDenied(c.operation, c.incident?.id, {
    ...(commander && { commander }),
    paged: pagedUsers,
    pagedGroups: paged.groups,
    users: fromRules.users.filter((u) => u !== commander && !pagedUsers.includes(u)),
    groups: fromRules.groups.filter((g) => !paged.groups.includes(g)),
    channels: fromRules.channels,
  });
}

/** Users and user groups named by an incident's page rows. */
export function pagedPeople(recipients: readonly PageRecipient[]): PagedPeople {
  const users = new Set<string>();
  const groups = new Set<string>();
  for (const r of recipients) {
    if ('dm' in r) users.add(r.dm);
    else if ('channel' in r) {
      const named = storedMentions(r.mentions);
      for (const u of named.users) users.add(u);
      for (const g of named.groups) groups.add(g);
    }
  }
  return { users: [...users], groups: [...groups] };
}

/** Escalate-now was pressed again too soon after an escalation: who escalated, to which level, when. */
export class EscalatedTooRecently extends UserError {
  override name = 'EscalatedTooRecently';
  readonly incident: number;
  /** Who pressed Escalate now; undefined when the ladder itself moved to that level. */
  readonly by: string | undefined;
  readonly to: string;
  readonly at: Date;
  /** When another escalation is accepted. */
  readonly againAt: Date;
  readonly ageSeconds: number;

  constructor(f: { incident: number; by: string | undefined; to: string; at: Date; againAt: Date; now: Date }) {
    const ageSeconds = Math.max(0, Math.round((f.now.getTime() - f.at.getTime()) / 1000));
    super(spans(`${incidentRef(f.incident)} was escalated ${ageSeconds} s ago `, ...(f.by ? [text('by '), user(f.by)] : [text('by its ladder')]),
      ` to ${f.to}; escalate again after ${f.againAt.toISOString().slice(11, 19)} UTC to go one more level`));
    this.incident = f.incident;
    this.by = f.by;
    this.to = f.to;
    this.at = f.at;
    this.againAt = f.againAt;
    this.ageSeconds = ageSeconds;
  }
}
