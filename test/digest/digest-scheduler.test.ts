// Digests end to end, short of the clock: real probes and state store, the real channel poster
// against the fake Slack Web API. node-cron is driven through the scheduler's slot API.
import http from 'node:http';
import net from 'node:net';
import pg from 'pg';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { parseConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/config.ts';
import { DigestScheduler } from '../../src/digest/digest-scheduler.ts';
import type { DigestServices } from '../../src/digest/run-digest.ts';
import { silentLogger } from '../../src/logger.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { createChannelPoster } from '../../src/slack/create-channel-poster.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';
import { unsealedValue } from '../support/test-signer.ts';

let slack: FakeSlackApi;
let store: Store;
let silent: net.Server;
let healthy: http.Server;
let config: Config;
let services: DigestServices;

async function freshDatabase(): Promise<string> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  const name = `digest_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/${name}`;
  // A healthy target has pg_stat_statements; without it the report says "unknown".
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.end();
  return url.toString();
}

beforeAll(async () => {
  slack = await startFakeSlackApi();
  silent = net.createServer(() => {}); // accepts and never answers: a hung target
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const hungPort = (silent.address() as net.AddressInfo).port;
  // Always well: the quiet digest's target. (The shared PostgreSQL is not: other files hold locks
  // and open transactions on it on purpose, and its checks see the whole server.)
  healthy = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
  const healthyPort = (healthy.address() as net.AddressInfo).port;
  const stateUrl = await freshDatabase();
  store = await openStore({ databaseUrl: stateUrl, dataDir: '/nonexistent', log: silentLogger() });
  config = parseConfig(
    {
      targets: {
        'main-db': { kind: 'postgres', url: stateUrl },
        'hung-api': { kind: 'http', url: `http://127.0.0.1:${hungPort}/health`, timeoutMs: 1000 },
        'healthy-api': { kind: 'http', url: `http://127.0.0.1:${healthyPort}/health`, timeoutMs: 1000 },
      },
      digests: {
        morning: { cron: '0 8 * * *', timezone: 'Europe/Berlin', channel: 'C0DIGEST', mentionOnCrit: 'S0ONCALL' },
        quiet: { cron: '0 9 * * *', channel: 'C0DIGEST', targets: ['healthy-api'], onlyWhenNotOk: true },
      },
    },
    'test',
  );
  services = {
    config,
    runbooks: loadRunbooks(config.runbooks.dir, allCheckIds()),
    probeState: store.probeState,
    history: store.reportHistory,
    log: silentLogger(),
    poster: createChannelPoster(new WebClient('xoxb-digest', { slackApiUrl: slack.apiUrl }), TEST_SIGNER),
  };
});

afterAll(async () => {
  await store?.close();
  await slack?.close();
  silent?.close();
  healthy?.close();
});

beforeEach(() => slack.reset());

const scheduler = (instance: string, now?: () => Date) =>
  new DigestScheduler(config.digests, services, store.pool, { instance, retentionDays: 30, ...(now && { now }) });
const digest = (name: string) => config.digests.find((d) => d.name === name)!;
const headers = () => slack.callsTo('chat.postMessage').filter((c) => !c.args.thread_ts);

describe('digests', () => {
  it('two replicas firing for the same slot post it once, with a hung target as crit and a Details button', async () => {
    const slot = new Date('2026-11-20T07:00:00Z');
    const [a, b] = [scheduler('replica-a'), scheduler('replica-b')];
    const results = await Promise.all([a.runSlot(digest('morning'), slot), b.runSlot(digest('morning'), slot)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(headers()).toHaveLength(1);
    const text = JSON.stringify(headers()[0]!.args.blocks);
    expect(text).toContain('morning digest');
    expect(text).toContain('first digest, nothing to compare with yet');
    expect(text).toContain('<!subteam^S0ONCALL>');
    expect(text).toMatch(/\*hung-api\* \(http\):/);
    // A Details button per target that needs attention, carrying its stored report.
    const actions = (headers()[0]!.args.blocks as Array<{ type: string; elements?: Array<{ text: { text: string }; value: string; action_id: string }> }>).find((b) => b.type === 'actions')!;
    const button = actions.elements!.find((e) => e.text.text.includes('Details: hung-api'))!;
    // encodeIntent's action id; the next buttons of the block add `:2`, `:3`…
    expect(button.action_id).toMatch(/^digest:details(:\d+)?$/);
    const stored = await store.reportHistory.byId(Number(unsealedValue(button.value)));
    expect(stored).toMatchObject({ target: 'hung-api', status: 'crit', source: 'digest:morning' });
    const { rows } = await store.pool.query('SELECT claimed_by, outcome FROM digest_runs WHERE digest = $1 AND slot = $2', ['morning', slot]);
    expect(rows).toHaveLength(1);
    expect(rows[0].outcome).toBe('posted crit');
    // The first digest has a chart too: this run's own points (main-db's connections and cache hit).
    expect(slack.uploads).toHaveLength(1);
    expect(PNG.sync.read(slack.uploads[0]!.bytes).width).toBeGreaterThanOrEqual(400);
  });

  it('the next digest says what changed and uploads a trend chart that decodes', async () => {
    const s = scheduler('replica-a');
    await s.runSlot(digest('morning'), new Date('2026-11-21T07:00:00Z'));
    const text = JSON.stringify(headers()[0]!.args.blocks);
    expect(text).toMatch(/What changed:\*? nothing since the previous digest|What changed since the previous digest/);
    expect(slack.uploads).toHaveLength(1);
    const upload = slack.uploads[0]!;
    expect(upload.channel).toBe('C0DIGEST');
    expect(upload.threadTs).toBe(headers()[0]!.args.ts ?? upload.threadTs);
    const png = PNG.sync.read(upload.bytes);
    expect(png.width).toBeGreaterThanOrEqual(400);
    expect(png.height).toBeGreaterThan(100);
  });

  it('posts nothing for an only-when-not-ok digest when all is well, but records the run', async () => {
    const result = await scheduler('replica-a').runSlot(digest('quiet'), new Date('2026-11-21T08:00:00Z'));
    // What is not ok, if anything, says why it posted.
    expect(result?.set.reports.flatMap((r) => r.findings.filter((f) => f.status !== 'ok').map((f) => `${f.check}: ${f.title}`))).toEqual([]);
    expect(result?.posted).toBe(false);
    expect(['ok']).toContain(result?.set.status);
    expect(headers()).toHaveLength(0);
  });

  it('posts a slot missed while every replica was down once, marked late; not on a fresh install', async () => {
    // 2026-11-22 07:00 UTC is 08:00 in Berlin; "now" is later that day, and the 11-21 run exists.
    const now = () => new Date('2026-11-22T10:30:00Z');
    const first = await scheduler('replica-a', now).catchUp(digest('morning'));
    expect(first?.posted).toBe(true);
    expect(JSON.stringify(headers()[0]!.args.blocks)).toContain('posted late');
    const { rows } = await store.pool.query('SELECT late FROM digest_runs WHERE digest = $1 AND slot = $2', ['morning', new Date('2026-11-22T07:00:00Z')]);
    expect(rows).toEqual([{ late: true }]);
    slack.reset();
    expect(await scheduler('replica-b', now).catchUp(digest('morning'))).toBeUndefined();
    // quiet ran before (11-21), so its missed 11-22 09:00 slot runs late; all ok: nothing posted.
    expect((await scheduler('replica-b', now).catchUp(digest('quiet')))?.posted).toBe(false);
    expect(headers()).toHaveLength(0);
  });

  it('finds the previous slot in the digest time zone', () => {
    const s = scheduler('replica-a');
    expect(s.previousSlot(digest('morning'), new Date('2026-11-22T06:59:00Z'))?.toISOString()).toBe('2026-11-21T07:00:00.000Z');
    expect(s.nextRun('morning', new Date('2026-11-22T06:59:00Z'))?.toISOString()).toBe('2026-11-22T07:00:00.000Z');
    // Berlin switches to summer time on 2027-03-28: 08:00 local is then 06:00 UTC.
    expect(s.nextRun('morning', new Date('2027-03-29T00:00:00Z'))?.toISOString()).toBe('2027-03-29T06:00:00.000Z');
  });

  it('node-cron drives the schedule: two started replicas post each second-slot once', async () => {
    const everySecond = parseConfig(
      { targets: { 'main-db': { kind: 'postgres', url: config.targets[0]!.url as string } }, digests: { pulse: { cron: '* * * * * *', channel: 'C0PULSE' } } },
      'test',
    ).digests;
    const make = (instance: string) => new DigestScheduler(everySecond, services, store.pool, { instance, retentionDays: 30 });
    const [a, b] = [make('replica-a'), make('replica-b')];
    await Promise.all([a.start(), b.start()]);
    try {
      await slack.waitFor(() => headers().filter((c) => c.args.channel === 'C0PULSE').length >= 2, 15_000);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const { rows } = await store.pool.query<{ slot: Date; n: number }>(
      "SELECT slot, count(*)::int AS n FROM digest_runs WHERE digest = 'pulse' GROUP BY slot");
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    // Every claimed slot was posted once (a run still in flight at stop may not have posted yet).
    const posts = headers().filter((c) => c.args.channel === 'C0PULSE').length;
    expect(posts).toBeLessThanOrEqual(rows.length);
    expect(posts).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
