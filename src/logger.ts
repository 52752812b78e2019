// Structured JSON logs (pino). Every string that passes through is redacted, so a connection
// string or token inside an error message cannot leak.
import { pino, type Logger } from 'pino';
import { redactSecrets } from './redact-secrets.ts';

export type { Logger };

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
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

function serializeError(e: unknown): unknown {
  if (!(e instanceof Error)) return redactDeep(e);
  const out: Record<string, unknown> = {
    type: e.name,
    message: redactSecrets(e.message),
    stack: e.stack ? redactSecrets(e.stack) : undefined,
  };
  const code = (e as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  if (e.cause !== undefined) out.cause = serializeError(e.cause);
  return out;
}

function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value instanceof Error) return serializeError(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}
