// What the bot's webhook routes (Alertmanager's notifications, heartbeats) share: the bearer token
// checked in constant time, the body read up to a limit and no further, and a JSON answer.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The expected token as the check compares it: a digest, so that the comparison does not depend on its length. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** `Bearer <token>` with the configured token (its tokenDigest); compared in constant time whatever the length. */
export function bearerAuthorized(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const given = tokenDigest(m?.[1] ?? '');
  return timingSafeEqual(given, expected) && m !== null;
}

/** A JSON answer; `close` for a refused request whose body is not read (the connection is closed rather than drained). */
export function answerJson(res: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...(close && { connection: 'close' }) });
  res.end(JSON.stringify(body));
}

/** The body, or undefined as soon as it passes `limit` bytes (a declared length over it is not read at all). */
export function readBounded(req: IncomingMessage, limit: number, keep = true): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve(undefined);
        return;
      }
      if (keep) chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
