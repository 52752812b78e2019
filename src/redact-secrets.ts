// Secrets must never reach Slack or the logs: connection-string passwords, Slack tokens,
// bearer tokens and API keys are masked wherever text leaves the process.

const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:password@host  -> scheme://user:***@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]*):[^@\s/]+@/gi, '$1:***@'],
  // password=... in libpq key/value strings and query strings
  [/\b(password|passwd|pwd)=([^\s&;]+)/gi, '$1=***'],
  // Slack tokens (xoxb-, xoxp-, xapp-, ...)
  [/\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+/g, 'xox*-***'],
  // Authorization: Bearer ...
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***'],
  // OpenAI / Stripe style keys
  [/\b(sk|rk|pk|whsec)_(live|test)_[A-Za-z0-9]+/g, '$1_$2_***'],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, 'sk-***'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
