// /diag explain through the real Bolt app (a signed slash command, the answer to the one who asked,
// a runbook button that opens the runbook) and `chatops diag explain` through the real binary.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blockActionBody, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { isolatedCliEnv } from '../cli/isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');
const t = useHttpTestBot(() => 'targets:\n  main-db:\n    kind: postgres\n    url: ${MONITORED_URL}\n    timeoutMs: 3000\n');

function chatops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), NO_COLOR: '1' }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('/diag explain', { timeout: 120_000 }, () => {
  it('answers the one who asked with the entry, its runbook and a button that opens it', async () => {
    await t.send(slashCommandBody({ command: '/diag', text: 'explain SQLSTATE 53300', responseUrl: t.slack.responseUrl('e1') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const [reply] = t.slack.callsTo('respond');
    expect(reply!.args.response_type).toBe('ephemeral');
    const text = callText(reply!);
    expect(text).toContain('Error reference: SQLSTATE 53300');
    expect(text).toContain('too_many_connections');
    expect(text).toContain('`postgres-connection-exhaustion`');
    expect(t.slack.callsTo('chat.postMessage')).toHaveLength(0);

    const button = (reply!.args.blocks as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>).find((b) => b.type === 'actions')!.elements![0]!;
    expect(button.action_id).toBe('runbook:open');
    t.slack.reset();
    await t.send(blockActionBody({ actionId: button.action_id, value: button.value, responseUrl: t.slack.responseUrl('e2') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain('PostgreSQL connection slots running out');
  });

  it('a message with a typo finds the closest entry; nothing close is refused naming examples', async () => {
    await t.send(slashCommandBody({ command: '/diag', text: 'explain dedlock detected', responseUrl: t.slack.responseUrl('e3') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    expect(callText(t.slack.callsTo('respond')[0]!)).toContain('Not an exact match: the closest to \\"dedlock detected\\" is \\"deadlock detected\\"');
    t.slack.reset();
    await t.send(slashCommandBody({ command: '/diag', text: 'explain banana split', responseUrl: t.slack.responseUrl('e4') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const refusal = callText(t.slack.callsTo('respond')[0]!);
    expect(refusal).toContain('nothing in the error reference matches \\"banana split\\"');
    expect(refusal).toContain('e.g. ECONNREFUSED, 53300, HTTP 504');
  });

  it('a pasted line with a password is quoted masked', async () => {
    await t.send(slashCommandBody({ command: '/diag', text: 'explain connect ECONNREFUSED postgres://app:hunter2-secret@db:5432/app', responseUrl: t.slack.responseUrl('e5') }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond'));
    const text = callText(t.slack.callsTo('respond')[0]!);
    expect(text).toContain('connection refused');
    expect(text).not.toContain('hunter2-secret');
  });

  it('chatops diag explain prints the entry and exits 0; an unknown one or a code not in the reference exits 3 with the reason', async () => {
    const run = await chatops(['diag', 'explain', '53300']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('53300 too_many_connections · PostgreSQL error, SQLSTATE');
    expect(run.stdout).toContain('Runbook: postgres-connection-exhaustion');
    const words = await chatops(['diag', 'explain', 'canceling', 'statement', 'due', 'to', 'statement', 'timeout']);
    expect(words.code).toBe(0);
    expect(words.stdout).toContain('57014 query_canceled');
    const unknown = await chatops(['diag', 'explain', 'banana']);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('chatops: nothing in the error reference matches "banana"');
    // A SQLSTATE one digit away from a known one is another code: said missing, with its class's codes, no "closest".
    const missing = await chatops(['diag', 'explain', 'SQLSTATE', '23514']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('chatops: the code "SQLSTATE 23514" is not in the error reference; other codes of SQLSTATE class 23 in it: 23505 (unique_violation), 23503 (foreign_key_violation).');
    expect(missing.stderr).not.toContain('closest');
    const empty = await chatops(['diag', 'explain']);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain('name an error code or message: diag explain <error code or message>');
  });
});
