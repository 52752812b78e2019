// The Slack edge: the only place that knows Bolt. It acks every command at once, then hands the
// text to the engine's command and turns the engine's messages into Slack calls.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type SocketModeReceiver, type CustomRoute, type RespondFn, type types } from '@slack/bolt';
import { retryPolicies, type WebClient } from '@slack/web-api';
import type { AppServices } from '../app-services.ts';
import type { SlashCommand } from '../slash-command.ts';
import { boltLogger } from './bolt-logger.ts';
import { createReplier } from './create-replier.ts';
import { BOT_INTERACTIONS } from './interactions/bot-interactions.ts';
import { registerInteractions } from './interactions/register-interactions.ts';
import type { SlackSettings } from './slack-settings.ts';
import { verifyBotToken } from './verify-bot-token.ts';
import { assertPortFree, freePort } from '../free-port.ts';
import { runCommandText } from '../run-command-text.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import { guardSlackRequests } from './guard-slack-requests.ts';
import { handleOnce, RequestLedger } from './handle-once.ts';
import type { ResponseUrlPolicy } from './response-urls.ts';
import { verifyInteractive } from './verify-interactive.ts';
import { healthRoutes, type Readiness } from '../metrics/health-routes.ts';
import { observeCommand } from '../metrics/observe-command.ts';
import { logPresses } from './log-presses.ts';
import type { BotRedis } from '../coord/bot-redis.ts';

export type { Readiness };

export interface SlackAppOptions {
  settings: SlackSettings;
  services: AppServices;
  commands: readonly SlashCommand[];
  readiness: () => Promise<Readiness>;
  /** Signs every button value and dialog the bot sends, and verifies them when pressed. */
  signer: ValueSigner;
  /** The bot's own Redis (REDIS_URL): the fast path of the once-only check of Slack requests. */
  redis?: BotRedis;
  /**
   * Set when the port is held by the start's own health server (src/coord/startup-health.ts):
   * it proved the port free, and `release` frees it just before the app listens.
   */
  startupPort?: { release(): Promise<void> };
}

export interface SlackApp {
  app: App;
  /** Starts listening; resolves with the HTTP port (health routes, and events in HTTP mode). */
  start(): Promise<{ port: number; mode: 'http' | 'socket' }>;
  stop(): Promise<void>;
}

export async function createSlackApp(options: SlackAppOptions): Promise<SlackApp> {
  const { settings, services, commands, signer } = options;
  const socketMode = settings.appToken !== undefined;
  const log = services.log.child({ component: 'slack' });
  // Alertmanager's webhook and the heartbeats are served on the same port as the health routes, in both modes.
  // In Socket Mode the bot is not ready while its socket to Slack is down (nothing arrives).
  let socketConnected = false;
  const readiness = async (): Promise<Readiness> => {
    const r = await options.readiness();
    if (!socketMode || socketConnected) return r;
    return { ready: false, reasons: [...r.reasons, 'Socket Mode: not connected to Slack'] };
  };
  const customRoutes = [...healthRoutes(readiness, log), ...(services.alerts?.routes() ?? []), ...(services.heartbeats?.routes() ?? [])];
  // A reply lost to a network blip is retried for a few minutes, not the default half hour.
  const clientOptions = { slackApiUrl: settings.apiUrl, retryConfig: retryPolicies.fiveRetriesInFiveMinutes };
  // Bolt's listeners would crash on a taken port (Socket Mode) or fail with a stack trace (HTTP).
  if (settings.port !== 0 && !options.startupPort) await assertPortFree(settings.port, 'PORT');
  // In Socket Mode the port only serves the health routes; 0 means any free one.
  const port = settings.port === 0 && socketMode ? await freePort() : settings.port;
  const identity = await verifyBotToken(settings.botToken, settings.apiUrl);
  log.info({ botUserId: identity.botUserId, team: identity.teamId }, 'bot token verified');
  // Answers through a response_url go to this workspace's Slack URLs only.
  const responseUrls: ResponseUrlPolicy = { bases: settings.responseUrlBases, ...(identity.teamId && { teamId: identity.teamId }) };
  const app = new App({
    token: settings.botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    logger: boltLogger(services.log),
    clientOptions,
    ...(socketMode
      ? // The Socket Mode client gets its own copy: it fills in a missing retryConfig with
        // { retries: 100 } for apps.connections.open by writing into the object it is given, and Bolt
        // builds the listeners' WebClients from a spread of the App's clientOptions, so a shared
        // object would make every chat.postMessage retry up to 100 times in production.
        { socketMode: true, appToken: settings.appToken, customRoutes, installerOptions: { port, clientOptions: { ...clientOptions } } }
      : { receiver: guardedReceiver(settings.signingSecret!, responseUrls, customRoutes, services) }),
  });

  // Before any listener: a request already handled (a retry, a replay) is acknowledged and
  // dropped; a press or a dialog must carry a value the bot signed.
  const ledger = new RequestLedger(services.pool, log, options.redis);
  // First of all: every press and dialog gets its operations line, also one the next two drop.
  app.use(logPresses(log));
  app.use(handleOnce(ledger));
  app.use(verifyInteractive({ signer, audit: services.audit, log, responseUrls, decode: services, secrets: services.secrets }));

  for (const command of commands) {
    app.command(command.name, async ({ ack, command: payload, respond, client, context }) => {
      await ack(); // before any I/O: Slack's 3-second limit is never at the mercy of a slow system
      await afterAckIsSent();
      const observed = observeCommand({ command: command.name, triggerId: payload.trigger_id, user: payload.user_id, channel: payload.channel_id }, log);
      // A retry or a replay of a command already handled does nothing more.
      // Acknowledged already, so it can wait for the store: a slow store never lets a replay through.
      if (!(await ledger.firstTime(payload, 'command', context.retryNum, Infinity))) return observed.end('deduplicated');
      // Slack always sends a response_url; a payload without one is answered privately in its channel.
      const answer: RespondFn = typeof respond === 'function'
        ? respond
        : ephemeralRespond(client, payload.channel_id, payload.user_id);
      const reply = createReplier({ respond: answer, client, channelId: payload.channel_id, log, signer, secrets: services.secrets });
      const inGroup = async (group: string) => ((await client.usergroups.users.list({ usergroup: group })).users ?? []).includes(payload.user_id);
      const typed = typeof payload.text === 'string' ? payload.text : '';
      await runCommandText(command, typed, { userId: payload.user_id, channelId: payload.channel_id, reply, services, inGroup }, observed, log);
    });
  }

  // Every button and dialog the bot offers, as its declaration says (src/slack/interactions/).
  registerInteractions(app, BOT_INTERACTIONS, services, signer);

  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a Slack listener');
  });

  return {
    app,
    async start() {
      await options.startupPort?.release();
      if (socketMode) {
        const client = (app as unknown as { receiver: SocketModeReceiver }).receiver.client;
        client.on('connected', () => (socketConnected = true));
        for (const state of ['reconnecting', 'disconnecting', 'disconnected']) client.on(state, () => (socketConnected = false));
        await app.start();
        return { port, mode: 'socket' };
      }
      const server = (await app.start(port)) as Server;
      return { port: (server.address() as AddressInfo).port, mode: 'http' };
    },
    async stop() {
      await app.stop();
    },
  };
}

/** HTTP mode: Bolt's receiver behind the guard that refuses stale, future, unsigned and malformed requests. */
function guardedReceiver(signingSecret: string, responseUrls: ResponseUrlPolicy, customRoutes: CustomRoute[], services: AppServices): HTTPReceiver {
  const receiver = new HTTPReceiver({ signingSecret, customRoutes, logger: boltLogger(services.log), processBeforeResponse: false });
  receiver.requestListener = guardSlackRequests(receiver.requestListener, { signingSecret, responseUrls, log: services.log.child({ component: 'slack' }) });
  return receiver;
}

/**
 * respond() for a command that came without a response_url: privately in its channel, through the
 * Web API. RespondFn promises what Slack's response_url answered, which chat.postEphemeral does
 * not give: the one cast, and nothing reads that answer.
 */
function ephemeralRespond(client: WebClient, channel: string, user: string): RespondFn {
  return async (m) => {
    const args: { text?: string; blocks?: Array<types.KnownBlock | types.Block>; thread_ts?: string } = typeof m === 'string' ? { text: m } : m;
    await client.chat.postEphemeral({ channel, user, text: args.text ?? '', ...(args.blocks && { blocks: args.blocks }), ...(args.thread_ts && { thread_ts: args.thread_ts }) });
    return undefined as unknown as Awaited<ReturnType<RespondFn>>;
  };
}

/** Yields to the event loop so the ack's HTTP response is written before the work starts. */
function afterAckIsSent(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
