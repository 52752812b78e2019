// Bolt and its clients log through our pino logger, so their lines are JSON and redacted too.
// Bolt says "unhandled HTTP request" at info for every path it has no route for: at that level a
// scanner or a misaimed probe fills the log, so those lines go to debug. The bot's own routes
// (/healthz, /readyz, /metrics) are answered without any line.
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logger.ts';

export function boltLogger(log: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  const child = log.child({ component: 'bolt' });
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  return {
    // Bolt logs at debug on every request: format only when the level is on.
    debug: (...msg: unknown[]) => {
      if (child.isLevelEnabled('debug')) child.debug(text(msg));
    },
    info: (...msg: unknown[]) => {
      const line = text(msg);
      if (UNHANDLED_PATH.test(line)) child.debug(line);
      else child.info(line);
    },
    warn: (...msg: unknown[]) => child.warn(text(msg)),
    error: (...msg: unknown[]) => child.error(text(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** HTTPReceiver: "Unhandled HTTP request (GET) made to /x"; SocketModeReceiver: "An unhandled HTTP request (GET) made to /x was ignored". */
const UNHANDLED_PATH = /^(An u|U)nhandled HTTP request \(/;
