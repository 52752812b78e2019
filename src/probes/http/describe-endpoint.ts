// Which server an HTTP-based target points at, for a report's header: the URL's origin and path,
// never its user, password, query (tokens live there) or fragment.

import { safeDecode } from '../safe-decode.ts';

/** "https://api.example.com/health", "http://prometheus:9090"; "" for a URL that does not parse. */
export function describeHttpEndpoint(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return '';
    if (u.pathname === '/') return u.origin;
    // A path segment that looks like a token (a ping URL's UUID, a webhook key) is not shown.
    const path = u.pathname.split('/').map((segment) => (looksLikeToken(safeDecode(segment)) ? '…' : segment)).join('/');
    return `${u.origin}${path}`;
  } catch {
    return '';
  }
}

/** Long, and mixing letters with digits (or hex, or base64url): a key more than a word. */
function looksLikeToken(segment: string): boolean {
  if (segment.length < 16) return false;
  const letters = /[A-Za-z]/.test(segment);
  const digits = /\d/.test(segment);
  return (letters && digits) || /^[0-9a-f-]{16,}$/i.test(segment);
}
