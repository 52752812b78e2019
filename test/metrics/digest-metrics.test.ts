// Scheduled digest runs counted by outcome: the scheduler's slot API with the real probes, state
// store and channel poster against the fake Slack Web API; the counts read from the process's
// registry as a scrape shows them. A digest with something to say is posted; one that posts only
// when a target is not ok, with its target well, is skipped; a slot already run is not counted again.
import http from 'node:http';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { DigestScheduler } from '../../src/digest/digest-scheduler.ts';
import { silentLogger } from '../../src/logger.ts';
import { metrics } from '../../src/metrics/metrics.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { createChannelPoster } from '../../src/slack/create-channel-poster.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';
import { parseScrape } from './observed-bot.ts';

let slack: FakeSlackApi;
let store: Store;
let healthy: http.Server;
let scheduler: DigestScheduler;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  healthy = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
  const port = (healthy.address() as import('node:net').AddressInfo).port;
  store = await openStore({ databaseUrl: await freshDatabaseUrl('metrics_digest'), dataDir: '/nonexistent', log: silentLogger() });
  const config = parseConfig({
    targets: { 'healthy-api': { kind: 'http', url: `http://127.0.0.1:${port}/health`, timeoutMs: 1000 } },
    digests: {
      daily: { cron: '0 8 * * *', channel: 'C0DIGEST' },
      quiet: { cron: '0 9 * * *', channel: 'C0DIGEST', onlyWhenNotOk: true },
    },
  }, 'test');
  scheduler = new DigestScheduler(config.digests, {
    config,
    runbooks: loadRunbooks(config.runbooks.dir, allCheckIds()),
    probeState: store.probeState,
    history: store.reportHistory,
    log: silentLogger(),
    poster: createChannelPoster(new WebClient('xoxb-digest', { slackApiUrl: slack.apiUrl }), TEST_SIGNER),
  }, store.pool, { instance: 'metrics-test', retentionDays: 30 });
});
afterAll(async () => {
  await scheduler?.stop();
  await store?.close();
  healthy?.close();
  await slack?.close();
});

const runs = async (outcome: string) => parseScrape(await metrics.registry.metrics()).value('chatops_digest_runs_total', { outcome });

describe('digest runs', () => {
  it('a posted run and a skipped one are counted by outcome; a slot already run is not counted again', async () => {
    const posted = await runs('posted');
    const skipped = await runs('skipped');
    const slot = new Date('2026-03-02T08:00:00Z');
    expect((await scheduler.runSlot(scheduler.find('daily')!, slot))?.posted).toBe(true);
    expect((await scheduler.runSlot(scheduler.find('quiet')!, slot))?.posted).toBe(false);
    expect(await scheduler.runSlot(scheduler.find('daily')!, slot)).toBeUndefined();
    expect(await runs('posted') - posted).toBe(1);
    expect(await runs('skipped') - skipped).toBe(1);
    expect(await runs('failed')).toBe(0);
  });
});
