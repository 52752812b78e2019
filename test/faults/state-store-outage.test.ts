// The state store's PostgreSQL stopped for 30 s and started again on the same data directory and
// port, under a running bot: /diag of a target is answered throughout (a diagnosis needs the
// target, not the store), and the escalation ladder goes on after the store is back: the step that
// fell due during the outage pages once, late, and the step before it is not paged again.
import { rm } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type RunningPostgres } from '../../src/store/start-embedded-postgres.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { sleep, waitFor } from '../support/wait-for.ts';
import { dmPages, dmsTo, slash, startReplica, startSlowTarget, stopReplica, writeConfig, type Replica, type SlowTarget } from './fault-world.ts';

const OUTAGE_MS = 30_000;

let pgServer: RunningPostgres | undefined;
let dataDir = '';
let slack: FakeSlackApi | undefined;
let target: SlowTarget | undefined;
let bot: Replica | undefined;

afterAll(async () => {
  if (bot) await stopReplica(bot);
  await slack?.close();
  await target?.close();
  await pgServer?.stop().catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The store's server on `dataDir`, at `port` when restarting. */
async function startStore(port?: number): Promise<RunningPostgres> {
  return await startEmbeddedPostgres({ dataDir, persistent: true, database: 'app', listen: 'tcp', ...(port && { port }) });
}

/** `/diag fast-api` answered with its report: the "running" message replaced by a report headed fast-api (an error reply does not count). */
async function diagAnswered(): Promise<boolean> {
  return slack!.callsTo('chat.update').some((c) => {
    const blocks = c.args.blocks as Array<{ type: string; text?: { text: string } }> | undefined;
    return blocks?.[0]?.type === 'header' && blocks[0].text!.text.includes('fast-api');
  });
}

describe('the state store down for 30 s', () => {
  it('answers /diag throughout, and pages the ladder step due meanwhile once after the store is back', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'chatops-fault-store-'));
    pgServer = await startStore();
    slack = await startFakeSlackApi();
    target = await startSlowTarget(10);
    const config = writeConfig(`targets:
  fast-api:
    kind: http
    url: ${target.url}
    timeoutMs: 5000
incidents:
  channel: C0INCIDENTS
  ladder:
${[1, 2, 3, 4].map((sev) => `    sev${sev}:
      ackWithin: 1h
      steps:
        - { label: on-call, after: 0s, notify: [{ user: U0ONE }], via: [dm], until: resolved }
        - { label: backup, after: 15s, notify: [{ user: U0TWO }], via: [dm], until: resolved }`).join('\n')}
`);
    bot = await startReplica('a', pgServer.url, slack, config);
    await slash(bot, slack, '/incident', 'declare sev2 the store will blink', 'declare');
    await waitFor(async () => dmsTo(slack!, 'U0ONE') === 1, 30_000, 'the first page');

    const port = pgServer.port;
    await pgServer.stop();
    pgServer = undefined;
    const down = Date.now();
    // /diag every few seconds while the store is down: each one answered.
    const unanswered: string[] = [];
    let asked = 0;
    for (let n = 0; Date.now() - down < OUTAGE_MS; n++, asked++) {
      const id = `diag-${n}`;
      slack.reset();
      await slash(bot, slack, '/diag', 'fast-api', id);
      await waitFor(() => diagAnswered(), 15_000, `/diag ${n} to be answered`).catch(() => unanswered.push(id));
      await sleep(4_000);
    }
    expect(asked).toBeGreaterThanOrEqual(3);
    expect(unanswered, bot.logs().split('\n').filter((l) => l.includes('"level":"error"')).slice(-5).join('\n')).toEqual([]);
    // The step due during the outage could not be taken: nothing was sent to U0TWO yet.
    expect(dmsTo(slack, 'U0TWO')).toBe(0);

    pgServer = await startStore(port);
    await waitFor(async () => dmsTo(slack!, 'U0TWO') >= 1, 40_000, `the step due during the outage; output:\n${bot.logs().slice(-3000)}`);
    await waitFor(async () => (await dmPages(pgServer!.url)).every((p) => p.state === 'sent'), 20_000, 'the pages recorded sent');
    expect(await dmPages(pgServer.url)).toEqual([{ recipient: 'U0ONE', state: 'sent' }, { recipient: 'U0TWO', state: 'sent' }]);
    // slack.reset() cleared U0ONE's first DM from the record: no DM to U0ONE since then means none doubled.
    expect(dmsTo(slack, 'U0ONE')).toBe(0);
    expect(dmsTo(slack, 'U0TWO')).toBe(1);
  }, 180_000);
});
