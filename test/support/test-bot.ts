// The real bot, in-process, for the end-to-end Slack tests: a config file with one postgres target,
// `main-db`, which is the shared test server, also the bot's state store. The test supplies how the
// bot reaches Slack (signing secret or app token, API URL, PORT). And what the bot answers to
// /diag whatever the transport, as recorded by the fake Slack API.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, inject } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { configSecrets } from '../../src/security/config-secrets.ts';
import { recordSecrets, testBotLogger } from './suite-recording.ts';
import { startBot, type RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from './fake-slack-api.ts';
import { postSigned } from './signed-slack-request.ts';
import { freshDatabaseUrl } from './fresh-database.ts';
import { testReplicaGroup } from './test-replica-group.ts';

export const BOT_TOKEN = 'xoxb-test-token';

const MAIN_DB_CONFIG = 'targets:\n  main-db:\n    kind: postgres\n    url: ${MONITORED_URL}\n    timeoutMs: 3000\n';

/** `config` is the chatops.yml text; `${MONITORED_URL}` in it is the shared test server. */
export async function startTestBot(slackEnv: Record<string, string>, config = MAIN_DB_CONFIG): Promise<RunningBot> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-bot-'));
  const configFile = path.join(dir, 'chatops.yml');
  writeFileSync(configFile, config);
  const env = {
    SLACK_BOT_TOKEN: BOT_TOKEN,
    DATABASE_URL: inject('pgUrl'),
    MONITORED_URL: inject('pgUrl'),
    CHATOPS_CONFIG: configFile,
    CHATOPS_REPLICA_GROUP: testReplicaGroup(),
    ...slackEnv,
  };
  // For the whole-suite secret scan: this bot's configured secrets must reach neither Slack nor its log.
  try {
    recordSecrets(`a test bot's config and environment (${expect.getState().testPath ?? 'unknown file'})`, configSecrets(loadConfig({ file: configFile, env }), env));
  } catch {
    // A config the bot refuses: startBot says why, and nothing runs with it.
  }
  return await startBot(env, testBotLogger());
}

export const callText = (call: RecordedCall): string => JSON.stringify(call.args);

/** `/diag db` in channel C0OPS: "running" posted with the bot token, then replaced by the report on main-db. */
export function expectRunningThenReport(slack: FakeSlackApi): { post: RecordedCall; update: RecordedCall } {
  const [post] = slack.callsTo('chat.postMessage');
  expect(post!.args.channel).toBe('C0OPS');
  expect(String(post!.args.text)).toMatch(/Running postgres diagnostics on \*main-db\*/);
  expect(post!.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  const [update] = slack.callsTo('chat.update');
  expect(update!.args.ts).toBeDefined();
  const blocks = update!.args.blocks as Array<{ type: string; text?: { text: string } }>;
  expect(blocks[0]!.type).toBe('header');
  expect(blocks[0]!.text!.text).toContain('main-db');
  expect(blocks.length).toBeLessThanOrEqual(50);
  expect(callText(update!)).not.toContain('xoxb');
  return { post: post!, update: update! };
}

/** `/diag nosuch`: an ephemeral reply naming the target and the valid ones, nothing posted to the channel. */
export function expectUnknownTargetReply(slack: FakeSlackApi): RecordedCall {
  const [reply] = slack.callsTo('respond');
  expect(reply!.args.response_type).toBe('ephemeral');
  expect(callText(reply!)).toContain('unknown target \\"nosuch\\"');
  expect(callText(reply!)).toContain('main-db (postgres)');
  expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  return reply!;
}

export const SIGNING_SECRET = 'test-signing-secret';

export interface HttpTestBot {
  slack: FakeSlackApi;
  bot: RunningBot;
  /** The bot's state store (the shared test database, or its own with `ownStore`). */
  storeUrl: string;
  /** POSTs a signed Slack request body (slash command or interactivity payload) to the bot. */
  send(body: string, headers?: Record<string, string>): Promise<Response>;
}

/**
 * The bot in HTTP mode with a fake Slack API, for one test file: started before its tests with the
 * given chatops.yml, stopped after them, the recorded calls cleared before each test.
 */
export function useHttpTestBot(config: () => string | Promise<string>, options: { ownStore?: string } = {}): HttpTestBot {
  const ctx = {} as HttpTestBot;
  beforeAll(async () => {
    ctx.slack = await startFakeSlackApi();
    // A store of its own for a bot whose incidents must not meet other files' bots (their
    // escalation engines page every open incident of the store they share).
    ctx.storeUrl = options.ownStore ? await freshDatabaseUrl(options.ownStore) : inject('pgUrl');
    ctx.bot = await startTestBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: ctx.slack.apiUrl, PORT: '0', DATABASE_URL: ctx.storeUrl }, await config());
    ctx.send = (body, headers) => postSigned(`http://127.0.0.1:${ctx.bot.port}/slack/events`, body, { secret: SIGNING_SECRET, ...(headers && { headers }) });
  });
  afterAll(async () => {
    await ctx.bot?.stop();
    await ctx.slack?.close();
  });
  beforeEach(() => ctx.slack.reset());
  return ctx;
}
