// Two replicas with REDIS_URL (real bots in this process, one PostgreSQL store, one redis-server)
// post alert messages to one channel: Slack receives them one turn apart however the
// notifications were split between the replicas, because both take their turns from one pacer in
// Redis. The arrival times are recorded by a pass-through in front of the fake Slack API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { sendAlert, settled, startAlertBot } from '../alerts/alert-harness.ts';
import { errorRateAlert, errorRateGroup } from '../alerts/alertmanager-payloads.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';

let slack: FakeSlackApi;
let recorder: http.Server;
let pool: pg.Pool;
let bots: RunningBot[] = [];
/** chat.postMessage calls as they reached Slack: channel and arrival time. */
const arrivals: Array<{ channel: string; at: number }> = [];

/** Forwards every request to the fake Slack API, noting when each chat.postMessage arrived. */
async function startRecorder(upstream: string): Promise<string> {
  const target = new URL(upstream);
  recorder = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url?.endsWith('/chat.postMessage')) {
        const text = body.toString();
        const channel = text.startsWith('{') ? String((JSON.parse(text) as { channel?: unknown }).channel) : new URLSearchParams(text).get('channel') ?? '';
        arrivals.push({ channel, at });
      }
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      const out = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(recorder.address() as AddressInfo).port}${target.pathname}`;
}

beforeAll(async () => {
  slack = await startFakeSlackApi();
  const apiUrl = await startRecorder(slack.apiUrl);
  const storeUrl = await freshDatabaseUrl('replicas_pacing');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  const env = { REDIS_URL: inject('redisUrl') };
  bots = [await startAlertBot(apiUrl, storeUrl, env), await startAlertBot(apiUrl, storeUrl, env)];
});

afterAll(async () => {
  for (const bot of bots) await bot.stop();
  await pool?.end();
  await new Promise((resolve) => recorder?.close(resolve));
  await slack?.close();
});

describe('two replicas sharing the pacer in Redis', () => {
  it('alert messages for one channel, split between the replicas, reach Slack one turn apart', async () => {
    const groups = Array.from({ length: 4 }, (_, i) => {
      const key = `{}:{alertname="HighErrorRate",service="paced-${i}"}`;
      return { key, body: errorRateGroup([errorRateAlert(`paced-${i}`, '2026-12-02T03:30:00Z', `cccc00000000000${i}`)], key) };
    });
    const answers = await Promise.all(groups.map((g, i) => sendAlert(bots[i % 2]!.port, g.body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const g of groups) await settled(pool, g.key);
    const times = arrivals.filter((a) => a.channel === 'C0ALERTS').map((a) => a.at).sort((a, b) => a - b);
    expect(times).toHaveLength(4);
    // Behaviour, not speed: no two posts to the channel reached Slack together (1 s turns; two
    // replicas pacing on their own would each post their first message at once). 200 ms allowed
    // for the trip from the bot to Slack.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, `gap before post ${i + 1}`).toBeGreaterThanOrEqual(800);
  }, 60_000);
});
