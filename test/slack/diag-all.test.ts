// `/diag all` through the real bot: every target at once, one of them down and two hanging; the
// summary still arrives, and the full report of each bad target goes in the thread.
import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/free-port.ts';
import type { RunningBot } from '../../src/start-bot.ts';
import { startTestBot } from '../support/test-bot.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { postSigned, slashCommandBody } from '../support/signed-slack-request.ts';

const SECRET = 'test-signing-secret';
let slack: FakeSlackApi;
let bot: RunningBot;
let silent: net.Server;

beforeAll(async () => {
  // A healthy target has pg_stat_statements; without it the report says "unknown".
  const admin = new pg.Client({ connectionString: inject('pgUrl') });
  await admin.connect();
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').catch(() => undefined);
  await admin.end();
  slack = await startFakeSlackApi();
  // Accepts connections and never answers: a hung server.
  silent = net.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const hungPort = (silent.address() as net.AddressInfo).port;
  const downPort = await freePort();
  bot = await startTestBot({ SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0' }, `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    # The suite's shared server: other files' CREATE and DROP DATABASE request checkpoints and
    # roll back transactions server-wide, which is not this test's business (shares above 100%
    # cannot be reached).
    thresholds:
      checkpoints: { warn: 101, crit: 102 }
      deadlocks: { warn: 101, crit: 102 }
  old-db:
    kind: postgres
    url: postgres://app:pw@127.0.0.1:${downPort}/app
    timeoutMs: 1000
  hung-db:
    kind: postgres
    url: postgres://app:pw@127.0.0.1:${hungPort}/app
    timeoutMs: 1500
  hung-api:
    kind: http
    url: http://127.0.0.1:${hungPort}/health
    timeoutMs: 1500
`);
});

afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  silent?.close();
});

describe('/diag all', () => {
  it('summarises every target, with the hung and the down one as crit, and details them in the thread', async () => {
    const res = await postSigned(`http://127.0.0.1:${bot.port}/slack/events`, slashCommandBody({ command: '/diag', text: 'all', responseUrl: slack.responseUrl() }), { secret: SECRET });
    expect(res.status).toBe(200);
    await slack.waitFor((calls) => calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts).length >= 3, 20_000);

    const [running] = slack.callsTo('chat.postMessage');
    expect(String(running!.args.text)).toContain('Running diagnostics on 4 targets');
    const summary = slack.callsTo('chat.update').at(-1)!;
    const text = JSON.stringify(summary.args.blocks);
    expect(text).toContain('diag all: 3 of 4 targets need attention');
    expect(text).toMatch(/\*hung-api\* \(http\): [^"]*(timed out|timeout)[^"]*1\.5 s|\*hung-api\* \(http\): [^"]*1500 ms/);
    expect(text).toMatch(/\*hung-db\* \(postgres\): Unreachable: timeout/);
    expect(text).toMatch(/\*old-db\* \(postgres\): Unreachable: refused/);
    expect(text).toContain('1 ok: main-db');

    const threaded = slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts);
    expect(threaded.every((c) => c.args.thread_ts === summary.args.ts)).toBe(true);
    expect(threaded.map((c) => (c.args.blocks as Array<{ text?: { text: string } }>)[0]!.text!.text).sort()).toEqual([
      expect.stringContaining('hung-api'),
      expect.stringContaining('hung-db'),
      expect.stringContaining('old-db'),
    ]);

    const client = new pg.Client({ connectionString: inject('pgUrl') });
    await client.connect();
    try {
      // The audit row is written after the last thread reply.
      let rows: unknown[] = [];
      for (let i = 0; i < 100 && rows.length === 0; i++) {
        ({ rows } = await client.query("SELECT target, outcome FROM audit_log WHERE action = 'diag' AND target = 'all' ORDER BY id DESC LIMIT 1"));
        if (rows.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      expect(rows[0]).toEqual({ target: 'all', outcome: 'crit' });
    } finally {
      await client.end();
    }
  });
});
