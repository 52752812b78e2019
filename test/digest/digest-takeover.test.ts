// Digest runs cut short and taken over: a run waiting for its channel's turn at shutdown is handed
// back and posted once elsewhere; a chart that cannot be uploaded does not fail a posted digest; a
// run taken over after it began posting is not posted again; a replica's own sweep leaves its own
// run alone. Real state store, the real channel poster and pacer against the fake Slack Web API.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { parseConfig } from '../../src/config/load-config.ts';
import type { Config } from '../../src/config/config.ts';
import type { ChannelPacer } from '../../src/coord/channel-pacer.ts';
import { LocalChannelPacer } from '../../src/coord/local-channel-pacer.ts';
import { pacedChannelPoster } from '../../src/coord/paced-channel-poster.ts';
import { DigestScheduler } from '../../src/digest/digest-scheduler.ts';
import type { DigestServices } from '../../src/digest/run-digest.ts';
import { silentLogger } from '../../src/logger.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { createChannelPoster } from '../../src/slack/create-channel-poster.ts';
import { openStore, type Store } from '../../src/store/open-store.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { TEST_SIGNER } from '../support/test-signer.ts';

const CHANNEL = 'C0TURN';
let slack: FakeSlackApi;
let store: Store;
let stateUrl: string;
let config: Config;
let slotSeq = 0;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  stateUrl = await freshDatabaseUrl('digest_takeover');
  const db = new pg.Client({ connectionString: stateUrl });
  await db.connect();
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.end();
  store = await openStore({ databaseUrl: stateUrl, dataDir: '/nonexistent', log: silentLogger() });
  config = parseConfig({ targets: { 'main-db': { kind: 'postgres', url: stateUrl } }, digests: { turn: { cron: '0 8 * * *', channel: CHANNEL } } }, 'test');
});

afterAll(async () => {
  await store?.close();
  await slack?.close();
});

beforeEach(() => slack.reset());

/** A recent slot of its own per test (the sweep looks back a few days only). */
const nextSlot = (): Date => new Date(Math.floor(Date.now() / 60_000) * 60_000 - ++slotSeq * 60_000);
const digest = () => config.digests[0]!;
const headers = () => slack.messagesIn(CHANNEL).filter((m) => !m.thread_ts);
const row = async (slot: Date) =>
  (await store.pool.query<{ outcome: string | null; finished: boolean; posting_since: Date | null; claimed_by: string }>(
    'SELECT outcome, finished_at IS NOT NULL AS finished, posting_since, claimed_by FROM digest_runs WHERE digest = $1 AND slot = $2', ['turn', slot])).rows[0];

async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The real pacer, with the channels it was asked for turns on written down. */
function observed(pacer: ChannelPacer): { pacer: ChannelPacer; asked: string[] } {
  const asked: string[] = [];
  return { asked, pacer: { run: (channel, fn) => (asked.push(channel), pacer.run(channel, fn)), hold: (c, ms) => pacer.hold(c, ms), stop: () => pacer.stop() } };
}

function replica(instance: string, options: { pacer?: ChannelPacer; pool?: pg.Pool; leaseMs?: number } = {}): DigestScheduler {
  const unpaced = createChannelPoster(new WebClient('xoxb-digest', { slackApiUrl: slack.apiUrl }), TEST_SIGNER);
  const services: DigestServices = {
    config,
    runbooks: loadRunbooks(config.runbooks.dir, allCheckIds()),
    probeState: store.probeState,
    history: store.reportHistory,
    log: silentLogger(),
    poster: pacedChannelPoster(unpaced, options.pacer ?? new LocalChannelPacer(0)),
  };
  return new DigestScheduler(config.digests, services, options.pool ?? store.pool, { instance, retentionDays: 30, ...(options.leaseMs && { leaseMs: options.leaseMs }) });
}

describe('digest runs cut short', () => {
  it('a stop while the digest waits for its channel turn (a 429 hold) hands it back, and another replica posts it once', async () => {
    const slot = nextSlot();
    const local = new LocalChannelPacer(0);
    const { pacer, asked } = observed(local);
    const a = replica('replica-a', { pacer });
    await local.hold(CHANNEL, 120_000);
    const runA = a.runSlot(digest(), slot).then(() => 'finished', (err: unknown) => (err as Error).name);
    await until('the digest to wait for its turn', () => asked.includes(CHANNEL));
    await a.stop();
    expect(await row(slot)).toMatchObject({ outcome: 'released', finished: false });
    local.stop();
    expect(await runA).toBe('PacerStoppedError');
    expect(await row(slot)).toMatchObject({ outcome: 'released', finished: false });
    expect(headers()).toHaveLength(0);

    const b = replica('replica-b');
    await b.sweep();
    expect(headers()).toHaveLength(1);
    expect((await row(slot))?.outcome).toMatch(/^posted /);
    await b.stop();
  }, 60_000);

  it('a chart upload that fails after the message was posted: the run counts as posted, the message went out once', async () => {
    const slot = nextSlot();
    const a = replica('replica-a');
    slack.failNext('files.getUploadURLExternal', 'internal_error');
    const result = await a.runSlot(digest(), slot);
    expect(result?.posted).toBe(true);
    expect(slack.callsTo('files.getUploadURLExternal')).toHaveLength(1);
    expect(slack.uploads).toHaveLength(0);
    expect(headers()).toHaveLength(1);
    expect(await row(slot)).toMatchObject({ finished: true });
    expect((await row(slot))?.outcome).toMatch(/^posted /);
    await a.stop();
  }, 60_000);

  it('a run taken over after its replica died while posting is finished as unknown, not posted a second time', async () => {
    const slot = nextSlot();
    const poolA = new pg.Pool({ connectionString: stateUrl, max: 2 });
    const a = replica('replica-a', { pool: poolA, leaseMs: 500 });
    // Slack takes the message, the answer never comes back: replica-a is dead to everyone else.
    slack.stallNext('chat.postMessage', { mode: 'after-store', match: (c) => c.args.channel === CHANNEL && !c.args.thread_ts });
    const runA = a.runSlot(digest(), slot).catch(() => undefined);
    await until('the digest post to reach Slack', () => slack.stalledCalls().length === 1);
    expect((await row(slot))?.posting_since).toBeInstanceOf(Date);
    // Its state store connections gone: no more renewals, the lease runs out.
    await poolA.end();
    await until('the lease to run out', async () =>
      (await store.pool.query("SELECT 1 FROM digest_runs WHERE digest = 'turn' AND slot = $1 AND claimed_at < now() - interval '1 second'", [slot])).rowCount === 1);

    const b = replica('replica-b', { leaseMs: 500 });
    await b.sweep();
    expect(await row(slot)).toMatchObject({ outcome: 'unknown', finished: true });
    expect((await row(slot))?.claimed_by).toMatch(/^replica-b:/);
    slack.releaseStalled();
    await runA;
    expect(headers()).toHaveLength(1);
    await b.stop();
    await a.stop();
  }, 60_000);

  it("a replica's own sweep does not take over its own run whose claim went stale", async () => {
    const slot = nextSlot();
    const local = new LocalChannelPacer(0);
    const { pacer, asked } = observed(local);
    const a = replica('replica-a', { pacer });
    // The channel busy with another post until released.
    let release!: () => void;
    const busy = local.run(CHANNEL, () => new Promise<void>((resolve) => (release = resolve)));
    const runA = a.runSlot(digest(), slot);
    await until('the digest to wait for its turn', () => asked.includes(CHANNEL));
    // As after the state store was unreachable past the lease: the claim's renewals were lost.
    await store.pool.query("UPDATE digest_runs SET claimed_at = now() - interval '1 hour' WHERE digest = 'turn' AND slot = $1", [slot]);
    const swept = a.sweep();
    // Time enough for a second run to claim the slot and queue its post, were it started.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    release();
    await busy;
    expect((await runA)?.posted).toBe(true);
    await swept;
    expect(headers()).toHaveLength(1);
    expect((await row(slot))?.outcome).toMatch(/^posted /);
    await a.stop();
  }, 60_000);
});
