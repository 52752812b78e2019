// /readyz in Socket Mode: ready while the socket to Slack (a local fake of the Socket Mode service)
// is open, 503 naming the socket once that service is gone (nothing can arrive), with the real
// bot and its real state store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/free-port.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';
import { startTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

let slack: FakeSlackApi;
let socket: FakeSocketMode;
let bot: RunningBot;
let port: number;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  socket = await startFakeSocketMode({ upstreamApiUrl: slack.apiUrl });
  port = await freePort();
  bot = await startTestBot({ SLACK_APP_TOKEN: 'xapp-1-A0APP-1234-readyz-app-token', SLACK_API_URL: socket.apiUrl, SLACK_RESPONSE_URL_BASE: slack.apiUrl, PORT: String(port) });
});

afterAll(async () => {
  await bot?.stop();
  await socket?.close();
  await slack?.close();
});

async function readyz(): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: await res.json() };
}

describe('readiness in Socket Mode', () => {
  it('is ready while the socket is open, and 503 naming the socket once Slack\'s side is gone', async () => {
    expect(socket.isConnected()).toBe(true);
    expect(await readyz()).toEqual({ status: 200, body: { ready: true, reasons: [] } });
    await socket.close();
    const down = await waitFor(async () => {
      const r = await readyz();
      return r.status === 503 ? r : undefined;
    }, 20_000, '/readyz 503 after the Socket Mode service closed');
    expect(down.body).toEqual({ ready: false, reasons: ['Socket Mode: not connected to Slack'] });
    // Alive all the same: the process is fine, only Slack is out of reach.
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    await health.body?.cancel();
  });
});
