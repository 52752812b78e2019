// Replicas of the real bot (child processes) on one state store, broken on purpose: one killed
// with SIGKILL in the middle of a page or of a digest run, or Slack answering 429 and 500 for a
// while, or the bot's Redis killed and started again. What is asserted is what people see: every page and every digest arrives, once.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { waitFor } from '../support/wait-for.ts';
import {
  TWO_DM_LADDER,
  digestRow,
  dmPages,
  dmsTo,
  headersIn,
  madeBy,
  queryRows,
  slash,
  startKillableRedis,
  startReplica,
  startSlowTarget,
  stopReplica,
  writeConfig,
  type Replica,
  type SlowTarget,
} from './fault-world.ts';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A world of its own per scenario: fake Slack API, database, slow target, config. */
async function world(name: string, redisDb: number, redisUrl = inject('redisUrl')): Promise<{ slack: FakeSlackApi; db: string; target: SlowTarget; config: string; start(replica: string, env?: Record<string, string>): Promise<Replica> }> {
  const slack = await startFakeSlackApi();
  cleanups.push(() => slack.close());
  const target = await startSlowTarget(3_000);
  cleanups.push(() => target.close());
  const db = await freshDatabaseUrl(`faults_${name}`);
  const config = writeConfig(`targets:
  slow-api:
    kind: http
    url: ${target.url}
    timeoutMs: 20000
digests:
  faults:
    cron: "0 8 * * *"
    channel: C0DIGEST
${TWO_DM_LADDER}`);
  const start = async (replica: string, env: Record<string, string> = {}) => {
    // Several replicas run with the bot's Redis (a database number of the scenario's own).
    const r = await startReplica(replica, db, slack, config, { REDIS_URL: `${redisUrl}/${redisDb}`, ESCALATION_LEASE_MS: '1500', DIGEST_LEASE_MS: '1500', ...env });
    cleanups.push(() => stopReplica(r));
    return r;
  };
  return { slack, db, target, config, start };
}

describe.concurrent('faults across replicas', () => {
  it('a replica killed (SIGKILL) in the middle of an escalation step: the other sends each page once, none lost, none doubled', async () => {
    const w = await world('page_kill', 11);
    const a = await w.start('a');
    // Replica a's DM to U0ONE reaches Slack but its answer never comes back; its DM to U0TWO never reaches Slack.
    w.slack.stallNext('chat.postMessage', { mode: 'after-store', match: (c) => c.args.channel === 'DU0ONE' && madeBy(c, a) });
    w.slack.stallNext('chat.postMessage', { mode: 'before-store', match: (c) => c.args.channel === 'DU0TWO' && madeBy(c, a) });

    await slash(a, w.slack, '/incident', 'declare sev2 payments are down', 'declare');
    await w.slack.waitFor(() => w.slack.stalledCalls().length === 2, 30_000);
    expect(w.slack.stalledCalls().every((c) => madeBy(c, a))).toBe(true);
    // The other replica is running when the one with both pages under way dies.
    const b = await w.start('b');
    const [victim, survivor] = [a, b];

    victim.child.kill('SIGKILL');
    await victim.exited;

    await waitFor(async () => (await dmPages(w.db)).every((p) => p.state === 'sent') && dmsTo(w.slack, 'U0TWO') > 0, 30_000, `the pages to be taken over; survivor's output:\n${survivor.logs()}`);
    expect(await dmPages(w.db)).toEqual([{ recipient: 'U0ONE', state: 'sent' }, { recipient: 'U0TWO', state: 'sent' }]);
    // U0ONE's page had reached Slack: found there by its key, not sent again. U0TWO's had not: sent by the survivor.
    expect(dmsTo(w.slack, 'U0ONE')).toBe(1);
    expect(dmsTo(w.slack, 'U0TWO')).toBe(1);
    const toTwo = w.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'DU0TWO');
    expect(toTwo.map((c) => (madeBy(c, victim) ? 'victim' : 'survivor'))).toEqual(['victim', 'survivor']);
    // The takeover is in the timeline once per page.
    const paged = await queryRows<{ n: number }>(w.db, "SELECT count(*)::int AS n FROM incident_events WHERE kind = 'paged'");
    expect(paged[0]!.n).toBe(2);
  }, 120_000);

  it('SIGTERM while a page send hangs (Slack took it, never answered): the replica still exits cleanly within the grace, and the page is not sent again by the replica that takes it over', async () => {
    const w = await world('page_term', 10);
    const a = await w.start('a', { SHUTDOWN_GRACE_MS: '15000' });
    w.slack.stallNext('chat.postMessage', { mode: 'after-store', match: (c) => c.args.channel === 'DU0ONE' && madeBy(c, a) });
    await slash(a, w.slack, '/incident', 'declare sev2 search is down', 'declare');
    await w.slack.waitFor(() => w.slack.stalledCalls().length === 1, 30_000);

    a.child.kill('SIGTERM');
    const { code } = await a.exited;
    expect(code, a.logs()).toBe(0);
    expect(a.logs()).toContain('left to their lease');
    expect(a.logs()).not.toContain('did not finish within');

    const b = await w.start('b');
    await waitFor(async () => (await dmPages(w.db)).every((p) => p.state === 'sent') && dmsTo(w.slack, 'U0TWO') > 0, 30_000, `the page to be taken over; output:\n${b.logs()}`);
    expect(dmsTo(w.slack, 'U0ONE')).toBe(1);
    expect(dmsTo(w.slack, 'U0TWO')).toBe(1);
  }, 120_000);

  it('a replica killed (SIGKILL) in the middle of a digest run: the other takes the run over when its lease runs out and posts it once', async () => {
    const w = await world('digest_kill', 12);
    const [a, b] = await Promise.all([w.start('a'), w.start('b')]);

    await slash(a, w.slack, '/digest', 'now faults', 'now');
    await waitFor(async () => w.target.hits() > 0, 30_000, 'the digest run to reach the slow target');
    const claims = await queryRows<{ slot: Date; claimed_by: string }>(w.db, "SELECT slot, claimed_by FROM digest_runs WHERE digest = 'faults'");
    expect(claims).toHaveLength(1);
    a.child.kill('SIGKILL');
    await a.exited;

    const done = await waitFor(async () => {
      const row = await digestRow(w.db, 'faults', claims[0]!.slot);
      return row?.finished && row;
    }, 40_000, `the digest to be taken over; survivor's output:\n${b.logs()}`);
    expect(done.outcome).toMatch(/^posted /);
    expect(done.claimed_by).not.toBe(claims[0]!.claimed_by);
    expect(headersIn(w.slack, 'C0DIGEST')).toBe(1);
    expect(w.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0DIGEST' && !c.args.thread_ts).every((c) => madeBy(c, b))).toBe(true);
  }, 120_000);

  it('Slack answering 429 (Retry-After) and then 500 for a while: every page, the incident card and the digest arrive once when it recovers', async () => {
    const w = await world('slack_errors', 13);
    const r = await w.start('a');
    w.slack.rateLimitNext('chat.postMessage', 1, 3);
    w.slack.failHttpNext('chat.postMessage', 500, 4);

    await slash(r, w.slack, '/incident', 'declare sev2 checkout is slow', 'declare');
    await slash(r, w.slack, '/digest', 'now faults', 'now');

    await waitFor(async () => dmsTo(w.slack, 'U0ONE') > 0 && dmsTo(w.slack, 'U0TWO') > 0 && headersIn(w.slack, 'C0DIGEST') > 0, 60_000, `pages and digest after Slack recovered; output:\n${r.logs()}`);
    await waitFor(async () => (await dmPages(w.db)).every((p) => p.state === 'sent'), 20_000, 'the pages recorded sent');
    const failedCalls = w.slack.callsTo('chat.postMessage').length - w.slack.messagesIn().length;
    // All 7 failures were met on the way (else this test proved nothing).
    expect(failedCalls).toBeGreaterThanOrEqual(7);
    expect(dmsTo(w.slack, 'U0ONE')).toBe(1);
    expect(dmsTo(w.slack, 'U0TWO')).toBe(1);
    expect(headersIn(w.slack, 'C0DIGEST')).toBe(1);
    expect(headersIn(w.slack, 'C0INCIDENTS')).toBe(1);
  }, 120_000);

  it('the bot\'s Redis killed (SIGKILL) and started again: two replicas answer every command once and send every page and digest once, during and after', async () => {
    const redis = await startKillableRedis();
    cleanups.push(() => redis.kill());
    const w = await world('redis_kill', 0, redis.url);
    const [a, b] = await Promise.all([w.start('a'), w.start('b')]);
    const commands = async (tag: string) => {
      for (const [n, r] of [a, b, a, b].entries()) await slash(r, w.slack, '/diag', 'nosuch', `${tag}-${n}`);
      const ids = [0, 1, 2, 3].map((n) => `${tag}-${n}`);
      await w.slack.waitFor((calls) => ids.every((id) => calls.some((c) => c.responseId === id)), 20_000);
      return ids.map((id) => w.slack.callsTo('respond').filter((c) => c.responseId === id).length);
    };

    await redis.kill();
    await slash(a, w.slack, '/incident', 'declare sev2 redis is gone', 'declare-1');
    await slash(b, w.slack, '/digest', 'now faults', 'digest-1');
    expect(await commands('without-redis')).toEqual([1, 1, 1, 1]);
    await waitFor(async () => dmsTo(w.slack, 'U0ONE') === 1 && dmsTo(w.slack, 'U0TWO') === 1 && headersIn(w.slack, 'C0DIGEST') === 1, 40_000, 'pages and digest without Redis');

    await redis.restart();
    await slash(b, w.slack, '/incident', 'declare sev2 redis is back', 'declare-2');
    await slash(a, w.slack, '/digest', 'now faults', 'digest-2');
    expect(await commands('redis-back')).toEqual([1, 1, 1, 1]);
    await waitFor(async () => dmsTo(w.slack, 'U0ONE') === 2 && dmsTo(w.slack, 'U0TWO') === 2 && headersIn(w.slack, 'C0DIGEST') === 2, 40_000, 'pages and digest with Redis back');
    await waitFor(async () => (await dmPages(w.db)).every((p) => p.state === 'sent'), 20_000, 'the pages recorded sent');
    // A moment later still nothing doubled.
    await new Promise((r) => setTimeout(r, 1_000));
    expect([dmsTo(w.slack, 'U0ONE'), dmsTo(w.slack, 'U0TWO'), headersIn(w.slack, 'C0DIGEST')]).toEqual([2, 2, 2]);
    expect(await dmPages(w.db)).toHaveLength(4);
  }, 150_000);
});
