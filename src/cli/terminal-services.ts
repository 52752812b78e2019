// The services a command needs when it runs from a terminal: the config, the runbooks, and the
// state store where the command reads it. Nothing here talks to Slack: what only Slack can do
// (post a digest, page, refresh an incident's message) is refused by the commands before it is
// reached, and the stand-ins below say so if it ever were.
import { UNLIMITED_BUDGET } from '../message/budget.ts';
import type { AppServices } from '../app-services.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import { FileProbeStateStore } from '../probes/file-probe-state-store.ts';
import { MemoryProbeStateStore } from '../probes/probe-state.ts';
import type { RunbookIndex } from '../runbooks/load-runbooks.ts';
import type { AuditEntry, AuditRow, AuditTrail } from '../store/audit-log.ts';
import type { Store } from '../store/open-store.ts';
import { UserError } from '../user-error.ts';

/**
 * What a command reads of the state store. `required`: opened as the bot opens it (DATABASE_URL,
 * else the embedded store in CHATOPS_DATA_DIR); `optional`: only with DATABASE_URL, and a store
 * that cannot be opened does not stop the command (diagnostics stay self-contained: without it,
 * the probes keep their counters in a file in CHATOPS_DATA_DIR); `none`.
 */
export type StoreNeed = 'required' | 'optional' | 'none';

export interface TerminalServicesOptions {
  config: Config;
  runbooks: RunbookIndex;
  secrets: readonly string[];
  log: Logger;
  env: NodeJS.ProcessEnv;
  store: StoreNeed;
  /** The digests' schedules (/digest). */
  digests?: boolean;
  /** The incidents, to read (/incident). */
  incidents?: boolean;
}

export interface TerminalServices {
  services: AppServices;
  close(): Promise<void>;
}

export async function openTerminalServices(options: TerminalServicesOptions): Promise<TerminalServices> {
  const { config, runbooks, secrets, log, env } = options;
  const store = await openStoreFor(options.store, env, log);
  const base = { config, runbooks, secrets, log };
  if (!store) {
    const services: AppServices = {
      ...base,
      audit: new UnrecordedAuditLog(),
      // Counters of the previous terminal run, to judge rates by: a file in the data directory.
      probeState: options.store === 'none' ? new MemoryProbeStateStore() : new FileProbeStateStore(dataDirOf(env), log),
      get history(): never {
        return noStore('stored reports');
      },
      get pool(): never {
        return noStore('the state store');
      },
      get actions(): never {
        return noStore('remediation actions');
      },
    };
    return { services, close: async () => undefined };
  }
  try {
    return await withStore(store, base, options);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
}

async function withStore(store: Store, base: Pick<AppServices, 'config' | 'runbooks' | 'secrets' | 'log'>, parts: Pick<TerminalServicesOptions, 'digests' | 'incidents'>): Promise<TerminalServices> {
  const { config, secrets } = base;
  const { ReportHistory } = await import('../store/report-history.ts');
  const history = new ReportHistory(store.pool, { secrets });
  // Each part is made before the services are: the object is complete when it is handed out.
  const ports = { ...base, audit: store.audit, probeState: store.probeState, history, pool: store.pool };
  const digests = parts.digests && config.digests.length > 0 ? await digestSchedule(ports) : undefined;
  const incidents = parts.incidents && config.incidents ? await readOnlyIncidents(ports, config.incidents) : undefined;
  const services: AppServices = {
    ...ports,
    ...(digests && { digests }),
    ...(incidents && { incidents }),
    // Remedies are buttons under a report in Slack: a terminal run never starts one.
    get actions(): never {
      throw new Error('remediation actions run from Slack buttons, not from a terminal');
    },
  };
  return {
    services,
    close: async () => {
      await services.digests?.stop();
      await store.close();
    },
  };
}

async function openStoreFor(need: StoreNeed, env: NodeJS.ProcessEnv, log: Logger): Promise<Store | undefined> {
  if (need === 'none') return undefined;
  const { openStore } = await import('../store/open-store.ts');
  if (need === 'required') return await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: dataDirOf(env), log });
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) return undefined;
  try {
    return await openStore({ databaseUrl, dataDir: '.chatops', log });
  } catch (err) {
    log.warn({ err }, 'state store at DATABASE_URL not available: this run is not audited');
    return undefined;
  }
}

/** The digests' schedules, for their next run times; never started, and it posts nothing. */
async function digestSchedule(services: Pick<AppServices, 'config' | 'runbooks' | 'probeState' | 'log' | 'secrets' | 'history' | 'pool'>): Promise<NonNullable<AppServices['digests']>> {
  const { DigestScheduler } = await import('../digest/digest-scheduler.ts');
  const slackOnly = async (): Promise<never> => {
    throw new UserError('a digest is posted to Slack: run /digest now in Slack');
  };
  const poster = { budget: UNLIMITED_BUDGET, post: slackOnly, reply: slackOnly, uploadPng: slackOnly };
  const { config, runbooks, probeState, log, secrets, history } = services;
  return new DigestScheduler(config.digests, { config, runbooks, probeState, log, secrets, history, poster }, services.pool, { instance: 'cli', retentionDays: services.config.history.retentionDays });
}

/** Incidents to read (the open list, one timeline); changes page and post through Slack, so the terminal refuses them. */
async function readOnlyIncidents(services: Pick<AppServices, 'pool' | 'log' | 'audit'>, config: NonNullable<Config['incidents']>): Promise<NonNullable<AppServices['incidents']>> {
  const { IncidentService } = await import('../incidents/incident-service.ts');
  const slackOnly = (): never => {
    throw new UserError('incidents change through Slack, where the bot pages and keeps their messages: run /incident there');
  };
  return new IncidentService({
    pool: services.pool,
    config,
    engine: { clock: { now: () => new Date() }, refreshIncidentMessage: async () => slackOnly(), poke: slackOnly },
    pager: {},
    groupMembers: async () => slackOnly(),
    log: services.log,
    audit: services.audit,
  });
}

/** CHATOPS_DATA_DIR, default .chatops: the embedded store, and the terminal's probe state file. */
function dataDirOf(env: NodeJS.ProcessEnv): string {
  return env.CHATOPS_DATA_DIR || '.chatops';
}

function noStore(what: string): never {
  throw new Error(`${what}: this terminal command runs without the state store`);
}

/** The audit log of a terminal run without a state store (DATABASE_URL unset): nothing is kept, as before. */
class UnrecordedAuditLog implements AuditTrail {
  async record(_entry: AuditEntry): Promise<void> {}

  async recent(_limit: number): Promise<AuditRow[]> {
    throw new UserError('the audit log is in the state store: set DATABASE_URL, or run where the bot keeps its store (CHATOPS_DATA_DIR)');
  }
}
