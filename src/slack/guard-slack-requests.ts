// The first thing a request to /slack/events meets in HTTP mode, before Bolt: the body is read
// (bounded), Slack's signature checked, the timestamp must be within 5 minutes of now in either
// direction (a request "from the future" is a replay prepared in advance), and the body must have
// the shape Slack sends (a slash command's fields, or an interactivity payload that is a JSON object
// with a type and a user). Anything else is answered 401 or 400 and never reaches a handler.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';

/** Slack's own window: a request older or newer than this is refused. */
export const MAX_CLOCK_SKEW_S = 5 * 60;
/** Slack's payloads are a few KB; a report's echo of blocks can reach a few hundred. */
const MAX_BODY_BYTES = 1024 * 1024;
const EVENTS_PATH = '/slack/events';

export interface GuardOptions {
  signingSecret: string;
  log: Logger;
  now?: () => number;
}

export function guardSlackRequests(inner: RequestListener, options: GuardOptions): RequestListener {
  const now = options.now ?? Date.now;
  return (req, res) => {
    let path = '';
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      // an unparseable URL: Bolt answers it
    }
    if (path !== EVENTS_PATH || req.method?.toUpperCase() !== 'POST') {
      inner(req, res);
      return;
    }
    readBody(req).then(
      (raw) => {
        if (raw === undefined) return reject(res, 413, 'body too large', options.log);
        const problem = checkSignature(req, raw, options.signingSecret, now()) ?? checkShape(req, raw.toString('utf8'));
        if (problem) return reject(res, problem.status, problem.reason, options.log);
        // Bolt reads req.rawBody instead of the (already consumed) stream.
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
        inner(req, res);
      },
      () => reject(res, 400, 'body could not be read', options.log),
    );
  };
}

function reject(res: ServerResponse, status: number, reason: string, log: Logger): void {
  log.warn({ status, reason }, 'refused a request to /slack/events');
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(status === 401 ? 'unauthorized' : reason);
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function checkSignature(req: IncomingMessage, raw: Buffer, secret: string, nowMs: number): { status: number; reason: string } | undefined {
  const ts = header(req, 'x-slack-request-timestamp');
  const signature = header(req, 'x-slack-signature');
  if (!ts || !/^\d{1,12}$/.test(ts) || !signature) return { status: 401, reason: 'missing or malformed signature headers' };
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(ts));
  if (skew > MAX_CLOCK_SKEW_S) return { status: 401, reason: `timestamp ${skew} s away from now (at most ${MAX_CLOCK_SKEW_S} s either way)` };
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(raw).digest('hex')}`);
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { status: 401, reason: 'signature does not match' };
  return undefined;
}

/** What Bolt and the handlers assume of a body; undefined when it holds. */
function checkShape(req: IncomingMessage, text: string): { status: number; reason: string } | undefined {
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    // Events API (url_verification, event callbacks): an object.
    const body = parseJson(text);
    return isObject(body) && typeof body.type === 'string' ? undefined : { status: 400, reason: 'JSON body is not an object with a type' };
  }
  if (type !== 'application/x-www-form-urlencoded') return { status: 400, reason: `content type "${type.slice(0, 60)}" is not form or JSON` };
  const form = new URLSearchParams(text);
  if (form.has('ssl_check')) return undefined;
  if (form.has('payload')) {
    const payload = parseJson(form.get('payload')!);
    if (!isObject(payload) || typeof payload.type !== 'string') return { status: 400, reason: 'payload is not a JSON object with a type' };
    const user = payload.user;
    if (!isObject(user) || typeof user.id !== 'string' || user.id === '') return { status: 400, reason: 'payload has no user id' };
    if (payload.type === 'block_actions' && !(Array.isArray(payload.actions) && payload.actions.length > 0 && payload.actions.every(isObject))) {
      return { status: 400, reason: 'block_actions payload has no actions' };
    }
    if ((payload.type === 'view_submission' || payload.type === 'view_closed') && !isObject(payload.view)) return { status: 400, reason: `${payload.type} payload has no view` };
    return undefined;
  }
  if (form.has('command')) {
    for (const field of ['command', 'user_id', 'channel_id']) {
      if (!form.get(field)) return { status: 400, reason: `slash command without ${field}` };
    }
    return undefined;
  }
  return { status: 400, reason: 'neither a slash command nor an interactivity payload' };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
