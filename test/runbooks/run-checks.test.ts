// A runbook's Run checks button through the real bot with signed requests, against a real
// PostgreSQL target with a lock induced for real: the button on /runbook <id>, the summary in the
// channel and the report (with its remedy buttons) in its thread, the audit rows, a press with
// nothing to run, tampered values, and the terminal's runbook without a button.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActionBody, slashCommandBody } from '../support/signed-slack-request.ts';
import { signAsBot } from '../support/press-button.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import type { RecordedCall } from '../support/fake-slack-api.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';
import { tableLock, type TableLock } from '../support/table-lock.ts';
import { isolatedCliEnv } from '../cli/isolated-cli-env.ts';

/** This file's channel: its audit rows are told apart from those other files write meanwhile. */
const CHANNEL = 'C0RUNCHECKS';
/** The private runbook message the button is on (a ts no posted message has). */
const RUNBOOK_MESSAGE_TS = '1699999999.000042';
const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');

let monitoredUrl = '';
// The target is a database of its own, so that the lock below is this file's alone.
const t = useHttpTestBot(async () => {
  monitoredUrl = await freshDatabaseUrl('runchecks');
  return `targets:\n  main-db:\n    kind: postgres\n    url: ${monitoredUrl}\n    timeoutMs: 5000\naccess:\n  postgres.*:\n    users: [U0ALICE]\n`;
});

type Element = { type: string; action_id?: string; value?: string; text?: { text: string } };
type SlackBlock = { type: string; elements?: Element[]; text?: { text: string } };
const buttonsOf = (call: RecordedCall): Element[] => ((call.args.blocks ?? []) as SlackBlock[]).flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : []));

async function runbookAnswer(id: string, responseId: string): Promise<RecordedCall> {
  const res = await t.send(slashCommandBody({ command: '/runbook', text: id, responseUrl: t.slack.responseUrl(responseId), channelId: CHANNEL }));
  expect(res.status).toBe(200);
  await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === responseId));
  return t.slack.callsTo('respond').find((c) => c.responseId === responseId)!;
}

async function press(value: string, responseId: string, options: { actionId?: string; userId?: string } = {}): Promise<void> {
  const res = await t.send(blockActionBody({ actionId: options.actionId ?? 'runbook:checks', value, responseUrl: t.slack.responseUrl(responseId), channelId: CHANNEL, messageTs: RUNBOOK_MESSAGE_TS, userId: options.userId ?? 'U0BOB' }));
  expect(res.status).toBe(200);
}

async function auditRows(where: string, params: unknown[]): Promise<Array<{ actor: string; channel: string; action: string; target: string | null; params: Record<string, unknown>; outcome: string; duration_ms: number | null; detail: string | null }>> {
  const db = new pg.Client({ connectionString: t.storeUrl });
  await db.connect();
  try {
    return (await db.query(`SELECT actor, channel, action, target, params, outcome, duration_ms, detail FROM audit_log WHERE channel = '${CHANNEL}' AND ${where} ORDER BY id`, params)).rows;
  } finally {
    await db.end();
  }
}

describe('Run checks on a runbook', () => {
  const table = `runchecks_${process.pid}`;
  let lock: TableLock;

  beforeAll(async () => {
    lock = await tableLock(monitoredUrl, table);
  });

  afterAll(async () => {
    await lock?.close();
  });

  it('/runbook postgres-locks offers the button; pressing it posts the summary in the channel and the report, with the blocker\'s Terminate button, in its thread; audited like /diag', async () => {
    const { holderPid } = lock;
    await lock.hold();

    const shown = await runbookAnswer('postgres-locks', 'rb');
    expect(shown.args.response_type).toBe('ephemeral');
    const [button] = buttonsOf(shown).filter((b) => b.action_id === 'runbook:checks');
    expect(button?.text?.text).toBe('Run checks');
    // The checks of the runbook that a press runs, and where.
    expect(callText(shown)).toMatch(/Runs `postgres\.blocking_locks`, `postgres\.long_transactions`, `postgres\.deadlocks`, `postgres\.idle_in_transaction` and 1 more check on \*main-db\*/);

    // U0BOB has no access rule: the checks are read-only, like /diag.
    t.slack.reset();
    await press(button!.value!, 'run');
    await t.slack.waitFor((calls) => calls.filter((c) => c.method === 'chat.postMessage').length >= 2 && calls.some((c) => c.method === 'chat.update'), 30_000);
    const [progress, report] = t.slack.callsTo('chat.postMessage');
    expect(progress!.args).toMatchObject({ channel: CHANNEL });
    expect(progress!.args.thread_ts).toBeUndefined();
    expect(String(progress!.args.text)).toMatch(/Running the checks of runbook \*PostgreSQL lock contention.*\* on \*main-db\* for <@U0BOB>/);
    const progressTs = t.slack.messagesIn(CHANNEL).find((m) => !m.thread_ts)!.ts;

    const [summary] = t.slack.callsTo('chat.update');
    expect(summary!.args).toMatchObject({ channel: CHANNEL, ts: progressTs });
    expect(callText(summary!)).toContain('Checks of PostgreSQL lock contention');
    expect(callText(summary!)).toContain('*main-db* (postgres)');
    expect(callText(summary!)).toContain('pressed by <@U0BOB>');
    expect(callText(summary!)).toContain('The report of the target is in the thread.');

    expect(report!.args).toMatchObject({ channel: CHANNEL, thread_ts: progressTs });
    const reportText = callText(report!);
    expect(reportText).toContain('main-db');
    expect(reportText).toContain(`lock-holder pid ${holderPid}`);
    const remedies = buttonsOf(report!).map((b) => b.action_id);
    expect(remedies).toContain('remedy:postgres.terminate_backend');
    // Only the runbook's checks ran: none of the kind's others (database size, replication...).
    expect(reportText).not.toMatch(/database_size|Database size/);
    // Nothing was answered privately: the press went well.
    expect(t.slack.callsTo('respond').filter((c) => c.responseId === 'run')).toEqual([]);

    await lock.holder.query('ROLLBACK');
    await lock.blocked;
    // The audit row is written once the report is posted: wait for it rather than race it.
    await waitFor(async () => (await auditRows(`action = 'diag' AND actor = 'U0BOB'`, [])).length > 0, 10_000, 'the audit row of the checks');
    const rows = await auditRows(`action = 'diag' AND actor = 'U0BOB'`, []);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target: 'main-db', outcome: expect.stringMatching(/^(warn|crit)$/), params: { runbook: 'postgres-locks', checks: expect.arrayContaining(['postgres.blocking_locks', 'postgres.idle_in_transaction']) } });
    expect(rows[0]!.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('a runbook whose kinds have no configured target shows no button, and a press answers the presser privately: nothing to run, audited', async () => {
    const shown = await runbookAnswer('stripe-api-key', 'stripe');
    expect(buttonsOf(shown).map((b) => b.action_id)).not.toContain('runbook:checks');
    t.slack.reset();
    await press(await signAsBot('runbook:checks', 'stripe-api-key'), 'nothing');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'nothing'));
    const answer = t.slack.callsTo('respond').find((c) => c.responseId === 'nothing')!;
    expect(answer.args.response_type).toBe('ephemeral');
    expect(callText(answer)).toContain('Nothing to run.');
    expect(callText(answer)).toContain('No target of kind `stripe` is configured');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await auditRows(`action = 'runbook:checks' AND outcome = 'refused' AND params->>'runbook' = 'stripe-api-key'`, [])).toHaveLength(1);
  });

  it('where the bot cannot post, runs nothing and tells the presser privately why, audited', async () => {
    t.slack.reset();
    t.slack.failNext('chat.postMessage', 'not_in_channel');
    await press(await signAsBot('runbook:checks', 'postgres-locks'), 'outside');
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'outside'));
    expect(callText(t.slack.callsTo('respond').find((c) => c.responseId === 'outside')!)).toContain('The bot cannot post in this channel (not_in_channel), so the checks did not run');
    expect(t.slack.messagesIn(CHANNEL)).toEqual([]);
    expect(t.slack.callsTo('chat.update')).toEqual([]);
    expect(await auditRows(`action = 'runbook:checks' AND detail = 'cannot post in the channel (not_in_channel)'`, [])).toHaveLength(1);
  });

  it('refuses a tampered value, runs nothing and audits each: an unknown runbook, a changed signature, a Runbook button\'s value pressed as Run checks', async () => {
    const shown = await runbookAnswer('postgres-locks', 'again');
    const value = buttonsOf(shown).find((b) => b.action_id === 'runbook:checks')!.value!;
    t.slack.reset();
    await press(await signAsBot('runbook:checks', 'no-such-runbook'), 'unknown');
    // The runbook id swapped for another after signing.
    await press(value.replace('postgres-locks', 'postgres-indexes'), 'swapped');
    // A value the bot signed for a Runbook button, not for Run checks.
    await press(await signAsBot('runbook:open', 'postgres-locks'), 'borrowed');
    await t.slack.waitFor((calls) => ['unknown', 'swapped', 'borrowed'].every((id) => calls.some((c) => c.method === 'respond' && c.responseId === id)));
    const answerTo = (id: string) => callText(t.slack.callsTo('respond').find((c) => c.responseId === id)!);
    expect(answerTo('unknown')).toContain('unknown runbook \\"no-such-runbook\\"');
    expect(answerTo('swapped')).toMatch(/changed or has expired: open the runbook again with \/runbook\./);
    expect(answerTo('borrowed')).toMatch(/changed or has expired: open the runbook again with \/runbook\./);
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);
    expect(await auditRows(`action = 'runbook:checks' AND outcome = 'refused' AND actor = 'U0BOB' AND params->>'runbook' IS NULL`, [])).toHaveLength(3);
  });
});

describe('Run checks from a private message in a thread', () => {
  it('answers in that thread: the summary and the report are replies of the thread the runbook was shown in', async () => {
    const thread = '1699999990.000100';
    const value = await signAsBot('runbook:checks', 'postgres-connection-exhaustion');
    t.slack.reset();
    // As Slack sends a press on an ephemeral message in a thread: the container names the thread.
    const payload = JSON.parse(new URLSearchParams(blockActionBody({ actionId: 'runbook:checks', value, responseUrl: t.slack.responseUrl('thr'), channelId: CHANNEL, messageTs: RUNBOOK_MESSAGE_TS })).get('payload')!);
    payload.container = { ...payload.container, is_ephemeral: true, thread_ts: thread };
    expect((await t.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(200);
    await t.slack.waitFor((calls) => calls.filter((c) => c.method === 'chat.postMessage').length >= 2 && calls.some((c) => c.method === 'chat.update'), 30_000);
    const posts = t.slack.callsTo('chat.postMessage');
    expect(posts.map((p) => p.args.thread_ts)).toEqual([thread, thread]);
    expect(String(posts[1]!.args.text)).toContain('main-db');
  });
});

describe('the runbook in a terminal', { timeout: 120_000 }, () => {
  it('chatops runbook postgres-locks shows the runbook without a Run checks button, with a postgres target configured', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'runchecks-cli-'));
    const config = path.join(dir, 'chatops.yml');
    writeFileSync(config, `targets:\n  main-db:\n    kind: postgres\n    url: ${monitoredUrl}\n`);
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(BIN, ['runbook', 'postgres-locks', '--config', config, '--no-color'], { env: { ...isolatedCliEnv() }, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('PostgreSQL lock contention');
    expect(run.stdout).not.toMatch(/Run checks|runs the checks/);
  });
});
