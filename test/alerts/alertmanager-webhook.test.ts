// POST /alerts/alertmanager through the real bot (HTTP mode, real PostgreSQL store, the fake Slack
// API recording its calls), driven with Alertmanager's version 4 payloads: one message per group,
// updated in place as alerts join and resolve, flaps counted on it, the route's targets diagnosed
// in its thread once; retries, duplicate senders and out-of-order notifications change nothing
// they should not; what is not Alertmanager's shape, or not authorized, is refused.
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/start-bot.ts';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../support/fake-slack-api.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { callText } from '../support/test-bot.ts';
import { ALERTS_TOKEN, settled, sendAlert, startAlertBot } from './alert-harness.ts';
import { errorRateAlert, errorRateGroup, postgresDownFiring, resolvedOf } from './alertmanager-payloads.ts';

let slack: FakeSlackApi;
let bot: RunningBot;
let pool: pg.Pool;

beforeAll(async () => {
  slack = await startFakeSlackApi();
  const storeUrl = await freshDatabaseUrl('alerts_webhook');
  pool = new pg.Pool({ connectionString: storeUrl, max: 2 });
  bot = await startAlertBot(slack.apiUrl, storeUrl);
});
afterAll(async () => {
  await bot?.stop();
  await pool?.end();
  await slack?.close();
});
beforeEach(() => slack.reset());

const blocksText = (call: RecordedCall): string => JSON.stringify(call.args.blocks ?? []);
const inChannel = (method: string, channel: string) => slack.callsTo(method).filter((c) => c.args.channel === channel && c.args.thread_ts === undefined);

describe('POST /alerts/alertmanager refuses what is not an authorized Alertmanager notification', () => {
  it('answers 401 without a bearer token and with a wrong one, and posts nothing', async () => {
    const body = postgresDownFiring();
    expect((await sendAlert(bot.port, body, null)).status).toBe(401);
    expect((await sendAlert(bot.port, body, 'not-the-token')).status).toBe(401);
    expect((await sendAlert(bot.port, body, '')).status).toBe(401);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM alert_notifications');
    expect(rows[0].n).toBe(0);
  });

  it('answers 400 with the reason for a body that is not JSON or not the version 4 shape', async () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{"version": "4", "alerts": [', /not JSON/],
      [{ ...postgresDownFiring(), alerts: { a: 1 } }, /alerts must be an array/],
      [(() => { const p: Record<string, unknown> = postgresDownFiring(); delete p.groupKey; return p; })(), /groupKey is missing/],
      [{ ...postgresDownFiring(), version: '3' }, /version must be "4"/],
      [{ ...postgresDownFiring(), status: 'pending' }, /status must be "firing" or "resolved"/],
      [{ ...postgresDownFiring(), alerts: [{ ...postgresDownFiring().alerts[0], startsAt: 'yesterday' }] }, /alerts\[0\]\.startsAt must be an RFC 3339 time/],
      [[postgresDownFiring()], /must be a JSON object/],
    ];
    for (const [body, reason] of cases) {
      const res = await sendAlert(bot.port, body);
      expect(res.status, String(reason)).toBe(400);
      expect(String(res.body.error)).toMatch(reason);
    }
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('answers 413 to a body above 1 MiB', async () => {
    const big = postgresDownFiring();
    big.commonAnnotations = { description: 'x'.repeat(1024 * 1024 + 10) };
    const res = await sendAlert(bot.port, big);
    expect(res.status).toBe(413);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('answers 413 to a chunked body once it passes 1 MiB, without reading the rest', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: bot.port, path: '/alerts/alertmanager', method: 'POST', headers: { authorization: `Bearer ${ALERTS_TOKEN}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } });
      let answered = false;
      req.on('response', (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (err) => (answered ? undefined : reject(err)));
      const chunk = Buffer.alloc(64 * 1024, 'a');
      // 4 MiB offered: the answer comes after about 1 MiB, and nothing more is sent.
      const write = (n: number): void => {
        if (answered || n === 0) return void req.end();
        if (req.write(chunk)) setImmediate(() => write(n - 1));
        else req.once('drain', () => write(n - 1));
      };
      write(64);
    });
    expect(status).toBe(413);
  });
});

describe('one message per alert group', () => {
  it('posts a firing group once in its route\'s channel, however often Alertmanager and a second sender repeat it', async () => {
    const firing = postgresDownFiring();
    const first = await sendAlert(bot.port, firing);
    expect(first).toEqual({ status: 200, body: { status: 'recorded' } });
    // A retry, and two unclustered Alertmanagers sending the same group at once.
    const again = await Promise.all([sendAlert(bot.port, firing), sendAlert(bot.port, firing), sendAlert(bot.port, firing)]);
    for (const r of again) expect(r).toEqual({ status: 200, body: { status: 'duplicate' } });
    const row = await settled(pool, String(firing.groupKey));
    const posts = inChannel('chat.postMessage', 'C0CRIT');
    expect(posts).toHaveLength(1);
    expect(row.message_ts).toBe(slack.messagesIn('C0CRIT').find((m) => !m.thread_ts)!.ts);
    const shown = blocksText(posts[0]!);
    expect(String(posts[0]!.args.text)).toContain('Firing: PostgresDown');
    expect(shown).toContain('PostgreSQL is down');
    expect(shown).toContain('pg_up has been 0 for 1 minute on main-db-0');
    expect(shown).toContain('namespace=db');
    expect(shown).toContain('pod=main-db-0');
    // Noise: which Prometheus replica evaluated it, and the exporter's address next to the pod.
    expect(shown).not.toContain('prometheus=monitoring');
    expect(shown).not.toContain('instance=10.2.0.14');
    // job repeats service: the service is what names the place.
    expect(shown).toContain('service=postgres-exporter');
    expect(shown).not.toContain('job=postgres-exporter');
    expect(shown).toContain('Diagnostics in the thread: main-db');
    expect(shown).toContain('<!date^1796181127^'); // since 2026-12-02T03:12:07Z, in the reader's time zone
    expect(shown).toContain('http://prometheus-k8s-0:9090/graph?g0.expr=pg_up+%3D%3D+0&amp;g0.tab=1'.replace('&amp;', '&'));
    expect(shown).toContain('1 firing');
    expect(shown).toContain('<https://runbooks.example.com/postgres-down|Runbook>');
    expect(callText(posts[0]!)).not.toContain('am-webhook-token');
  });

  it('diagnoses the route\'s targets in the message\'s thread, once per firing episode', async () => {
    // The same rule for a second database pod: a group of its own.
    const firing = postgresDownFiring();
    firing.groupKey = '{}/{severity="critical"}:{alertname="PostgresDown",pod="main-db-1"}';
    firing.alerts[0]!.fingerprint = 'a4c5b7a3e3d1f0c3';
    firing.alerts[0]!.labels.pod = 'main-db-1';
    expect((await sendAlert(bot.port, firing)).body).toEqual({ status: 'recorded' });
    const row = await settled(pool, String(firing.groupKey), 'the PostgresDown diagnosis');
    expect(row.diagnosed_episode).toBe(1);
    const replies = slack.messagesIn('C0CRIT').filter((m) => m.thread_ts === row.message_ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.metadata?.event_payload.key).toMatch(/:diag:main-db$/);
    const reply = slack.callsTo('chat.postMessage').find((c) => c.args.thread_ts === row.message_ts)!;
    expect(blocksText(reply)).toContain('main-db');
    // Resolved: the message turns resolved, nothing new is posted or diagnosed.
    slack.reset();
    const resolved = resolvedOf(firing, '2026-12-02T04:17:37.803Z');
    expect((await sendAlert(bot.port, resolved)).body).toEqual({ status: 'recorded' });
    await settled(pool, String(firing.groupKey), 'PostgresDown resolved');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
    const [update] = slack.callsTo('chat.update');
    expect(update!.args.ts).toBe(row.message_ts);
    expect(String(update!.args.text)).toContain('Resolved: PostgresDown');
    expect(blocksText(update!)).toContain('after 1 h 5 min');
    expect(blocksText(update!)).toContain('1 resolved');
  });

  it('updates the group\'s message in place as alerts join and resolve, and a late older notification never turns it back', async () => {
    const groupKey = '{}:{alertname="HighErrorRate"}';
    const checkout = errorRateAlert('checkout', '2026-12-02T03:20:00Z', 'c0ffee0000000001');
    const cart = errorRateAlert('cart', '2026-12-02T03:22:30Z', 'c0ffee0000000002');
    const one = errorRateGroup([checkout]);
    const two = errorRateGroup([checkout, cart]);
    const cartResolved = errorRateGroup([checkout, errorRateAlert('cart', '2026-12-02T03:22:30Z', 'c0ffee0000000002', '2026-12-02T03:40:00Z')]);
    const allResolved = errorRateGroup([
      errorRateAlert('checkout', '2026-12-02T03:20:00Z', 'c0ffee0000000001', '2026-12-02T03:50:00Z'),
      errorRateAlert('cart', '2026-12-02T03:22:30Z', 'c0ffee0000000002', '2026-12-02T03:40:00Z'),
    ]);

    expect((await sendAlert(bot.port, one)).status).toBe(200);
    const posted = await settled(pool, groupKey);
    expect(inChannel('chat.postMessage', 'C0ALERTS')).toHaveLength(1);
    expect(blocksText(inChannel('chat.postMessage', 'C0ALERTS')[0]!)).toContain('5xx ratio above 5% on checkout');

    await sendAlert(bot.port, two);
    await settled(pool, groupKey);
    const joined = slack.callsTo('chat.update').at(-1)!;
    expect(joined.args.ts).toBe(posted.message_ts);
    expect(String(joined.args.text)).toContain('Firing: HighErrorRate (2)');
    expect(blocksText(joined)).toContain('service=cart');
    expect(blocksText(joined)).toContain('2 firing');

    await sendAlert(bot.port, cartResolved);
    await settled(pool, groupKey);
    expect(blocksText(slack.callsTo('chat.update').at(-1)!)).toContain('1 firing, 1 resolved');

    await sendAlert(bot.port, allResolved);
    const resolved = await settled(pool, groupKey);
    expect(resolved.status).toBe('resolved');
    const last = slack.callsTo('chat.update').at(-1)!;
    expect(String(last.args.text)).toContain('Resolved: HighErrorRate');
    expect(blocksText(last)).toContain('after 30 min');

    // The earlier notifications arrive late (a retry, the other Alertmanager): they are handled,
    // and the group stays resolved.
    const updatesBefore = slack.callsTo('chat.update').length;
    for (const late of [{ ...two, truncatedAlerts: 0, receiver: 'chatops' }, cartResolved]) {
      const res = await sendAlert(bot.port, { ...late, alerts: late.alerts.map((a) => ({ ...a })) });
      expect(res.status).toBe(200);
    }
    const after = await settled(pool, groupKey);
    expect(after.status).toBe('resolved');
    expect(after.version).toBe(resolved.version);
    expect(slack.callsTo('chat.update')).toHaveLength(updatesBefore);
    expect(inChannel('chat.postMessage', 'C0ALERTS')).toHaveLength(1);
  });

  it('counts a group firing again soon after it resolved as a flap on the same message', async () => {
    const groupKey = '{}:{alertname="HighErrorRate",service="search"}';
    const fp = 'f1a9f1a900000003';
    const fired = (start: string, end?: string) => errorRateGroup([errorRateAlert('search', start, fp, end)], groupKey);
    await sendAlert(bot.port, fired('2026-12-02T02:00:00Z'));
    const first = await settled(pool, groupKey);
    await sendAlert(bot.port, fired('2026-12-02T02:00:00Z', '2026-12-02T02:05:00Z'));
    await settled(pool, groupKey);
    await sendAlert(bot.port, fired('2026-12-02T02:09:00Z'));
    await sendAlert(bot.port, fired('2026-12-02T02:09:00Z', '2026-12-02T02:12:00Z'));
    await sendAlert(bot.port, fired('2026-12-02T02:20:00Z'));
    const row = await settled(pool, groupKey);
    expect(row.flaps).toBe(2);
    expect(row.episode).toBe(1);
    expect(row.message_ts).toBe(first.message_ts);
    expect(slack.callsTo('chat.postMessage').filter((c) => blocksText(c).includes('on search'))).toHaveLength(1);
    const last = slack.callsTo('chat.update').filter((c) => c.args.ts === first.message_ts).at(-1)!;
    expect(String(last.args.text)).toContain('Firing: HighErrorRate');
    expect(blocksText(last)).toContain('fired again 2 times after resolving');

    // Long after it resolved (beyond the 1 h flap window), a new firing is a new episode: a new message.
    await sendAlert(bot.port, fired('2026-12-02T02:20:00Z', '2026-12-02T02:30:00Z'));
    await settled(pool, groupKey);
    await sendAlert(bot.port, fired('2026-12-02T05:00:00Z'));
    const next = await settled(pool, groupKey);
    expect(next.episode).toBe(2);
    expect(next.flaps).toBe(0);
    expect(next.message_ts).not.toBe(first.message_ts);
  });

  it('waits out Slack\'s rate limit and then posts the group once', async () => {
    const groupKey = '{}:{alertname="HighErrorRate",service="ratelimited"}';
    slack.rateLimitNext('chat.postMessage', 1, 1);
    expect((await sendAlert(bot.port, errorRateGroup([errorRateAlert('ratelimited', '2026-12-02T03:40:00Z', 'r4731000000000a1')], groupKey))).status).toBe(200);
    const row = await settled(pool, groupKey);
    const tries = slack.callsTo('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks).includes('on ratelimited'));
    // The refused call, then the one Slack took.
    expect(tries).toHaveLength(2);
    expect(slack.messagesIn('C0ALERTS').filter((m) => m.ts === row.message_ts)).toHaveLength(1);
    expect(slack.messagesIn('C0ALERTS').filter((m) => m.text.includes('on ratelimited'))).toHaveLength(1);
  });

  it('shows what the sender wrote as text: no mention, link or formatting of its own reaches Slack', async () => {
    const groupKey = '{}:{alertname="HighErrorRate",service="hostile"}';
    const alert = errorRateAlert('hostile', '2026-12-02T03:45:00Z', 'h0571e0000000001');
    alert.annotations = {
      summary: '<!channel> wake up <@U0ADMIN> *now*',
      description: 'see <https://evil.example/|the fix> & `run this`',
      runbook_url: 'javascript:alert(1)',
    };
    alert.labels = { ...alert.labels, note: '<!here>' };
    alert.generatorURL = 'http://prometheus:9090/graph?g0.expr=a>b|c';
    await sendAlert(bot.port, errorRateGroup([alert], groupKey));
    await settled(pool, groupKey);
    const [post] = inChannel('chat.postMessage', 'C0ALERTS').filter((c) => String(c.args.text).includes('wake up'));
    const shown = blocksText(post!);
    expect(shown).not.toMatch(/<!channel>|<!here>|<@U0ADMIN>|<https:\/\/evil/);
    expect(shown).toContain('&lt;!channel&gt; wake up &lt;@U0ADMIN&gt;');
    expect(shown).toContain('note=&lt;!here&gt;');
    // Not a web address: shown as text, never a link.
    expect(shown).not.toContain('<javascript:');
    // The source link's own delimiters are encoded, so it stays one link.
    expect(shown).toContain('<http://prometheus:9090/graph?g0.expr=a%3Eb%7Cc|Source>');
    expect(String(post!.args.text)).not.toMatch(/<!channel>|<@U0ADMIN>/);
  });

  it('posts the message anew when it was deleted in Slack', async () => {
    const groupKey = '{}:{alertname="HighErrorRate",service="deleted"}';
    const first = errorRateAlert('deleted', '2026-12-02T03:50:00Z', 'de1e7ed000000001');
    await sendAlert(bot.port, errorRateGroup([first], groupKey));
    const posted = await settled(pool, groupKey);
    slack.failNext('chat.update', 'message_not_found');
    await sendAlert(bot.port, errorRateGroup([first, errorRateAlert('deleted-b', '2026-12-02T03:51:00Z', 'de1e7ed000000002')], groupKey));
    const reposted = await settled(pool, groupKey);
    expect(reposted.message_ts).not.toBe(posted.message_ts);
    const posts = inChannel('chat.postMessage', 'C0ALERTS').filter((c) => String(c.args.text).includes('on deleted'));
    expect(posts).toHaveLength(2);
    expect(blocksText(posts[1]!)).toContain('2 firing');
  });

  it('records a group no route takes without posting it', async () => {
    const stray = errorRateGroup([{ ...errorRateAlert('billing', '2026-12-02T03:00:00Z', 'b111b111b111b111'), labels: { alertname: 'DiskFilling', severity: 'info' } }], '{}:{alertname="DiskFilling"}');
    expect((await sendAlert(bot.port, { ...stray, commonLabels: { alertname: 'DiskFilling', severity: 'info' } })).body).toEqual({ status: 'recorded' });
    const { rows } = await pool.query('SELECT channel, version, shown_version FROM alert_groups WHERE group_key = $1', ['{}:{alertname="DiskFilling"}']);
    expect(rows[0]).toMatchObject({ channel: null, shown_version: 0 });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(0);
  });
});
