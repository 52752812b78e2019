// A Redis URL taken apart by the probe itself (not by ioredis), so that query parameters cannot
// override the connection's settings; light, so config validation can use it without ioredis.

export interface RedisEndpoint {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls: boolean;
}

export type ParsedUrl = { ok: true; endpoint: RedisEndpoint } | { ok: false; reason: string };

/** redis://[user[:password]@]host[:port][/db] or rediss:// for TLS. */
export function parseRedisUrl(url: string): ParsedUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    return { ok: false, reason: `scheme ${parsed.protocol} is not redis: or rediss:` };
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) return { ok: false, reason: 'no host' };
  const port = parsed.port ? Number(parsed.port) : 6379;
  const dbPart = parsed.pathname.replace(/^\//, '');
  if (dbPart && !/^\d+$/.test(dbPart)) return { ok: false, reason: `"/${dbPart}" is not a database number` };
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
    password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  } catch {
    return { ok: false, reason: 'user or password is not valid percent-encoding' };
  }
  const endpoint: RedisEndpoint = { host, port, db: dbPart ? Number(dbPart) : 0, tls: parsed.protocol === 'rediss:' };
  if (username) endpoint.username = username;
  if (password !== undefined) endpoint.password = password;
  return { ok: true, endpoint };
}

/** "cache:6379 db 0", "[::1]:6380 db 2 (TLS)": the server, never the user or password; "" for a URL that does not parse. */
export function describeRedisEndpoint(url: string): string {
  try {
    const parsed = parseRedisUrl(url);
    if (!parsed.ok) return '';
    const { host, port, db, tls } = parsed.endpoint;
    return `${host.includes(':') ? `[${host}]` : host}:${port} db ${db}${tls ? ' (TLS)' : ''}`;
  } catch {
    return '';
  }
}
