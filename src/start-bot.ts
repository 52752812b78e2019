// Wires the bot together: settings, config, runbooks, state store, and its transport: Slack, or the
// playground (the bot in a browser page on this machine, src/playground/). Stores, remedies,
// digests, incidents, alerts, heartbeats, replicas, shutdown and health are wired once, for both;
// only what posts, pages and receives comes from the transport. Everything that can be wrong with
// the setup is found here, before the bot says it is ready.
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
import type { Readiness } from './metrics/health-routes.ts';
import { ReplicaRegistry, readReplicaGroup } from './coord/replica-registry.ts';
import { StartupHealth } from './coord/startup-health.ts';
import { RedisChannelPacer } from './coord/redis-channel-pacer.ts';
import { ShortLock } from './coord/short-lock.ts';
import { LocalChannelPacer } from './coord/local-channel-pacer.ts';
import { pacedChannelPoster } from './coord/paced-channel-poster.ts';
import type { ChannelPoster } from './channel-poster.ts';
import type { AlertPoster } from './alerts/alert-poster.ts';
import type { Pager } from './incidents/pager.ts';
import type { SlackDirectory } from './incidents/slack-directory.ts';
import { readChatopsMode, readPlaygroundSettings } from './playground/read-playground-settings.ts';
import { startDemo, usesDemoConfig } from './playground/demo-config.ts';

export interface RunningBot {
  port: number;
  mode: 'http' | 'socket' | 'playground';
  services: AppServices;
  /** Lines `npm start` prints for a person at the terminal (the playground's address); none with Slack. */
  notice: string[];
  stop(): Promise<void>;
}

/** Whether the bot is ready: the store answers (and, in Socket Mode, the socket is up). */
export type BotReadiness = Readiness;

/**
 * What differs between Slack and the playground: what posts outside a request, pages, looks people
 * up, and the edge that receives commands, presses and dialogs and serves the HTTP routes.
 */
export interface BotTransport {
  /** Posts outside a request (digests, remedy notices), unpaced: the bot paces it. */
  channelPoster: ChannelPoster;
  /** One per service that posts alerts (alerts, heartbeats). */
  alertPoster(): AlertPoster;
  createPager(o: { incidentsChannel: string; clock: Clock }): Pager;
  /** For the ladder's pre-flight check (one per check: answers are cached for its lifetime). */
  directory(): SlackDirectory;
  /** Members of a user group: for DMs to a group and for the access rules. */
  groupMembers(group: string): Promise<string[]>;
  /** The receiving edge, made once every service exists; it listens at start(). */
  edge(o: EdgeParts): Promise<BotEdge>;
}

export interface EdgeParts {
  services: AppServices;
  signer: ValueSigner;
  redis?: BotRedis;
  readiness(): Promise<BotReadiness>;
  /** The start's own health server on the port, closed just before the edge listens there. */
  startupPort?: { release(): Promise<void> };
}

export interface BotEdge {
  start(): Promise<{ port: number; mode: RunningBot['mode'] }>;
  stop(): Promise<void>;
}

/**
 * `onSecrets`: told every configured secret as soon as the config is read (the logger masks them
 * from then on). `clock`: what time the heartbeats see (a test's fake clock; the system's by default).
 */
export async function startBot(env: NodeJS.ProcessEnv, log: Logger, hooks: { onSecrets?: (secrets: readonly string[]) => void; clock?: Clock } = {}): Promise<RunningBot> {
  const mode = readChatopsMode(env);
  const settings = mode === 'slack' ? readSlackSettings(env) : undefined;
  const playground = mode === 'playground' ? readPlaygroundSettings(env) : undefined;
  // The playground without a config of the user's runs its built-in demo, which diagnoses the
  // state store itself: it is made once the store is open.
  const demo = playground !== undefined && usesDemoConfig(env);
  const loaded = demo ? undefined : withRunbooks(loadConfig({ file: env.CHATOPS_CONFIG || undefined, env }), env, log, hooks);
  // Button values are signed with CHATOPS_SIGNING_KEYS when set, else with keys kept in the store.
  const envKeys = env[SIGNING_KEYS_ENV] ? parseSigningKeys(env[SIGNING_KEYS_ENV]) : undefined;
  // The port answers while the store opens and migrates: 503 "starting", not a refused connection
  // (a fixed PORT, with Slack: the playground's page listens on its own host once it is ready).
  const starting = !settings || settings.port === 0 ? undefined : await StartupHealth.listen(settings.port, 'PORT', 'opening the state store and applying its migrations');
  let store: Awaited<ReturnType<typeof openStore>>;
  // The bot's own Redis (never a monitored one): several replicas coordinate through it.
  let redis: BotRedis | undefined;
  let replicas: ReplicaRegistry | undefined;
  let keyRing: Awaited<ReturnType<typeof storedKeyRing>>;
  let demoParts: Awaited<ReturnType<typeof startDemo>> | undefined;
  try {
    store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.CHATOPS_DATA_DIR || '.chatops', log });
    if (starting) starting.doing = 'connecting to Slack';
    try {
      redis = env.REDIS_URL ? new BotRedis(env.REDIS_URL, log) : undefined;
      // Without REDIS_URL, another running replica stops this start (they would not share Slack's pacing).
      replicas = new ReplicaRegistry({ pool: store.pool, log, hasRedis: redis !== undefined, group: readReplicaGroup(env) });
      await replicas.start();
      keyRing = envKeys ? staticKeyRing(envKeys) : await storedKeyRing(store.pool);
      if (demo) demoParts = await startDemo({ databaseUrl: store.url, userId: playground!.userId, env, log, ...(store.embedded && { embeddedPool: store.pool }) });
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
  // Assigned above; names the closures below see as set.
  const registry = replicas;
  const signer = new ValueSigner(keyRing);
  let parts: { config: Config; secrets: readonly string[]; runbooks: ReturnType<typeof loadRunbooks>; transport: BotTransport & { stop?(): Promise<void>; notice?(): Array<{ text: string; warn?: boolean }> } };
  try {
    const { config, secrets, runbooks } = loaded ?? withRunbooks(demoParts!.config, env, log, hooks);
    // Each part is made once, in dependency order, and is complete before anything receives it.
    // What posts outside a request exists before the edge that receives requests.
    // The playground's code is loaded only when it runs: a Slack start never loads it.
    const transport = settings
      ? slackTransport(settings, signer, secrets)
      : (await import('./playground/start-playground-transport.ts')).startPlaygroundTransport({ settings: playground!, config, signer, secrets, log, ...(demoParts && { demo: demoParts }) });
    parts = { config, secrets, runbooks, transport };
  } catch (error) {
    keyRing.close?.();
    await demoParts?.stop().catch(() => undefined);
    await starting?.close();
    await registry.stop();
    await redis?.close();
    await store.close().catch(() => undefined);
    throw error;
  }
  const { config, secrets, runbooks, transport } = parts;
  // One pacer for every scheduled post (alerts, heartbeats, digests): Slack's per-channel rate and
  // its Retry-After. With REDIS_URL it is shared by every replica; without it, by this process's parts.
  const pacer = redis ? new RedisChannelPacer({ redis, fallback: new LocalChannelPacer(1_000), log }) : new LocalChannelPacer(1_000);
  const unpaced = transport.channelPoster;
  const poster = pacedChannelPoster(unpaced, pacer);
  const groupMembers = (group: string): Promise<string[]> => transport.groupMembers(group);
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
  const incidents = config.incidents ? createIncidents(config.incidents, { config, transport, pool: store.pool, audit: store.audit, groupMembers, log, leaseMs: readEscalationLeaseMs(env) }) : undefined;
  const alerts = new AlertService({
    pacer,
    pool: store.pool,
    config,
    poster: transport.alertPoster(),
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
    poster: transport.alertPoster(),
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
  // Known outside the try: a start that fails after the edge listens closes it again (the port, the page's streams).
  let listening: BotEdge | undefined;
  try {
    const edge = await transport.edge({
      services,
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
    const { port, mode } = await edge.start();
    listening = edge;
    await digests.start();
    // The engine starts by handling whatever fell due while no replica was running (sent at
    // once, marked late), then wakes at each next due time.
    incidents?.engine.start();
    // Alert messages left pending (a restart, a replica gone) are sent first.
    alerts.start();
    if (config.incidents) {
      // Pre-flight: a ladder level nobody can receive is said at start, not discovered at 3 a.m.
      void checkLadder(config, transport.directory())
        .then((check) => {
          for (const line of describeLadderCheck(check)) log.warn(line);
        })
        .catch((err: unknown) => log.warn({ err }, 'escalation ladder: the pre-flight check could not run'));
    }
    // The playground's address and how to switch to Slack, said once everything runs.
    const notice = transport.notice?.() ?? [];
    for (const line of notice) log[line.warn ? 'warn' : 'info']({ port, mode, store: store.embedded ? 'embedded' : 'DATABASE_URL', config: config.source }, line.text);
    if (mode !== 'playground') log.info({ port, mode, store: store.embedded ? 'embedded' : 'DATABASE_URL' }, mode === 'http' ? `listening on :${port} (POST /slack/events)` : 'connected in Socket Mode');
    return {
      port,
      mode,
      services,
      notice: notice.map((line) => line.text),
      async stop() {
        // The shutdown's start: the exit is forced SHUTDOWN_GRACE_MS after it (installShutdown).
        const stopStartedAt = Date.now();
        await incidents?.engine.stop();
        await alerts.stop();
        await heartbeats.stop();
        await digests.stop();
        pacer.stop();
        await edge.stop();
        // No press arrives any more: running actions get what is left of their share of the
        // shutdown grace (the stops above can take much of it while Slack is slow), so that the
        // ones cut short are recorded interrupted before the exit is forced.
        const grace = readShutdownGraceMs(env);
        await actions.drain(actionDrainMs(grace, Date.now() - stopStartedAt), actionDrainMs(grace));
        await closeProbes();
        keyRing.close?.();
        await registry.stop();
        await redis?.close();
        await transport.stop?.();
        await store.close();
      },
    };
  } catch (error) {
    // Whatever had started by the failure stops again, so that nothing keeps the process or the port.
    await incidents?.engine.stop().catch(() => undefined);
    await alerts.stop().catch(() => undefined);
    await listening?.stop().catch(() => undefined);
    await heartbeats.stop().catch(() => undefined);
    await digests.stop().catch(() => undefined);
    pacer.stop();
    await actions.drain(0).catch(() => undefined);
    keyRing.close?.();
    await starting?.close();
    await registry.stop();
    await redis?.close();
    await transport.stop?.().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

/** The config with its secrets told (masked from then on), its runbooks loaded and their references checked. */
function withRunbooks(config: Config, env: NodeJS.ProcessEnv, log: Logger, hooks: { onSecrets?: (secrets: readonly string[]) => void }): { config: Config; secrets: readonly string[]; runbooks: ReturnType<typeof loadRunbooks> } {
  // Every configured secret, masked in all the bot posts, stores and logs.
  const secrets = configSecrets(config, env);
  hooks.onSecrets?.(secrets);
  const runbooks = loadRunbooks(config.runbooks.dir, allCheckIds());
  // A PromQL query naming a runbook that does not exist stops the start like any bad key.
  const runbookRefs = queryRunbookProblems(config.targets, runbooks.byId);
  if (runbookRefs.length > 0) throw ConfigError.of(config.source, runbookRefs);
  log.info({ config: config.source, targets: config.targets.map((t) => `${t.name}:${t.kind}`), runbooks: runbooks.all.length }, 'configuration loaded');
  return { config, secrets, runbooks };
}

/** Slack's parts: the Web API for posting, paging and looking people up, and the Bolt app as the edge. */
function slackTransport(settings: SlackSettings, signer: ValueSigner, secrets: readonly string[]): BotTransport {
  // Slack's Web API client needs only the settings: what posts outside a request exists before the app.
  const web = createWebClient(settings);
  const api = { token: settings.botToken, ...(settings.apiUrl && { apiUrl: settings.apiUrl }), signer, secrets };
  return {
    channelPoster: createChannelPoster(web, signer, secrets),
    alertPoster: () => createSlackAlertPoster(api),
    createPager: ({ incidentsChannel, clock }) => createSlackPager({ ...api, incidentsChannel, clock }),
    directory: () => createSlackDirectory(web),
    groupMembers: async (group) => (await web.usergroups.users.list({ usergroup: group })).users ?? [],
    async edge({ services, signer: edgeSigner, redis, readiness, startupPort }) {
      const slack = await createSlackApp({ settings, services, commands: COMMANDS, signer: edgeSigner, readiness, ...(redis && { redis }), ...(startupPort && { startupPort }) });
      return { start: () => slack.start(), stop: () => slack.stop() };
    },
  };
}

/** What the escalation engine and the incident service are made from. */
interface IncidentParts {
  config: Config;
  /** Pages and incident messages go out through it. */
  transport: BotTransport;
  pool: pg.Pool;
  audit: AuditTrail;
  /** Members of a Slack user group: for DMs to a group and for the access rules. */
  groupMembers(group: string): Promise<string[]>;
  log: Logger;
  /** ESCALATION_LEASE_MS: how soon a dead replica's page or timer is taken over. */
  leaseMs: number;
}

/** The escalation engine (not started yet) and the incident service over it. */
function createIncidents(incidents: IncidentsConfig, p: IncidentParts): { engine: EscalationEngine; service: IncidentService } {
  const clock = SYSTEM_CLOCK;
  const pager = p.transport.createPager({ incidentsChannel: incidents.channel, clock });
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
