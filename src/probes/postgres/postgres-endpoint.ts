// Which server a PostgreSQL target points at, in words without credentials: "db.internal:5432/app",
// a Unix socket as its directory ("/var/run/postgresql:5432/app"). Never throws: a URL it cannot
// read is named as such.

/** "host:port/dbname"; never the user or the password. */
export function describePostgresEndpoint(url: string): string {
  try {
    const { host, port, database } = endpointOf(url);
    return `${host || '(no host)'}${port ? `:${port}` : ''}/${database}`;
  } catch {
    return '(unreadable URL)';
  }
}

/** The host the target connects to (a socket directory for a Unix socket), or "" when the URL has none. */
export function endpointHost(url: string): string {
  try {
    return endpointOf(url).host;
  } catch {
    return '';
  }
}

interface Endpoint {
  host: string;
  port: string;
  database: string;
}

function endpointOf(url: string): Endpoint {
  // pg reads a bare path as a socket directory, optionally followed by a space and the database.
  if (url.startsWith('/')) {
    const [dir = '', database = ''] = url.split(' ');
    return { host: dir, port: '5432', database };
  }
  if (url.startsWith('socket:')) {
    const parsed = new URL(url.replace(/^socket:\/*/, 'socket:///'));
    return { host: decodeURIComponent(parsed.pathname), port: parsed.searchParams.get('port') ?? '5432', database: parsed.searchParams.get('db') ?? '' };
  }
  const parsed = new URL(url);
  const host = decodeURIComponent(parsed.hostname) || parsed.searchParams.get('host') || '';
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || parsed.searchParams.get('dbname') || '';
  return { host, port: parsed.port || parsed.searchParams.get('port') || '5432', database };
}
