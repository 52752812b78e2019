// The playground as the bot's transport (src/start-bot.ts wires it like Slack's): the workspace the
// page shows, the transport that posts into it, and as the edge the playground's bot behind the
// page's server, which also serves the health, metrics, alert and heartbeat routes on its port.
import { COMMANDS } from '../../commands/index.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logger.ts';
import { healthRoutes } from '../metrics/health-routes.ts';
import type { ValueSigner } from '../security/value-signer.ts';
import type { BotTransport } from '../start-bot.ts';
import { DEMO_PEOPLE, type RunningDemo } from './demo-config.ts';
import { PlaygroundBot } from './playground-bot.ts';
import { PlaygroundServer, type ExtraRoute } from './playground-server.ts';
import { createPlaygroundTransport } from './playground-transport.ts';
import type { PlaygroundChannel } from './playground-types.ts';
import { PlaygroundWorkspace } from './playground-workspace.ts';
import type { PlaygroundSettings } from './read-playground-settings.ts';

/** The page's channels: commands are typed in the first. */
export const PLAYGROUND_CHANNELS: readonly PlaygroundChannel[] = [
  { id: 'C0OPS', name: 'ops' },
  { id: 'C0INCIDENTS', name: 'incidents' },
  { id: 'C0ALERTS', name: 'alerts' },
];

export const SWITCH_TO_SLACK =
  'to run in Slack instead, set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_BOT_TOKEN and SLACK_APP_TOKEN for Socket Mode); CHATOPS_MODE=slack refuses to start without them';

export interface PlaygroundTransportParts {
  settings: PlaygroundSettings;
  config: Config;
  signer: ValueSigner;
  secrets: readonly string[];
  log: Logger;
  /** The built-in demo, when no config of the user's is loaded: stopped with the transport. */
  demo?: RunningDemo;
}

export interface StartedPlaygroundTransport extends BotTransport {
  /** What the bot logs and `npm start` prints once everything runs (the page's address, how to switch to Slack). */
  notice(): Array<{ text: string; warn?: boolean }>;
  stop(): Promise<void>;
}

export function startPlaygroundTransport(o: PlaygroundTransportParts): StartedPlaygroundTransport {
  const { settings, config, log } = o;
  const people = new Map<string, string>([[settings.userId, settings.userName], ...DEMO_PEOPLE.filter(([id]) => id !== settings.userId)]);
  const workspace = new PlaygroundWorkspace({ channels: playgroundChannels(config), people });
  const transport = createPlaygroundTransport({ workspace, signer: o.signer, secrets: o.secrets });
  const lines: Array<{ text: string; warn?: boolean }> = [];
  return {
    channelPoster: transport.channelPoster,
    alertPoster: () => transport.alertPoster,
    createPager: (p) => transport.createPager(p),
    directory: () => transport.directory,
    groupMembers: (group) => transport.groupMembers(group),
    async edge({ services, signer, readiness }) {
      const bot = new PlaygroundBot({ workspace, transport, services, commands: COMMANDS, signer, user: settings.userId, log });
      const routes: ExtraRoute[] = [...healthRoutes(readiness, log), ...(services.alerts?.routes() ?? []), ...(services.heartbeats?.routes() ?? [])];
      let server: PlaygroundServer | undefined;
      return {
        async start() {
          server = await PlaygroundServer.start({
            workspace, bot, routes, log,
            user: { id: settings.userId, name: settings.userName },
            host: settings.host,
            port: settings.port,
            title: 'chatops playground',
            banner: banner(config, o.demo),
          });
          lines.push({ text: `playground: ${server.url}` });
          lines.push(settings.loopbackOnly
            ? { text: `playground: listening on ${settings.host} only: the page opens in a browser on this machine, nowhere else` }
            : { text: `playground: WARNING: listening on ${settings.host}: the page is reachable from other machines and has no login; anyone who reaches it acts as ${settings.userId} (PLAYGROUND_HOST unset: 127.0.0.1 only)`, warn: true });
          lines.push({ text: `playground: ${SWITCH_TO_SLACK}` });
          return { port: server.port, mode: 'playground' };
        },
        async stop() {
          await server?.close();
        },
      };
    },
    notice: () => [...lines],
    async stop() {
      await o.demo?.stop();
    },
  };
}

/** The page's three channels, then any other channel the config posts to (named by its id). */
function playgroundChannels(config: Config): PlaygroundChannel[] {
  const channels = [...PLAYGROUND_CHANNELS];
  const named = [
    config.incidents?.channel,
    ...config.digests.map((d) => d.channel),
    ...(config.alerts?.routes.map((r) => r.channel) ?? []),
    ...(config.heartbeats?.map((h) => h.channel) ?? []),
  ];
  for (const id of named) {
    if (id !== undefined && !channels.some((c) => c.id === id)) channels.push({ id, name: id.toLowerCase() });
  }
  return channels;
}

/** Which config is loaded, and how to point the bot at your own systems. */
function banner(config: Config, demo: RunningDemo | undefined): { config: string; lines: string[] } {
  if (demo) {
    const targets = demo.redis ? 'demo-db is the bot\'s own PostgreSQL and demo-cache a redis-server of its own' : `demo-db is the bot's own PostgreSQL (${demo.noRedis})`;
    return {
      config: `config: ${config.source}`,
      lines: [
        `The built-in demo: ${targets}; incidents page placeholder people on a demo ladder that climbs within minutes.`,
        'To diagnose your own systems: copy chatops.example.yml to chatops.yml (or set CHATOPS_CONFIG to your copy), fill in your targets and start again.',
        'Type commands in #ops: /diag db, /diag all, /runbook, /oncall, /incident declare sev2 <title>, /digest now.',
      ],
    };
  }
  return {
    config: `config: ${config.source}`,
    lines: [
      `Your config, ${config.source}: its targets are diagnosed for real (${config.targets.map((t) => t.name).join(', ') || 'none yet'}).`,
      'Remedies follow its access: rules; the page\'s user is the id CHATOPS_PLAYGROUND_USER names (default U0YOU).',
      'Type commands in #ops: /diag, /runbook, /oncall, /incident, /digest now.',
    ],
  };
}
