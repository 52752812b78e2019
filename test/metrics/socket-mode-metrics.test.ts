// In Socket Mode the port serves no Slack requests, only the health routes and /metrics: a /diag
// pushed over the socket is counted there like one over HTTP, and its log line carries the
// command's trigger_id (the envelope_id does not reach Bolt's listeners; the trigger_id is in the
// payload in both modes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/free-port.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { startFakeSocketMode, type FakeSocketMode } from '../support/fake-socket-mode.ts';
import { waitFor } from '../support/wait-for.ts';
import { startObservedBot, type ObservedBot } from './observed-bot.ts';

const APP_TOKEN = 'xapp-1-A0APP-1234-metrics-app-token';
let slack: FakeSlackApi;
let socket: FakeSocketMode;
let o: ObservedBot;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  socket = await startFakeSocketMode({ upstreamApiUrl: slack.apiUrl });
  o = await startObservedBot({ SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: socket.apiUrl, SLACK_RESPONSE_URL_BASE: slack.apiUrl, PORT: String(await freePort()) }, `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 3000
`);
});
afterAll(async () => {
  await o?.stop();
  await socket?.close();
  await slack?.close();
});

describe('metrics in Socket Mode', () => {
  it('GET /metrics on the health port counts a /diag that came over the socket; its line has the trigger_id', async () => {
    expect(o.bot.mode).toBe('socket');
    const before = await o.scrape();
    const triggerId = '1700000009.12345.socketmetrics';
    const envelopeId = socket.pushSlashCommand({ command: '/diag', text: 'db', responseUrl: slack.responseUrl('sm'), triggerId });
    await socket.waitForAck(envelopeId);
    const line = await waitFor(async () => o.lines.find((l) => l.op === 'command' && l.correlation_id === triggerId), 30_000, 'the command line');
    const after = await o.scrape();
    const ok = { command: '/diag', outcome: 'ok' };
    expect(after.value('chatops_commands_total', ok) - before.value('chatops_commands_total', ok)).toBe(1);
    expect(line).toMatchObject({ level: 'info', command: '/diag', outcome: 'ok' });
    expect(typeof line.duration_ms).toBe('number');
    // The scrapes themselves left no line.
    expect(o.lines.filter((l) => JSON.stringify(l).includes('/metrics'))).toEqual([]);
  });
});
