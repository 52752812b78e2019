// `/digest now` through the real bot: a digest run by hand mentions nobody, so trying one out does
// not page the on-call group; `--notify` asks for the mention a scheduled run makes; an unknown
// option is refused naming the accepted one. Its one target has no charted metric: no chart is uploaded.
import net from 'node:net';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

// Accepts and never answers: the digest's one target is crit (timed out), so the mention applies.
const hung = net.createServer(() => {});
const DIGEST = `notify_${process.pid}`;

const t = useHttpTestBot(async () => {
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  const port = (hung.address() as net.AddressInfo).port;
  return `targets:
  hung-api:
    kind: http
    url: http://127.0.0.1:${port}/health
    timeoutMs: 500
digests:
  ${DIGEST}:
    cron: "0 8 * * 1-5"
    channel: C0NOTIFY
    mentionOnCrit: S0ONCALL
`;
});

afterAll(() => {
  hung.close();
});

const slash = (text: string, id: string) => t.send(slashCommandBody({ command: '/digest', text, responseUrl: t.slack.responseUrl(id) }));

/** Runs of this file's digest that finished (posted, skipped or failed). */
async function finishedRuns(): Promise<number> {
  const db = new pg.Client({ connectionString: inject('pgUrl') });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM digest_runs WHERE digest = $1 AND outcome IS NOT NULL', [DIGEST]);
    return rows[0]!.n;
  } finally {
    await db.end();
  }
}

/** `/digest now <words>`: the reply and the digest posted to its channel, once its run has finished. */
async function runNow(words: string, id: string): Promise<{ reply: string; digest: string }> {
  const before = await finishedRuns();
  expect((await slash(`now ${words}`, id)).status).toBe(200);
  await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0NOTIFY' && !c.args.thread_ts), 20_000);
  await waitFor(async () => (await finishedRuns()) > before, 20_000);
  const reply = callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);
  const digest = callText(t.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0NOTIFY' && !c.args.thread_ts)!);
  return { reply, digest };
}

describe('/digest now and mentions', () => {
  it('without --notify, a crit digest mentions nobody and says how to ask for it', async () => {
    const { reply, digest } = await runNow(DIGEST, 'plain');
    expect(digest).toContain(`${DIGEST} digest`);
    expect(digest).toMatch(/\*hung-api\* \(http\)/);
    expect(digest).not.toContain('subteam');
    expect(digest).not.toContain('S0ONCALL');
    expect(digest).toContain(`A target is critical; run by hand, so nobody was mentioned (\`/digest now ${DIGEST} --notify\``);
    expect(reply).toContain(`Nobody is mentioned; \`/digest now ${DIGEST} --notify\` mentions its on-call group`);
    expect(reply).not.toContain('subteam');
    // An http target has no charted metric: nothing to draw, no chart uploaded.
    expect(t.slack.uploads).toHaveLength(0);
  });

  it('with --notify, the crit digest mentions the on-call group, as a scheduled run does', async () => {
    const { reply, digest } = await runNow(`--notify ${DIGEST}`, 'notify');
    expect(digest).toContain('<!subteam^S0ONCALL> a target is critical');
    expect(digest).not.toContain('nobody was mentioned');
    expect(reply).toContain('If a target is critical, its on-call group (mentionOnCrit) is mentioned.');
    expect(reply).not.toContain('subteam');
  });

  it('refuses an unknown option naming the accepted ones, and runs nothing', async () => {
    const before = await finishedRuns();
    await slash(`now ${DIGEST} --notfy`, 'flag');
    await slash(`now ${DIGEST} other`, 'words');
    await t.slack.waitFor((calls) => ['flag', 'words'].every((id) => calls.some((c) => c.method === 'respond' && c.responseId === id)));
    const byId = (id: string) => callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(byId('flag')).toContain('unknown option \\"--notfy\\"; `/digest now [name] [--notify]` accepts --notify');
    expect(byId('words')).toContain(`one digest at a time, got \\"${DIGEST} other\\"`);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await finishedRuns()).toBe(before);
  });
});
