// A diagnosis slower than its claim's lease, with a second replica looking for diagnoses due every
// 200 ms: the replica diagnosing renews its claim while it runs, so the targets are probed once and
// the thread gets one reply. And a replica whose diagnosis claim ran out and was taken over (it
// stalled) posts nothing when its slow probe returns: only the claim's holder replies. Two real
// AlertServices on one PostgreSQL store, the real Slack alert poster against the fake Slack API,
// an http target that answers slowly.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertService } from '../../src/alerts/alert-service.ts';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/config.ts';
import { createLogger, silentLogger, type Logger } from '../../src/logger.ts';
import { createSlackAlertPoster } from '../../src/slack/create-slack-alert-poster.ts';
import { migrate } from '../../src/store/migrate.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';
import { BOT_TOKEN } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';
import { errorRateAlert, errorRateGroup } from './alertmanager-payloads.ts';

/** An http target answering its n-th request after delays[n] ms (the last delay for the rest). */
async function startSlowTarget(delays: number[]): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    const delay = delays[Math.min(hits, delays.length - 1)]!;
    hits++;
    const timer = setTimeout(() => res.end('ok'), delay);
    res.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function configFor(url: string): Config {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-diag-lease-'));
  const file = path.join(dir, 'chatops.yml');
  writeFileSync(file, `targets:
  slow-api:
    kind: http
    url: ${url}
    timeoutMs: 20000
alerts:
  routes:
    - match: { alertname: HighErrorRate }
      channel: C0SLOW
      targets: [slow-api]
`);
  return loadConfig({ file, env: {} });
}

let slack: FakeSlackApi;
let pool: pg.Pool;
const started: AlertService[] = [];

function replica(config: Config, options: { diagnosisLeaseMs?: number; pollMs: number; log?: Logger }): AlertService {
  const log = options.log ?? silentLogger();
  const service = new AlertService({
    pool,
    config,
    poster: createSlackAlertPoster({ token: BOT_TOKEN, apiUrl: slack.apiUrl, signer: TEST_SIGNER }),
    log,
    token: undefined,
    probeOptions: { log, targets: config.targets },
    reportOptions: {},
    pollMs: options.pollMs,
    ...(options.diagnosisLeaseMs !== undefined && { diagnosisLeaseMs: options.diagnosisLeaseMs }),
  });
  service.start();
  started.push(service);
  return service;
}

interface DiagRow {
  id: string;
  message_ts: string | null;
  diagnosed_episode: number;
  episode: number;
  diag_claim_owner: string | null;
}

async function group(key: string): Promise<DiagRow | undefined> {
  return (await pool.query<DiagRow>('SELECT id, message_ts, diagnosed_episode, episode, diag_claim_owner FROM alert_groups WHERE group_key = $1', [key])).rows[0];
}

const repliesTo = (ts: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts === ts);

beforeAll(async () => {
  slack = await startFakeSlackApi();
  pool = new pg.Pool({ connectionString: await freshDatabaseUrl('alerts_diagnosis_lease'), max: 6 });
  await migrate(pool, silentLogger());
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await pool?.end();
  await slack?.close();
});

describe('a diagnosis longer than its claim lease', () => {
  it('is renewed while it runs: probed once and replied once, with a second replica looking for diagnoses due', async () => {
    const target = await startSlowTarget([3_000]);
    try {
      const config = configFor(target.url);
      // A lease of 900 ms, renewed every 300 ms; the probe takes 3 s.
      const a = replica(config, { diagnosisLeaseMs: 900, pollMs: 200 });
      const b = replica(config, { diagnosisLeaseMs: 900, pollMs: 200 });
      const key = '{}:{alertname="HighErrorRate",case="renewed"}';
      expect(await a.receive(parseAlertmanagerPayload(errorRateGroup([errorRateAlert('checkout', '2026-12-02T03:30:00Z', 'cccc000000000001')], key)))).toBe('recorded');
      const done = await waitFor(async () => {
        const g = await group(key);
        return g && g.diagnosed_episode === g.episode && g.message_ts ? g : undefined;
      }, 30_000, 'the slow diagnosis done');
      await Promise.all([a.stop(), b.stop()]);
      expect(target.hits()).toBe(1);
      const replies = repliesTo(done.message_ts!);
      expect(replies).toHaveLength(1);
      expect(JSON.stringify(replies[0]!.args)).toContain('slow-api');
    } finally {
      await target.close();
    }
  });

  it('a replica whose claim ran out and was taken over posts nothing when its slow probe returns; the new holder replies once', async () => {
    // The first probe (the stalled replica's) takes 4 s; the second (the new holder's) 100 ms.
    const target = await startSlowTarget([4_000, 100]);
    try {
      const config = configFor(target.url);
      // The default lease (3 minutes, renewed every minute): the first replica does not renew within the test.
      const logOfA: string[] = [];
      const a = replica(config, { pollMs: 60_000, log: createLogger({ destination: { write: (line: string) => logOfA.push(line) } }) });
      const key = '{}:{alertname="HighErrorRate",case="taken-over"}';
      expect(await a.receive(parseAlertmanagerPayload(errorRateGroup([errorRateAlert('payments', '2026-12-02T03:40:00Z', 'cccc000000000002')], key)))).toBe('recorded');
      const claimed = await waitFor(async () => {
        const g = await group(key);
        return g?.diag_claim_owner && target.hits() === 1 ? g : undefined;
      }, 20_000, 'the first replica diagnosing');
      // The first replica stalls past its lease: its claim runs out, and a second replica takes it.
      await pool.query("UPDATE alert_groups SET diag_claim_until = now() - interval '1 second' WHERE id = $1", [claimed.id]);
      const b = replica(config, { pollMs: 200 });
      const done = await waitFor(async () => {
        const g = await group(key);
        return g && g.diagnosed_episode === g.episode ? g : undefined;
      }, 20_000, 'the second replica done');
      expect(done.diag_claim_owner).not.toBe(claimed.diag_claim_owner);
      // The first replica's probe returns: it replies nothing, and says why.
      await waitFor(async () => (logOfA.some((l) => l.includes('taken over by another replica')) || repliesTo(claimed.message_ts!).length > 1 ? true : undefined), 20_000, "the first replica's probe returned");
      await Promise.all([a.stop(), b.stop()]);
      expect(target.hits()).toBe(2);
      expect(repliesTo(claimed.message_ts!)).toHaveLength(1);
      expect(logOfA.filter((l) => l.includes('taken over by another replica'))).toHaveLength(1);
    } finally {
      await target.close();
    }
  });
});
