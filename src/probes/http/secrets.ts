// Header values arrive with their ${VAR}s already replaced by secrets, and a server may echo
// them (an error page printing the request). No finding may carry them, nor a password or token
// in the URL, whatever ends up in a title or a detail.
import { sortedSecrets, urlSecrets } from '../scrub-findings.ts';
import { safeDecode } from '../safe-decode.ts';

export { scrubFindings, scrubText, sortedSecrets } from '../scrub-findings.ts';

/** Headers whose values are not secret and are common words ("application/json"): left alone. */
const PLAIN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'cache-control',
  'connection',
  'content-type',
  'host',
  'pragma',
  'user-agent',
]);
/** Shorter values would mask ordinary words in a body; no real secret is this short. */
const MIN_SECRET_LENGTH = 4;

/** The secret strings of a target: header values, credentials and secret-looking query values of the URL. */
export function targetSecrets(url: string, headers: Record<string, string> = {}): string[] {
  const found = new Set<string>();
  const add = (value: string | undefined) => {
    const v = value?.trim();
    if (v && v.length >= MIN_SECRET_LENGTH) found.add(v);
  };
  for (const [name, value] of Object.entries(headers)) {
    if (PLAIN_HEADERS.has(name.toLowerCase())) continue;
    add(value);
    // "Bearer abc", "Basic dXNlcjpwYXNz": the credential alone may be echoed too.
    const scheme = /^\s*(\S+)\s+(\S+)\s*$/.exec(value);
    if (scheme) {
      add(scheme[2]);
      if (scheme[1]!.toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon >= 0) {
          add(decoded);
          add(decoded.slice(colon + 1));
        }
      }
    }
  }
  for (const secret of urlSecrets(url)) if (secret !== url) add(secret);
  // Credentials in the URL are sent as basic authentication: the "user:password" pair, which the
  // masking also finds in base64 (as an echoed Authorization header carries it).
  try {
    const u = new URL(url);
    if (u.password) {
      add(`${safeDecode(u.username)}:${safeDecode(u.password)}`);
      add(Buffer.from(`${safeDecode(u.username)}:${safeDecode(u.password)}`).toString('base64'));
    }
  } catch {
    // Not a URL: nothing was sent as basic authentication.
  }
  return sortedSecrets(found);
}

/** The URL without credentials, query or fragment: safe to show, short enough to read. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
