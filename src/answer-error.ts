// Two kinds of error: a UserError is shown as it is; anything else is logged with context and a
// reference, and the user gets "internal error, see logs (ref ...)".
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.ts';
import type { Line } from './message/message.ts';
import { redactSecrets } from './redact-secrets.ts';
import { isUserError } from './user-error.ts';

/** The answer as spans: a UserError's own line (people by id, for the edge to name), else the internal-error text. */
export function describeErrorLine(error: unknown, log: Logger, context: Record<string, unknown>): Line {
  if (isUserError(error)) return error.line.map((s) => (s.type === 'text' ? { ...s, text: redactSecrets(s.text) } : s));
  return [{ type: 'text', text: internalError(error, log, context) }];
}

function internalError(error: unknown, log: Logger, context: Record<string, unknown>): string {
  const ref = randomUUID().slice(0, 8);
  log.error({ err: error, ref, ...context }, 'internal error');
  return `internal error, see logs (ref ${ref})`;
}
