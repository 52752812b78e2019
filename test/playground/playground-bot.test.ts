// The playground's bot end to end on a real PostgreSQL (the state store, and the target with a
// lock held for real), through the same commands, interaction registry, signatures, access rules,
// confirmations, once-only claims and audit as Slack: /diag db offers Terminate on the blocker;
// pressing it asks for a confirmation; confirming runs it once, the outcome lands in the report's
// thread and one audit row says source playground; a second confirmation of the same report runs
// nothing; presses the page cannot make (an unknown ts, an index out of range, another user's
// private message) are refused naming the value; an expired signature is refused and audited; an
// unknown command is answered with the accepted ones; the Declare incident dialog keeps its
// errors open, closes on success, declares the incident and the engine's page DMs the on-call.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../commands/index.ts';
import { ActionRunner } from '../../src/actions/action-runner.ts';
import type { AppServices } from '../../src/app-services.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { SYSTEM_CLOCK } from '../../src/incidents/clock.ts';
import { EscalationEngine } from '../../src/incidents/escalation-engine.ts';
import { IncidentService } from '../../src/incidents/incident-service.ts';
import { silentLogger } from '../../src/logger.ts';
import { plainText, simpleMessage } from '../../src/message/message.ts';
import { createOnCallLookup } from '../../src/oncall/on-call-lookup.ts';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import { buttonsInOrder } from '../../src/playground/buttons-in-order.ts';
import { PlaygroundBot } from '../../src/playground/playground-bot.ts';
import { createPlaygroundTransport } from '../../src/playground/playground-transport.ts';
import type { PlaygroundEvent, PlaygroundMessage } from '../../src/playground/playground-types.ts';
import { PlaygroundWorkspace } from '../../src/playground/playground-workspace.ts';
import { allCheckIds } from '../../src/probes/probe-registry.ts';
import { loadRunbooks } from '../../src/runbooks/load-runbooks.ts';
import { configSecrets } from '../../src/security/config-secrets.ts';
import { staticKeyRing } from '../../src/security/signing-keys.ts';
import { ValueSigner } from '../../src/security/value-signer.ts';
import { openStore } from '../../src/store/open-store.ts';
import { ReportHistory } from '../../src/store/report-history.ts';
import { UserError } from '../../src/user-error.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { recordSecrets } from '../support/suite-recording.ts';
import { waitFor } from '../support/wait-for.ts';
import { tableLock, type TableLock } from '../support/table-lock.ts';

const USER = 'U0YOU';
const CHANNELS = [{ id: 'C0OPS', name: 'ops' }, { id: 'C0INCIDENTS', name: 'incidents' }];
const PEOPLE = new Map([[USER, 'you'], ['U0ALICE', 'alice'], ['U0OTHER', 'other']]);
const DAY = 24 * 3600_000;

let dbUrl = '';
let store: Awaited<ReturnType<typeof openStore>>;
let services: AppServices;
let engine: EscalationEngine;
let workspace: PlaygroundWorkspace;
let transport: ReturnType<typeof createPlaygroundTransport>;
let bot: PlaygroundBot;
const events: PlaygroundEvent[] = [];
/** The signer's clock runs this far ahead: a button signed before it moves can be made to expire. */
let clockAheadMs = 0;
const signer = new ValueSigner(staticKeyRing([{ id: 'pgtest', secret: Buffer.alloc(32, 9) }]), () => Date.now() + clockAheadMs);

const words = (m: PlaygroundMessage) => plainText(m.message.notification) + ' ' + JSON.stringify(m.message.blocks);
const newest = (pred: (m: PlaygroundMessage) => boolean) => workspace.messages().filter(pred).at(-1);
const since = (ts: string) => workspace.messages().filter((m) => Number(m.ts) > Number(ts));
const lastTs = () => workspace.messages().at(-1)?.ts ?? '0';

async function auditRows(where: string, params: unknown[] = []): Promise<Array<{ actor: string; channel: string | null; source: string; action: string; target: string | null; outcome: string; detail: string | null }>> {
  return (await store.pool.query(`SELECT actor, channel, source, action, target, outcome, detail FROM audit_log WHERE ${where} ORDER BY id`, params)).rows;
}

beforeAll(async () => {
  dbUrl = await freshDatabaseUrl('playgroundbot');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-playground-'));
  const file = path.join(dir, 'chatops.yml');
  writeFileSync(file, [
    'targets:',
    '  db:',
    '    kind: postgres',
    '    url: ${DB_URL}',
    '    timeoutMs: 5000',
    'access:',
    '  postgres.*:',
    `    users: [${USER}]`,
    'incidents:',
    '  channel: C0INCIDENTS',
    '  roles:',
    '    team-lead: { user: U0LEAD }',
    '    engineering-manager: { user: U0EM }',
    '    vp-engineering: { user: U0VP }',
    'oncall:',
    '  rotations:',
    '    primary:',
    '      members: [U0ALICE]',
    '      every: weekly',
    '      handoff: "09:00"',
    '      timezone: UTC',
    '      start: "2026-01-05"',
    '',
  ].join('\n'));
  const env = { DB_URL: dbUrl };
  const config = loadConfig({ file, env });
  const secrets = configSecrets(config, env);
  recordSecrets('the playground bot test\'s config', secrets);
  const log = silentLogger();
  store = await openStore({ databaseUrl: dbUrl, dataDir: dir, log });
  workspace = new PlaygroundWorkspace({ channels: CHANNELS, people: PEOPLE });
  workspace.subscribe((e) => events.push(e));
  transport = createPlaygroundTransport({ workspace, signer, secrets });
  const actions = new ActionRunner({
    pool: store.pool,
    log,
    secrets,
    notify: async (n) => void (await transport.channelPoster.reply({ channel: n.channel, ts: n.threadTs }, simpleMessage(n.text))),
  });
  await actions.start();
  const pager = transport.createPager({ incidentsChannel: 'C0INCIDENTS', clock: SYSTEM_CLOCK });
  engine = new EscalationEngine({
    pool: store.pool,
    pager,
    oncall: createOnCallLookup(config.oncall.rotations, new OverrideStore(store.pool)),
    groupMembers: transport.groupMembers,
    incidentsChannel: 'C0INCIDENTS',
    clock: SYSTEM_CLOCK,
    log,
  });
  const incidents = new IncidentService({ pool: store.pool, config: config.incidents!, engine, pager, groupMembers: transport.groupMembers, log, audit: store.audit });
  engine.start();
  services = {
    config,
    runbooks: loadRunbooks(config.runbooks.dir, allCheckIds()),
    audit: store.audit,
    probeState: store.probeState,
    history: new ReportHistory(store.pool, { secrets }),
    pool: store.pool,
    actions,
    incidents,
    log,
    secrets,
  };
  bot = new PlaygroundBot({ workspace, transport, services, commands: COMMANDS, signer, user: USER, log });
}, 60_000);

afterAll(async () => {
  await bot?.settled();
  await engine?.stop();
  await services?.actions.drain(0);
  await store?.close();
});

describe('PlaygroundBot', () => {
  describe('a remedy on a real lock', () => {
    const table = `pglock_${process.pid}`;
    let lock: TableLock;

    beforeAll(async () => {
      lock = await tableLock(dbUrl, table);
    });

    afterAll(async () => {
      await lock?.close();
    });

    it('/diag db offers Terminate on the blocker; pressed and confirmed it runs once, in the report\'s thread, audited with source playground; a second confirmation runs nothing', async () => {
      const { holder, holderPid } = lock;
      await lock.hold();

      const before = events.length;
      await bot.command({ channel: 'C0OPS', text: '/diag db' });
      await bot.settled();
      // "Running..." was posted, then replaced in place by the report: created, then updated.
      const report = newest((m) => m.channel === 'C0OPS' && m.ephemeralTo === undefined && m.threadTs === undefined)!;
      const mine = events.slice(before).filter((e): e is Extract<PlaygroundEvent, { type: 'message' }> => e.type === 'message' && e.message.ts === report.ts);
      expect(mine.map((e) => e.created)).toEqual([true, false]);
      expect(words(report)).toContain(`lock-holder pid ${holderPid}`);
      expect(words(report)).not.toContain(new URL(dbUrl).password || '(no password)');
      const offered = buttonsInOrder(report.message);
      const terminate = offered.findIndex((b) => b.intent?.intent === 'remedy' && b.intent.action === 'postgres.terminate_backend' && b.intent.params.pid === holderPid);
      expect(terminate).toBeGreaterThanOrEqual(0);
      expect(report.buttons[terminate]!.actionId).toBe('remedy:postgres.terminate_backend');
      // /diag is audited with the transport it was typed in.
      expect(await auditRows(`action = 'diag' AND target = 'db'`)).toEqual([expect.objectContaining({ actor: USER, source: 'playground', outcome: expect.any(String) })]);

      // The press asks for a confirmation, privately, with Run it and Cancel.
      let mark = lastTs();
      await bot.press({ ts: report.ts, button: terminate });
      await bot.settled();
      const [prompt] = since(mark);
      expect(prompt).toMatchObject({ channel: 'C0OPS', ephemeralTo: USER });
      expect(words(prompt!)).toContain(`Confirm Terminate session? Terminate backend ${holderPid} on db`);
      expect(prompt!.buttons.map((b) => b.actionId)).toEqual(['confirm:run', 'confirm:cancel']);
      expect(await auditRows(`action = 'postgres.terminate_backend'`)).toEqual([]);

      // Run it pressed twice at once (a double click): the confirmation is used once.
      mark = lastTs();
      await Promise.all([bot.press({ ts: prompt!.ts, button: 0 }), bot.press({ ts: prompt!.ts, button: 0 })]);
      await bot.settled();
      expect(words(workspace.message(prompt!.ts)!)).toContain('Confirmed:');
      const after = since(mark);
      const outcome = after.find((m) => m.threadTs === report.ts && m.ephemeralTo === undefined);
      expect(outcome, JSON.stringify(after.map(words))).toBeDefined();
      expect(words(outcome!)).toMatch(/Terminate backend|terminate/i);
      expect(after.some((m) => m.ephemeralTo === USER && words(m).includes('This confirmation was already used.'))).toBe(true);
      await waitFor(async () => (await holder.query('SELECT 1').then(() => false, () => true)) || undefined, 10_000, 'the lock holder to be terminated');
      const runs = await auditRows(`action = 'postgres.terminate_backend' AND outcome <> 'refused'`);
      expect(runs).toEqual([expect.objectContaining({ actor: USER, channel: 'C0OPS', source: 'playground', target: 'db', outcome: 'succeeded' })]);
      expect(await auditRows(`action = 'confirm:run'`)).toEqual([expect.objectContaining({ source: 'playground', outcome: 'refused', detail: 'This confirmation was already used.' })]);

      // Terminate on the same report again, confirmed again: the once-only claim of this report's press holds.
      mark = lastTs();
      await bot.press({ ts: report.ts, button: terminate });
      await bot.settled();
      const again = since(mark).find((m) => m.ephemeralTo === USER && m.buttons.some((b) => b.actionId === 'confirm:run'))!;
      await bot.press({ ts: again.ts, button: 0 });
      await bot.settled();
      expect(await auditRows(`action = 'postgres.terminate_backend' AND outcome = 'succeeded'`)).toHaveLength(1);
      expect((await auditRows(`action = 'postgres.terminate_backend' AND outcome = 'duplicate'`)).map((r) => r.source)).toEqual(['playground']);
    });
  });

  it('refuses presses the page cannot make, naming the value: an unknown ts, an index out of range, another user\'s private message; a link does nothing', async () => {
    await expect(bot.press({ ts: '1234.000001', button: 0 })).rejects.toThrow(UserError);
    await expect(bot.press({ ts: '1234.000001', button: 0 })).rejects.toThrow(/no message with ts "1234\.000001" is on the page for you/);
    const posted = await transport.channelPoster.post('C0OPS', {
      notification: [{ type: 'text', text: 'runbook' }],
      blocks: [{ type: 'actions', buttons: [{ label: 'Read it', url: 'https://runbooks.example/x.md' }, { label: 'Open', intent: { intent: 'runbook.open', runbook: 'postgres-locks' } }] }],
    });
    await expect(bot.press({ ts: posted.ts, button: 2 })).rejects.toThrow(`button 2 is not on message ${posted.ts}: it has 2 buttons: 0 to 1`);
    await expect(bot.press({ ts: posted.ts, button: -1 })).rejects.toThrow(/button -1 is not on message/);
    await expect(bot.press({ ts: posted.ts, button: 0.5 })).rejects.toThrow(/button 0\.5 is not on message/);
    await transport.replier({ channel: 'C0OPS', user: 'U0OTHER' }).ephemeral({ notification: [], blocks: [{ type: 'actions', buttons: [{ label: 'Open', intent: { intent: 'runbook.open', runbook: 'postgres-locks' } }] }] });
    const theirs = workspace.messages().at(-1)!;
    expect(theirs.ephemeralTo).toBe('U0OTHER');
    await expect(bot.press({ ts: theirs.ts, button: 0 })).rejects.toThrow(`no message with ts "${theirs.ts}" is on the page for you`);
    const mark = lastTs();
    await bot.press({ ts: posted.ts, button: 0 });
    await bot.settled();
    expect(since(mark)).toEqual([]);
    // Made on a version of the message the bot has updated since: the index may name another button now.
    const shown = workspace.message(posted.ts)!.nonce;
    await transport.alertPoster.update({ channel: 'C0OPS', ts: posted.ts }, {
      notification: [{ type: 'text', text: 'runbook' }],
      blocks: [{ type: 'actions', buttons: [{ label: 'Open', intent: { intent: 'runbook.open', runbook: 'postgres-locks' } }] }],
    });
    const updated = lastTs();
    await expect(bot.press({ ts: posted.ts, button: 0, version: shown })).rejects.toThrow(`message ${posted.ts} was updated after the page showed it`);
    await bot.settled();
    expect(since(updated)).toEqual([]);
    await bot.press({ ts: posted.ts, button: 0, version: workspace.message(posted.ts)!.nonce });
    await bot.settled();
    expect(since(updated)).toEqual([expect.objectContaining({ channel: 'C0OPS', ephemeralTo: USER })]);
    await transport.alertPoster.update({ channel: 'C0OPS', ts: posted.ts }, {
      notification: [{ type: 'text', text: 'runbook' }],
      blocks: [{ type: 'actions', buttons: [{ label: 'Read it', url: 'https://runbooks.example/x.md' }, { label: 'Open', intent: { intent: 'runbook.open', runbook: 'postgres-locks' } }] }],
    });
    // The runbook button itself answers privately where it was pressed.
    const beforeOpen = lastTs();
    await bot.press({ ts: posted.ts, button: 1 });
    await bot.settled();
    expect(since(beforeOpen)).toEqual([expect.objectContaining({ channel: 'C0OPS', ephemeralTo: USER })]);
  });

  it('refuses an expired button as Slack does: told privately what to run for a fresh one, audited with source playground, nothing run', async () => {
    const posted = await transport.channelPoster.post('C0OPS', {
      notification: [{ type: 'text', text: 'an old report' }],
      blocks: [{ type: 'actions', buttons: [{ label: 'Cancel query', intent: { intent: 'remedy', action: 'postgres.cancel_query', params: { pid: 999_999 }, target: 'db' } }] }],
    });
    const mark = lastTs();
    clockAheadMs = 2 * DAY;
    try {
      await bot.press({ ts: posted.ts, button: 0 });
      await bot.settled();
    } finally {
      clockAheadMs = 0;
    }
    const [told] = since(mark);
    expect(told).toMatchObject({ channel: 'C0OPS', ephemeralTo: USER });
    expect(plainText(told!.message.notification)).toBe(' This button has expired: run /diag again for a fresh one. Nothing was done.');
    expect(await auditRows(`action = 'postgres.cancel_query'`)).toEqual([expect.objectContaining({ actor: USER, channel: 'C0OPS', source: 'playground', outcome: 'refused', detail: 'button value expired' })]);
  });

  it('answers an unknown command and a line that is not a command with the accepted commands; an unknown channel is a UserError naming the channels', async () => {
    const names = COMMANDS.map((c) => c.name).join(', ');
    let mark = lastTs();
    await bot.command({ channel: 'C0OPS', text: '/nosuch thing' });
    let [said] = since(mark);
    expect(said).toMatchObject({ channel: 'C0OPS', ephemeralTo: USER });
    expect(plainText(said!.message.notification)).toContain(`unknown command "/nosuch": the commands are ${names}`);
    mark = lastTs();
    await bot.command({ channel: 'C0OPS', text: 'diag db' });
    [said] = since(mark);
    expect(plainText(said!.message.notification)).toContain(`"diag db" is not a command: type one of ${names}`);
    await expect(bot.command({ channel: 'C0NOWHERE', text: '/diag' })).rejects.toThrow('channel "C0NOWHERE" is not one of the playground\'s channels: C0OPS (#ops), C0INCIDENTS (#incidents)');
    // A control character in the text gets the usage, as in Slack.
    mark = lastTs();
    await bot.command({ channel: 'C0OPS', text: '/diag db\u0000' });
    await bot.settled();
    [said] = since(mark);
    expect(plainText(said!.message.notification)).toMatch(/invisible control character U\+0000 .*Usage: `\/diag/);
    // One in the command's name (a right-to-left override would show the name reversed): refused, not echoed.
    mark = lastTs();
    await bot.command({ channel: 'C0OPS', text: '/dia\u202Eg db' });
    [said] = since(mark);
    expect(said).toMatchObject({ channel: 'C0OPS', ephemeralTo: USER });
    expect(plainText(said!.message.notification)).toContain(`the command has an invisible control character U+202E at position 5; type it again without it. The commands are ${names}.`);
    expect(JSON.stringify(said!.message)).not.toContain('\u202E');
  });

  it('Declare incident: errors keep the dialog open, unknown fields are refused naming them, success closes it and declares; the on-call is paged by DM', async () => {
    // A report's Declare incident button, as /diag offers it on a report with findings.
    const report = workspace.message((await transport.channelPoster.post('C0OPS', {
      notification: [{ type: 'text', text: 'db: locks' }],
      blocks: [{
        type: 'actions',
        buttons: [{
          label: 'Declare incident',
          intent: { intent: 'incident.declare', title: 'db: blocking locks', report: { target: 'db', kind: 'postgres', status: 'crit', startedAt: new Date().toISOString(), findings: [{ check: 'blocking_locks', status: 'crit', title: '1 session blocked' }] } },
        }],
      }],
    })).ts)!;
    const declare = report.buttons.findIndex((b) => b.actionId === 'incident:declare');
    await bot.press({ ts: report.ts, button: declare });
    await bot.settled();
    const [dialog] = workspace.dialogs();
    expect(dialog).toMatchObject({ callbackId: 'incident-declare', title: 'Declare incident' });
    expect(dialog!.fields.map((f) => `${f.kind}:${f.blockId}.${f.actionId}`)).toEqual(['text:title.title', 'select:severity.severity']);

    await expect(bot.submitDialog({ dialog: dialog!.id, values: { title: { title: 'x' }, nosuch: { field: 'y' } } })).rejects.toThrow(/has no field "nosuch\.field": its fields are title\.title, severity\.severity/);
    await expect(bot.submitDialog({ dialog: dialog!.id, values: { title: { title: 'x' }, severity: { severity: 'sev9' } } })).rejects.toThrow(/"sev9" is not a choice of "Severity": the choices are sev1, sev2, sev3, sev4/);
    // The handler's own error on the field: the dialog stays.
    expect(await bot.submitDialog({ dialog: dialog!.id, values: { title: { title: '   ' }, severity: { severity: 'sev2' } } })).toEqual({ errors: { title: 'say in a few words what is wrong' } });
    expect(workspace.dialog(dialog!.id)).toBeDefined();
    // A required field left empty, as Slack's dialog says before it submits.
    expect(await bot.submitDialog({ dialog: dialog!.id, values: { title: { title: '' }, severity: { severity: 'sev2' } } })).toEqual({ errors: { title: 'this field is required' } });

    const closedBefore = events.filter((e) => e.type === 'dialog-closed').length;
    expect(await bot.submitDialog({ dialog: dialog!.id, values: { title: { title: 'db locks in the playground' }, severity: { severity: 'sev2' } } })).toEqual({ ok: true });
    expect(workspace.dialog(dialog!.id)).toBeUndefined();
    expect(events.filter((e) => e.type === 'dialog-closed')).toHaveLength(closedBefore + 1);
    await expect(bot.submitDialog({ dialog: dialog!.id, values: {} })).rejects.toThrow(`no open dialog has id "${dialog!.id}"`);
    await bot.settled();
    await waitFor(async () => newest((m) => m.channel === 'C0OPS' && words(m).includes('declared SEV-2')), 10_000, 'the declaration in #ops');
    await waitFor(async () => newest((m) => m.channel === 'C0INCIDENTS' && words(m).includes('db locks in the playground')), 10_000, 'the incident card');
    // The engine pages the on-call: a DM is a message whose channel is the user id.
    const dm = await waitFor(async () => newest((m) => m.channel === 'U0ALICE' && words(m).includes('db locks in the playground')), 10_000, 'the on-call DM');
    expect(dm.buttons.map((b) => b.actionId)).toContain('incident:ack');
    expect(await auditRows(`action LIKE 'incident.declare%'`)).toEqual([expect.objectContaining({ actor: USER })]);

    // Closing another one removes it.
    await bot.press({ ts: report.ts, button: declare });
    await bot.settled();
    const [second] = workspace.dialogs();
    await bot.closeDialog(second!.id);
    expect(workspace.dialogs()).toEqual([]);
    await expect(bot.closeDialog(second!.id)).rejects.toThrow(/no open dialog has id/);
  });
});
