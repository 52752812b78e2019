// A failure the user can act on. Its message is shown verbatim in Slack and on the terminal;
// anything that is not a UserError is logged with a reference and answered "internal error".
// A refusal that names people carries them as ids, in a line of spans: the message holds their
// plain words (@U…) and each edge renders the mentions its own way.
import { plainText, text, type Line } from './message/message.ts';

export class UserError extends Error {
  override name = 'UserError';
  /** The message as spans: people, channels and user groups by id. */
  readonly line: Line;

  constructor(message: string | Line, options?: ErrorOptions) {
    super(typeof message === 'string' ? message : plainText(message), options);
    this.line = typeof message === 'string' ? [text(message)] : message;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
