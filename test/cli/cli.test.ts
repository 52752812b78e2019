// The CLI as a user runs it: a process, its exit code, its stdout and stderr.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawnSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';
import type { Report, ReportSet } from '../../src/report.ts';
import { freshDatabaseUrl } from '../support/fresh-database.ts';
import { startTestRedis } from '../support/start-test-redis.ts';
import { isolatedCliEnv } from './isolated-cli-env.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/chatops');

interface Run { code: number; stdout: string; stderr: string }

/** Every run keeps its probe state and reads a config of its own unless a test gives them: never the checkout's .chatops or chatops.yml. */
function chatops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...isolatedCliEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// Each run is a process that loads the bot's modules: seconds each on a busy machine. The tests
// share nothing but the suite's servers (each has its own data directory, config file, database or
// redis where it needs one), so they run side by side: most of a run is waiting on its process.
describe.concurrent('bin/chatops', { timeout: 120_000 }, () => {
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

  it('a wrong password is the bot\'s configuration (unknown, exit 3), and the password is nowhere in the output', async () => {
    const url = new URL(inject('pgUrl'));
    url.password = 'not-the-password-42';
    const run = await chatops(['diag', 'postgres', '--url', url.toString(), '--json', '--timeout', '3000']);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.findings[0]).toMatchObject({ check: 'postgres.reachable', status: 'unknown', config: true });
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
    expect(text.stdout).toMatch(/^CRITICAL: diag all: \d of 2 targets need attention: old-db crit.* \| .*'main-db\.connections_pct'=[\d.]+%;80;95/);
    expect(text.stdout.split('\n')[1]).toMatch(/^\[CRIT\]\s+diag all: \d of 2 targets need attention/);
    expect(text.stdout).toMatch(/old-db \(postgres\): Unreachable: refused/);
    expect((await chatops(['diag', 'all', '--url', 'postgres://x/y'])).stderr).toContain('diag all runs the configured targets');
  });

  it.each([
    [['diag'], /takes a target or kind, got none/],
    [['diag', 'nosuch', '--url', 'x://y'], /"nosuch" must be a kind; accepted: postgres/],
    [['diag', 'db', '--url', 'postgres://x/y', '--timeout', 'soon'], /--timeout must be milliseconds between 100 and 120000, got "soon"/],
    [['diag', 'db', '--frob'], /Unknown option '--frob'/],
    [['frob'], /unknown command "frob"; accepted: audit, config, diag, digest, help, incident, keys, ladder, oncall, runbook/],
    [['diag', 'nosuch', '--config', '/nonexistent.yml'], /config file \/nonexistent\.yml does not exist/],
    [['diag', 'cache', '--url', 'http://cache.internal:6379'], /--url is not a redis URL: must be a redis:\/\/ or rediss:\/\/ URL.*\(scheme "http"\)/],
    [['diag', 'http', '--url', 'ftp://web.internal/health'], /--url is not a http URL: expected an http:\/\/ or https:\/\/ URL \(scheme "ftp"\)/],
    [['diag', 'db', '--url', 'postgres://x/y', '--check', 'conections'], /"conections" is not a postgres check; accepted: reachable, connections, /],
    [['diag', 'db', '--url', 'postgres://x/y', '-w', '70'], /-w\/--warning and -c\/--critical set the thresholds of one check: give exactly one --check, a check with thresholds \(got none\)/],
    [['diag', 'db', '--url', 'postgres://x/y', '--check', 'connections', '--check', 'deadlocks', '-c', '90'], /give exactly one --check.*\(got "connections" "deadlocks"\)/],
    [['diag', 'db', '--url', 'postgres://x/y', '--check', 'database_size', '-w', '70'], /the postgres check database_size has no thresholds; postgres checks with thresholds: connections, /],
    [['diag', 'db', '--url', 'postgres://x/y', '--check', 'connections', '-w', 'high'], /--warning must be a number in the unit of the check's thresholds, got "high"/],
    [['diag', 'all', '--check', 'connections', '--config', '/dev/null'], /checks and thresholds are chosen for one target: name a target or a kind, not all/],
    [['config', 'frob'], /config takes one subcommand, check; got "frob"/],
    // The direction of a check is its defaults': a pair the other way round would judge it backwards.
    [['diag', 'cache', '--url', 'redis://127.0.0.1:9', '--check', 'clients', '-c', '1'], /the redis check clients is worse when higher \(defaults: warning 80, critical 90, in %[^)]*\): the critical threshold must be at least the warning one, got warning 80 \(its current\), critical 1$/m],
    [['diag', 'cache', '--url', 'redis://127.0.0.1:9', '--check', 'hit_rate', '-w', '10', '-c', '50'], /the redis check hit_rate is worse when lower \(defaults: warning 80, critical 50, in %[^)]*\)\): the critical threshold must be at most the warning one, got warning 10, critical 50$/m],
  ])('%j is a usage error (exit 3) with a clear message', async (args, message) => {
    const run = await chatops(args);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('the first line is the monitoring-plugin status line, with the findings\' metrics as performance data (postgres)', async () => {
    const run = await chatops(['diag', 'db', '--url', inject('pgUrl')]);
    const [first, second] = run.stdout.split('\n');
    const status = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'][run.code]!;
    expect(first).toMatch(new RegExp(`^${status}: postgres \\(postgres\\): [^|]+ \\| '`));
    const perf = first!.slice(first!.indexOf(' | ') + 3).split(' ');
    // 'label'=value[UOM][;warn;crit]: quoted labels, no spaces.
    for (const p of perf) expect(p).toMatch(/^'[a-z0-9_.]+'=-?[\d.]+(%|s|ms|B|c)?(;[\d.:]*){0,2}$/);
    expect(perf).toContainEqual(expect.stringMatching(/^'connections_pct'=[\d.]+%;80;95$/));
    expect(perf).toContainEqual(expect.stringMatching(/^'reachable_connect_ms'=\d+ms$/));
    expect(perf).toContainEqual(expect.stringMatching(/^'long_queries_longest_s'=\d+s;120;300$/));
    expect(perf).toContainEqual(expect.stringMatching(/^'database_size_database_bytes'=\d+B$/));
    expect(perf).toContainEqual(expect.stringMatching(/^'deadlocks_total'=\d+c$/));
    // The thresholds a metric is judged by are given to that metric only.
    expect(perf).toContainEqual(expect.stringMatching(/^'connections'=\d+$/));
    // Then the full report, as before.
    expect(second).toMatch(/^\[(OK|WARN|CRIT|UNKNOWN)\]\s+postgres \(postgres/);
    expect(run.stdout).toMatch(/reachable/i);
  });

  it('the status line of a redis target, and --check running only the checks named', async () => {
    const run = await chatops(['diag', 'cache', '--url', inject('redisUrl'), '--check', 'memory', '--check', 'redis.clients']);
    const first = run.stdout.split('\n')[0]!;
    expect(first).toMatch(/^OK: redis \(redis\): 3 checks ok \| /);
    expect(first).toMatch(/'reachable_connect_ms'=\d+ms/);
    expect(first).toMatch(/'memory_used_bytes'=\d+B/);
    expect(first).toMatch(/'clients'=\d+ /);
    expect(first).toMatch(/'clients_pct'=[\d.]+%;80;90/);
    expect(first).not.toMatch(/evictions|hit_rate|slowlog/);
    const json = JSON.parse((await chatops(['diag', 'cache', '--url', inject('redisUrl'), '--check', 'memory', '--json'])).stdout) as Report;
    expect(json.findings.map((f) => f.check).sort()).toEqual(['redis.memory', 'redis.reachable']);
  });

  it('-w and -c override the thresholds of the one check run: the status and the performance data follow them', async () => {
    // A few sessions of our own, so the connections in use are above zero percent.
    const held = await Promise.all(Array.from({ length: 5 }, async () => {
      const client = new pg.Client({ connectionString: inject('pgUrl') });
      await client.connect();
      return client;
    }));
    try {
      const base = ['diag', 'db', '--url', inject('pgUrl'), '--check', 'connections'];
      const ok = await chatops(base);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/^OK: postgres \(postgres\): 2 checks ok \| .*'connections_pct'=[\d.]+%;80;95/);
      const warn = await chatops([...base, '-w', '0.1', '-c', '99']);
      expect(warn.code).toBe(1);
      expect(warn.stdout).toMatch(/^WARNING: postgres \(postgres\): Connections .* \| .*'connections_pct'=[\d.]+%;0\.1;99( |$)/m);
      const crit = await chatops([...base, '--warning', '0', '--critical', '0.1']);
      expect(crit.code).toBe(2);
      expect(crit.stdout).toMatch(/^CRITICAL: .*'connections_pct'=[\d.]+%;0;0\.1( |$)/m);
    } finally {
      await Promise.all(held.map((c) => c.end()));
    }
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const args of [['--version'], ['diag', '--version']]) {
      const run = await chatops(args);
      expect(run).toMatchObject({ code: 0, stdout: `chatops ${version}\n` });
    }
  });

  it('diag db runs when another target\'s variable is unset and a digest\'s cron is bad; that target alone is refused, and diag all shows it as bot configuration', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-partial-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${WATCHED_URL}\n  cache:\n    kind: redis\n    url: ${CACHE_URL}\n  old:\n    kind: mysql\ndigests:\n  morning:\n    cron: "every morning"\n    channel: C0123\n');
    const env = { WATCHED_URL: inject('pgUrl') };
    const db = await chatops(['diag', 'main-db', '--config', file, '--json'], env);
    expect((JSON.parse(db.stdout) as Report).findings.find((f) => f.check === 'postgres.reachable')?.status).toBe('ok');
    expect(db.stderr).not.toMatch(/CACHE_URL|cron/);
    const byKind = await chatops(['diag', 'db', '--config', file], env);
    // The shared server may hold another test's sessions: a root cause's metrics may lead the perfdata.
    expect(byKind.stdout).toMatch(/^(OK|WARNING|CRITICAL|UNKNOWN): main-db \(postgres\): [^|]+ \| [^\n]*'reachable_connect_ms'=\d+ms/);
    const cache = await chatops(['diag', 'cache', '--config', file], env);
    expect(cache.code).toBe(3);
    expect(cache.stdout).toBe('');
    expect(cache.stderr).toMatch(/^chatops: cache cannot be run: its configuration has a problem \(targets\.cache\.url: environment variable CACHE_URL is not set/);
    const all = await chatops(['diag', 'all', '--config', file, '--json'], env);
    const set = JSON.parse(all.stdout) as ReportSet;
    expect(set.reports.map((r) => r.target).sort()).toEqual(['cache', 'main-db']);
    expect(set.reports.find((r) => r.target === 'cache')!.findings).toEqual([expect.objectContaining({ check: 'redis.config', status: 'unknown', config: true })]);
    const allText = await chatops(['diag', 'all', '--config', file], env);
    // A target the file's problems leave out is named, not silently skipped.
    expect(allText.stderr).toContain(`chatops: warning: ${file}: targets.old.kind: unknown kind "mysql"; accepted kinds: postgres, redis`);
    expect(allText.stdout).toMatch(/^\w+: diag all: (all 1 target ok|1 of 1 target need attention: main-db \w+); bot configuration keeps cache from running \(chatops config check\) \| [^\n]*'main-db\.reachable_connect_ms'=\d+ms/);
    // The header says it in the same words.
    const header = allText.stdout.split('\n')[1]!;
    expect(header).toMatch(/diag all: (all 1 target ok|1 of 1 target need attention)/);
    expect(allText.stdout.split('\n')[0]).toContain(header.match(/diag all: ([^·(]+?)(\s+·|\s*$)/)![1]!.trim());
    // /digest reads the digests: there the bad cron stops it, named.
    const digest = await chatops(['digest', 'list', '--config', file], env);
    expect(digest.code).toBe(3);
    expect(digest.stderr).toMatch(/digests\.morning\.cron: not a valid cron expression/);
  });

  it('config check lists every problem at once, one per line, with exit 3; a valid file exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-check-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${WATCHED_URL}\n  cache:\n    kind: redis\n    url: ${CACHE_URL}\n  old:\n    kind: mysql\ndigests:\n  morning:\n    cron: "every morning"\n    channel: "#ops"\n    targets: [main-db, nope]\n');
    const run = await chatops(['config', 'check', '--config', file], { WATCHED_URL: 'postgres://monitor:s3cr3t-pw@db:5432/app' });
    expect(run.code).toBe(3);
    expect(run.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^targets\.cache\.url: environment variable CACHE_URL is not set/),
      expect.stringMatching(/^targets\.old\.kind: unknown kind "mysql"; accepted kinds: postgres, redis, http/),
      expect.stringMatching(/^digests\.morning\.cron: not a valid cron expression .*\(got "every morning"\)/),
      expect.stringMatching(/^digests\.morning\.channel: a Slack channel id like C0123ABCD .*\(got "#ops"\)/),
      'digests.morning.targets: no target named "nope"; configured: main-db, cache',
    ]);
    expect(run.stderr).toBe(`chatops: ${file}: 5 problems\n`);
    expect(run.stdout + run.stderr).not.toContain('s3cr3t-pw');
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${WATCHED_URL}\n');
    const valid = await chatops(['config', 'check', '--config', file], { WATCHED_URL: 'postgres://db:5432/app' });
    expect(valid).toMatchObject({ code: 0, stdout: `${file}: valid (1 target, 0 digests)\n` });
  });

  it('config check names a PromQL query whose runbook does not exist, and accepts one that does', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-check-'));
    const file = path.join(dir, 'chatops.yml');
    const query = (runbook: string) => `targets:\n  prom:\n    kind: prometheus\n    url: http://127.0.0.1:9\n    queries:\n      - { name: errors, expression: 'sum(rate(x[5m]))', warn: 1, crit: 2, runbook: ${runbook} }\n`;
    writeFileSync(file, query('no-such-runbook'));
    const bad = await chatops(['config', 'check', '--config', file], {});
    expect(bad.code).toBe(3);
    expect(bad.stdout).toMatch(/^targets\.prom\.queries\[0\]\.runbook: no runbook has the id "no-such-runbook"/);
    writeFileSync(file, query('postgres-locks'));
    expect(await chatops(['config', 'check', '--config', file], {})).toMatchObject({ code: 0, stdout: `${file}: valid (1 target, 0 digests)\n` });
  });

  it('a second terminal run judges a rate from the state file the first one left in CHATOPS_DATA_DIR', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-state-')), 'data');
    const args = ['diag', 'cache', '--url', inject('redisUrl'), '--check', 'evictions', '--json'];
    const title = async () => (JSON.parse((await chatops(args, { CHATOPS_DATA_DIR: dataDir })).stdout) as Report).findings.find((f) => f.check === 'redis.evictions')!.title;
    expect(await title()).toMatch(/since (the )?server start/);
    expect(statSync(path.join(dataDir, 'probe-state.json')).mode & 0o777).toBe(0o600);
    expect(await title()).toMatch(/ in the last \d/);
    // A corrupt file costs the memory, not the run.
    writeFileSync(path.join(dataDir, 'probe-state.json'), '{"redis": ');
    expect(await title()).toMatch(/since (the )?server start/);
  });

  it('a rate has no unit in the performance data, and a negative sentinel ("never") is not printed', async () => {
    // A replica of a master that does not exist: its last I/O with the master is -1, never.
    const replica = await startTestRedis();
    try {
      expect(spawnSync('redis-cli', ['-p', String(replica.port), 'replicaof', '127.0.0.1', '9']).status).toBe(0);
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-rate-'));
      await chatops(['diag', 'cache', '--url', replica.url, '--check', 'evictions'], { CHATOPS_DATA_DIR: dataDir });
      const run = await chatops(['diag', 'cache', '--url', replica.url], { CHATOPS_DATA_DIR: dataDir });
      const perf = run.stdout.split('\n')[0]!.split(' | ')[1]!.split(' ');
      expect(perf).toContainEqual(expect.stringMatching(/^'evictions_per_s'=[\d.]+$/));
      expect(perf).toContainEqual(expect.stringMatching(/^'evictions_window_s'=\d+s$/));
      expect(perf).toContainEqual("'replication_link_up'=0");
      expect(perf.filter((p) => /=-/.test(p))).toEqual([]);
      expect(run.stdout.split('\n')[0]).not.toMatch(/master_last_io/);
    } finally {
      await replica.stop();
    }
  });

  it('memory under an eviction policy is not judged by its thresholds, so its performance data carries no warn;crit that would contradict the status', async () => {
    const cache = await startTestRedis({ maxmemory: '2mb', 'maxmemory-policy': 'allkeys-lru' });
    try {
      const fill = spawnSync('redis-cli', ['-p', String(cache.port), 'eval', "for i=1,30000 do redis.call('set','k'..i,string.rep('x',100)) end return 1", '0']);
      expect(fill.status).toBe(0);
      const run = await chatops(['diag', 'cache', '--url', cache.url, '--check', 'memory', '--json']);
      const memory = (JSON.parse(run.stdout) as Report).findings.find((f) => f.check === 'redis.memory')!;
      expect(memory.metrics!.pct).toBeGreaterThanOrEqual(95);
      expect(memory.status).not.toBe('crit');
      const first = (await chatops(['diag', 'cache', '--url', cache.url, '--check', 'memory'])).stdout.split('\n')[0]!;
      expect(first).toMatch(/'memory_pct'=[\d.]+%( |$)/);
      // Where the thresholds do judge, they are still given.
      const clients = (await chatops(['diag', 'cache', '--url', cache.url, '--check', 'clients'])).stdout.split('\n')[0]!;
      expect(clients).toMatch(/'clients_pct'=[\d.]+%;80;90/);
    } finally {
      await cache.stop();
    }
  });

  it('the status line leads with the worst finding, not the first one (a warning root cause sorts first)', async () => {
    const url = await freshDatabaseUrl('cli_worst');
    const setup = new pg.Client({ connectionString: url });
    await setup.connect();
    try {
      await setup.query('CREATE SEQUENCE order_seq AS integer');
      await setup.query('SELECT setval(\'order_seq\', 2061584302)');
      await setup.query('CREATE TABLE orders (id int)');
    } finally {
      await setup.end();
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-worst-'));
    const file = path.join(dir, 'chatops.yml');
    // A lock waited on for any time at all is a warning: its blocker is the root cause, sorted first; the sequence is critical.
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${WATCHED_URL}\n    thresholds:\n      blocking_locks: { warn: 0.001, crit: 100000 }\n');
    const blocker = new pg.Client({ connectionString: url, application_name: 'billing-worker' });
    const waiter = new pg.Client({ connectionString: url });
    await Promise.all([blocker.connect(), waiter.connect()]);
    let run: Run;
    let report: Report;
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      const waiting = waiter.query('SELECT count(*) FROM orders');
      await new Promise((r) => setTimeout(r, 1500));
      report = JSON.parse((await chatops(['diag', 'main-db', '--config', file, '--json'], { WATCHED_URL: url })).stdout) as Report;
      run = await chatops(['diag', 'main-db', '--config', file], { WATCHED_URL: url });
      await blocker.query('ROLLBACK');
      await waiting;
    } finally {
      await Promise.all([blocker.end(), waiter.end()]);
    }
    expect(report.findings[0]).toMatchObject({ status: 'warn', rootCause: true });
    expect(report.findings.find((f) => f.check === 'postgres.sequences')?.status).toBe('crit');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^CRITICAL: main-db \(postgres\): Sequence public\.order_seq 96(\.\d)?% used; \d+ more not ok \| /);
  });

  it('diag all with only configuration problems says no target could be checked, and what keeps them from running', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-cli-noconf-'));
    const file = path.join(dir, 'chatops.yml');
    writeFileSync(file, 'targets:\n  main-db:\n    kind: postgres\n    url: ${NO_SUCH_DB_URL}\n  api:\n    kind: http\n    url: ${NO_SUCH_API_URL}\n');
    const run = await chatops(['diag', 'all', '--config', file]);
    expect(run.code).toBe(3);
    expect(run.stdout.split('\n')[0]).toBe('UNKNOWN: diag all: no target could be checked: bot configuration keeps main-db, api from running (chatops config check)');
    expect(run.stdout).not.toMatch(/all 0 targets/);
  });

  it('a data directory that cannot be made (under /proc) costs the counters, not the run, and is warned about in one line', async () => {
    const run = await chatops(['diag', 'cache', '--url', inject('redisUrl'), '--check', 'evictions'], { CHATOPS_DATA_DIR: '/proc/nope' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^OK: redis \(redis\)/);
    const warnings = run.stderr.split('\n').filter((l) => l.includes('probe state'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"code":"ENOENT"/);
    expect(run.stderr).not.toMatch(/stack|\n\s+at /);
  });
});

