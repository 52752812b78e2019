// A failure the user can act on. Its message is shown verbatim in Slack and on the terminal;
// anything that is not a UserError is logged with a reference and answered "internal error".
export class UserError extends Error {
  override name = 'UserError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
