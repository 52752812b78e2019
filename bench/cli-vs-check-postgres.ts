// `BENCH_ONLY=cli npm run bench`: the CLI's `diag <postgres target>` as a whole process (wall time
// and peak RSS) next to check_postgres running the actions that correspond to our checks, one
// process per action as a monitoring server runs them, both in the same run against the same local
// PostgreSQL; then where the CLI's start-up goes: the modules a `diag db` run loads, by package, and
// what each costs to import.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { RunningPostgres } from '../src/store/start-embedded-postgres.ts';
import type { BenchRow } from './bench-row.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin/chatops');
const RUNS = Math.max(1, Number(process.env.BENCH_CLI_RUNS ?? 7));
const IMPORT_RUNS = Math.max(1, Number(process.env.BENCH_CLI_IMPORT_RUNS ?? 3));
const GNU_TIME = '/usr/bin/time';
const DATABASE = 'clibench';
const TARGET_RATIO = 0.3;
const TARGET_PEAK_MIB = 100;

/**
 * Our checks (src/probes/postgres/checks/) and the check_postgres action closest to each, with
 * thresholds equal to our defaults where the action needs some. One process per action.
 */
const MAPPING: { ours: string; action?: string; args?: string[]; note?: string }[] = [
  { ours: 'reachable', action: 'connection' },
  { ours: 'connections', action: 'backends', args: ['-w', '80%', '-c', '95%'] },
  { ours: 'idle_in_transaction', action: 'txn_idle', args: ['-w', '60s', '-c', '300s'] },
  { ours: 'long_transactions', action: 'txn_time', args: ['-w', '300s', '-c', '1800s'] },
  { ours: 'long_queries', action: 'query_time', args: ['-w', '120s', '-c', '300s'] },
  { ours: 'blocking_locks', action: 'locks', note: 'counts locks; 2.25 has no lock-wait action' },
  { ours: 'slow_queries', note: 'no counterpart: check_postgres does not read pg_stat_statements' },
  { ours: 'cache_hit', action: 'hitratio', args: ['-w', '98%', '-c', '90%'], note: 'judges every database, even barely read ones' },
  { ours: 'vacuum', action: 'last_vacuum', args: ['-w', '1d', '-c', '2d'] },
  { ours: 'vacuum', action: 'last_autovacuum', args: ['-w', '1d', '-c', '2d'], note: 'UNKNOWN until autovacuum has run once' },
  { ours: 'wraparound', action: 'autovac_freeze', args: ['-w', '90%', '-c', '95%'], note: 'ours is % of autovacuum_freeze_max_age too (txn_wraparound is against 2^31)' },
  { ours: 'replication', action: 'replication_slots', args: ['-w', '1GB', '-c', '5GB'], note: 'replicate_row needs a standby and a table to write' },
  { ours: 'sequences', action: 'sequence', args: ['-w', '85%', '-c', '95%'] },
  { ours: 'database_size', action: 'database_size', args: ['-w', '100GB', '-c', '200GB'], note: 'ours is informational; the action requires thresholds' },
  { ours: 'deadlocks', action: 'commitratio', args: ['-w', '90%', '-c', '50%'], note: 'ours also reads rollbacks; no deadlock action but the Cacti-only dbstats' },
];

interface Timed {
  ms: number;
  maxRssKiB?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const quantile = (values: number[], q: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const median = (values: number[]) => quantile(values, 0.5);
const mib = (kib: number) => kib / 1024;
const ms = (v: number) => `${v.toFixed(0)} ms`;

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Wall time from spawn to exit, measured here; peak RSS from GNU time (the process and the children it waited for). */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv, scratch: string, withTime: boolean): Promise<Timed> {
  const timeFile = path.join(scratch, 'time.out');
  const [file, argv] = withTime ? [GNU_TIME, ['-f', '%e %M', '-o', timeFile, command, ...args]] : [command, args];
  const t0 = performance.now();
  const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c));
  });
  const wall = performance.now() - t0;
  let maxRssKiB: number | undefined;
  if (withTime) {
    // "Command exited with non-zero status N" comes first when it failed; the figures are last.
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
    const kib = Number(last.split(' ')[1]);
    if (Number.isFinite(kib)) maxRssKiB = kib;
  }
  return { ms: wall, maxRssKiB, code, stdout, stderr };
}

async function prepareDatabase(server: RunningPostgres): Promise<string> {
  const admin = new pg.Client({ connectionString: server.urlFor('postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = server.urlFor(DATABASE);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    // Our slow_queries check reads pg_stat_statements (the server preloads it); with the extension
    // created it reports rather than explaining how to enable it. check_postgres does not use it.
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // A small healthy application database: a table with a sequence, vacuumed and analysed.
    await c.query('CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, customer int NOT NULL, note text)');
    await c.query(`INSERT INTO orders (customer, note) SELECT g % 100, md5(g::text) FROM generate_series(1, 10000) g`);
    await c.query('VACUUM ANALYZE orders');
    // The set-up's own statements would otherwise be the slowest ones slow_queries reports.
    await c.query('SELECT pg_stat_statements_reset()');
  } finally {
    await c.end();
  }
  return url;
}

function statusWord(stdout: string): string {
  return /^POSTGRES_\w+ (OK|WARNING|CRITICAL|UNKNOWN)/.exec(stdout)?.[1] ?? stdout.trim().split('\n')[0]?.slice(0, 60) ?? '?';
}

export async function benchCliVsCheckPostgres(server: RunningPostgres, log: (line: string) => void): Promise<BenchRow[]> {
  log(`\n## CLI: bin/chatops diag <postgres target> vs check_postgres, whole processes (1 warm-up + ${RUNS} runs, median)`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'chatops-bench-cli-'));
  const url = await prepareDatabase(server);
  const configFile = path.join(scratch, 'chatops.yml');
  writeFileSync(configFile, `targets:\n  db:\n    kind: postgres\n    url: ${url}\n`, { mode: 0o600 });

  const withTime = existsSync(GNU_TIME);
  if (!withTime) log(`  ${GNU_TIME} is missing: no peak RSS figures (install it: apt-get install -y time)`);
  const haveTheirs = onPath('check_postgres');
  if (!haveTheirs) {
    log('  check_postgres is missing: SKIPPING the comparison with it (ours is still measured).');
    log('  Install it with: sudo apt-get update && sudo apt-get install -y check-postgres   (as root: without sudo)');
  }

  const base = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' };
  // No DATABASE_URL: the CLI opens no state store, as on an engineer's laptop.
  const oursEnv = { ...base, NO_COLOR: '1', LOG_LEVEL: 'warn' };
  const diagArgs = [path.join(ROOT, 'src/cli/main.ts'), 'diag', 'db', '--config', configFile];
  const nodeBin = [path.join(ROOT, 'node_modules/.bin/node'), process.execPath].find((p) => existsSync(p))!;
  // Node keeps type-stripped and compiled modules here between runs when NODE_COMPILE_CACHE names it.
  const compileCache = path.join(scratch, 'node-compile-cache');
  const cached = { ...oursEnv, NODE_COMPILE_CACHE: compileCache };
  // The first is the figure that counts (the CLI as shipped: bin/chatops sets a compile cache under
  // $HOME/.cache and --max-semi-space-size=1); the others show what each of those options is worth.
  const variants: { label: string; note: string; run: () => Promise<Timed> }[] = [
    { label: 'bin/chatops diag db', note: 'as shipped', run: () => timed(CLI, ['diag', 'db', '--config', configFile], oursEnv, scratch, withTime) },
    { label: 'bin/chatops diag db --json', note: 'the same /diag, its Report printed as JSON', run: () => timed(CLI, ['diag', 'db', '--json', '--config', configFile], oursEnv, scratch, withTime) },
    { label: 'node src/cli/main.ts', note: 'plain node: no compile cache, default young generation', run: () => timed(nodeBin, diagArgs, oursEnv, scratch, withTime) },
    { label: '+ NODE_COMPILE_CACHE', note: 'plain node with a warm compile cache: no type stripping, no recompiling', run: () => timed(nodeBin, diagArgs, cached, scratch, withTime) },
    { label: '+ --max-semi-space-size=1', note: 'and the compile cache: what bin/chatops does', run: () => timed(nodeBin, ['--max-semi-space-size=1', ...diagArgs], cached, scratch, withTime) },
  ];

  const u = new URL(url);
  const theirsEnv = { ...base, PGPASSWORD: decodeURIComponent(u.password) };
  const conn = ['-H', u.hostname, '-p', u.port, '-u', decodeURIComponent(u.username), '-db', DATABASE];
  const actions = MAPPING.filter((m): m is typeof m & { action: string } => m.action !== undefined);
  const theirs = (a: (typeof actions)[number]) => timed('check_postgres', [`--action=${a.action}`, ...conn, ...(a.args ?? [])], theirsEnv, scratch, withTime);

  log('  our check           -> check_postgres action');
  for (const m of MAPPING) log(`    ${m.ours.padEnd(20)}-> ${(m.action ?? '-').padEnd(18)}${m.note ? ` (${m.note})` : ''}`);
  log(`  ours: ${MAPPING.filter((m, i, all) => all.findIndex((o) => o.ours === m.ours) === i).length} checks in one process; theirs: ${haveTheirs ? actions.length : 0} processes, one per action, one after the other`);

  const oursRuns: Timed[][] = variants.map(() => []);
  const theirsRuns: { total: number; peakKiB?: number; per: Timed[] }[] = [];
  for (let i = 0; i <= RUNS; i++) {
    // Interleaved, so both sides see the same machine noise.
    const v: Timed[] = [];
    for (const variant of variants) v.push(await variant.run());
    const o = v[0]!;
    let t: (typeof theirsRuns)[number] | undefined;
    if (haveTheirs) {
      const per: Timed[] = [];
      for (const a of actions) per.push(await theirs(a));
      const rss = per.map((p) => p.maxRssKiB).filter((v): v is number => v !== undefined);
      t = { total: per.reduce((s, p) => s + p.ms, 0), peakKiB: rss.length ? Math.max(...rss) : undefined, per };
    }
    if (i === 0) {
      const summary = o.stdout.trim().split('\n').filter((l) => l.trim()).map((l) => l.trim());
      log(`  ours, first run: exit ${o.code}; ${summary[0] ?? '(no output)'} / ${summary.at(-1) ?? ''}`);
      if (o.code === null || o.code > 2) {
        throw new Error(`the CLI did not produce a report (exit ${o.code}):\n${o.stderr || o.stdout}`);
      }
      if (t) log(`  theirs, first run: ${t.per.map((p, k) => `${actions[k]!.action} ${statusWord(p.stdout)}`).join(', ')}`);
      continue; // warm-up: file cache, PostgreSQL's catalogue cache
    }
    for (const [k, r] of v.entries()) oursRuns[k]!.push(r);
    if (t) theirsRuns.push(t);
  }

  const oursMs = median(oursRuns[0]!.map((r) => r.ms));
  const peak = (runs: Timed[]) => {
    const v = runs.map((r) => r.maxRssKiB).filter((x): x is number => x !== undefined);
    return v.length ? mib(Math.max(...v)) : undefined;
  };
  const oursPeak = peak(oursRuns[0]!);
  const rss = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(1)} MiB`);
  if (haveTheirs) {
    log('  check_postgres, one process per action (median ms, peak RSS incl. its psql):');
    for (const [k, a] of actions.entries()) {
      const per = theirsRuns.map((r) => r.per[k]!);
      log(`    ${a.action.padEnd(18)} ${ms(median(per.map((p) => p.ms))).padStart(7)}  ${rss(peak(per))}`);
    }
  }
  for (const [k, variant] of variants.entries()) {
    log(`  ours  ${variant.label.padEnd(27)}: median ${ms(median(oursRuns[k]!.map((r) => r.ms)))}, peak RSS ${rss(peak(oursRuns[k]!))} (${variant.note})`);
  }
  const name = 'bin/chatops diag <postgres target>';
  const rows: BenchRow[] = [];
  if (haveTheirs) {
    const theirsMs = median(theirsRuns.map((r) => r.total));
    const theirsPeakKiB = theirsRuns.map((r) => r.peakKiB).filter((v): v is number => v !== undefined);
    log(`  theirs check_postgres x ${actions.length}         : median ${ms(theirsMs)} in all (${ms(theirsMs / actions.length)} a process), peak RSS ${rss(theirsPeakKiB.length ? mib(Math.max(...theirsPeakKiB)) : undefined)}`);
    const ratio = oursMs / theirsMs;
    log(`  ratio ours/theirs (median)        : ${ratio.toFixed(2)}x (target < ${TARGET_RATIO}x): ${ratio < TARGET_RATIO ? 'yes' : 'NO'}`);
    rows.push({ part: 'cli', name: `check_postgres x ${actions.length} actions`, figure: 'wall time, one process each', unit: 'ms', median: theirsMs, note: `${RUNS} runs` });
    rows.push({ part: 'cli', name, figure: 'wall time, whole process', unit: 'ms', median: oursMs, ratio, target: `< ${TARGET_RATIO}x check_postgres`, met: ratio < TARGET_RATIO, note: `${RUNS} runs; ratio of medians` });
  } else {
    log('  ratio ours/theirs                 : skipped (check_postgres not installed)');
    rows.push({ part: 'cli', name, figure: 'wall time, whole process', unit: 'ms', median: oursMs, note: `${RUNS} runs` });
    rows.push({ part: 'cli', name: `${name} vs check_postgres`, figure: 'wall time ratio', target: `< ${TARGET_RATIO}x`, skipped: 'check_postgres is not installed (apt-get install -y check-postgres)' });
  }
  if (oursPeak !== undefined) {
    log(`  our peak RSS (as shipped)         : ${oursPeak.toFixed(1)} MiB (target < ${TARGET_PEAK_MIB} MiB): ${oursPeak < TARGET_PEAK_MIB ? 'yes' : 'NO'}`);
    rows.push({ part: 'cli', name, figure: 'peak RSS', unit: 'MiB', value: oursPeak, target: `< ${TARGET_PEAK_MIB} MiB`, met: oursPeak < TARGET_PEAK_MIB });
  } else {
    rows.push({ part: 'cli', name, figure: 'peak RSS', target: `< ${TARGET_PEAK_MIB} MiB`, skipped: `${GNU_TIME} is missing (apt-get install -y time)` });
  }

  await importBreakdown(configFile, oursEnv, nodeBin, scratch, log);
  return rows;
}

const pkgOf = (url: string): string => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  if (url.startsWith('node:')) return 'node: built-ins';
  if (url.includes('/src/')) return 'project (src/)';
  return 'other';
};

/** A package and every package it depends on, from the installed package.json files. */
function dependencyClosure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const file = path.join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return seen;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) dependencyClosure(dep, seen);
  return seen;
}

/** Project files (relative to the root) ordered so that every file comes after the project files it imports (values, not types). */
function dependenciesFirst(files: string[]): string[] {
  const wanted = new Set(files);
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (file: string) => {
    if (done.has(file)) return;
    done.add(file);
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\bfrom\s+)?'(\.\.?\/[^']+)'/gm)) {
      const dep = path.posix.join(path.posix.dirname(file), m[1]!);
      if (wanted.has(dep)) visit(dep);
    }
    out.push(file);
  };
  for (const f of files) visit(f);
  return out;
}

/** Which modules a `diag db` run loads, by package, and the import cost of each package and of the project's own modules. */
async function importBreakdown(configFile: string, env: NodeJS.ProcessEnv, nodeBin: string, scratch: string, log: (line: string) => void): Promise<void> {
  log(`\n## CLI start-up: what \`diag db\` loads and what it costs (import costs: median of ${IMPORT_RUNS} fresh processes)`);
  const traceFile = path.join(scratch, 'trace.json');
  const traced = await timed(
    nodeBin,
    ['--import', path.join(ROOT, 'bench/cli-module-trace.ts'), path.join(ROOT, 'src/cli/main.ts'), 'diag', 'db', '--config', configFile],
    { ...env, CHATOPS_MODULE_TRACE: traceFile },
    scratch,
    false,
  );
  if (!existsSync(traceFile)) throw new Error(`the traced CLI run wrote no trace (exit ${traced.code}): ${traced.stderr}`);
  const { urls } = JSON.parse(readFileSync(traceFile, 'utf8')) as { urls: string[] };
  const counts = new Map<string, number>();
  for (const u of urls) counts.set(pkgOf(u), (counts.get(pkgOf(u)) ?? 0) + 1);
  const dependencies = Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
  const direct = dependencies.filter((d) => counts.has(d));
  const transitive = [...counts.keys()].filter((k) => !direct.includes(k) && !['node: built-ins', 'project (src/)', 'other'].includes(k));
  log(`  modules loaded: ${urls.length} (${counts.get('project (src/)') ?? 0} of the project's own, ${counts.get('node: built-ins') ?? 0} built-ins)`);
  const withDeps = (name: string) => [...dependencyClosure(name)].reduce((s, k) => s + (counts.get(k) ?? 0), 0);
  log(`  dependencies loaded (modules: own / with their dependencies): ${direct.map((d) => `${d} ${counts.get(d)}/${withDeps(d)}`).join(', ')}`);
  log(`  their dependencies : ${transitive.length} packages, ${transitive.reduce((s, k) => s + counts.get(k)!, 0)} modules`);

  // Packages cheapest first, so that shared dependencies are charged to the small ones and each
  // line is what that package adds on top of the ones before. Then the project's own modules,
  // each after the project modules it imports: each costs only itself. Summed by area.
  const order = [...direct].sort((a, b) => counts.get(a)! - counts.get(b)!);
  const own = dependenciesFirst(
    urls
      .filter((u) => u.startsWith(`${pathToFileURL(ROOT).href}/`) && !u.includes('/node_modules/') && !u.endsWith('/src/cli/main.ts') && !u.includes('/bench/'))
      .map((u) => path.relative(ROOT, fileURLToPath(u))),
  );
  const steps = [...order, ...own];
  const runs: { steps: { spec: string; ms: number; rssMiB: number }[]; maxRssMiB: number }[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    const r = await timed(nodeBin, [path.join(ROOT, 'bench/import-cost-child.ts'), ...steps], env, scratch, false);
    if (r.code !== 0) throw new Error(`import-cost child failed: ${r.stderr}`);
    runs.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!));
  }
  const stepMedian = (k: number, f: 'ms' | 'rssMiB') => median(runs.map((r) => r.steps[k]![f]));
  const line = (label: string, t: number, m: number) => log(`    ${label.padEnd(52)} ${ms(t).padStart(8)} ${m.toFixed(1).padStart(6)} MiB`);
  log('  import cost, each on top of the lines above it (ms, RSS growth):');
  line('(node start-up with a .ts entry: RSS then)', stepMedian(0, 'ms'), stepMedian(0, 'rssMiB'));
  let sumMs = 0;
  let sumMiB = 0;
  for (const [k, spec] of order.entries()) {
    line(`${spec} (${withDeps(spec)} modules)`, stepMedian(k + 1, 'ms'), stepMedian(k + 1, 'rssMiB'));
    sumMs += stepMedian(k + 1, 'ms');
    sumMiB += stepMedian(k + 1, 'rssMiB');
  }
  line('= the dependencies', sumMs, sumMiB);
  const areas = new Map<string, { files: number; ms: number; mib: number }>();
  for (const [j, file] of own.entries()) {
    const parts = file.split('/');
    const area = parts[1] === 'probes' && parts.length >= 4 ? `${parts.slice(0, 3).join('/')}/` : parts.length > 2 ? `${path.posix.dirname(file)}/` : `${parts[0]}/*.ts`;
    const a = areas.get(area) ?? { files: 0, ms: 0, mib: 0 };
    a.files += 1;
    a.ms += stepMedian(order.length + j + 1, 'ms');
    a.mib += stepMedian(order.length + j + 1, 'rssMiB');
    areas.set(area, a);
  }
  let ownMs = 0;
  let ownMiB = 0;
  for (const [area, a] of [...areas].sort((x, y) => y[1].ms - x[1].ms)) {
    line(`${area} (${a.files} files)`, a.ms, a.mib);
    ownMs += a.ms;
    ownMiB += a.mib;
  }
  line(`= the project's own modules (${own.length} files, type-stripped)`, ownMs, ownMiB);
  log(`  peak RSS of the import-only process: ${median(runs.map((r) => r.maxRssMiB)).toFixed(1)} MiB`);
}
