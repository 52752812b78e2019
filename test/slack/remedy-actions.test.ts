// Remedy buttons through the real bot with signed block_actions payloads, against real PostgreSQL
// sessions: allowed, denied, via a user group, tampered payloads, a double press, the audit log.
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { blockActionBody, slashCommandBody } from '../support/signed-slack-request.ts';
import { answers, pressRemedy, signAsBot } from '../support/press-button.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

const MESSAGE_TS = '1700000001.000100'; // the report message the buttons are on, in blockActionBody
/** This file's channel: its audit rows are told apart from those other files write meanwhile. */
const CHANNEL = 'C0REMEDY';
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

function press(value: { action: string; params: Record<string, unknown>; target: string }, user = 'U0ALICE', responseId = 'p') {
  return pressRemedy(t, value, { actionId: 'remedy:postgres.terminate_backend', userId: user, responseId, channelId: CHANNEL });
}

const terminate = (pid: number, target = 'main-db') => ({ action: 'postgres.terminate_backend', params: { pid }, target });

async function maxAuditId(): Promise<number> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    return Number((await c.query('SELECT coalesce(max(id), 0) AS id FROM audit_log')).rows[0].id);
  } finally {
    await c.end();
  }
}

async function lastAudit(): Promise<{ actor: string; outcome: string; target: string }> {
  const c = new pg.Client({ connectionString: inject('pgUrl') });
  await c.connect();
  try {
    return (await c.query("SELECT actor, outcome, target FROM audit_log WHERE action LIKE 'postgres.%' AND channel = $1 ORDER BY id DESC LIMIT 1", [CHANNEL])).rows[0];
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
    expect(outcome.args).toMatchObject({ channel: CHANNEL, thread_ts: MESSAGE_TS });
    expect(String(outcome.args.text)).toContain(`<@U0ALICE> ran Terminate session on main-db: terminated backend ${pid}`);
    await waitFor(async () => !(await alive(pid)), 5_000, 'the backend to go');
    expect(await lastAudit()).toEqual({ actor: 'U0ALICE', outcome: 'succeeded', target: 'main-db' });
  });

  it('a user no rule names is denied, ephemerally, and the backend stays', async () => {
    const pid = await idleSession();
    await press(terminate(pid), 'U0BOB');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = t.slack.callsTo('respond')[0]!;
    expect(callText(reply)).not.toContain('confirm:run'); // denied before any confirmation is offered
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
  ])('a payload the bot signed but no longer accepts (%s) is refused and audited', async (_name, value, message) => {
    await press(value);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain(message);
    expect((await lastAudit()).outcome).toBe('refused');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a double press runs once; the second presser is told who started it', async () => {
    const pid = await idleSession();
    await Promise.all([press(terminate(pid), 'U0ALICE', 'first'), press(terminate(pid), 'U0ALICE', 'second')]);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postMessage') && answers(t).length > 0);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(callText(answers(t)[0]!)).toMatch(/is already (running|done \(succeeded\)), started by <@U0ALICE> \d+ s ago/);
  });

  it.each([
    ['an edited pid', async (pid: number) => (await signAsBot('remedy:postgres.terminate_backend', JSON.stringify(terminate(pid)))).replace(`"pid":${pid}`, `"pid":${pid + 1}`)],
    ['a value the bot never signed', async (pid: number) => JSON.stringify(terminate(pid))],
    ['a value signed for another button', async (pid: number) => await signAsBot('remedy:postgres.cancel_query', JSON.stringify(terminate(pid)))],
    ['a value signed with another key', async (pid: number) => (await signAsBot('remedy:postgres.terminate_backend', JSON.stringify(terminate(pid)))).replace(/^cs1\.[^.]+\./, 'cs1.kforeign.')],
    ['an expired value', async (pid: number) => await signAsBot('remedy:postgres.terminate_backend', JSON.stringify(terminate(pid)), undefined, -1_000)],
  ])('%s is refused before anything runs, audited, and the presser is told to run /diag again', async (name, value) => {
    const pid = await idleSession();
    const res = await t.send(blockActionBody({ actionId: 'remedy:postgres.terminate_backend', value: await value(pid), responseUrl: t.slack.responseUrl('forged'), channelId: CHANNEL }));
    expect(res.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const reply = callText(t.slack.callsTo('respond')[0]!);
    expect(reply).toContain(name === 'an expired value' ? 'This button has expired: run /diag again' : 'This button was changed or has expired: run /diag again');
    expect(reply).not.toContain('confirm:run');
    expect(await alive(pid)).toBe(true);
    const c = new pg.Client({ connectionString: inject('pgUrl') });
    await c.connect();
    const row = (await c.query('SELECT action, outcome, detail FROM audit_log WHERE channel = $1 ORDER BY id DESC LIMIT 1', [CHANNEL]).finally(() => c.end())).rows[0];
    expect(row).toMatchObject({ action: 'postgres.terminate_backend', outcome: 'refused' });
    expect(row.detail).toMatch(/^button value (unsigned|bad-signature|unknown-key|expired)$/);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a signed value that is not a remedy is refused before any handler, audited under the action, naming what is wrong', async () => {
    const res = await t.send(blockActionBody({ actionId: 'remedy:postgres.terminate_backend', value: await signAsBot('remedy:postgres.terminate_backend', '["pid", 1]'), responseUrl: t.slack.responseUrl('shape'), channelId: CHANNEL }));
    expect(res.status).toBe(200);
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'shape'));
    const reply = t.slack.callsTo('respond').find((c) => c.responseId === 'shape')!;
    expect(reply.args.response_type).toBe('ephemeral');
    expect(callText(reply)).toContain('This button is not valid any more: its value is not a remedy ({\\"action\\", \\"params\\", \\"target\\"}). Nothing was done.');
    const c = new pg.Client({ connectionString: inject('pgUrl') });
    await c.connect();
    const row = (await c.query('SELECT actor, action, outcome, detail FROM audit_log WHERE channel = $1 ORDER BY id DESC LIMIT 1', [CHANNEL]).finally(() => c.end())).rows[0];
    expect(row).toEqual({ actor: 'U0ALICE', action: 'postgres.terminate_backend', outcome: 'refused', detail: 'This button is not valid any more: its value is not a remedy ({"action", "params", "target"})' });
    expect(t.slack.callsTo('chat.postEphemeral')).toHaveLength(0);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('a destructive press runs only on the presser\'s own confirmation, once', async () => {
    const pid = await idleSession();
    const auditBefore = await maxAuditId();
    await pressRemedy(t, terminate(pid), { confirm: false, responseId: 'ask' });
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'chat.postEphemeral'));
    // To the presser through the Web API, not to the press's response_url.
    const prompt = t.slack.callsTo('chat.postEphemeral')[0]!;
    expect(prompt.args).toMatchObject({ user: 'U0ALICE', channel: 'C0OPS' });
    expect(t.slack.callsTo('respond')).toHaveLength(0);
    expect(callText(prompt)).toContain(`Confirm Terminate session?`);
    expect(await alive(pid)).toBe(true);
    const run = (prompt.args.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!.elements!.find((e) => e.action_id === 'confirm:run')!.value;
    const confirm = (user: string, id: string) => t.send(blockActionBody({ actionId: 'confirm:run', value: run, responseUrl: t.slack.responseUrl(id), userId: user }));
    // Someone else cannot use it.
    await confirm('U0MALLORY', 'mallory');
    await t.slack.waitFor((calls) => calls.some((c) => c.responseId === 'mallory'));
    expect(callText(t.slack.callsTo('respond').find((c) => c.responseId === 'mallory')!)).toContain('This confirmation belongs to whoever pressed the button');
    expect(await alive(pid)).toBe(true);
    await confirm('U0ALICE', 'alice');
    await waitFor(async () => !(await alive(pid)), 5_000, 'the backend to go');
    // A second "Run it" (a double click) does nothing more.
    await confirm('U0ALICE', 'again');
    await t.slack.waitFor((calls) => calls.some((c) => c.responseId === 'again'));
    expect(callText(t.slack.callsTo('respond').find((c) => c.responseId === 'again')!)).toContain('This confirmation was already used');
    await t.slack.waitFor((calls) => calls.filter((c) => c.method === 'chat.postMessage').length >= 1);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(1);
    // Each refused use of the confirmation is an audit row of its own.
    const c = new pg.Client({ connectionString: inject('pgUrl') });
    await c.connect();
    const refused = (await c.query(`SELECT actor, outcome, detail FROM audit_log WHERE action = 'confirm:run' AND actor IN ('U0MALLORY', 'U0ALICE') AND id > $1 ORDER BY id`, [auditBefore]).finally(() => c.end())).rows;
    expect(refused).toEqual([
      { actor: 'U0MALLORY', outcome: 'refused', detail: expect.stringContaining('belongs to whoever pressed the button') },
      { actor: 'U0ALICE', outcome: 'refused', detail: 'This confirmation was already used.' },
    ]);
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

describe('parameters named like Object.prototype members', () => {
  it('cancel_query with extra constructor, toString, __proto__ or hasOwnProperty parameters is refused each time and runs zero times', async () => {
    // A real statement to cancel: it must still be running after every press.
    const c = new pg.Client({ connectionString: inject('pgUrl'), application_name: 'slow-report' });
    c.on('error', () => undefined);
    await c.connect();
    sessions.push(c);
    const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const running = c.query('SELECT pg_sleep(60)').then(() => 'finished', () => 'cancelled');
    const admin = new pg.Client({ connectionString: inject('pgUrl') });
    await admin.connect();
    try {
      const active = async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'", [pid])).rowCount === 1;
      await waitFor(active, 5_000, 'the statement to start');
      const before = Number((await admin.query<{ id: string | null }>('SELECT max(id) AS id FROM audit_log')).rows[0]!.id ?? 0);
      const extras: Array<[string, Record<string, unknown>]> = [
        ['constructor', { pid, constructor: 'x' }],
        ['toString', { pid, toString: 1 }],
        ['__proto__', JSON.parse(`{"pid": ${pid}, "__proto__": {"pid": 1}}`) as Record<string, unknown>],
        ['hasOwnProperty', { pid, hasOwnProperty: 'x' }],
      ];
      for (const [name, params] of extras) {
        await pressRemedy(t, { action: 'postgres.cancel_query', params, target: 'main-db' }, { responseId: name });
        await t.slack.waitFor((calls) => calls.some((r) => r.method === 'respond' && r.responseId === name));
        const reply = callText(t.slack.callsTo('respond').find((r) => r.responseId === name)!);
        expect(reply).toContain(`unexpected parameter \\"${name}\\"; accepted: pid`);
        expect(reply).not.toContain('confirm:run');
      }
      const audited = await admin.query<{ outcome: string }>("SELECT outcome FROM audit_log WHERE id > $1 AND action = 'postgres.cancel_query' ORDER BY id", [before]);
      expect(audited.rows.map((r) => r.outcome)).toEqual(['refused', 'refused', 'refused', 'refused']);
      const claims = await admin.query("SELECT 1 FROM action_runs WHERE action = 'postgres.cancel_query' AND params->>'pid' = $1", [String(pid)]);
      expect(claims.rowCount).toBe(0);
      expect(await active()).toBe(true);
      expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
    } finally {
      await admin.query('SELECT pg_cancel_backend($1)', [pid]);
      await admin.end();
    }
    expect(await running).toBe('cancelled');
  });
});

