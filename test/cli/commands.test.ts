// Every slash command from a terminal, as a user runs it: `bin/chatops <command> <words...>`, a
// process with a config and a state store of its own, its exit code, stdout and stderr. The
// commands run the same code as in Slack; what changes state through Slack is refused.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OverrideStore } from '../../src/oncall/override-store.ts';
import { ReportHistory } from '../../src/store/report-history.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { isolatedCliEnv } from './isolated-cli-env.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/chatops');
const ME = `cli:${os.userInfo().username}`;

interface Run { code: number; stdout: string; stderr: string }

let databaseUrl: string;
let pool: pg.Pool;
let config: string;

function chatops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { cwd: ROOT, env: { ...isolatedCliEnv(), DATABASE_URL: databaseUrl, CHATOPS_CONFIG: config, WATCHED_URL: inject('pgUrl'), NO_COLOR: '1', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  databaseUrl = await freshDatabaseUrl('cli_commands');
  pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  config = path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-commands-')), 'chatops.yml');
  writeFileSync(config, `targets:
  main-db:
    kind: postgres
    url: \${WATCHED_URL}
  gone-db:
    kind: postgres
    url: postgres://x:y@127.0.0.1:9/app
    timeoutMs: 1000
incidents:
  channel: C0INCIDENTS
oncall:
  rotations:
    primary: { members: [U0ALICE, U0BOB], every: weekly, handoff: "09:00", timezone: UTC, start: "2026-01-05" }
digests:
  morning: { cron: "0 8 * * 1-5", timezone: Europe/Berlin, channel: C0DIGEST }
access:
  audit: { users: [U0AUDITOR] }
  oncall.override: { users: [U0ALICE] }
`);
});
afterAll(async () => {
  await pool?.end();
});

// Each run is a process that loads the bot's modules: a few seconds each on a busy machine. Tests
// marked concurrent run side by side with their neighbours: they read or write rows no other test
// of the file counts. The others run alone: the audit log's newest row, the count of overrides.
describe('bin/chatops runs the slash commands', { timeout: 180_000 }, () => {
  it.concurrent('help lists every command of the registry as a terminal types it, with only the forms a terminal runs', async () => {
    const run = await chatops(['help']);
    expect(run.code).toBe(0);
    for (const line of [
      'chatops diag [target | kind | all | help] [namespace]: ',
      'chatops runbook [runbook-id | list | search <words>]: ',
      'chatops triage <symptom in plain words>: ',
      'chatops digest list | history <target> [days]: ',
      'chatops audit [n]: ',
      'chatops oncall [list]: ',
      'chatops incident list | show <id>: ',
      '(Slack only: now)',
      '(Slack only: override)',
      '(Slack only: declare, sev1..sev4, ack, resolve, escalate, sev, note)',
    ]) {
      expect(run.stdout).toContain(line);
    }
    for (const refused of ['chatops digest list | now', 'override @user', 'chatops incident declare', '/diag', '`']) expect(run.stdout).not.toContain(refused);
    const usage = await chatops(['oncall', '--help']);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toContain('Usage: chatops oncall [list] [--config FILE] [--no-color]');
    expect(usage.stdout).toContain('In Slack only (/oncall there): override.');
  });

  it.concurrent('runbook: the list, one runbook whole, an unknown id with the valid ones', async () => {
    const [list, one, unknown] = await Promise.all([chatops(['runbook']), chatops(['runbook', 'postgres-locks']), chatops(['runbook', 'nope'])]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Runbooks \(chatops runbook <id> shows one\):\n• /);
    expect(list.stdout).toContain('• postgres-locks: PostgreSQL lock contention');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^PostgreSQL lock contention/);
    expect(one.stdout).toContain('Explains: postgres.');
    expect(one.stdout).not.toContain('more parts not shown');
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/unknown runbook "nope"; available: .*postgres-locks/);
    expect(unknown.stdout).toBe('');
  });

  it('oncall: who is on call now and next, with an override from the store', async () => {
    await new OverrideStore(pool).add({ rotation: 'primary', user: 'U0CAROL', startsAt: new Date(Date.now() - 60_000), endsAt: new Date(Date.now() + 3_600_000), createdBy: 'U0ALICE' });
    const run = await chatops(['oncall']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^On call\n• primary \(weekly, handoff 09:00 UTC\): @U0CAROL \(override, set by @U0ALICE\) until \d{4}-\d\d-\d\d \d\d:\d\d UTC; next @U0(ALICE|BOB) from /);
  });

  it('diag: the report of /diag on stdout, progress on stderr, the exit code of its status, an audit row as cli:<user>; then audit shows it', async () => {
    const run = await chatops(['diag', 'main-db']);
    // The monitoring-plugin status line, then the report.
    expect(run.code).toBe({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 }[/^(OK|WARNING|CRITICAL|UNKNOWN): main-db \(postgres\): /.exec(run.stdout)![1] as 'OK']);
    expect(run.stdout.split('\n')[1]).toMatch(/^\[(OK|WARN|CRIT|UNKNOWN)\]\s+main-db \(postgres/);
    expect(run.stdout).not.toContain('Running');
    expect(run.stderr).toContain('Running postgres diagnostics on main-db…');
    const { rows } = await pool.query("SELECT actor, channel, source, target, params FROM audit_log WHERE action = 'diag' ORDER BY id DESC LIMIT 1");
    expect(rows[0]).toEqual({ actor: ME, channel: null, source: 'cli', target: 'main-db', params: { text: 'main-db' } });

    // The terminal reads the audit log with the store's credentials: access.audit names Slack users.
    const audit = await chatops(['audit', '5']);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(new RegExp(`^Last \\d audit rows?\\n• \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC ${ME} diag main-db \\{"text":"main-db"\\}: (ok|warn|crit|unknown) \\(\\d+ ms\\)`));
    expect((await chatops(['audit', '0'])).stderr).toContain('n must be a whole number from 1 to 50, got "0"');
  });

  it.concurrent('diag all: the summary, then the report of each target that needs attention, worst status as exit code', async () => {
    const run = await chatops(['diag', 'all']);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^CRITICAL: diag all: \d of 2 targets need attention: gone-db crit.* \| /);
    expect(run.stdout.split('\n')[1]).toMatch(/^\[CRIT\]\s+diag all: \d of 2 targets need attention/);
    expect(run.stdout).toMatch(/gone-db \(postgres\): Unreachable: refused[\s\S]*─{40}\n\n\[CRIT\]\s+gone-db \(postgres[^)]*\): CRIT/);
    expect(run.stderr).toContain('Running diagnostics on 2 targets…');
  });

  it.concurrent('incident list and show read the store; incident changes are refused, naming what the terminal can do', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO incidents (severity, title, status, commander, declared_at, acknowledged_at, acknowledged_by, ladders)
       VALUES (1, 'Checkout fails', 'acknowledged', 'U0ALICE', now() - interval '2 hours', now() - interval '1 hour', 'U0BOB', '{}') RETURNING id`,
    );
    const id = Number(rows[0]!.id);
    await pool.query(
      `INSERT INTO incident_events (incident_id, at, actor, kind, text) VALUES
       ($1, now() - interval '2 hours', 'U0ALICE', 'declared', 'Declared SEV-1: Checkout fails'),
       ($1, now() - interval '1 hour', 'U0BOB', 'acknowledged', 'Acknowledged by <@U0BOB>'),
       ($1, now() - interval '30 minutes', 'U0CAROL', 'note', 'rolled back to 1.4.2')`,
      [id],
    );
    const list = await chatops(['incident', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(`Open incidents\n• SEV-1 INC-${id} Checkout fails: acknowledged by @U0BOB, open 2 h, commander @U0ALICE\n`);
    const show = await chatops(['incident', 'show', `INC-${id}`]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^SEV-1 INC-${id}: Checkout fails \\(acknowledged\\)\\n• .* UTC Declared SEV-1: Checkout fails\\n• .* UTC Acknowledged by @U0BOB\\n• .* UTC @U0CAROL: rolled back to 1.4.2\\n$`));
    const [missing, help] = await Promise.all([chatops(['incident', 'show', String(id + 1000)]), chatops(['incident', 'help'])]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(`chatops: there is no incident INC-${id + 1000}; chatops incident list shows the open ones\n`);
    expect(help.stdout).toBe('Usage\nchatops incident list, chatops incident show <id>\nIn Slack only: declare, sev1..sev4, ack, resolve, escalate, sev, note.\n');

    const changes = [['declare', 'sev2', 'db', 'down'], ['sev1', 'db', 'down'], ['ack', String(id)], ['resolve', String(id)], ['escalate', String(id)], ['note', String(id), 'hi']];
    const runs = await Promise.all(changes.map((words) => chatops(['incident', ...words])));
    for (const [i, run] of runs.entries()) {
      const words = changes[i]!;
      expect(run.code, words.join(' ')).toBe(3);
      expect(run.stderr).toContain(`incident ${words[0]} changes an incident, which pages and posts through Slack and is allowed by rules naming Slack users: run /incident ${words[0]} in Slack; the terminal shows chatops incident list and chatops incident show <id>`);
      expect(run.stdout).toBe('');
    }
    const after = await pool.query('SELECT status FROM incidents WHERE id = $1', [id]);
    expect(after.rows[0].status).toBe('acknowledged');
    expect((await pool.query("SELECT count(*)::int AS n FROM incident_events WHERE kind = 'note'")).rows[0].n).toBe(1);
  });

  it.concurrent('digest list and history read the config and the store; digest now is refused', async () => {
    const list = await chatops(['digest', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Digests\n• morning: 0 8 \* \* 1-5 \(Europe\/Berlin\) to #C0DIGEST, all targets; next \d{4}-\d\d-\d\d (06|07):00 UTC\n$/);

    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();
    const history = new ReportHistory(pool);
    await history.record([{ target: 'main-db', kind: 'postgres', status: 'crit', startedAt: day(2), durationMs: 40, findings: [{ check: 'postgres.locks', status: 'crit', title: 'pid 42 blocks 9 sessions' }] }], 'digest:morning');
    await history.record([{ target: 'main-db', kind: 'postgres', status: 'ok', startedAt: day(1), durationMs: 30, findings: [{ check: 'postgres.reachable', status: 'ok', title: 'Reachable' }] }], 'digest:morning');
    const shown = await chatops(['digest', 'history', 'main-db', '7']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(`main-db, last 7 days (2 reports):\n[OK]      ${day(1).slice(0, 10)} ok (1 runs)\n[CRIT]    ${day(2).slice(0, 10)} crit (1 runs): pid 42 blocks 9 sessions\n`);

    const now = await chatops(['digest', 'now', 'morning']);
    expect(now.code).toBe(3);
    expect(now.stderr).toContain('a digest is posted to its Slack channel: run /digest now in Slack; the terminal shows chatops digest list, chatops digest history <target> [days] and chatops diag all');
    expect((await pool.query('SELECT count(*)::int AS n FROM digest_runs')).rows[0].n).toBe(0);
    const bogus = await chatops(['digest', 'bogus']);
    expect(bogus.code).toBe(3);
    expect(bogus.stderr).toBe('chatops: unknown subcommand "bogus"; use chatops digest list or chatops digest history <target> [days]\n');
  });

  it('oncall override is refused and stores nothing; a bad word is a usage error naming it', async () => {
    const before = (await pool.query('SELECT count(*)::int AS n FROM oncall_overrides')).rows[0].n;
    const run = await chatops(['oncall', 'override', '<@U0DAVE>', '4h']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('an on-call override is set in Slack (/oncall override @user <duration>), by a user access.oncall.override names; the terminal shows the rotations: chatops oncall');
    expect((await pool.query('SELECT count(*)::int AS n FROM oncall_overrides')).rows[0].n).toBe(before);
    const bad = await chatops(['oncall', 'frob']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('chatops: unknown subcommand "frob"; use chatops oncall or chatops oncall list\n');
    const control = await chatops(['runbook', 'a\u0007b']);
    expect(control.code).toBe(3);
    expect(control.stderr).toContain('the text has an invisible control character U+0007 at position 2');
  });
});
