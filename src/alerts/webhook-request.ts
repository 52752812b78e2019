// What the bot's webhook routes (Alertmanager's notifications, heartbeats) share: the bearer token
// checked in constant time, the body read up to a limit and no further, and a JSON answer that the
// client can read even when it is a refusal sent before its body was read.
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

/**
 * The rest of a refused body is read and thrown away, up to this much and this long, before the
 * connection is closed: a connection closed with a body still arriving is reset, and a reset can
 * take the answer with it (Alertmanager would see "connection reset" instead of the reason).
 * Beyond the bound the connection is closed anyway: nobody is owed an unbounded read.
 */
export const DRAIN_BYTES = 8 * 1024 * 1024;
export const DRAIN_MS = 10_000;
/**
 * At most this many refused bodies are drained at once. Each drain holds a socket for up to
 * DRAIN_MS, so without a cap a client sending many slow refused requests (a wrong token costs it
 * nothing) would hold that many sockets open. Beyond the cap the answer is written and the
 * connection closed at once: the client may read a reset instead, which is all it is owed.
 */
export const MAX_DRAINS = 32;
let draining = 0;

/**
 * A JSON answer. `close`: for a refused request whose body is not read (or not all): the answer is
 * written at once, the rest of the body is discarded (up to DRAIN_BYTES, for DRAIN_MS), and then
 * the connection is closed, so that the client reads the answer rather than a reset.
 */
export function answerJson(res: ServerResponse, status: number, body: Record<string, unknown>, close = false): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close && { connection: 'close' }) });
  const req = res.req as IncomingMessage | undefined;
  if (!close || !req || req.complete || req.destroyed) {
    res.end(text);
    return;
  }
  if (draining >= MAX_DRAINS) {
    res.end(text, () => req.socket.destroy());
    return;
  }
  // Written now, ended once the body has been read: a client that reads while it sends (Go's,
  // Node's) has its answer and may stop sending; one that sends it all first reads it after.
  res.write(text);
  discardRest(req, () => res.end());
}

/** Reads what is left of the body into nothing, then `done` (once): at its end, or at the bounds. */
function discardRest(req: IncomingMessage, done: () => void): void {
  const declared = Number(req.headers['content-length']);
  let finished = false;
  draining++;
  const finish = () => {
    if (finished) return;
    finished = true;
    draining--;
    clearTimeout(timer);
    req.off('data', onData);
    done();
  };
  let read = 0;
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > DRAIN_BYTES) finish();
  };
  const timer = setTimeout(finish, DRAIN_MS);
  timer.unref();
  // A declared length beyond the bound is not waited for.
  if (Number.isFinite(declared) && declared > DRAIN_BYTES) {
    finish();
    return;
  }
  req.on('data', onData);
  req.once('end', finish);
  req.once('close', finish);
  req.once('error', finish);
  req.resume();
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
