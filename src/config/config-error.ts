import { UserError } from '../user-error.ts';

/** A problem in chatops.yml: names the file, the key, the bad value and what is accepted. */
export class ConfigError extends UserError {
  override name = 'ConfigError';
}
