// Remedy buttons through the real bot with signed block_actions payloads, against real PostgreSQL
// sessions: allowed, denied, via a user group, tampered payloads, a double press, the audit log.
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { blockActionBody, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

const MESSAGE_TS = '1700000001.000100'; // the report message the buttons are on, in blockActionBody
const sessions: pg.Client[] = [];
const t = useHttpTestBot(() => `targets:
  main-db:
    kind: postgres
    url: \${MONITORED_URL}
access:
  postgres.*:
    users: [U0ALICE]
    groups: [S0DBA]
  audit:
    users: [U0ALICE]
`);

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((c) => c.end().catch(() => undefined)));
});

/** A real session idle in a transaction, as an application that forgot to commit leaves it. */
async function idleSession(): Promise<number> {
  const c = new pg.Client({ connectionString: inject('pgUrl'), application_name: 'leaky-app' });
  c.on('error', () => undefined);
  await c.connect();
  sessions.push(c);
  await c.query('BEGIN');
  const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return rows[0]!.pid;
}

async function alive(pid: number): Promise<boolean> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    return (await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 1;
  } finally {
    await c.end();
  }
}

function press(value: object, user = 'U0ALICE', responseId = 'p') {
  return t.send(blockActionBody({ actionId: 'remedy:postgres.terminate_backend', value: JSON.stringify(value), responseUrl: t.slack.responseUrl(responseId), userId: user }));
}

const terminate = (pid: number, target = 'main-db') => ({ action: 'postgres.terminate_backend', params: { pid }, target });

async function lastAudit(): Promise<{ actor: string; outcome: string; target: string }> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    return (await c.query("SELECT actor, outcome, target FROM audit_log WHERE action LIKE 'postgres.%' ORDER BY id DESC LIMIT 1")).rows[0];
  } finally {
    await c.end();
  }
}

describe('remedy buttons', () => {
  it('an allowed user terminates the backend; the outcome goes in the report thread and the audit log', async () => {
    const pid = await idleSession();
    expect((await press(terminate(pid))).status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    const outcome = t.slack.callsTo('chat.postMessage')[0]!;
    expect(outcome.args).toMatchObject({ channel: 'C0OPS', thread_ts: MESSAGE_TS });
    expect(String(outcome.args.text)).toContain(`<@U0ALICE> ran Terminate session on main-db: terminated backend ${pid}`);
    await waitFor(async () => !(await alive(pid)), 5_000, 'the backend to go');
    expect(await lastAudit()).toEqual({ actor: 'U0ALICE', outcome: 'succeeded', target: 'main-db' });
  });

  it('a user no rule names is denied, ephemerally, and the backend stays', async () => {
    const pid = await idleSession();
    await press(terminate(pid), 'U0BOB');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = t.slack.callsTo('respond')[0]!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toContain('You are not allowed to run postgres.terminate_backend on main-db (ask <@U0ALICE> or a member of <!subteam^S0DBA>).');
    expect(await alive(pid)).toBe(true);
    expect(await lastAudit()).toEqual({ actor: 'U0BOB', outcome: 'denied', target: 'main-db' });
  });

  it('a member of a user group the rule names is allowed', async () => {
    t.slack.setGroup('S0DBA', ['U0CAROL']);
    const pid = await idleSession();
    await press(terminate(pid), 'U0CAROL');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage'));
    expect(String(t.slack.callsTo('chat.postMessage')[0]!.args.text)).toContain(`terminated backend ${pid}`);
  });

  it.each([
    ['another target', { action: 'postgres.terminate_backend', params: { pid: 1 }, target: 'prod-db' }, 'target \\"prod-db\\" is not configured'],
    ['an unknown action', { action: 'postgres.drop_database', params: {}, target: 'main-db' }, 'unknown action \\"postgres.drop_database\\"'],
    ['a pid that is not a number', { action: 'postgres.terminate_backend', params: { pid: '1; DROP TABLE x' }, target: 'main-db' }, 'parameter \\"pid\\" must be a positive integer'],
    ['markup in the action name', { action: '<!channel>', params: {}, target: 'main-db' }, 'unknown action \\"&lt;!channel&gt;\\"'],
    ['an extra parameter', { action: 'postgres.terminate_backend', params: { pid: 1, sql: 'x' }, target: 'main-db' }, 'unexpected parameter \\"sql\\"'],
  ])('a tampered payload (%s) is refused and audited', async (_name, value, message) => {
    await press(value);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain(message);
    expect((await lastAudit()).outcome).toBe('refused');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a double press runs once; the second presser is told who started it', async () => {
    const pid = await idleSession();
    await Promise.all([press(terminate(pid), 'U0ALICE', 'first'), press(terminate(pid), 'U0ALICE', 'second')]);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage') && calls.some((c) => c.method === 'respond'));
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(callText(t.slack.callsTo('respond')[0]!)).toMatch(/is already (running|done \(succeeded\)), started by <@U0ALICE> \d+ s ago/);
  });

  it('/audit shows the last rows to the users access.audit names, and nobody else', async () => {
    const audit = (user: string, id: string) => t.send(slashCommandBody({ command: '/audit', text: '5', responseUrl: t.slack.responseUrl(id), userId: user }));
    await audit('U0ALICE', 'alice');
    await audit('U0BOB', 'bob');
    await t.slack.waitFor((calls) => calls.filter((c) => c.method === 'respond').length >= 2);
    const byId = (id: string) => callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(byId('alice')).toContain('Last 5 audit rows');
    expect(byId('alice')).toContain('postgres.terminate_backend');
    expect(byId('bob')).toContain('You are not allowed to read the audit log');
  });
});
