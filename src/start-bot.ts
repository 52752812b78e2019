// Wires the bot together: settings, config, runbooks, state store, Slack. Everything that can be
// wrong with the setup is found here, before the bot says it is ready.
import os from 'node:os';
import { COMMANDS } from '../commands/index.ts';
import { DigestScheduler, readDigestLeaseMs } from './digest/digest-scheduler.ts';
import { createChannelPoster } from './slack/create-channel-poster.ts';
import type { AppServices } from './app-services.ts';
import { loadConfig } from './config/load-config.ts';
import type { Logger } from './logger.ts';
import { allCheckIds, closeProbes } from './probes/probe-registry.ts';
import { loadRunbooks } from './runbooks/load-runbooks.ts';
import { queryRunbookProblems } from './probes/prometheus/query-runbook-problems.ts';
import { ConfigError } from './config/config-error.ts';
import { createSlackApp } from './slack/create-slack-app.ts';
import { readSlackSettings } from './slack/slack-settings.ts';
import { openStore } from './store/open-store.ts';
import type { IncidentsConfig } from './config/incidents-schema.ts';
import { EscalationEngine, readEscalationLeaseMs } from './incidents/escalation-engine.ts';
import { SYSTEM_CLOCK } from './incidents/clock.ts';
import { createWebClient } from './slack/create-web-client.ts';
import type pg from 'pg';
import type { Config } from './config/config.ts';
import type { AuditTrail } from './store/audit-log.ts';
import { IncidentService } from './incidents/incident-service.ts';
import { createOnCallLookup } from './oncall/on-call-lookup.ts';
import { OverrideStore } from './oncall/override-store.ts';
import { createSlackPager } from './slack/create-slack-pager.ts';
import type { SlackSettings } from './slack/slack-settings.ts';
import { checkLadder, describeLadderCheck } from './incidents/check-ladder.ts';
import { createSlackDirectory } from './slack/create-slack-directory.ts';
import { ActionRunner, actionDrainMs, readActionLeaseMs } from './actions/action-runner.ts';
import { readShutdownGraceMs } from './process-safety.ts';
import { simpleMessage, icon, user } from './message/message.ts';
import { ValueSigner } from './security/value-signer.ts';
import { configSecrets } from './security/config-secrets.ts';
import { ReportHistory } from './store/report-history.ts';
import { parseSigningKeys, SIGNING_KEYS_ENV, staticKeyRing, storedKeyRing } from './security/signing-keys.ts';
import { AlertService, ALERTS_TOKEN_ENV } from './alerts/alert-service.ts';
import { createSlackAlertPoster } from './slack/create-slack-alert-poster.ts';
import { HeartbeatService } from './heartbeats/heartbeat-service.ts';
import type { Clock } from './incidents/clock.ts';
import { BotRedis } from './coord/bot-redis.ts';
import { ReplicaRegistry, readReplicaGroup } from './coord/replica-registry.ts';
import { StartupHealth } from './coord/startup-health.ts';
import { RedisChannelPacer } from './coord/redis-channel-pacer.ts';
import { ShortLock } from './coord/short-lock.ts';
import { LocalChannelPacer } from './coord/local-channel-pacer.ts';
import { pacedChannelPoster } from './coord/paced-channel-poster.ts';

export interface RunningBot {
  port: number;
  mode: 'http' | 'socket';
  services: AppServices;
  stop(): Promise<void>;
}

/**
 * `onSecrets`: told every configured secret as soon as the config is read (the logger masks them
 * from then on). `clock`: what time the heartbeats see (a test's fake clock; the system's by default).
 */
export async function startBot(env: NodeJS.ProcessEnv, log: Logger, hooks: { onSecrets?: (secrets: readonly string[]) => void; clock?: Clock } = {}): Promise<RunningBot> {
  const settings = readSlackSettings(env);
  const config = loadConfig({ file: env.CHATOPS_CONFIG || undefined, env });
  // Every configured secret, masked in all the bot posts, stores and logs.
  const secrets = configSecrets(config, env);
  hooks.onSecrets?.(secrets);
  const runbooks = loadRunbooks(config.runbooks.dir, allCheckIds());
  // A PromQL query naming a runbook that does not exist stops the start like any bad key.
  const runbookRefs = queryRunbookProblems(config.targets, runbooks.byId);
  if (runbookRefs.length > 0) throw ConfigError.of(config.source, runbookRefs);
  log.info({ config: config.source, targets: config.targets.map((t) => `${t.name}:${t.kind}`), runbooks: runbooks.all.length }, 'configuration loaded');
  // Button values are signed with CHATOPS_SIGNING_KEYS when set, else with keys kept in the store.
  const envKeys = env[SIGNING_KEYS_ENV] ? parseSigningKeys(env[SIGNING_KEYS_ENV]) : undefined;
  // The port answers while the store opens and migrates: 503 "starting", not a refused connection (a fixed PORT only).
  const starting = settings.port === 0 ? undefined : await StartupHealth.listen(settings.port, 'PORT', 'opening the state store and applying its migrations');
  let store: Awaited<ReturnType<typeof openStore>>;
  // The bot's own Redis (never a monitored one): several replicas coordinate through it.
  let redis: BotRedis | undefined;
  let replicas: ReplicaRegistry | undefined;
  let keyRing: Awaited<ReturnType<typeof storedKeyRing>>;
  try {
    store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.CHATOPS_DATA_DIR || '.chatops', log });
    if (starting) starting.doing = 'connecting to Slack';
    try {
      redis = env.REDIS_URL ? new BotRedis(env.REDIS_URL, log) : undefined;
      // Without REDIS_URL, another running replica stops this start (they would not share Slack's pacing).
      replicas = new ReplicaRegistry({ pool: store.pool, log, hasRedis: redis !== undefined, group: readReplicaGroup(env) });
      await replicas.start();
      keyRing = envKeys ? staticKeyRing(envKeys) : await storedKeyRing(store.pool);
    } catch (error) {
      await replicas?.stop();
      await redis?.close();
      await store.close().catch(() => undefined);
      throw error;
    }
  } catch (error) {
    await starting?.close();
    throw error;
  }
  // Assigned above; a name the closures below see as set.
  const registry = replicas;
  const signer = new ValueSigner(keyRing);
  // Each part is made once, in dependency order, and is complete before anything receives it.
  // Slack's Web API client needs only the settings: what posts outside a request exists before the app.
  const web = createWebClient(settings);
  // One pacer for every scheduled post (alerts, heartbeats, digests): Slack's per-channel rate and
  // its Retry-After. With REDIS_URL it is shared by every replica; without it, by this process's parts.
  const pacer = redis ? new RedisChannelPacer({ redis, fallback: new LocalChannelPacer(1_000), log }) : new LocalChannelPacer(1_000);
  const unpaced = createChannelPoster(web, signer, secrets);
  const poster = pacedChannelPoster(unpaced, pacer);
  const groupMembers = async (group: string): Promise<string[]> => (await web.usergroups.users.list({ usergroup: group })).users ?? [];
  // Remedies run with a lease; one cut short (shutdown, or a process that died) is recorded as
  // interrupted and said in its report's thread.
  const actions = new ActionRunner({
    pool: store.pool,
    log: log.child({ component: 'actions' }),
    leaseMs: readActionLeaseMs(env),
    secrets,
    // With REDIS_URL, the same press on two replicas at once is answered from Redis (PostgreSQL's claims still decide).
    ...(redis && { lock: new ShortLock(redis) }),
    // A remedy's notice goes out at once, not at a turn: it is said while the bot shuts down,
    // after the pacer has stopped taking turns.
    notify: async (n) => {
      await unpaced.reply({ channel: n.channel, ts: n.threadTs }, simpleMessage(icon('warning'), ' ', user(n.startedBy), ' ', n.text));
    },
  });
  const history = new ReportHistory(store.pool, { secrets });
  const digests = new DigestScheduler(config.digests, { config, runbooks, probeState: store.probeState, log, secrets, history, poster }, store.pool, {
    instance: `${os.hostname()}:${process.pid}`,
    retentionDays: config.history.retentionDays,
    leaseMs: readDigestLeaseMs(env),
  });
  const incidents = config.incidents ? createIncidents(config.incidents, { config, settings, pool: store.pool, audit: store.audit, secrets, signer, groupMembers, log, leaseMs: readEscalationLeaseMs(env) }) : undefined;
  const alerts = new AlertService({
    pacer,
    pool: store.pool,
    config,
    poster: createSlackAlertPoster({ token: settings.botToken, ...(settings.apiUrl && { apiUrl: settings.apiUrl }), signer, secrets }),
    log,
    token: env[ALERTS_TOKEN_ENV] || undefined,
    probeOptions: { log, runbookForCheck: runbooks.byCheck, state: store.probeState, secrets, targets: config.targets },
    reportOptions: { runbookUrl: runbookUrlFor(config, runbooks), declareIncident: incidents !== undefined, secrets },
    ...(incidents && { incidents: incidents.service }),
  });
  const heartbeats = new HeartbeatService({
    pacer,
    pool: store.pool,
    heartbeats: config.heartbeats ?? [],
    poster: createSlackAlertPoster({ token: settings.botToken, ...(settings.apiUrl && { apiUrl: settings.apiUrl }), signer, secrets }),
    log,
    token: env[ALERTS_TOKEN_ENV] || undefined,
    clock: hooks.clock ?? SYSTEM_CLOCK,
    // A test's clock is moved by the test, which runs the checks itself.
    poll: hooks.clock === undefined,
    ...(incidents && { incidents: incidents.service }),
  });
  const services: AppServices = {
    config, runbooks, audit: store.audit, probeState: store.probeState, history, pool: store.pool, log, actions, secrets, digests,
    ...(incidents && { incidents: incidents.service }),
    alerts,
    heartbeats,
  };
  try {
    const slack = await createSlackApp({
      settings,
      services,
      commands: COMMANDS,
      signer,
      ...(redis && { redis }),
      ...(starting && { startupPort: { release: () => starting.close() } }),
      readiness: async () => {
        const storeOk = await store.ping();
        return { ready: storeOk, reasons: storeOk ? [] : ['state store is not answering'] };
      },
    });
    // Claims whose process died while this host's bot was down are recorded before presses arrive.
    await actions.start();
    // A heartbeat new to the store is counted from this start; an outage left open is kept.
    await heartbeats.start();
    const { port, mode } = await slack.start();
    await digests.start();
    // The engine starts by handling whatever fell due while no replica was running (sent at
    // once, marked late), then wakes at each next due time.
    incidents?.engine.start();
    // Alert messages left pending (a restart, a replica gone) are sent first.
    alerts.start();
    if (config.incidents) {
      // Pre-flight: a ladder level nobody can receive is said at start, not discovered at 3 a.m.
      void checkLadder(config, createSlackDirectory(web))
        .then((check) => {
          for (const line of describeLadderCheck(check)) log.warn(line);
        })
        .catch((err: unknown) => log.warn({ err }, 'escalation ladder: the pre-flight check could not run'));
    }
    log.info({ port, mode, store: store.embedded ? 'embedded' : 'DATABASE_URL' }, mode === 'http' ? `listening on :${port} (POST /slack/events)` : 'connected in Socket Mode');
    return {
      port,
      mode,
      services,
      async stop() {
        // The shutdown's start: the exit is forced SHUTDOWN_GRACE_MS after it (installShutdown).
        const stopStartedAt = Date.now();
        await incidents?.engine.stop();
        await alerts.stop();
        await heartbeats.stop();
        await digests.stop();
        pacer.stop();
        await slack.stop();
        // No press arrives any more: running actions get what is left of their share of the
        // shutdown grace (the stops above can take much of it while Slack is slow), so that the
        // ones cut short are recorded interrupted before the exit is forced.
        const grace = readShutdownGraceMs(env);
        await actions.drain(actionDrainMs(grace, Date.now() - stopStartedAt), actionDrainMs(grace));
        await closeProbes();
        keyRing.close?.();
        await registry.stop();
        await redis?.close();
        await store.close();
      },
    };
  } catch (error) {
    await heartbeats.stop().catch(() => undefined);
    await digests.stop().catch(() => undefined);
    pacer.stop();
    await actions.drain(0).catch(() => undefined);
    keyRing.close?.();
    await starting?.close();
    await registry.stop();
    await redis?.close();
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** What the escalation engine and the incident service are made from. */
interface IncidentParts {
  config: Config;
  settings: SlackSettings;
  pool: pg.Pool;
  audit: AuditTrail;
  secrets: readonly string[];
  signer: ValueSigner;
  /** Members of a Slack user group: for DMs to a group and for the access rules. */
  groupMembers(group: string): Promise<string[]>;
  log: Logger;
  /** ESCALATION_LEASE_MS: how soon a dead replica's page or timer is taken over. */
  leaseMs: number;
}

/** The escalation engine (not started yet) and the incident service over it. */
function createIncidents(incidents: IncidentsConfig, p: IncidentParts): { engine: EscalationEngine; service: IncidentService } {
  const clock = SYSTEM_CLOCK;
  const pager = createSlackPager({ token: p.settings.botToken, ...(p.settings.apiUrl && { apiUrl: p.settings.apiUrl }), incidentsChannel: incidents.channel, clock, signer: p.signer, secrets: p.secrets });
  const engine = new EscalationEngine({
    pool: p.pool,
    pager,
    oncall: createOnCallLookup(p.config.oncall.rotations, new OverrideStore(p.pool)),
    groupMembers: p.groupMembers,
    incidentsChannel: incidents.channel,
    clock,
    log: p.log.child({ component: 'incidents' }),
    leaseMs: p.leaseMs,
  });
  const service = new IncidentService({ pool: p.pool, config: incidents, engine, pager, groupMembers: p.groupMembers, log: p.log, audit: p.audit });
  return { engine, service };
}

/** Where a runbook is readable in a browser, when runbooks.baseUrl is set (as /diag links it). */
function runbookUrlFor(config: Config, runbooks: { byId: ReadonlyMap<string, unknown> }): (id: string) => string | undefined {
  const base = config.runbooks.baseUrl;
  return (id) => (base && runbooks.byId.has(id) ? `${base.replace(/\/$/, '')}/${id}.md` : undefined);
}
