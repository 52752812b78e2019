// Wires the bot together: settings, config, runbooks, state store, Slack. Everything that can be
// wrong with the setup is found here, before the bot says it is ready.
import os from 'node:os';
import { COMMANDS } from '../commands/index.ts';
import { DigestScheduler } from './digest/digest-scheduler.ts';
import { createChannelPoster } from './slack/create-channel-poster.ts';
import type { AppServices } from './app-services.ts';
import { loadConfig } from './config/load-config.ts';
import type { Logger } from './logger.ts';
import { allCheckIds, closeProbes } from './probes/probe-registry.ts';
import { loadRunbooks } from './runbooks/load-runbooks.ts';
import { createSlackApp } from './slack/create-slack-app.ts';
import { readSlackSettings } from './slack/slack-settings.ts';
import { openStore } from './store/open-store.ts';
import type { IncidentsConfig } from './config/incidents-schema.ts';
import { EscalationEngine } from './incidents/escalation-engine.ts';
import { IncidentService } from './incidents/incident-service.ts';
import { createOnCallLookup } from './oncall/on-call-lookup.ts';
import { OverrideStore } from './oncall/override-store.ts';
import { createSlackPager } from './slack/create-slack-pager.ts';
import type { SlackSettings } from './slack/slack-settings.ts';
import { checkLadder, describeLadderCheck } from './incidents/check-ladder.ts';
import { createSlackDirectory } from './slack/create-slack-directory.ts';
import type { ChannelPoster } from './channel-poster.ts';
import { ActionRunner, actionDrainMs, readActionLeaseMs } from './actions/action-runner.ts';
import { readShutdownGraceMs } from './process-safety.ts';
import { escapeMrkdwn, textMessage } from './slack/message-blocks.ts';
import { ValueSigner } from './security/value-signer.ts';
import { configSecrets } from './security/config-secrets.ts';
import { ReportHistory } from './store/report-history.ts';
import { parseSigningKeys, SIGNING_KEYS_ENV, staticKeyRing, storedKeyRing } from './security/signing-keys.ts';

export interface RunningBot {
  port: number;
  mode: 'http' | 'socket';
  services: AppServices;
  stop(): Promise<void>;
}

/** `onSecrets`: told every configured secret as soon as the config is read (the logger masks them from then on). */
export async function startBot(env: NodeJS.ProcessEnv, log: Logger, hooks: { onSecrets?: (secrets: readonly string[]) => void } = {}): Promise<RunningBot> {
  const settings = readSlackSettings(env);
  const config = loadConfig({ file: env.CHATOPS_CONFIG || undefined, env });
  // Every configured secret, masked in all the bot posts, stores and logs.
  const secrets = configSecrets(config, env);
  hooks.onSecrets?.(secrets);
  const runbooks = loadRunbooks(config.runbooks.dir, allCheckIds());
  log.info({ config: config.source, targets: config.targets.map((t) => `${t.name}:${t.kind}`), runbooks: runbooks.all.length }, 'configuration loaded');
  // Button values are signed with CHATOPS_SIGNING_KEYS when set, else with keys kept in the store.
  const envKeys = env[SIGNING_KEYS_ENV] ? parseSigningKeys(env[SIGNING_KEYS_ENV]) : undefined;
  const store = await openStore({ databaseUrl: env.DATABASE_URL || undefined, dataDir: env.CHATOPS_DATA_DIR || '.chatops', log });
  const keyRing = envKeys ? staticKeyRing(envKeys) : await storedKeyRing(store.pool);
  const signer = new ValueSigner(keyRing);
  // Remedies run with a lease; one cut short (shutdown, or a process that died) is recorded as
  // interrupted and said in its report's thread, through the Slack client once there is one.
  let threadPoster: ChannelPoster | undefined;
  const actions = new ActionRunner({
    pool: store.pool,
    log: log.child({ component: 'actions' }),
    leaseMs: readActionLeaseMs(env),
    notify: async (n) => {
      if (!threadPoster) throw new Error('Slack is not connected yet');
      await threadPoster.reply({ channel: n.channel, ts: n.threadTs }, textMessage(`:warning: <@${n.startedBy}> ${escapeMrkdwn(n.text)}`));
    },
  });
  const services: AppServices = { config, runbooks, audit: store.audit, probeState: store.probeState, history: new ReportHistory(store.pool, { secrets }), pool: store.pool, log, actions, secrets };
  try {
    const slack = await createSlackApp({
      settings,
      services,
      commands: COMMANDS,
      signer,
      readiness: async () => {
        const storeOk = await store.ping();
        return { ready: storeOk, reasons: storeOk ? [] : ['state store is not answering'] };
      },
    });
    threadPoster = createChannelPoster(slack.app.client, signer, services.secrets);
    // Claims whose process died while this host's bot was down are recorded before presses arrive.
    await actions.start();
    const { port, mode } = await slack.start();
    const digests = new DigestScheduler(config.digests, { ...services, poster: createChannelPoster(slack.app.client, signer, services.secrets) }, store.pool, {
      instance: `${os.hostname()}:${process.pid}`,
      retentionDays: config.history.retentionDays,
    });
    services.digests = digests;
    await digests.start();
    const engine = config.incidents ? startIncidents(config.incidents, settings, services, slack.app.client, signer, log) : undefined;
    if (config.incidents) {
      // Pre-flight: a ladder level nobody can receive is said at start, not discovered at 3 a.m.
      void checkLadder(config, createSlackDirectory(slack.app.client))
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
        await engine?.stop();
        await digests.stop();
        await slack.stop();
        // No press arrives any more: running actions get most of the shutdown grace to finish.
        await actions.drain(actionDrainMs(readShutdownGraceMs(env)));
        await closeProbes();
        keyRing.close?.();
        await store.close();
      },
    };
  } catch (error) {
    await actions.drain(0).catch(() => undefined);
    keyRing.close?.();
    await store.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The escalation engine and the incident service. The engine starts by handling whatever fell
 * due while no replica was running (sent at once, marked late), then wakes at each next due time.
 */
function startIncidents(
  incidents: IncidentsConfig,
  settings: SlackSettings,
  services: AppServices,
  client: { usergroups: { users: { list(args: { usergroup: string }): Promise<{ users?: string[] }> } } },
  signer: ValueSigner,
  log: Logger,
): EscalationEngine {
  const clock = { now: () => new Date() };
  const pager = createSlackPager({ token: settings.botToken, ...(settings.apiUrl && { apiUrl: settings.apiUrl }), incidentsChannel: incidents.channel, clock, signer, secrets: services.secrets });
  const engine = new EscalationEngine({
    pool: services.pool,
    pager,
    oncall: createOnCallLookup(services.config.oncall.rotations, new OverrideStore(services.pool)),
    groupMembers: async (group) => (await client.usergroups.users.list({ usergroup: group })).users ?? [],
    incidentsChannel: incidents.channel,
    clock,
    log: log.child({ component: 'incidents' }),
  });
  services.incidents = new IncidentService({ pool: services.pool, config: incidents, engine, pager, groupMembers: async (group) => (await client.usergroups.users.list({ usergroup: group })).users ?? [], log, audit: services.audit });
  engine.start();
  return engine;
}
