// The probe's connection: one per run, opened lazily, every wait bounded by the target's timeout,
// no offline queue, no retries and no reconnects, so a down or hung server becomes a finding in
// about `timeoutMs` instead of a client that keeps trying. The URL is parsed by parse-redis-url.ts
// rather than by ioredis, so that query parameters cannot override these settings.
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import { Redis, type RedisOptions } from 'ioredis';
import { PROBE_CLIENT_NAME } from './check-context.ts';
import type { RedisEndpoint } from './parse-redis-url.ts';

export function connectionOptions(endpoint: RedisEndpoint, timeoutMs: number): RedisOptions {
  const options: RedisOptions = {
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Fail at once while not connected, never queue; one attempt per command, no reconnects.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    // The ready check waits for a loading server (up to maxLoadingRetryTime); the probe reads
    // `loading` from INFO itself and reports it.
    enableReadyCheck: false,
    connectionName: PROBE_CLIENT_NAME,
    // CLIENT SETINFO is two more handshake commands, unknown before Redis 7.2.
    disableClientInfo: true,
  };
  // ioredis sends AUTH (or HELLO 3 AUTH) with the default user when only a password is given.
  if (endpoint.username) options.username = endpoint.username;
  if (endpoint.password !== undefined) options.password = endpoint.password;
  if (endpoint.tls) options.tls = isIP(endpoint.host) ? {} : { servername: endpoint.host };
  return options;
}

export interface ProbeConnection {
  redis: Redis;
  endpoint: RedisEndpoint;
  /** host:port of our end of the socket, as the server names this client in the slowlog (unless NAT sits between). */
  localAddress(): string | undefined;
  /** The first error the client reported: handshake errors (WRONGPASS) arrive as events, while connect() only says "Connection is closed". */
  firstError(): unknown;
}

export function createConnection(endpoint: RedisEndpoint, timeoutMs: number): ProbeConnection {
  const redis = new Redis(connectionOptions(endpoint, timeoutMs));
  let first: unknown;
  // Without a listener ioredis prints "Unhandled error event"; the error becomes the finding instead.
  redis.on('error', (e: unknown) => {
    first ??= e;
  });
  const localAddress = () => {
    const stream = (redis as unknown as { stream?: { localAddress?: string; localPort?: number } }).stream;
    if (!stream?.localAddress || !stream.localPort) return undefined;
    return stream.localAddress.includes(':') ? `[${stream.localAddress}]:${stream.localPort}` : `${stream.localAddress}:${stream.localPort}`;
  };
  return { redis, endpoint, localAddress, firstError: () => first };
}

/**
 * The first line the server sends before it is asked anything. A server at maxclients (or in
 * protected mode) writes its error and closes at once, so the client only sees a reset or a
 * broken pipe; a second, silent connection reads the reason. Undefined when nothing comes.
 */
export function readGreeting(endpoint: RedisEndpoint, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const options = { host: endpoint.host, port: endpoint.port };
    const socket = endpoint.tls ? tls.connect({ ...options, servername: isIP(endpoint.host) ? undefined : endpoint.host }) : net.connect(options);
    let data = '';
    const finish = (line: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(line);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('utf8');
      const end = data.indexOf('\r\n');
      if (end >= 0) finish(data.slice(0, end));
    });
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(data ? data.trim() : undefined));
  });
}

