// What people do to incidents: declare, acknowledge, resolve, escalate now, change severity,
// add a note; and what they read: the open list and one incident's timeline. Each change is one
// transaction that bumps the incident's epoch (stale timers die) and arms its next ladder point;
// the Slack messages follow after the commit. Every operation is checked against who may do it
// (incident-access.ts) here, whichever transport asked; refusals are audited.
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { isUserError, UserError } from '../user-error.ts';
import { channel as channelSpan, plainText, spans, user, type Line } from '../message/message.ts';
import { storedTimelineLine } from './stored-timeline-line.ts';
import { cleanTypedText } from '../clean-command-text.ts';
import type { IncidentsConfig } from '../config/incidents-schema.ts';
import type { Clock } from './clock.ts';
import { ladderPoints, nextEscalation, pointsSkippedOnSeverityChange, type LadderPoint } from './escalation-plan.ts';
import { checkIncidentAccess, EscalatedTooRecently, IncidentAccessDenied, pagedPeople, type IncidentActor, type IncidentOperation, type PagedPeople } from './incident-access.ts';
import { currentLadder, incidentRef, type Incident } from './incident.ts';
import { IncidentStore } from './incident-store.ts';
import { SEVERITIES, severityLabel, snapshotLadder, type Severity } from './ladder.ts';
import type { Pager } from './pager.ts';
import type { AuditEntry, AuditTrail } from '../store/audit-log.ts';
import { commandingWords, isPerson, sourceCommander, type CommandingKind } from './commander.ts';
import { maskSecrets } from '../security/mask-secrets.ts';

export interface IncidentEvent {
  at: Date;
  actor?: string;
  kind: string;
  /** The plain words: people as @U…, channels as #C…. */
  text: string;
  /** The entry as spans: people, channels and user groups by id, for the edge to render (the service always sets it). */
  line?: Line;
}

/** A second "Escalate now" within this long of an escalation is refused (a double click, two people at once). */
export const ESCALATION_GUARD_MS = 30_000;

/** A Slack user id, or the user and the channel they act in. */
export type ActorInput = string | IncidentActor;

/** What the service needs of the escalation engine. */
export interface IncidentEnginePort {
  readonly clock: Clock;
  /** Posts or updates the incident's message (before the pages a change makes). */
  refreshIncidentMessage(id: number): Promise<void>;
  /** Something changed: look at the ladder now. */
  poke(): void;
}

export interface IncidentServiceOptions {
  pool: pg.Pool;
  config: IncidentsConfig;
  engine: IncidentEnginePort;
  /** Creates an incident's own channel when the config asks for one. */
  pager: Pick<Pager, 'createIncidentChannel'>;
  /** Members of a Slack user group, for the access rules (asked before any transaction). */
  groupMembers(group: string): Promise<string[]>;
  log: Logger;
  /** Every declaration and change, and every refused one, is an audit row as well as a timeline entry. */
  audit?: AuditTrail;
}

export class IncidentService {
  readonly #o: IncidentServiceOptions;
  readonly #store: IncidentStore;

  constructor(options: IncidentServiceOptions) {
    this.#o = options;
    this.#store = new IncidentStore(options.pool);
  }

  get #clock(): Clock {
    return this.#o.engine.clock;
  }

  /** `channel`: where it is declared from (an access rule may grant declaring to a channel). */
  async declare(input: { severity: Severity; title: string; commander: string; report?: unknown; channel?: string }): Promise<Incident> {
    const actor: IncidentActor = { user: input.commander, ...(input.channel && { channel: input.channel }) };
    try {
      await this.#authorize('declare', actor);
      const { incident } = await this.#declare(input);
      await this.#audit(actor, 'incident.declare', incident.id, { severity: input.severity, title: incident.title }, 'succeeded');
      return incident;
    } catch (error) {
      await this.#audit(actor, 'incident.declare', undefined, { severity: input.severity }, outcomeOf(error), error);
      throw error;
    }
  }

  /**
   * Declared by an alert route: the config asked for it, so no access rule applies. Once per
   * `sourceKey` however many retries, replicas or restarts ask (a unique key in the store);
   * `created` is false when it was declared already, and then nothing is posted again. The
   * alert commands it until a person takes it (acknowledging).
   */
  async declareFromAlert(input: { severity: Severity; title: string; alertname: string; sourceKey: string; report?: unknown; channel?: string; source?: CommandingKind }): Promise<{ incident: Incident; created: boolean }> {
    const commander = sourceCommander(input.source ?? 'alert', input.alertname);
    const actor: IncidentActor = { user: commander, ...(input.channel && { channel: input.channel }) };
    try {
      const declared = await this.#declare({ ...input, commander, sourceKey: input.sourceKey });
      if (declared.created) await this.#audit(actor, 'incident.declare', declared.incident.id, { severity: input.severity, title: declared.incident.title, source: input.sourceKey }, 'succeeded', undefined, 'alertmanager');
      return declared;
    } catch (error) {
      await this.#audit(actor, 'incident.declare', undefined, { severity: input.severity, source: input.sourceKey }, outcomeOf(error), error, 'alertmanager');
      throw error;
    }
  }

  async #declare(input: { severity: Severity; title: string; commander: string; report?: unknown; sourceKey?: string; channel?: string }): Promise<{ incident: Incident; created: boolean }> {
    // Angle brackets would let a title mention @channel wherever it is shown: keep their look only.
    // Every way in (the command, the Declare dialog, any transport) meets the same rules.
    const title = cleanTypedText(input.title, 'the title').replace(/\s+/g, ' ').replace(/</g, '‹').replace(/>/g, '›').replace(/&/g, '+');
    if (title.length === 0) throw new UserError('an incident needs a title: /incident declare sev2 <what is wrong>');
    if (title.length > 200) throw new UserError(`the title is ${title.length} characters; keep it under 200`);
    const now = this.#clock.now();
    // The ladder of every severity and the working hours as configured now: a later config edit does not reach this incident.
    const ladders = Object.fromEntries(SEVERITIES.map((s) => [`sev${s}`, snapshotLadder(this.#o.config.ladder, s, this.#o.config.roles, this.#o.config.workingHours)]));
    const alert = commandingWords(input.commander);
    const incident = await this.#store.transaction(async (tx) => {
      const fields = { severity: input.severity, title, commander: input.commander, declaredAt: now, ladders: ladders as Incident['ladders'], report: input.report };
      const created = input.sourceKey ? await tx.createIncidentOnce({ ...fields, sourceKey: input.sourceKey }) : await tx.createIncident(fields);
      if (!created) return undefined;
      const said = alert === undefined
        ? spans(`Declared ${severityLabel(created.severity)}: ${title}`)
        : spans(`Declared ${severityLabel(created.severity)} by ${alert}`, ...(input.channel ? [' in ', channelSpan(input.channel)] : []), `: ${title}`);
      await tx.addEvent(created.id, now, alert === undefined ? input.commander : null, 'declared', said);
      await tx.armNext(created, now);
      return created;
    });
    if (!incident) {
      const existing = await this.#store.getBySourceKey(input.sourceKey!);
      if (!existing) throw new Error(`the incident declared for ${input.sourceKey} could not be read back`);
      return { incident: existing, created: false };
    }
    if (this.#o.config.dedicatedChannels && this.#o.pager.createIncidentChannel) {
      const name = incidentChannelName(incident.id, title);
      try {
        const channel = await this.#o.pager.createIncidentChannel(name, isPerson(input.commander) ? [input.commander] : []);
        await this.#store.setDedicatedChannel(incident.id, channel);
        await this.#store.addEvent(incident.id, now, null, 'channel', spans('Incident channel ', channelSpan(channel), ' created'));
      } catch (err) {
        this.#o.log.warn({ err, incident: incident.id }, 'while creating the incident channel');
        await this.#store.addEvent(incident.id, now, null, 'channel', spans(`Could not create #${name}: ${(err as Error).message}`));
      }
    }
    await this.#afterChange(incident.id);
    return { incident: (await this.get(incident.id))!, created: true };
  }

  async acknowledge(id: number, actorInput: ActorInput): Promise<Incident> {
    const actor = actorOf(actorInput).user;
    return await this.#change(id, actorInput, 'ack', 'incident.ack', async (tx, incident, now) => {
      if (incident.status === 'acknowledged') throw new UserError(spans(`${incidentRef(id)} was already acknowledged by `, user(incident.acknowledgedBy ?? '')));
      await tx.acknowledge(id, now, actor);
      await tx.addEvent(id, now, actor, 'acknowledged', spans('Acknowledged by ', user(actor)));
      // An incident an alert declared is commanded by the first person who takes it.
      const alert = commandingWords(incident.commander);
      if (alert !== undefined) {
        await tx.setCommander(id, actor);
        await tx.addEvent(id, now, actor, 'commander', spans(user(actor), ` takes command from ${alert}`));
      }
      return { ...incident, status: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: actor, ...(alert !== undefined && { commander: actor }) };
    });
  }

  async resolve(id: number, actorInput: ActorInput): Promise<Incident> {
    const actor = actorOf(actorInput).user;
    return await this.#change(id, actorInput, 'resolve', 'incident.resolve', async (tx, incident, now) => {
      await tx.resolve(id, now, actor);
      await tx.addEvent(id, now, actor, 'resolved', spans('Resolved by ', user(actor), ` after ${humanAge(now.getTime() - incident.declaredAt.getTime())}`));
      return { ...incident, status: 'resolved' as const, resolvedAt: now, resolvedBy: actor };
    });
  }

  /**
   * The alert that declared the incident resolved (at `resolvedAt`): said on its timeline once,
   * however many replicas or retries tell it, even when a person resolved the incident already;
   * with `autoResolve` (the route says so) an incident still open is resolved by the alert.
   */
  async alertResolved(id: number, input: { alertname: string; resolvedAt: Date; autoResolve: boolean; source?: CommandingKind }): Promise<void> {
    const now = this.#clock.now();
    const by = sourceCommander(input.source ?? 'alert', input.alertname);
    const who = commandingWords(by)!;
    // A heartbeat's outage ends with a beat, an alert with its resolution.
    const ended = input.source === 'heartbeat' ? 'beat again' : 'resolved';
    let resolved = false;
    await this.#store.transaction(async (tx) => {
      const incident = await tx.lockIncident(id);
      if (!incident) throw notFound(id);
      const said = spans(`${who.charAt(0).toUpperCase()}${who.slice(1)} ${ended} at ${input.resolvedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
      if (await tx.hasEvent(id, 'alert-resolved', plainText(said))) return;
      await tx.addEvent(id, now, null, 'alert-resolved', said);
      if (!input.autoResolve || incident.status === 'resolved') return;
      await tx.resolve(id, now, by);
      await tx.addEvent(id, now, null, 'resolved', spans(`Resolved by ${who} (autoResolve) after ${humanAge(now.getTime() - incident.declaredAt.getTime())}`));
      const epoch = incident.epoch + 1;
      await tx.setEpoch(id, epoch, now);
      await tx.armNext({ ...incident, status: 'resolved', resolvedAt: now, resolvedBy: by, epoch }, now);
      resolved = true;
    });
    if (resolved) await this.#audit({ user: by }, 'incident.resolve', id, { autoResolve: true }, 'succeeded', undefined, 'alertmanager');
    await this.#afterChange(id);
  }

  /**
   * The alert that declared the incident fired again soon after it resolved (within the flap
   * window: the same episode, so no second incident): said on its timeline once per flap, with the
   * episode's flap count. An incident autoResolve (or a person) resolved stays resolved, and the
   * entry says so: whether the re-firing needs people is a person's call.
   */
  async alertFiredAgain(id: number, input: { alertname: string; firedAt: Date; flaps: number }): Promise<void> {
    const now = this.#clock.now();
    const who = commandingWords(sourceCommander('alert', input.alertname))!;
    const times = input.flaps === 1 ? 'once' : `${input.flaps} times`;
    let told = false;
    await this.#store.transaction(async (tx) => {
      const incident = await tx.lockIncident(id);
      if (!incident) throw notFound(id);
      const stays = incident.status === 'resolved' ? `; ${incidentRef(id)} stays resolved: declare a new incident if it needs people` : '';
      const said = spans(`${who.charAt(0).toUpperCase()}${who.slice(1)} fired again at ${input.firedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, soon after it resolved (flapping: ${times} in this episode)${stays}`);
      if (await tx.hasEvent(id, 'alert-fired-again', plainText(said))) return;
      await tx.addEvent(id, now, null, 'alert-fired-again', said);
      told = true;
    });
    if (told) await this.#afterChange(id);
  }

  /** Where the message of the alert that declared the incident is (posted after the declaration). */
  async attachAlertMessage(id: number, message: { channel: string; ts: string }): Promise<void> {
    await this.#store.attachAlertMessage(id, message);
  }

  /**
   * The diagnosis of the alert that declared the incident, attached to its report once (it may
   * come after the declaration), and said on its timeline: `said`, the targets and their status.
   */
  async attachAlertDiagnosis(id: number, diagnosis: unknown, said: string): Promise<void> {
    const now = this.#clock.now();
    await this.#store.transaction(async (tx) => {
      if (!(await tx.lockIncident(id))) return;
      if (await tx.attachDiagnosis(id, diagnosis)) await tx.addEvent(id, now, null, 'diagnosis', spans(`Diagnosis attached: ${said}`));
    });
  }

  /**
   * Pages the next level now instead of at its time: exactly one level. Another escalation within
   * ESCALATION_GUARD_MS of the last one is refused (the incident's row lock orders concurrent
   * calls, so of two at once exactly one escalates).
   */
  async escalate(id: number, actorInput: ActorInput): Promise<Incident> {
    const actor = actorOf(actorInput).user;
    return await this.#change(id, actorInput, 'escalate', 'incident.escalate', async (tx, incident, now) => {
      // The latest escalation, pressed or the ladder's own move to a new level (not its first).
      const pressed = incident.lastEscalation;
      const laddered = await tx.latestLadderEscalation(id, new Date(now.getTime() - ESCALATION_GUARD_MS), now);
      // A page of the level the last press went to, sent after it, is that press's own page.
      const byLadder = laddered && !(pressed && laddered.label === pressed.to && laddered.createdAt >= pressed.at) && (!pressed || laddered.createdAt > pressed.at);
      const last = byLadder ? { at: laddered.createdAt, by: undefined, to: laddered.label } : pressed;
      if (last && now.getTime() - last.at.getTime() < ESCALATION_GUARD_MS) {
        throw new EscalatedTooRecently({ incident: id, by: last.by, to: last.to, at: last.at, againAt: new Date(last.at.getTime() + ESCALATION_GUARD_MS), now });
      }
      const points = ladderPoints(currentLadder(incident), incident.declaredAt);
      const next = nextEscalation(points, incident.status, new Set(incident.donePoints));
      if (!next) throw new UserError(`${incidentRef(id)} has no further level to page: every step of its ${severityLabel(incident.severity)} ladder has been paged`);
      await tx.setLastEscalation(id, now, actor, next.label);
      await tx.addEvent(id, now, actor, 'escalated', spans('Escalated now by ', user(actor), `: paging ${next.label}`));
      return { ...incident, lastEscalation: { at: now, by: actor, to: next.label }, override: next };
    });
  }

  async setSeverity(id: number, severity: Severity, actorInput: ActorInput): Promise<Incident> {
    const actor = actorOf(actorInput).user;
    return await this.#change(id, actorInput, 'sev', `incident.sev${severity}`, async (tx, incident, now) => {
      if (incident.severity === severity) throw new UserError(`${incidentRef(id)} is already ${severityLabel(severity)}`);
      const changed = { ...incident, severity };
      const skipped = pointsSkippedOnSeverityChange(ladderPoints(currentLadder(changed), incident.declaredAt), incident.severity, severity, now.getTime());
      const done = [...new Set([...incident.donePoints, ...skipped])];
      await tx.setSeverity(id, severity, done);
      await tx.addEvent(id, now, actor, 'severity', spans(`Severity ${severityLabel(incident.severity)} → ${severityLabel(severity)} by `, user(actor)));
      return { ...changed, donePoints: done };
    });
  }

  async note(id: number, actorInput: ActorInput, text: string): Promise<void> {
    const actor = actorOf(actorInput);
    try {
      const incident = await this.get(id);
      if (!incident) throw notFound(id);
      await this.#authorize('note', actor, incident);
      const clean = cleanTypedText(text, 'the note');
      if (!clean) throw new UserError('the note is empty: /incident note INC-42 <text>');
      await this.#store.addEvent(id, this.#clock.now(), actor.user, 'note', spans(clean.slice(0, 2_000)));
    } catch (error) {
      await this.#audit(actor, 'incident.note', id, {}, outcomeOf(error), error);
      throw error;
    }
    await this.#audit(actor, 'incident.note', id, {}, 'succeeded');
  }

  async get(id: number): Promise<Incident | undefined> {
    return await this.#store.get(id);
  }

  async timeline(id: number): Promise<IncidentEvent[]> {
    const rows = await this.#store.timeline(id);
    return rows.map((r) => {
      const line = storedTimelineLine(r);
      return { at: r.at, ...(r.actor && { actor: r.actor }), kind: r.kind, text: plainText(line), line };
    });
  }

  /** Open and acknowledged incidents, most severe and oldest first. */
  async listOpen(limit = 50): Promise<Incident[]> {
    return await this.#store.listOpen(limit);
  }

  async #change(id: number, actorInput: ActorInput, operation: IncidentOperation, action: string, apply: Apply): Promise<Incident> {
    const actor = actorOf(actorInput);
    try {
      // Checked before the change's transaction: group lookups ask Slack, never under the row lock.
      // The commander never changes and page rows are only added, so the answer cannot go stale.
      const incident = await this.get(id);
      if (!incident) throw notFound(id);
      await this.#authorize(operation, actor, incident);
      await this.#applyChange(id, this.#clock.now(), apply);
    } catch (error) {
      await this.#audit(actor, action, id, {}, outcomeOf(error), error);
      throw error;
    }
    await this.#audit(actor, action, id, {}, 'succeeded');
    this.#o.log.info({ incident: id, actor: actor.user, action }, 'incident changed');
    await this.#afterChange(id);
    return (await this.get(id))!;
  }

  /** Throws IncidentAccessDenied unless the actor may do this (to this incident). */
  async #authorize(operation: IncidentOperation, actor: IncidentActor, incident?: Incident): Promise<void> {
    await checkIncidentAccess({
      rules: this.#o.config.access ?? [],
      operation,
      actor,
      ...(incident && { incident, paged: () => this.pagedPeople(incident.id) }),
      groupMembers: async (group) => {
        try {
          return await this.#o.groupMembers(group);
        } catch (err) {
          this.#o.log.warn({ err, group }, 'could not read the members of a user group; counted as not a member');
          return [];
        }
      },
    });
  }

  /** Who was paged for the incident (DMs and mentions; pages given up or cancelled before they went do not count). */
  async pagedPeople(id: number): Promise<PagedPeople> {
    return pagedPeople(await this.#store.pagedRecipients(id));
  }

  async #audit(actor: IncidentActor, action: string, id: number | undefined, params: Record<string, unknown>, outcome: string, error?: unknown, source: AuditEntry['source'] = 'slack'): Promise<void> {
    await this.#o.audit
      ?.record({
        actor: actor.user, ...(actor.channel && { channel: actor.channel }), source, action, ...(id !== undefined && { target: incidentRef(id) }), params, outcome,
        ...(error instanceof Error && { detail: maskSecrets(error.message, [], 500) }),
      })
      .catch((err: unknown) => this.#o.log.error({ err, action }, 'while writing the audit row of an incident change'));
  }

  async #applyChange(id: number, now: Date, apply: Apply): Promise<void> {
    await this.#store.transaction(async (tx) => {
      const incident = await tx.lockIncident(id);
      if (!incident) throw notFound(id);
      if (incident.status === 'resolved') throw new UserError(spans(`${incidentRef(id)} was resolved by `, user(incident.resolvedBy ?? ''), '; declare a new incident if it is back'));
      const changed = await apply(tx, incident, now);
      // A new epoch: timers armed before this change are stale and will be discarded.
      const epoch = incident.epoch + 1;
      await tx.setEpoch(id, epoch, now);
      await tx.armNext({ ...changed, epoch }, now, changed.override);
    });
  }

  async #afterChange(id: number): Promise<void> {
    // The message first, so the pages that follow have a thread to point to.
    await this.#o.engine.refreshIncidentMessage(id).catch((err: unknown) => this.#o.log.warn({ err, incident: id }, 'while updating the incident message'));
    this.#o.engine.poke();
  }

}

/** A change under the incident's row lock: no network call in it. */
type Apply = (tx: IncidentStore, incident: Incident, now: Date) => Promise<Incident & { override?: LadderPoint }>;

function actorOf(input: ActorInput): IncidentActor {
  return typeof input === 'string' ? { user: input } : input;
}

/** The audit outcome of a failed operation: denied by access rules, a repeated escalation, or refused. */
function outcomeOf(error: unknown): string {
  if (error instanceof IncidentAccessDenied) return 'denied';
  if (error instanceof EscalatedTooRecently) return 'duplicate';
  // A refusal the user can act on, or something that broke (the store, Slack): said apart.
  return isUserError(error) ? 'refused' : 'failed';
}

function notFound(id: number): UserError {
  return new UserError(`there is no incident ${incidentRef(id)}; /incident list shows the open ones`);
}

/** `inc-42-api-gateway-down`: Slack channel names are lower case, at most 80 characters. */
export function incidentChannelName(id: number, title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60).replace(/-+$/, '');
  return `inc-${id}${slug ? `-${slug}` : ''}`;
}

function humanAge(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
}
