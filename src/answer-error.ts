// Two kinds of error: a UserError is shown as it is; anything else is logged with context and a
// reference, and the user gets "internal error, see logs (ref ...)".
import { randomUUID } from 'node:crypto';
import type { Logger } from './logger.ts';
import { redactSecrets } from './redact-secrets.ts';
import { isUserError } from './user-error.ts';

export function describeErrorForUser(error: unknown, log: Logger, context: Record<string, unknown>): string {
  if (isUserError(error)) return redactSecrets(error.message);
  const ref = randomUUID().slice(0, 8);
  log.error({ err: error, ref, ...context }, 'internal error');
  return `internal error, see logs (ref ${ref})`;
}
