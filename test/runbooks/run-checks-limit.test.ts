// Run checks on a bot with more targets of a runbook's kind than one press runs, through the real
// bot: eight real PostgreSQL targets checked, each report in the thread, the rest named with the
// /diag that runs them, and a target whose configuration cannot be used named apart.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { blockActionBody, slashCommandBody } from '../support/signed-slack-request.ts';
import { callText, useHttpTestBot } from '../support/test-bot.ts';
import { waitFor } from '../support/wait-for.ts';

const CHANNEL = 'C0RUNLIMIT';
const RUNBOOK_MESSAGE_TS = '1699999999.000077';
const NAMES = Array.from({ length: 10 }, (_, i) => `db${String(i + 1).padStart(2, '0')}`);

const t = useHttpTestBot(() => `targets:\n${NAMES.map((n) => `  ${n}:\n    kind: postgres\n    url: \${MONITORED_URL}\n    timeoutMs: 5000\n`).join('')}  broken-db:\n    kind: postgres\n    url: \${RUN_CHECKS_UNSET_URL}\n`);

describe('Run checks over many targets', () => {
  it('runs the first 8 targets of the kind, posts each report in the thread and names the others', async () => {
    await t.send(slashCommandBody({ command: '/runbook', text: 'postgres-connection-exhaustion', responseUrl: t.slack.responseUrl('rb'), channelId: CHANNEL }));
    await t.slack.waitFor((calls) => calls.some((c) => c.method === 'respond' && c.responseId === 'rb'));
    const shown = t.slack.callsTo('respond').find((c) => c.responseId === 'rb')!;
    expect(callText(shown)).toContain('on *db01*, *db02*, *db03*, *db04* and 4 more targets');
    const blocks = shown.args.blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value?: string }> }>;
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'runbook:checks')!.value!;

    t.slack.reset();
    await t.send(blockActionBody({ actionId: 'runbook:checks', value, responseUrl: t.slack.responseUrl('run'), channelId: CHANNEL, messageTs: RUNBOOK_MESSAGE_TS }));
    await t.slack.waitFor((calls) => calls.filter((c) => c.method === 'chat.postMessage').length >= 9, 60_000);
    const [progress, ...reports] = t.slack.callsTo('chat.postMessage');
    const progressTs = t.slack.messagesIn(CHANNEL).find((m) => !m.thread_ts)!.ts;
    expect(String(progress!.args.text)).toContain('on *db01*, *db02*, *db03*, *db04*, *db05*, *db06*, *db07*, *db08* for <@U0ALICE>');
    expect(reports).toHaveLength(8);
    for (const r of reports) expect(r.args).toMatchObject({ channel: CHANNEL, thread_ts: progressTs });
    const reported = reports.map((r) => NAMES.find((n) => String(r.args.text).startsWith(`${n} `) || String(r.args.text).includes(` ${n} (`))).sort();
    expect(reported).toEqual(NAMES.slice(0, 8));

    const [summary] = t.slack.callsTo('chat.update');
    expect(summary!.args.ts).toBe(progressTs);
    const text = callText(summary!);
    expect(text).toContain('Not run: *db09*, *db10* (over the limit of 8 targets a press runs: `/diag db09`); *broken-db* (configuration problem: chatops config check)');
    expect(text).toContain('The report of each of the 8 targets is in the thread.');

    // One audit row per target run, as /diag writes them (written once the reports are posted).
    const db = new pg.Client({ connectionString: t.storeUrl });
    await db.connect();
    const audited = async () => (await db.query(`SELECT target FROM audit_log WHERE channel = '${CHANNEL}' AND action = 'diag' AND params->>'runbook' = 'postgres-connection-exhaustion' ORDER BY target`)).rows;
    await waitFor(async () => (await audited()).length >= 8, 10_000, 'the 8 audit rows');
    const rows = await audited();
    await db.end();
    expect(rows.map((r) => r.target)).toEqual(NAMES.slice(0, 8));
  });
});
