// `chatops <command> <words...>`: any command of the registry, run by the same code as its slash
// command in Slack, with a terminal for a replier. The user is `cli:<os user>` (as audit rows name
// terminal runs), in no Slack user group; commands that change state through Slack refuse the
// terminal themselves, naming what it can do instead.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { cleanCommandText } from '../clean-command-text.ts';
import type { Config, ConfigProblem } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadConfig } from '../config/load-config.ts';
import type { DiagOptions } from '../../commands/diag.ts';
import { createLogger, type Logger } from '../logger.ts';
import { exitCodeFor } from '../report.ts';
import type { RunbookIndex } from '../runbooks/load-runbooks.ts';
import type { ChatCommand } from '../../commands/parts/chat-command.ts';
import { isUserError, UserError } from '../user-error.ts';
import { terminalLine } from './render-terminal.ts';
import { maskSecrets } from '../security/mask-secrets.ts';
import { createTerminalReplier, type TerminalOutput } from './terminal-replier.ts';
import { openTerminalServices, type StoreNeed } from './terminal-services.ts';

/**
 * What each command reads from a terminal: the state store (diagnostics only when DATABASE_URL
 * points at it, to be audited and compare with the last run; the runbooks none), the digests'
 * schedules, the incidents, and the sections of the config it reads: a problem elsewhere in the
 * file does not stop it (a broken digest does not stop `diag db`). A command not named here gets
 * the store and nothing more, and reads every section.
 */
interface Needs {
  store: StoreNeed;
  digests?: boolean;
  incidents?: boolean;
  /** Sections whose problems stop the command; /diag judges its target itself (a target's own problem). */
  sections?: readonly string[];
}
const NEEDS: Readonly<Record<string, Needs>> = {
  '/diag': { store: 'optional', sections: [] },
  '/runbook': { store: 'none', sections: ['runbooks'] },
  // Its targets are judged one by one (one with a problem is not run); the runbooks are its candidates.
  '/triage': { store: 'optional', sections: ['runbooks', 'triage'] },
  '/digest': { store: 'required', digests: true, sections: ['targets', 'digests', 'history', 'runbooks'] },
  '/incident': { store: 'required', incidents: true, sections: ['incidents', 'oncall', 'access'] },
  '/oncall': { store: 'required', sections: ['incidents', 'oncall', 'access'] },
  '/audit': { store: 'required', sections: ['access'] },
};
const DEFAULT_NEEDS: Needs = { store: 'required' };

export interface RunCommandOptions {
  /** Without the slash: `runbook`. */
  name: string;
  words: readonly string[];
  /** --config, else CHATOPS_CONFIG, else ./chatops.yml. */
  configFile?: string | undefined;
  /** The configuration to use instead of reading one (diag --url: one target made from the URL). */
  config?: Config | undefined;
  /** Print the command's outcome data as JSON on stdout instead of its messages (diag --json). */
  json?: boolean;
  /** Per-check timeout for every target (diag --timeout). */
  timeoutMs?: number | undefined;
  color: boolean;
  env: NodeJS.ProcessEnv;
  stdout: TerminalOutput;
  stderr: TerminalOutput;
  /** diag's terminal options: some checks only, one check's thresholds. */
  diag?: DiagOptions;
  /**
   * A line printed before the command's answer, made from what it found and the config it ran
   * with (diag's monitoring-plugin status line); not with --json.
   */
  firstLine?: (data: unknown, config: Config) => string | undefined;
}

/** Runs the command; resolves with the exit code (its status for diagnostics, else 0). */
export async function runCommand(options: RunCommandOptions): Promise<number> {
  const command = await findCommand(options.name);
  const { env } = options;
  let secrets: readonly string[] = [];
  // Masks the configured secrets from the moment they are known.
  const log = createLogger({ level: env.LOG_LEVEL ?? 'warn', destination: process.stderr, secrets: () => secrets });
  const config = options.config ?? loadConfig({ file: options.configFile ?? env.CHATOPS_CONFIG, env, mode: 'collect' });
  const needs = NEEDS[command.name] ?? DEFAULT_NEEDS;
  refuseProblems(config, needs, options);
  if (options.timeoutMs !== undefined) for (const t of config.targets) t.timeoutMs = options.timeoutMs;
  const { configSecrets } = await import('../security/config-secrets.ts');
  // Every target's secrets, those of a target kept for a problem too (its URL's password is still
  // a secret); configSecrets reads only the keys such a target has.
  secrets = configSecrets(config, env);
  const text = cleanCommandText(options.words.join(' '), `Usage: chatops ${command.name.slice(1)} ${command.terminalUsageHint ?? command.usageHint}`);
  const runbooks = await loadRunbookIndex(config, command, log);
  const { services, close } = await openTerminalServices({ config, runbooks, secrets, log, env, ...needs });
  try {
    // With --json the messages are not printed: stdout holds the data and nothing else. With a
    // first line, the answer waits for it.
    const held: string[] = [];
    const stdout: TerminalOutput = options.json ? DISCARD : options.firstLine ? { write: (t) => void held.push(t) } : options.stdout;
    const reply = createTerminalReplier({ stdout, stderr: options.json ? DISCARD : options.stderr, color: options.color, secrets });
    const invocation = { text, userId: `cli:${os.userInfo().username}`, channelId: '', reply, services, inGroup: async () => false };
    const outcome = options.diag && command.name === '/diag' ? await (await import('../../commands/diag.ts')).runDiag(invocation, options.diag) : await command.run(invocation);
    if (options.json) {
      if (outcome?.data === undefined) throw new UserError(`${command.name.slice(1)} has no data to print as JSON`);
      // Masked value by value, before they are quoted: a secret with a " or \ in it is written
      // escaped in JSON, where masking the text would no longer find it.
      options.stdout.write(`${JSON.stringify(outcome.data, (_key, value: unknown) => (typeof value === 'string' ? maskSecrets(value, secrets, Infinity) : value), 2)}\n`);
    } else if (options.firstLine) {
      const first = outcome?.data === undefined ? undefined : options.firstLine(outcome.data, config);
      options.stdout.write(`${first === undefined ? '' : `${maskSecrets(first, secrets, Infinity)}\n`}${held.join('')}`);
    }
    return outcome ? exitCodeFor(outcome.status) : 0;
  } catch (error) {
    // A refusal's words as the terminal shows them: the commands it names as typed here.
    if (isUserError(error)) throw new UserError(terminalLine(error.line, { color: false }), { cause: error });
    throw error;
  } finally {
    await close();
  }
}

const DISCARD: TerminalOutput = { write: () => undefined };

/**
 * Problems of the config in what the command reads stop it, naming every one; the rest are left
 * alone. /diag reads only its targets: a target with a problem of its own is refused when it is the
 * one run, and `diag all` says which targets the file's problems leave out.
 */
function refuseProblems(config: Config, needs: Needs, options: Pick<RunCommandOptions, 'words' | 'stderr'>): void {
  const fileWide = config.problems.filter((p) => p.target === undefined);
  if (needs.sections?.length === 0) {
    if (options.words[0] === 'all') {
      for (const p of fileWide) if (p.path.startsWith('targets.')) options.stderr.write(`chatops: warning: ${config.source}: ${ConfigError.line(p)}; not run\n`);
    }
    return;
  }
  const read = (p: ConfigProblem) => needs.sections === undefined || p.path === '' || needs.sections.includes(p.path.split('.')[0]!);
  const stopping = fileWide.filter(read);
  if (stopping.length > 0) throw ConfigError.of(config.source, stopping);
}

/** The command of the registry typed as `name` (`runbook` for /runbook). */
export async function findCommand(name: string): Promise<ChatCommand> {
  const { COMMANDS } = await import('../../commands/index.ts');
  const command = COMMANDS.find((c) => c.name === `/${name}`);
  if (!command) throw new UserError(`unknown command "${name}"; accepted: ${[...COMMANDS.map((c) => c.name.slice(1)), 'config', 'help', 'keys', 'ladder'].sort().join(', ')}`);
  return command;
}

/** /runbook and /triage need their runbooks; elsewhere they are links, and a broken one must not stop a terminal run. */
async function loadRunbookIndex(config: Config, command: ChatCommand, log: Logger): Promise<RunbookIndex> {
  const { loadRunbooks } = await import('../runbooks/load-runbooks.ts');
  const { allCheckIds } = await import('../probes/probe-registry.ts');
  if (command.name === '/runbook' || command.name === '/triage') return loadRunbooks(config.runbooks.dir, allCheckIds());
  try {
    return loadRunbooks(config.runbooks.dir, allCheckIds());
  } catch (err) {
    log.warn({ err }, 'runbooks not loaded; findings are shown without runbook links');
    return { all: [], byId: new Map(), byCheck: new Map() };
  }
}

/** Commands whose answer `--json` prints as data instead of its messages. */
const JSON_COMMANDS: ReadonlySet<string> = new Set(['/triage']);

/** `chatops <name> [words...] [--config FILE] [--no-color] [--json]`: the words are the command's text, as typed after the slash command. */
export async function runCommandFromArgs(name: string, args: string[]): Promise<number> {
  const command = await findCommand(name);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: 'string' }, 'no-color': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (e) {
    throw new UserError(`${(e as Error).message}; see 'chatops ${name} --help'`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(commandUsage(command));
    return 0;
  }
  if (values.json && !JSON_COMMANDS.has(command.name)) {
    throw new UserError(`${name} has no --json; commands with --json: ${[...JSON_COMMANDS].map((c) => c.slice(1)).join(', ')}, and diag`);
  }
  return await runCommand({
    name,
    words: positionals,
    configFile: values.config,
    json: values.json,
    color: process.stdout.isTTY === true && !values['no-color'] && !process.env.NO_COLOR,
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
  });
}

/** `chatops oncall --help`: the slash command's usage, as typed in a terminal: the forms a terminal runs. */
export function commandUsage(command: ChatCommand): string {
  const name = command.name.slice(1);
  const slackOnly = command.slackOnly?.length ? `\nIn Slack only (${command.name} there): ${command.slackOnly.join(', ')}.` : '';
  const needs = NEEDS[command.name] ?? DEFAULT_NEEDS;
  const store = needs.store === 'none' ? '' : needs.store === 'optional' ? 'State store: DATABASE_URL when set (audit rows); without it the probes keep their counters in CHATOPS_DATA_DIR (default .chatops).\n' : 'State store: DATABASE_URL, or the embedded store in CHATOPS_DATA_DIR (default .chatops: stop the bot first).\n';
  const json = JSON_COMMANDS.has(command.name);
  const jsonLine = json ? '  --json            print the answer as JSON on stdout, nothing else\n' : '';
  const exit = command.name === '/triage'
    ? 'Exit code: the status of the finding that confirms the most likely cause (1 warn, 2 crit), 0 when nothing is confirmed, 3 refused or usage error.'
    : 'Exit code: 0 answered, 3 refused or usage error.';
  return `Usage: chatops ${name} ${command.terminalUsageHint ?? command.usageHint} [--config FILE] [--no-color]${json ? ' [--json]' : ''}

${command.description}. Runs the same code as ${command.name} in Slack and prints its answer;
'chatops ${name} help' shows the command's own help where it has one.${slackOnly}

  --config FILE     config file (default: $CHATOPS_CONFIG, then ./chatops.yml)
  --no-color        plain text even on a terminal (also: NO_COLOR=1)
${jsonLine}  -h, --help        this help

${store}${exit}
`;
}
