// The CLI as a user runs it: a process, its exit code, its stdout and stderr.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import type { Report, ReportSet } from '../../src/report.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');

interface Run { code: number; stdout: string; stderr: string }

function chatops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// Each run is a process that loads the bot's modules: seconds each on a busy machine.
describe('bin/chatops', { timeout: 120_000 }, () => {
  it('--help describes the commands; no command is a usage error (3)', async () => {
    const help = await chatops(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('diag <target|kind>');
    expect((await chatops([])).code).toBe(3);
    const diagHelp = await chatops(['diag', '--help']);
    expect(diagHelp.code).toBe(0);
    expect(diagHelp.stdout).toMatch(/--json[\s\S]*--url[\s\S]*Exit code: 0 ok, 1 warn, 2 crit, 3 unknown/);
  });

  it('diag db --url --json prints only the Report, with the exit code of its status', async () => {
    const run = await chatops(['diag', 'db', '--url', inject('pgUrl'), '--json']);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.kind).toBe('postgres');
    expect(report.findings.find((f) => f.check === 'postgres.reachable')?.status).toBe('ok');
    expect(run.code).toBe({ ok: 0, warn: 1, crit: 2, unknown: 3 }[report.status]);
    expect(report.findings.length).toBeGreaterThan(5);
  });

  it('with DATABASE_URL set, a terminal run leaves an audit row like a Slack one', async () => {
    const run = await chatops(['diag', 'db', '--url', inject('pgUrl'), '--json'], { DATABASE_URL: inject('pgUrl') });
    const report = JSON.parse(run.stdout) as Report;
    const client = new pg.Client({ connectionString: inject('pgUrl') });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT actor, source, target, outcome FROM audit_log WHERE source = 'cli' ORDER BY id DESC LIMIT 1");
      expect(rows[0]).toMatchObject({ source: 'cli', target: 'postgres', outcome: report.status });
      expect(rows[0].actor).toMatch(/^cli:/);
    } finally {
      await client.end();
    }
  });

  it('a wrong password is crit (exit 2), and the password is nowhere in the output', async () => {
    const url = new URL(inject('pgUrl'));
    url.password = 'not-the-password-42';
    const run = await chatops(['diag', 'postgres', '--url', url.toString(), '--json', '--timeout', '3000']);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings[0]).toMatchObject({ check: 'postgres.reachable', status: 'crit' });
    expect(run.stdout + run.stderr).not.toContain('not-the-password-42');
  });

  it('prints text without colour when stdout is not a terminal, using a configured target', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${WATCHED_URL}\n');
    const run = await chatops(['diag', 'main-db', '--config', file], { WATCHED_URL: inject('pgUrl') });
    expect([0, 1, 2, 3]).toContain(run.code);
    expect(run.stdout).toMatch(/postgres\.reachable|reachable/i);
    expect(run.stdout).toContain('main-db');
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('diag all runs every configured target: JSON set with the worst status as exit code, text summary first', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-all-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${WATCHED_URL}\n  old-db:\n    kind: postgres\n    url: postgres://x:y@127.0.0.1:9/app\n    timeoutMs: 1000\n');
    const json = await chatops(['diag', 'all', '--config', file, '--json'], { WATCHED_URL: inject('pgUrl') });
    expect(json.code).toBe(2);
    const set = JSON.parse(json.stdout) as ReportSet;
    expect(set.status).toBe('crit');
    expect(set.reports.map((r) => r.target)).toEqual(['old-db', 'main-db']);
    const text = await chatops(['diag', 'all', '--config', file], { WATCHED_URL: inject('pgUrl') });
    expect(text.stdout).toMatch(/^\[CRIT\]\s+diag all: \d of 2 targets need attention/);
    expect(text.stdout).toMatch(/old-db \(postgres\): Unreachable: refused/);
    expect((await chatops(['diag', 'all', '--url', 'postgres://x/y'])).stderr).toContain('diag all runs the configured targets');
  });

  it.each([
    [['diag'], /takes a target or kind, got none/],
    [['diag', 'nosuch', '--url', 'x://y'], /"nosuch" must be a kind; accepted: postgres/],
    [['diag', 'db', '--url', 'postgres://x/y', '--timeout', 'soon'], /--timeout must be milliseconds between 100 and 120000, got "soon"/],
    [['diag', 'db', '--frob'], /Unknown option '--frob'/],
    [['frob'], /unknown command "frob"; accepted: audit, diag, digest, help, incident, keys, ladder, oncall, runbook/],
    [['diag', 'nosuch', '--config', '/nonexistent.yml'], /config file \/nonexistent\.yml does not exist/],
  ])('%j is a usage error (exit 3) with a clear message', async (args, message) => {
    const run = await chatops(args);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});
