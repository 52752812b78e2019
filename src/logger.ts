// Structured JSON logs (pino). Every string that passes through is masked (the generic patterns,
// and the configured secrets when the logger is given them), so a connection string or token
// inside an error message cannot leak. Levels are written as words ("info", "warn"), which log
// stores and people filter on without knowing pino's numbers.
import { pino, type Logger } from 'pino';
import { maskSecrets } from './security/mask-secrets.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  destination?: pino.DestinationStream;
  /**
   * The configured secrets (configSecrets), read at every log call: a logger created before the
   * config is loaded masks them from then on. Return the same array each time.
   */
  secrets?: () => readonly string[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = options.secrets ?? (() => NO_SECRETS);
  const redactSecrets = (text: string) => maskSecrets(text, secrets());
  const serializeError = (e: unknown): unknown => errorSerializer(e, redactSecrets);
  const redactDeep = (value: unknown): unknown => deepMask(value, redactSecrets);
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { svc: 'chatops' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['token', 'password', 'url', '*.token', '*.password', '*.url', 'signingSecret', 'appToken'],
        censor: '[redacted]',
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactDeep(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as typeof args;
          method.apply(this, cleaned);
        },
      },
      serializers: {
        err: (e: unknown) => serializeError(e),
        error: (e: unknown) => serializeError(e),
      },
    },
    options.destination,
  );
}

/** A logger that discards everything, for tests and the CLI's quiet mode. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const NO_SECRETS: readonly string[] = [];

function errorSerializer(e: unknown, mask: (text: string) => string): unknown {
  if (!(e instanceof Error)) return deepMask(e, mask);
  const out: Record<string, unknown> = {
    type: e.name,
    message: mask(e.message),
    stack: e.stack ? mask(e.stack) : undefined,
  };
  const code = (e as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (e.cause !== undefined) out.cause = errorSerializer(e.cause, mask);
  return out;
}

function deepMask(value: unknown, mask: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return mask(value);
  if (value instanceof Error) return errorSerializer(value, mask);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => deepMask(v, mask, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = deepMask(v, mask, depth + 1);
  return out;
}
