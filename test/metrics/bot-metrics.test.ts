// The bot's own metrics and operations log, through the real bot in HTTP mode driven by signed
// requests: a /diag against the real PostgreSQL target moves its counters by exactly one, with the
// slash command as the label and never the typed words; a 429 from Slack is counted; a remedy
// press is counted by its action id; each command and press logs one line with its trigger_id as
// correlation id, a level word, its duration and outcome; scrapes and health checks log nothing;
// and every metric name the dashboard and the alert rules use is in a real scrape.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.ts';
import { confirmationPrompt, signAsBot } from '../support/press-button.ts';
import { blockActionBody, postSigned, slashCommandBody } from '../support/signed-slack-request.ts';
import { SIGNING_SECRET } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';
import { dashboardExpressions, metricNames, ruleExpressions } from './monitoring-files.ts';
import { exportedNames, startObservedBot, type LogLine, type ObservedBot } from './observed-bot.ts';

const CONFIG = `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
    timeoutMs: 3000
access:
  postgres.*:
    users: [U0ALICE]
`;
/** This file's channel, so its presses' audit rows and sessions are its own. */
const CHANNEL = 'C0METRICS';

let slack: FakeSlackApi;
let o: ObservedBot;
const sessions: pg.Client[] = [];

beforeAll(async () => {
  slack = await startFakeSlackApi();
  o = await startObservedBot({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: '0' }, CONFIG);
});
afterAll(async () => {
  await o?.stop();
  await slack?.close();
});
beforeEach(() => slack.reset());
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((c) => c.end().catch(() => undefined)));
});

const send = (body: string, headers?: Record<string, string>) => postSigned(`http://127.0.0.1:${o.bot.port}/slack/events`, body, { secret: SIGNING_SECRET, ...(headers && { headers }) });
const triggerOf = (body: string): string => {
  const payload = new URLSearchParams(body).get('payload');
  return (payload ? (JSON.parse(payload) as { trigger_id: string }) : Object.fromEntries(new URLSearchParams(body))).trigger_id!;
};
const lineOf = (op: string, correlationId: string) => o.lines.find((l) => l.op === op && l.correlation_id === correlationId);
const waitForLine = (op: string, correlationId: string): Promise<LogLine> => waitFor(async () => lineOf(op, correlationId), 30_000, `the ${op} line of ${correlationId}`);

describe('metrics and operations log (HTTP mode)', () => {
  it('/diag against the real target: chatops_commands_total{command="/diag",outcome="ok"} moves by exactly one; its line carries the trigger_id', async () => {
    const before = await o.scrape();
    const body = slashCommandBody({ command: '/diag', text: 'db', responseUrl: slack.responseUrl('diag'), channelId: CHANNEL });
    expect((await send(body)).status).toBe(200);
    const line = await waitForLine('command', triggerOf(body));
    const after = await o.scrape();

    const ok = { command: '/diag', outcome: 'ok' };
    expect(after.value('chatops_commands_total', ok) - before.value('chatops_commands_total', ok)).toBe(1);
    expect(after.value('chatops_command_duration_seconds_count', { command: '/diag' }) - before.value('chatops_command_duration_seconds_count', { command: '/diag' })).toBe(1);
    // The probe of main-db behind it, and what it found (one postgres target: each pair counts 0 or 1).
    expect(after.value('chatops_probe_duration_seconds_count', { kind: 'postgres' })).toBeGreaterThan(before.value('chatops_probe_duration_seconds_count', { kind: 'postgres' }));
    const findings = after.text.split('\n').filter((l) => l.startsWith('chatops_findings{kind="postgres"'));
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.some((l) => / 1$/.test(l))).toBe(true);
    // Its "running" post and the report's update, through Bolt's own client.
    for (const method of ['chat.postMessage', 'chat.update']) {
      const labels = { method, outcome: 'ok' };
      expect(after.value('chatops_slack_api_calls_total', labels) - before.value('chatops_slack_api_calls_total', labels), method).toBe(1);
    }

    expect(line).toMatchObject({ level: 'info', msg: 'command', op: 'command', command: '/diag', outcome: 'ok', user: 'U0ALICE', channel: CHANNEL });
    expect(typeof line.duration_ms).toBe('number');
    expect(line.duration_ms as number).toBeGreaterThanOrEqual(0);
    expect(line.correlation_id).toMatch(/^\d+\.\d+\.abcdef$/);
  });

  it('an unknown target is a user_error of /diag: the typed word is in no label', async () => {
    const before = await o.scrape();
    const body = slashCommandBody({ command: '/diag', text: 'nosuchtarget', responseUrl: slack.responseUrl('nosuch'), channelId: CHANNEL });
    await send(body);
    const line = await waitForLine('command', triggerOf(body));
    const after = await o.scrape();
    const labels = { command: '/diag', outcome: 'user_error' };
    expect(after.value('chatops_commands_total', labels) - before.value('chatops_commands_total', labels)).toBe(1);
    expect(after.text).not.toContain('nosuchtarget');
    expect(line).toMatchObject({ level: 'info', outcome: 'user_error' });
  });

  it('a replay and a Slack retry of a command are counted deduplicated, by source, and logged with the same correlation id', async () => {
    const body = slashCommandBody({ command: '/diag', text: 'nosuchtarget', responseUrl: slack.responseUrl('replayed'), channelId: CHANNEL });
    const trigger = triggerOf(body);
    await send(body);
    await waitForLine('command', trigger);
    const before = await o.scrape();
    await send(body); // the same signed request again: a replay
    await waitFor(async () => o.lines.filter((l) => l.op === 'command' && l.correlation_id === trigger).length === 2, 30_000, 'the replay\'s line');
    await send(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    await waitFor(async () => o.lines.filter((l) => l.op === 'command' && l.correlation_id === trigger).length === 3, 30_000, 'the retry\'s line');
    const after = await o.scrape();
    const dedup = { command: '/diag', outcome: 'deduplicated' };
    expect(after.value('chatops_commands_total', dedup) - before.value('chatops_commands_total', dedup)).toBe(2);
    expect(after.value('chatops_deduplicated_total', { source: 'store' }) - before.value('chatops_deduplicated_total', { source: 'store' })).toBe(1);
    expect(after.value('chatops_deduplicated_total', { source: 'slack_retry' }) - before.value('chatops_deduplicated_total', { source: 'slack_retry' })).toBe(1);
    const lines = o.lines.filter((l) => l.op === 'command' && l.correlation_id === trigger);
    expect(lines.map((l) => l.outcome)).toEqual(['user_error', 'deduplicated', 'deduplicated']);
  });

  it('a 429 from Slack on the "running" post is counted, and the call, waited out, is one ok call', async () => {
    slack.rateLimitNext('chat.postMessage', 1, 1);
    const before = await o.scrape();
    const body = slashCommandBody({ command: '/diag', text: 'db', responseUrl: slack.responseUrl('limited'), channelId: CHANNEL });
    await send(body);
    await waitForLine('command', triggerOf(body));
    const after = await o.scrape();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2); // the 429, then the retry
    const limited = { method: 'chat.postMessage' };
    expect(after.value('chatops_slack_rate_limited_total', limited) - before.value('chatops_slack_rate_limited_total', limited)).toBe(1);
    const ok = { method: 'chat.postMessage', outcome: 'ok' };
    expect(after.value('chatops_slack_api_calls_total', ok) - before.value('chatops_slack_api_calls_total', ok)).toBe(1);
  });

  it('a remedy press and its confirmation: one line each with its trigger_id; the action counted succeeded by its id', async () => {
    const pid = await idleSession();
    const before = await o.scrape();
    const press = blockActionBody({
      actionId: 'remedy:postgres.terminate_backend',
      value: await signAsBot('remedy:postgres.terminate_backend', JSON.stringify({ action: 'postgres.terminate_backend', params: { pid }, target: 'main-db' })),
      responseUrl: slack.responseUrl('press'),
      channelId: CHANNEL,
    });
    expect((await send(press)).status).toBe(200);
    const pressLine = await waitForLine('press', triggerOf(press));
    await slack.waitFor((calls) => confirmationPrompt(calls, 'press') !== undefined);
    const prompt = confirmationPrompt(slack.calls, 'press')!;
    const confirm = blockActionBody({ actionId: 'confirm:run', value: prompt.run, responseUrl: slack.responseUrl('press'), channelId: CHANNEL });
    expect((await send(confirm)).status).toBe(200);
    const confirmLine = await waitForLine('press', triggerOf(confirm));
    await waitFor(async () => (await o.scrape()).value('chatops_actions_total', { action: 'postgres.terminate_backend', outcome: 'succeeded' }) > before.value('chatops_actions_total', { action: 'postgres.terminate_backend', outcome: 'succeeded' }), 30_000, 'the action counted');
    const after = await o.scrape();
    const succeeded = { action: 'postgres.terminate_backend', outcome: 'succeeded' };
    expect(after.value('chatops_actions_total', succeeded) - before.value('chatops_actions_total', succeeded)).toBe(1);

    expect(pressLine).toMatchObject({ level: 'info', msg: 'press', op: 'press', action_id: 'remedy:postgres.terminate_backend', user: 'U0ALICE', outcome: 'ok' });
    expect(confirmLine).toMatchObject({ level: 'info', op: 'press', action_id: 'confirm:run', outcome: 'ok' });
    for (const l of [pressLine, confirmLine]) expect(typeof l.duration_ms).toBe('number');
    expect(pressLine.correlation_id).not.toBe(confirmLine.correlation_id);
  });

  it('a press whose value the bot did not sign is logged not_run, with its trigger_id', async () => {
    const forged = blockActionBody({ actionId: 'remedy:postgres.terminate_backend', value: JSON.stringify({ action: 'postgres.terminate_backend', params: { pid: 1 }, target: 'main-db' }), responseUrl: slack.responseUrl('forged'), channelId: CHANNEL });
    await send(forged);
    expect(await waitForLine('press', triggerOf(forged))).toMatchObject({ level: 'info', outcome: 'not_run' });
  });

  it('scrapes and health checks are not logged; a path the bot does not serve is, at debug', async () => {
    const base = `http://127.0.0.1:${o.bot.port}`;
    const from = o.lines.length;
    for (let i = 0; i < 3; i++) {
      for (const p of ['/metrics', '/healthz', '/readyz']) expect((await fetch(`${base}${p}`)).status, p).toBe(200);
    }
    expect((await fetch(`${base}/no-such-path-here`)).status).toBe(404);
    // The unknown path's line proves this logger sees Bolt's request lines at all.
    const unknown = await waitFor(async () => o.lines.slice(from).find((l) => l.msg.includes('/no-such-path-here')), 10_000, 'the unknown path\'s line');
    expect(unknown.level).toBe('debug');
    const seen = o.lines.slice(from).map((l) => JSON.stringify(l));
    expect(seen.filter((l) => /\/metrics|healthz|readyz/.test(l))).toEqual([]);
  });

  it('every metric name the dashboard and the alert rules use is in a real scrape of the bot', async () => {
    const exported = exportedNames(await o.scrape());
    // `up` is Prometheus' own series for every scrape target.
    exported.add('up');
    const missing: string[] = [];
    for (const e of [...dashboardExpressions(), ...ruleExpressions()]) {
      for (const name of metricNames(e.expr)) if (!exported.has(name)) missing.push(`${e.where}: ${name}`);
    }
    expect(missing).toEqual([]);
    // And the check is not vacuous: every family of the bot's own is used somewhere.
    const used = new Set([...dashboardExpressions(), ...ruleExpressions()].flatMap((e) => metricNames(e.expr)).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const families = [...exported].filter((n) => n.startsWith('chatops_') && !n.startsWith('chatops_process_') && !/_(bucket|sum|count)$/.test(n));
    expect(families.filter((f) => !used.has(f))).toEqual([]);
  });
});

/** A real session idle in a transaction, for the remedy to end. */
async function idleSession(): Promise<number> {
  const c = new pg.Client({ connectionString: inject('pgUrl'), application_name: 'metrics-idle-app' });
  c.on('error', () => undefined);
  await c.connect();
  sessions.push(c);
  await c.query('BEGIN');
  const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}
