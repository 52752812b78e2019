// How the engine reaches people, without knowing Slack: send a page, find out whether a page an
// interrupted delivery may have sent is already there, and keep the incident's own message and
// thread up to date. src/slack/ implements it over the Web API.
import type { Line } from '../message/message.ts';
import type { Incident } from './incident.ts';
import type { NextStep } from './next-step-line.ts';

/** The people a channel page names, by id: users, and user groups (a group mention notifies its members). */
export interface Mentions {
  users: string[];
  groups: string[];
}

/** Where one page goes. */
export type PageRecipient =
  /** A direct message to one person. */
  | { dm: string }
  /** A message in a channel naming the people paged, SEV-1 with @here. */
  | { channel: string; mentions: Mentions; broadcast?: 'here' | 'channel' }
  /**
   * A line in the incident's thread: a missed deadline, nobody to page, an undeliverable page.
   * Plain words, or a line of spans where it names people or channels.
   */
  | { thread: true; text: string | Line };

/**
 * The mentions of a stored channel page. Page rows written before mentions were ids hold them as
 * Slack mention strings (`<@U…>`, `<!subteam^S…|name>`); those are read back as ids.
 */
export function storedMentions(mentions: Mentions | readonly string[]): Mentions {
  if (!Array.isArray(mentions)) return mentions as Mentions;
  const out: Mentions = { users: [], groups: [] };
  for (const m of mentions as readonly string[]) {
    const user = /^<@([UW][A-Z0-9]+)>$/.exec(m)?.[1];
    const group = /^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$/.exec(m)?.[1];
    if (user) out.users.push(user);
    if (group) out.groups.push(group);
  }
  return out;
}

export interface OutgoingPage {
  /** Unique per incident, severity, ladder point and recipient: how a page is found again. */
  key: string;
  incident: Incident;
  /** The level paged: "on-call", "team lead". */
  label: string;
  recipient: PageRecipient;
  /** 0 for the first page of a step, 1.. for repeats. */
  attempt: number;
  /** The next level and when it will be paged, if nobody acts. */
  next?: NextStep;
  /** How late it leaves (the bot was down or Slack refused for a while). */
  lateMs: number;
  /** For an interrupted delivery: it cannot have reached Slack before this (where to start looking). */
  sentNotBefore?: Date;
}

export interface Delivered {
  channel: string;
  ts: string;
}

/** A delivery failure the engine can act on. */
export class PageError extends Error {
  override name = 'PageError';
  /** Slack asked to wait this long (429 Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** Retrying cannot help (unknown user, channel not found). */
  readonly permanent: boolean;

  constructor(message: string, options: { retryAfterMs?: number; permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
    this.permanent = options.permanent ?? false;
  }
}

export interface IncidentDisplay {
  incident: Incident;
  /**
   * Pages sent so far: the level ("on-call"), whom it reached (a DM's person, a channel page's
   * people and groups, in that channel), when; `point`: the ladder point it was sent for, so the
   * pages of one point are said on one line.
   */
  paged: Array<{ label: string; to: PageRecipient; at: Date; point?: string }>;
  /** When acknowledgement is due, while it is not acknowledged. */
  ackDueAt?: Date;
  next?: NextStep;
}

export interface Pager {
  send(page: OutgoingPage): Promise<Delivered>;
  /** A page with this key already in Slack (an interrupted delivery), or undefined. */
  findSent(page: OutgoingPage): Promise<Delivered | undefined>;
  /** Posts the incident's message in `channel`, or updates it when it exists. */
  showIncident(channel: string, display: IncidentDisplay): Promise<Delivered>;
  /** Creates the incident's own channel (`inc-42-api-down`) and invites the commander. */
  createIncidentChannel?(name: string, invite: string[]): Promise<string>;
}
