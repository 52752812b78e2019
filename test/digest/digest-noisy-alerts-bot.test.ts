// The "Noisiest alerts" section through the real bot: `/digest now` on a store of its own posts a
// digest without the section while no alert fired in the last 7 days, and with it once alert
// groups were recorded (as the Alertmanager route records them) and voted on.
import http from 'node:http';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/alerts/alert-store.ts';
import { parseAlertmanagerPayload } from '../../src/alerts/alertmanager-payload.ts';
import { slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';
import { errorRateAlert, errorRateGroup, resolvedOf } from '../alerts/alertmanager-payloads.ts';

const healthy = http.createServer((_req, res) => res.end('ok'));
const DIGEST = 'weekly';

const t = useHttpTestBot(async () => {
  await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
  const port = (healthy.address() as { port: number }).port;
  return `targets:
  api:
    kind: http
    url: http://127.0.0.1:${port}/health
    timeoutMs: 2000
digests:
  ${DIGEST}:
    cron: "0 9 * * 1"
    channel: C0WEEKLY
`;
}, { ownStore: 'digest_noisy_bot' });

afterAll(() => {
  healthy.close();
});

/** `/digest now weekly`: the digest posted to its channel, once its run has finished. */
async function runNow(id: string): Promise<string> {
  const pool = new pg.Pool({ connectionString: t.storeUrl, max: 1 });
  try {
    const runs = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM digest_runs WHERE digest = $1 AND outcome IS NOT NULL', [DIGEST])).rows[0]!.n;
    const before = await runs();
    t.slack.reset();
    expect((await t.send(slashCommandBody({ command: '/digest', text: `now ${DIGEST}`, responseUrl: t.slack.responseUrl(id) }))).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage' && c.args.channel === 'C0WEEKLY' && !c.args.thread_ts), 20_000);
    await waitFor(async () => (await runs()) > before, 20_000);
    return callText(t.slack.callsTo('chat.postMessage').find((c) => c.args.channel === 'C0WEEKLY' && !c.args.thread_ts)!);
  } finally {
    await pool.end();
  }
}

describe('the digest of a bot that receives alerts', () => {
  it('has no "Noisiest alerts" section before any alert fired, and has it after', async () => {
    expect(await runNow('d1')).not.toContain('Noisiest alerts');

    const pool = new pg.Pool({ connectionString: t.storeUrl, max: 1 });
    try {
      const store = new AlertStore(pool);
      const startsAt = new Date(Date.now() - 3 * 3600_000).toISOString();
      const firing = { ...errorRateGroup([errorRateAlert('checkout', startsAt, 'aa00000000000001')]), groupKey: '{}:{alertname="HighErrorRate",service="checkout"}' };
      firing.alerts[0]!.annotations.runbook_url = 'https://runbooks.example.com/high-error-rate';
      const recorded = await store.record(parseAlertmanagerPayload(firing), () => undefined, 15 * 60_000);
      await store.record(parseAlertmanagerPayload(resolvedOf(firing, new Date(Date.parse(startsAt) + 20 * 60_000).toISOString())), () => undefined, 15 * 60_000);
      if (recorded.outcome !== 'recorded') throw new Error('the notification was taken for a duplicate');
      await store.vote(recorded.groupId, recorded.episode, 'U0ALICE', 'noise');
    } finally {
      await pool.end();
    }

    const digest = await runNow('d2');
    expect(digest).toContain('Noisiest alerts (last 7 days):');
    expect(digest).toContain('*HighErrorRate*: fired once, marked noise by 1, median 20 min to resolve · <https://runbooks.example.com/high-error-rate|Runbook>');
  });
});
