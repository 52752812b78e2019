// Secrets must never reach Slack or the logs: connection-string passwords, Slack tokens,
// bearer tokens and API keys are masked wherever text leaves the process. This is the generic
// part; src/security/mask-secrets.ts also masks the configured secrets when given them.
import { maskSecrets } from './security/mask-secrets.ts';

/** `text` with the generic secret patterns masked, in linear time, cut after MAX_MASKED_CHARS. */
export function redactSecrets(text: string): string {
  return maskSecrets(text);
}
