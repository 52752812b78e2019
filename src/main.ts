// `npm start`: runs the bot until SIGINT/SIGTERM (or until the process that started it goes away).
import { createLogger } from './logger.ts';
import { configSecrets } from './security/config-secrets.ts';
import { installCrashGuards, installShutdown, readShutdownGraceMs } from './process-safety.ts';
import { startBot, type RunningBot } from './start-bot.ts';
import { isUserError } from './user-error.ts';
import { ConfigError } from './config/config-error.ts';

// Log lines mask the environment's secrets from the start, and every configured one once loaded.
let secrets: readonly string[] = configSecrets({ targets: [] }, process.env);
const log = createLogger({ secrets: () => secrets });
// Before anything starts: an error that escapes a request handler is logged, never fatal.
installCrashGuards(log);
let bot: RunningBot;

try {
  const graceMs = readShutdownGraceMs(process.env);
  bot = await startBot(process.env, log, { onSecrets: (configured) => (secrets = configured) });
  installShutdown({ log, graceMs, stop: () => bot.stop() });
  // Besides the log: a person who ran `npm start` reads where the playground's page is.
  for (const line of bot.notice) process.stdout.write(`${line}\n`);
  // Started with targets whose own configuration is wrong: each is answered as a configuration
  // problem until it is fixed; say so once per problem.
  const { config } = bot.services;
  for (const problem of config.problems) {
    log.warn({ config: config.source, target: problem.target, key: problem.path }, `configuration problem, ${problem.target ?? 'it'} is not checked until it is fixed: ${ConfigError.line(problem)}`);
  }
} catch (error) {
  if (error instanceof ConfigError && error.problems.length > 0) {
    // Every problem at once, one per line, so that one start finds them all.
    process.stderr.write(`chatops: cannot start: ${error.message}\nchatops: 'chatops config check' lists them again without starting the bot\n`);
  } else if (isUserError(error)) {
    process.stderr.write(`chatops: cannot start: ${error.message}\n`);
  } else {
    log.fatal({ err: error }, 'cannot start');
  }
  process.exit(1);
}
