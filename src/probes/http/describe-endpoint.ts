// Which server an HTTP-based target points at, for a report's header: the URL's origin and path,
// never its user, password, query (tokens live there) or fragment.

/** "https://api.example.com/health", "http://prometheus:9090"; "" for a URL that does not parse. */
export function describeHttpEndpoint(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return '';
    return u.pathname === '/' ? u.origin : `${u.origin}${u.pathname}`;
  } catch {
    return '';
  }
}
