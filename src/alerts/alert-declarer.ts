// Incidents from alerts. A group of a route with `declare: sevN` declares one incident per firing
// episode, once it has fired `declareAfter` (checked when notifications arrive, and every few
// seconds for a group that keeps firing without a new one). The incident's key in the store is
// the group's episode: retries, several replicas and restarts find it declared and declare
// nothing. Its alert commands it until a person takes it; the alert's diagnosis is attached to it
// (now, or when it comes). When the group resolves, the incident's timeline says so, and the route
// may resolve it (`autoResolve`). When it fires again within the flap window (the same episode: no
// second incident), the timeline says that too, once per flap, resolved or not.
import type { AlertRoute } from '../config/alerts-schema.ts';
import type { IncidentService } from '../incidents/incident-service.ts';
import type { Logger } from '../logger.ts';
import type { AlertGroup, AlertStore, DiagnosisSummary } from './alert-store.ts';

export interface AlertDeclarerOptions {
  store: AlertStore;
  incidents: Pick<IncidentService, 'declareFromAlert' | 'alertResolved' | 'alertFiredAgain' | 'attachAlertDiagnosis' | 'attachAlertMessage'>;
  /** The configured routes, by index (a group remembers the index of its route). */
  routes: () => readonly AlertRoute[];
  now: () => Date;
  log: Logger;
}

const TITLE_CHARS = 200;

export class AlertDeclarer {
  readonly #o: AlertDeclarerOptions;
  #current: Promise<boolean> | undefined;
  #queued: Promise<boolean> | undefined;

  constructor(options: AlertDeclarerOptions) {
    this.#o = options;
  }

  /**
   * Declares what is due and tells incidents of their groups' resolutions; one pass at a time in
   * this process (a call during a pass gets the next one, which starts after it and sees what
   * arrived meanwhile). True when an alert message is to say the incident it declared.
   */
  run(): Promise<boolean> {
    if (this.#queued) return this.#queued;
    if (this.#current) {
      const queued = this.#current.catch(() => false).then(() => {
        this.#queued = undefined;
        return this.#start();
      });
      this.#queued = queued;
      return queued;
    }
    return this.#start();
  }

  #start(): Promise<boolean> {
    const pass = (async () => {
      const declared = await this.#declareDue();
      // A re-firing before a resolution: of the two untold, the re-firing happened first.
      await this.#tellFiredAgain();
      await this.#tellResolved();
      return declared;
    })().finally(() => {
      if (this.#current === pass) this.#current = undefined;
    });
    this.#current = pass;
    return pass;
  }

  /** The reports of a group's diagnosis: attached to the incident it declared, if it did. */
  async diagnosed(groupId: number, episode: number): Promise<void> {
    const g = await this.#o.store.get(groupId);
    if (g?.diagnosis && g.diagnosedEpisode === episode && g.incidentId !== null && g.incidentEpisode === episode && g.episode === episode) {
      await this.#o.incidents.attachAlertDiagnosis(g.incidentId, g.diagnosis, diagnosisWords(g.diagnosis));
    }
  }

  /** The group's message posted: the incident it declared, if it did, learns where it is. */
  async posted(groupId: number, episode: number): Promise<void> {
    const g = await this.#o.store.get(groupId);
    if (g?.messageTs && g.messageEpisode === episode && g.incidentId !== null && g.incidentEpisode === episode) {
      await this.#o.incidents.attachAlertMessage(g.incidentId, { channel: g.messageChannel ?? g.channel!, ts: g.messageTs });
    }
  }

  async #declareDue(): Promise<boolean> {
    const routes = this.#o.routes();
    const declaring = routes.flatMap((r, i) => (r.declare !== undefined ? [i] : []));
    let changed = false;
    const now = this.#o.now().getTime();
    for (const g of await this.#o.store.undeclared(declaring)) {
      const route = routes[g.route!];
      if (!route?.declare || !g.firingSince) continue;
      if (now - g.firingSince.getTime() < (route.declareAfterMs ?? 0)) continue;
      try {
        changed = (await this.#declare(g, route.declare)) || changed;
      } catch (err) {
        // Tried again at the next run: the key in the store keeps it to one incident.
        this.#o.log.warn({ err, group: g.id }, 'while declaring the incident of an alert group');
      }
    }
    return changed;
  }

  async #declare(g: AlertGroup, severity: NonNullable<AlertRoute['declare']>): Promise<boolean> {
    const alertname = g.commonLabels.alertname ?? g.alerts[0]?.labels.alertname ?? 'Alert';
    const summary = summaryOf(g);
    const { incident, created } = await this.#o.incidents.declareFromAlert({
      severity,
      title: titleOf(alertname, summary),
      alertname,
      sourceKey: `alert:${g.id}:${g.episode}`,
      ...(g.channel && { channel: g.channel }),
      report: {
        alert: {
          name: alertname,
          ...(summary && { summary }),
          labels: g.commonLabels,
          firingSince: g.firingSince?.toISOString(),
          group: g.groupKey,
          ...(g.channel && { channel: g.channel }),
          ...(g.messageTs && g.messageEpisode === g.episode && { message: { channel: g.messageChannel ?? g.channel, ts: g.messageTs } }),
        },
        // The episode's own diagnosis (a previous episode's is not this one's).
        diagnosis: g.diagnosedEpisode === g.episode ? g.diagnosis : null,
      },
    });
    if (created) this.#o.log.info({ group: g.id, incident: incident.id, severity }, 'incident declared from an alert group');
    const told = await this.#o.store.setIncident(g.id, g.episode, incident.id);
    // A message posted, or a diagnosis finished, while the incident was being declared found no
    // incident to go to.
    if (g.messageEpisode !== g.episode) await this.posted(g.id, g.episode);
    if (g.diagnosedEpisode !== g.episode) await this.diagnosed(g.id, g.episode);
    return told;
  }

  async #tellFiredAgain(): Promise<void> {
    for (const g of await this.#o.store.refiredUntold()) {
      const alertname = g.commonLabels.alertname ?? g.alerts[0]?.labels.alertname ?? 'Alert';
      // The re-firing alert is the latest start (a flap keeps the episode, and its alerts' starts).
      const latest = g.alerts.map((a) => a.startsAt).sort().at(-1);
      try {
        await this.#o.incidents.alertFiredAgain(g.incidentId!, { alertname, firedAt: latest ? new Date(latest) : this.#o.now(), flaps: g.flaps });
        await this.#o.store.markToldFlaps(g.id, g.episode, g.flaps);
      } catch (err) {
        this.#o.log.warn({ err, group: g.id, incident: g.incidentId }, 'while telling an incident its alert fired again');
      }
    }
  }

  async #tellResolved(): Promise<void> {
    const routes = this.#o.routes();
    for (const g of await this.#o.store.resolvedUntold()) {
      const alertname = g.commonLabels.alertname ?? g.alerts[0]?.labels.alertname ?? 'Alert';
      try {
        await this.#o.incidents.alertResolved(g.incidentId!, { alertname, resolvedAt: g.resolvedAt!, autoResolve: g.route !== null && routes[g.route]?.autoResolve === true });
        await this.#o.store.markToldResolved(g.id, g.resolvedAt!);
      } catch (err) {
        this.#o.log.warn({ err, group: g.id, incident: g.incidentId }, 'while telling an incident its alert resolved');
      }
    }
  }
}

/** "HighErrorRate: 5xx ratio above 5% on checkout", without control characters, cut to fit. */
function titleOf(alertname: string, summary: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const clean = (t: string) => t.toWellFormed().replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, ' ').replace(/\s+/g, ' ').trim();
  const title = summary ? `${clean(alertname)}: ${clean(summary)}` : clean(alertname);
  return title.length > TITLE_CHARS ? `${title.slice(0, TITLE_CHARS - 1)}…` : title;
}

/** The group's summary: the common one, else its first firing alert's. */
function summaryOf(g: AlertGroup): string | undefined {
  const values = new Set(g.alerts.map((a) => a.annotations.summary ?? a.annotations.message).filter((v): v is string => !!v));
  if (values.size === 1) return [...values][0];
  const firing = g.alerts.find((a) => a.status === 'firing' && (a.annotations.summary ?? a.annotations.message));
  return firing?.annotations.summary ?? firing?.annotations.message;
}

/** "main-db crit (2 findings), cache ok". */
function diagnosisWords(diagnosis: readonly DiagnosisSummary[]): string {
  return diagnosis.map((d) => `${d.target} ${d.status}${d.findings.length > 0 ? ` (${d.findings.length} finding${d.findings.length === 1 ? '' : 's'})` : ''}`).join(', ');
}
