// What commands and actions need from the running bot, passed explicitly (no globals). The bot
// makes every part before it builds this (src/start-bot.ts): it is complete when handed out.
import type pg from 'pg';
import type { ActionRunner } from './actions/action-runner.ts';
import type { Config } from './config/config.ts';
import type { Logger } from './logger.ts';
import type { RunbookIndex } from './runbooks/load-runbooks.ts';
import type { AuditTrail } from './store/audit-log.ts';
import type { ProbeStateStore } from './probes/probe-state.ts';
import type { ReportHistory } from './store/report-history.ts';
import type { DigestScheduler } from './digest/digest-scheduler.ts';
import type { IncidentService } from './incidents/incident-service.ts';
import type { AlertService } from './alerts/alert-service.ts';
import type { HeartbeatService } from './heartbeats/heartbeat-service.ts';

export interface AppServices {
  readonly config: Config;
  readonly runbooks: RunbookIndex;
  readonly audit: AuditTrail;
  readonly probeState: ProbeStateStore;
  readonly history: ReportHistory;
  /** The state store's pool (action runs). */
  readonly pool: pg.Pool;
  /** Runs remedies once each, with leases; drained at shutdown. */
  readonly actions: ActionRunner;
  /** The digests' schedules (absent from a terminal run without a store). */
  readonly digests?: DigestScheduler;
  /** Set when the config has an incidents: section. */
  readonly incidents?: IncidentService;
  /** Alertmanager notifications in (POST /alerts/alertmanager) and their messages out. */
  readonly alerts?: AlertService;
  /** Beats in (POST /heartbeats/<name>) and the messages of heartbeats gone silent. */
  readonly heartbeats?: HeartbeatService;
  readonly log: Logger;
  /** Every configured secret (configSecrets): masked in anything the bot posts or logs. */
  readonly secrets: readonly string[];
}
