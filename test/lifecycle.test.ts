// The bot's process lifecycle as `docker stop` and Kubernetes drive it: SIGTERM to `npm start`
// reaches the bot and stops it (no orphan left answering /healthz); a bot whose parent dies
// without passing the signal on stops by itself; a shutdown that hangs is cut at SHUTDOWN_GRACE_MS;
// a digest run under way at SIGTERM is handed back in the state store and posted once by another replica.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabaseUrl } from './support/fresh-database.ts';
import { startFakeSlackApi } from './support/fake-slack-api.ts';
import { postSigned, slashCommandBody } from './support/signed-slack-request.ts';
import { waitFor } from './support/wait-for.ts';
import { digestRow, headersIn, madeBy, queryRows, startReplica, startSlowTarget, stopReplica, writeConfig } from './faults/fault-world.ts';
import {
  BOT_SIGNING_SECRET,
  MAIN,
  commandLine,
  descendants,
  healthz,
  isAlive,
  killLeftovers,
  startBotProcess,
  waitGone,
  waitHealthy,
  type BotProcess,
} from './support/bot-process.ts';

let started: BotProcess[] = [];
let leftovers: number[] = [];

afterEach(async () => {
  killLeftovers(leftovers);
  for (const bot of started) {
    if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    await bot.slack.close();
  }
  started = [];
  leftovers = [];
});

/** A bot on a state store of its own: a replica another file runs on the shared one does not stop its start. */
async function start(...args: Parameters<typeof startBotProcess>): Promise<BotProcess> {
  const bot = await startBotProcess(...args);
  started.push(bot);
  await waitHealthy(bot);
  return bot;
}

/** The process of the tree under `root` that runs src/main.ts. */
function botPidUnder(root: number): number {
  const pid = descendants(root).find((p) => commandLine(p).includes('src/main.ts') && !/^(\/bin\/)?sh /.test(commandLine(p)));
  if (!pid) throw new Error(`no bot process under ${root}: ${descendants(root).map((p) => `${p} ${commandLine(p)}`).join('; ')}`);
  return pid;
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('process lifecycle', () => {
  it('SIGTERM to `npm start` reaches the bot, which stops gracefully: no process of its tree is left and the port is closed', async () => {
    const bot = await start(await freshDatabaseUrl('lifecycle'), { command: () => ({ file: 'npm', args: ['start', '--silent'] }) });
    const npmPid = bot.child.pid!;
    const tree = descendants(npmPid);
    leftovers = tree;
    const botPid = botPidUnder(npmPid);
    // The bot runs as npm's own child (the script execs node), so the signal npm forwards reaches it.
    expect(tree.map(commandLine).filter((c) => /^(\/bin\/)?sh -c/.test(c))).toEqual([]);

    process.kill(npmPid, 'SIGTERM');

    expect(await waitGone([npmPid, ...tree], 30_000), bot.logs()).toEqual([]);
    expect(await refuses(bot.port)).toBe(true);
    const shutdown = bot.logs().split('\n').find((l) => l.includes('"msg":"shutting down"'));
    expect(shutdown, bot.logs()).toContain('"signal":"SIGTERM"');
    expect(bot.logs()).toContain('"msg":"stopped"');
    expect(bot.logs()).not.toContain('did not finish within');
    expect(isAlive(botPid)).toBe(false);
  }, 90_000);

  it('a bot whose parent is killed outright (SIGKILL, nothing forwarded) notices and stops by itself', async () => {
    // A shell that does not exec: the bot is its child, and SIGKILL to the shell reaches only the shell.
    const bot = await start(await freshDatabaseUrl('lifecycle'), {
      command: () => ({ file: '/bin/sh', args: ['-c', `"${process.execPath}" "${MAIN}"; echo bot exited`] }),
    });
    const shPid = bot.child.pid!;
    const botPid = botPidUnder(shPid);
    leftovers = descendants(shPid);

    process.kill(shPid, 'SIGKILL');

    expect(await waitGone([botPid], 30_000), bot.logs()).toEqual([]);
    expect(await refuses(bot.port)).toBe(true);
    expect(bot.logs()).toContain('the parent process went away');
    expect(bot.logs()).toContain('"msg":"stopped"');
  }, 90_000);

  it('a shutdown that cannot finish is cut at SHUTDOWN_GRACE_MS, and says so', async () => {
    const bot = await start(await freshDatabaseUrl('lifecycle'), { env: { SHUTDOWN_GRACE_MS: '1500' } });
    // A request whose body never completes keeps the HTTP server from closing.
    const hanging = net.connect(bot.port, '127.0.0.1');
    await new Promise((resolve) => hanging.once('connect', resolve));
    hanging.write('POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\npayload=');
    hanging.on('error', () => undefined);
    await new Promise((r) => setTimeout(r, 200));

    bot.child.kill('SIGTERM');
    const { code } = await bot.exited;
    hanging.destroy();

    expect(code, bot.logs()).toBe(1);
    expect(bot.logs()).toContain('shutdown did not finish within 1500 ms (SHUTDOWN_GRACE_MS): exiting anyway');
    expect(await healthz(bot.port)).toBeUndefined();
  }, 60_000);

  it('a second signal while shutting down does not cut the shutdown short', async () => {
    const bot = await start(await freshDatabaseUrl('lifecycle'));
    bot.child.kill('SIGINT');
    bot.child.kill('SIGINT');
    bot.child.kill('SIGTERM');
    const { code, signal } = await bot.exited;
    expect({ code, signal }, bot.logs()).toEqual({ code: 0, signal: null });
    expect(bot.logs()).toContain('"msg":"stopped"');
  }, 60_000);

  it('SIGTERM in the middle of a slow digest run: the run is handed back (its row says released), the bot exits within the grace, and a second replica posts the digest once', async () => {
    const target = await startSlowTarget(3_000);
    const slack = await startFakeSlackApi();
    const db = await freshDatabaseUrl('lifecycle_handback');
    const config = writeConfig(`targets:
  slow-api:
    kind: http
    url: ${target.url}
    timeoutMs: 20000
digests:
  handback:
    cron: "0 8 * * *"
    channel: C0HANDBACK
`);
    const replicas: Awaited<ReturnType<typeof startReplica>>[] = [];
    try {
      const a = await startReplica('a', db, slack, config, { SHUTDOWN_GRACE_MS: '10000', DIGEST_LEASE_MS: '2000' });
      replicas.push(a);
      const res = await postSigned(a.url, slashCommandBody({ command: '/digest', text: 'now handback', responseUrl: slack.responseUrl('now') }), { secret: BOT_SIGNING_SECRET });
      expect(res.status, `${await res.text()}\n${a.logs()}`).toBe(200);
      // The run has claimed its slot and is waiting on the slow target.
      await waitFor(async () => target.hits() > 0, 30_000, 'the digest run to reach the slow target');
      const claims = await queryRows<{ slot: Date }>(db, "SELECT slot FROM digest_runs WHERE digest = 'handback'");
      expect(claims).toHaveLength(1);
      const slot = claims[0]!.slot;

      a.child.kill('SIGTERM');
      const { code } = await a.exited;

      expect(code, a.logs()).toBe(0);
      expect(a.logs()).toContain('digest run handed back at shutdown');
      expect(a.logs()).not.toContain('did not finish within');
      expect(await digestRow(db, 'handback', slot)).toMatchObject({ outcome: 'released', finished: false });
      expect(headersIn(slack, 'C0HANDBACK')).toBe(0);

      const b = await startReplica('b', db, slack, config, { DIGEST_LEASE_MS: '2000' });
      replicas.push(b);
      const done = await waitFor(async () => {
        const row = await digestRow(db, 'handback', slot);
        return row?.finished && row;
      }, 40_000, 'the second replica to post the handed-back digest');
      expect(done.outcome, b.logs()).toMatch(/^posted /);
      expect(done.late).toBe(true);
      expect(headersIn(slack, 'C0HANDBACK')).toBe(1);
      expect(slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0HANDBACK' && !c.args.thread_ts).every((c) => madeBy(c, b))).toBe(true);
    } finally {
      for (const r of replicas) await stopReplica(r);
      await slack.close();
      await target.close();
    }
  }, 120_000);
});
