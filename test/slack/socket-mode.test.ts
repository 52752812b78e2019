// The real bot in Socket Mode (SLACK_APP_TOKEN set): it opens a WebSocket to a local fake of Slack's
// Socket Mode service instead of serving /slack/events, receives slash commands as envelopes over
// that socket, acks them on it, and makes its Web API calls to the local fake Slack API as in HTTP
// mode. The health routes still answer on PORT. Real PostgreSQL state store and probe target.
// Two replicas on one state store (and the bot's Redis), a socket each: every envelope goes to one
// of them, a socket cut without a word is reopened, and an envelope Slack delivers again to the
// other replica after it was acked is handled once.
import { retryPolicies } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { AppServices } from '../../src/app-services.ts';
import { silentLogger } from '../../src/logger.ts';
import { createSlackApp } from '../../src/slack/create-slack-app.ts';
import { readSlackSettings } from '../../src/slack/slack-settings.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { freePort } from '../../src/free-port.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';
import { postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, expectRunningThenReport, expectUnknownTargetReply, startTestBot } from '../support/test-bot.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';
import { signAsBot } from '../support/press-button.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { waitFor } from '../support/wait-for.ts';

const APP_TOKEN = 'xapp-1-A0APP-1234-test-app-token';
let slack: FakeSlackApi;
let socket: FakeSocketMode;
let bot: RunningBot;
let port: number;
let base: string;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  socket = await startFakeSocketMode({ upstreamApiUrl: slack.apiUrl });
  port = await freePort();
  // No SLACK_SIGNING_SECRET: Socket Mode needs none.
  // Answers through response_url go to the fake Slack API, not to the socket stand-in's origin.
  // A state store of its own: replicas other files run on the shared one neither stop this start nor are stopped by it.
  bot = await startTestBot({ SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: socket.apiUrl, SLACK_RESPONSE_URL_BASE: slack.apiUrl, PORT: String(port), DATABASE_URL: await freshDatabaseUrl('socket_mode') });
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await bot?.stop();
  await socket?.close();
  await slack?.close();
});

beforeEach(() => slack.reset());

const seqOf = (method: string) => socket.timeline.find((e) => e.kind === 'api' && e.method === method)?.seq;

describe('Socket Mode', () => {
  it('connects through apps.connections.open with the app token before startBot resolves', () => {
    expect(bot.mode).toBe('socket');
    expect(bot.port).toBe(port);
    expect(socket.connectionsOpenCalls).toHaveLength(1);
    expect(socket.connectionsOpenCalls[0]!.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(socket.isConnected()).toBe(true);
  });

  it('/diag db: acks the envelope over the socket first, posts "running", then replaces it with the report', async () => {
    const envelopeId = socket.pushSlashCommand({ command: '/diag', text: 'db', responseUrl: slack.responseUrl('sm-db') });
    const ack = await socket.waitForAck(envelopeId);
    expect(ack.payload).toEqual({}); // a bare ack(): nothing is shown to the user from the ack itself
    await slack.waitFor((calls) => calls.some((c) => c.method === 'chat.update'));

    // The ack went out before any Web API call the command made (acks before any I/O).
    expect(ack.seq).toBeLessThan(seqOf('chat.postMessage')!);
    expect(seqOf('chat.postMessage')!).toBeLessThan(seqOf('chat.update')!);

    const { update } = expectRunningThenReport(slack);
    expect(callText(update)).not.toContain('xapp');
  });

  it('answers an unknown target with an ephemeral message through the envelope\'s response_url', async () => {
    const envelopeId = socket.pushSlashCommand({ command: '/diag', text: 'nosuch', responseUrl: slack.responseUrl('sm-unknown') });
    await socket.waitForAck(envelopeId);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = expectUnknownTargetReply(slack);
    expect(reply.responseId).toBe('sm-unknown');
  });

  it('a press whose value the bot did not sign is refused over the socket too, and audited', async () => {
    const press = (value: string, responseId: string) => ({
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', team_id: 'T0FAKE' },
      team: { id: 'T0FAKE' },
      channel: { id: 'C0OPS' },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0OPS' },
      trigger_id: `${responseId}.trigger`,
      response_url: slack.responseUrl(responseId),
      actions: [{ type: 'button', action_id: 'remedy:postgres.terminate_backend', block_id: 'b', value, action_ts: `${Date.now() / 1000}` }],
    });
    const id = socket.push({ type: 'interactive', accepts_response_payload: false, payload: press(JSON.stringify({ action: 'postgres.terminate_backend', params: { pid: 1 }, target: 'main-db' }), 'sm-forged') });
    await socket.waitForAck(id);
    await slack.waitFor((calls) => calls.some((c) => c.responseId === 'sm-forged'));
    expect(callText(slack.callsTo('respond').find((c) => c.responseId === 'sm-forged')!)).toContain('This button was changed or has expired: run /diag again');
  });

  it('an envelope delivered again (a retry) is handled once', async () => {
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ALICE', username: 'alice', team_id: 'T0FAKE' },
      team: { id: 'T0FAKE' },
      channel: { id: 'C0OPS' },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0OPS' },
      trigger_id: 'retry.trigger',
      response_url: slack.responseUrl('sm-retry'),
      actions: [{ type: 'button', action_id: 'runbook:open', block_id: 'b', value: await signAsBot('runbook:open', 'postgres-connection-exhaustion'), action_ts: `${Date.now() / 1000}` }],
    };
    await socket.waitForAck(socket.push({ type: 'interactive', payload }));
    await slack.waitFor((calls) => calls.some((c) => c.responseId === 'sm-retry'));
    await socket.waitForAck(socket.push({ type: 'interactive', payload, retry_attempt: 1, retry_reason: 'timeout' }));
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.callsTo('respond').filter((c) => c.responseId === 'sm-retry')).toHaveLength(1);
  });

  it('answers /healthz and /readyz on PORT but serves no /slack/events', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, reasons: [] });

    // In Socket Mode Bolt's SocketModeReceiver starts an HTTP server on PORT only because the app
    // has custom routes (the health routes); anything else, /slack/events included, gets its
    // catch-all 404 with an empty body. So the port is open, but no event is accepted over HTTP,
    // even a correctly signed one (there is no signing secret to check it against anyway).
    const events = await postSigned(`${base}/slack/events`, slashCommandBody({ command: '/diag', text: 'db', responseUrl: slack.responseUrl('http') }), {
      secret: 'any-secret',
    });
    expect(events.status).toBe(404);
    expect(await events.text()).toBe('');
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.calls).toHaveLength(0);
  });

  // Last: it takes the client's reconnect delay (clientPingTimeout, 5 s).
  it('reconnects when Slack asks it to (type "disconnect") and keeps answering', async () => {
    socket.requestDisconnect('refresh_requested');
    await socket.waitForConnections(2, 15_000);
    expect(socket.connectionsOpenCalls).toHaveLength(2);
    expect(socket.connectionsOpenCalls[1]!.authorization).toBe(`Bearer ${APP_TOKEN}`);
    const envelopeId = socket.pushSlashCommand({ command: '/diag', text: 'nosuch', responseUrl: slack.responseUrl('after-reconnect') });
    await socket.waitForAck(envelopeId);
    await slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'after-reconnect'));
  });
});

describe('readSlackSettings in Socket Mode', () => {
  it('needs no signing secret when SLACK_APP_TOKEN is set', () => {
    const settings = readSlackSettings({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-abc', PORT: '0' });
    expect(settings.appToken).toBe('xapp-1-abc');
    expect(settings.signingSecret).toBeUndefined();
  });

  it('refuses a SLACK_APP_TOKEN that is not an app-level token, naming the variable without echoing it', () => {
    const read = () => readSlackSettings({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-pasted-the-bot-token' });
    expect(read).toThrow(/SLACK_APP_TOKEN/);
    expect(read).toThrow(/xapp-/);
    expect(read).toThrow(expect.objectContaining({ name: expect.stringMatching(/UserError/) }));
    expect(read).not.toThrow(/pasted-the-bot-token/);
  });
});

describe('Socket Mode wiring', () => {
  it("keeps the listeners' Web API retry policy: the Socket Mode client gets its own clientOptions", async () => {
    // Production settings (no SLACK_API_URL). The bot token is checked with
    // auth.test before the App is built; WebClient takes globalThis.fetch at construction, so
    // that call goes to this stub instead of slack.com. Nothing is started.
    vi.stubGlobal('fetch', async () => Response.json({ ok: true, team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' }));
    try {
      const { app } = await createSlackApp({
        settings: { botToken: 'xoxb-1', appToken: 'xapp-1-abc', port: 0, responseUrlBases: [] },
        services: { log: silentLogger() } as unknown as AppServices,
        commands: [],
        readiness: async () => ({ ready: true, reasons: [] }),
        signer: TEST_SIGNER,
      });
      // Bolt builds each listener's WebClient from a spread of these options. The Socket Mode client
      // writes `retryConfig: { retries: 100 }` into the clientOptions object it is handed, so if that
      // object were shared, every chat.postMessage would inherit it.
      expect(app.webClientOptions.retryConfig).toEqual(retryPolicies.fiveRetriesInFiveMinutes);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('Socket Mode with two replicas, a socket each', () => {
  let slack2: FakeSlackApi;
  let spread: FakeSocketMode;
  const replicas: RunningBot[] = [];

  beforeAll(async () => {
    slack2 = await startFakeSlackApi();
    spread = await startFakeSocketMode({ upstreamApiUrl: slack2.apiUrl, delivery: 'round-robin' });
    // One state store and one Redis (a database number of this file's own) for both replicas.
    const store = await freshDatabaseUrl('socket_replicas');
    for (let n = 0; n < 2; n++) {
      replicas.push(await startTestBot({
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: spread.apiUrl,
        SLACK_RESPONSE_URL_BASE: slack2.apiUrl,
        PORT: String(await freePort()),
        DATABASE_URL: store,
        REDIS_URL: `${inject('redisUrl')}/14`,
      }));
    }
  });

  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await spread?.close();
    await slack2?.close();
  });

  beforeEach(() => slack2.reset());

  const answers = (id: string) => slack2.callsTo('respond').filter((c) => c.responseId === id);
  /** A runbook button press as Slack sends it, with a trigger of its own. */
  const runbookPress = async (id: string) => ({
    type: 'block_actions',
    user: { id: 'U0ALICE', username: 'alice', team_id: 'T0FAKE' },
    team: { id: 'T0FAKE' },
    channel: { id: 'C0OPS' },
    container: { type: 'message', message_ts: '1700000001.000100', channel_id: 'C0OPS' },
    trigger_id: `${id}.trigger`,
    response_url: slack2.responseUrl(id),
    actions: [{ type: 'button', action_id: 'runbook:open', block_id: 'b', value: await signAsBot('runbook:open', 'postgres-connection-exhaustion'), action_ts: `${Date.now() / 1000}` }],
  });

  /** Commands and presses spread over the open sockets: each acked on the socket it went to, each answered once. */
  async function spreadWork(tag: string): Promise<Set<number>> {
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      const id = `${tag}-cmd-${n}`;
      ids.push(id);
      await spread.waitForAck(spread.pushSlashCommand({ command: '/diag', text: 'nosuch', responseUrl: slack2.responseUrl(id) }));
    }
    for (let n = 0; n < 2; n++) {
      const id = `${tag}-press-${n}`;
      ids.push(id);
      await spread.waitForAck(spread.push({ type: 'interactive', payload: await runbookPress(id) }));
    }
    await slack2.waitFor(() => ids.every((id) => answers(id).length > 0), 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(ids.map((id) => answers(id).length)).toEqual(ids.map(() => 1));
    const recent = spread.deliveries.slice(-ids.length);
    // Each envelope was acked on the socket it was delivered to.
    for (const d of recent) expect(spread.acks.find((a) => a.envelope_id === d.envelope.envelope_id)?.connection).toBe(d.connection);
    return new Set(recent.map((d) => d.connection));
  }

  it('commands and button presses delivered to either replica are each answered once', async () => {
    await waitFor(async () => spread.openConnections().length === 2, 10_000, 'both replicas connected');
    expect(spread.connectionsOpenCalls).toHaveLength(2);
    expect((await spreadWork('both')).size).toBe(2);
  });

  it('a socket cut abruptly (no disconnect message) is reopened through apps.connections.open, and both replicas keep answering', async () => {
    const before = spread.connectionsOpenCalls.length;
    const [cut] = spread.openConnections();
    spread.dropConnection(cut);
    await waitFor(async () => spread.connectionsOpenCalls.length > before && spread.openConnections().length === 2, 30_000, 'the cut socket reopened');
    expect(spread.openConnections()).not.toContain(cut);
    expect((await spreadWork('after-cut')).size).toBe(2);
  }, 40_000);

  it('an envelope delivered again to the other replica after it was acked is handled once: one post in Slack', async () => {
    const id = spread.pushSlashCommand({ command: '/diag', text: 'db', responseUrl: slack2.responseUrl('redelivered') });
    const first = await spread.waitForAck(id);
    await slack2.waitFor((calls) => calls.some((c) => c.method === 'chat.update'), 20_000);
    const to = spread.redeliver(id);
    expect(to).not.toBe(first.connection);
    await waitFor(async () => spread.acks.some((a) => a.envelope_id === id && a.connection === to), 10_000, 'the redelivery acked');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(slack2.callsTo('chat.postMessage')).toHaveLength(1);
    expect(slack2.callsTo('chat.update')).toHaveLength(1);

    const pressId = spread.push({ type: 'interactive', payload: await runbookPress('press-redelivered') });
    const pressAck = await spread.waitForAck(pressId);
    await slack2.waitFor(() => answers('press-redelivered').length > 0);
    const pressTo = spread.redeliver(pressId);
    expect(pressTo).not.toBe(pressAck.connection);
    await waitFor(async () => spread.acks.some((a) => a.envelope_id === pressId && a.connection === pressTo), 10_000, 'the redelivered press acked');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(answers('press-redelivered')).toHaveLength(1);
  });
});
