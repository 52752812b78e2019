// The first thing a request to /slack/events meets in HTTP mode, before Bolt: the body is read
// (bounded), Slack's signature checked, the timestamp must be within 5 minutes of now in either
// direction (a request "from the future" is a replay prepared in advance), and the body must have
// the shape Slack sends (a slash command's fields, or an interactivity payload that is a JSON object
// with a type and a user). Anything else is answered 401 or 400 and never reaches a handler.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { Logger } from '../logger.ts';
import { slackRequestKind } from './slack-request-kind.ts';
import { isTrustedResponseUrl, responseUrlsOf, type ResponseUrlPolicy } from './response-urls.ts';

/** Slack's own window: a request older or newer than this is refused. */
export const MAX_CLOCK_SKEW_S = 5 * 60;
/** Slack's payloads are a few KB; a report's echo of blocks can reach a few hundred. */
const MAX_BODY_BYTES = 1024 * 1024;
const EVENTS_PATH = '/slack/events';

export interface GuardOptions {
  signingSecret: string;
  /** Where answers may go. */
  responseUrls: ResponseUrlPolicy;
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
        const problem = checkSignature(req, raw, options.signingSecret, now()) ?? checkShape(req, raw.toString('utf8'), options.responseUrls);
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

/**
 * What Bolt and the handlers assume of a body, checked on the body as Bolt itself will read it
 * (the same content-type rule, node:querystring, JSON.parse of `payload`); undefined when it holds.
 */
function checkShape(req: IncomingMessage, text: string, bases: ResponseUrlPolicy): { status: number; reason: string } | undefined {
  const type = req.headers['content-type'];
  let body: unknown;
  let fromPayload = false;
  if (type === 'application/x-www-form-urlencoded') {
    const form = parseQuery(text);
    const repeated = Object.entries(form).find(([, v]) => Array.isArray(v));
    if (repeated) return { status: 400, reason: `field "${repeated[0].slice(0, 40)}" appears more than once` };
    if (typeof form.payload === 'string') {
      body = parseJson(form.payload);
      fromPayload = true;
      if (!isObject(body)) return { status: 400, reason: 'payload is not a JSON object' };
    } else if ('ssl_check' in form) {
      // Slack's certificate check: nothing else may ride along with it.
      return form.ssl_check === '1' && Object.keys(form).every((k) => k === 'ssl_check' || k === 'token') ? undefined : { status: 400, reason: 'malformed ssl_check' };
    } else {
      body = form;
    }
  } else {
    // Bolt reads any other content type as JSON: only the Events API's own bodies are accepted.
    // An event callback must be routed as an event (not carry a command or actions), a URL
    // verification must be nothing but its challenge.
    body = parseJson(text);
    const events = isObject(body) && (
      (body.type === 'event_callback' && isObject(body.event) && slackRequestKind(body) === 'event') ||
      (body.type === 'url_verification' && typeof body.challenge === 'string' && slackRequestKind(body) === 'unknown'));
    if (!events) return { status: 400, reason: `a ${String(type ?? 'no').slice(0, 60)} body that is not a form nor an Events API JSON object` };
    return depthOf(body) > MAX_DEPTH ? { status: 400, reason: `JSON nested deeper than ${MAX_DEPTH}` } : undefined;
  }
  if (!isObject(body)) return { status: 400, reason: 'body is not an object' };
  if (depthOf(body) > MAX_DEPTH) return { status: 400, reason: `JSON nested deeper than ${MAX_DEPTH}` };
  // Classified as Bolt will route it: only what the bot has listeners for gets through.
  const kind = slackRequestKind(body);
  // Only a dialog's submission comes with a list of response URLs.
  if ('response_urls' in body && kind !== 'view') return { status: 400, reason: 'response_urls on a request that is not a dialog submission' };
  if (kind === 'command') {
    for (const field of ['command', 'user_id', 'channel_id']) {
      if (typeof body[field] !== 'string' || body[field] === '') return { status: 400, reason: `slash command without ${field}` };
    }
    if (fromPayload) return { status: 400, reason: 'a slash command inside an interactivity payload' };
    return responseUrlProblem(body, bases);
  }
  const user = body.user;
  if (!isObject(user) || typeof user.id !== 'string' || user.id === '') return { status: 400, reason: 'payload has no user id' };
  if (kind === 'action') {
    // Slack sends one action per press; several would let one press borrow another's signature.
    if (body.type !== 'block_actions') return { status: 400, reason: `an action payload of type "${String(body.type).slice(0, 40)}" (only block_actions is taken)` };
    if (!(Array.isArray(body.actions) && body.actions.length === 1 && isObject(body.actions[0]))) return { status: 400, reason: 'block_actions payload without exactly one action' };
    return responseUrlProblem(body, bases);
  }
  if (kind === 'view') return isObject(body.view) ? responseUrlProblem(body, bases) : { status: 400, reason: `${String(body.type)} payload has no view` };
  return { status: 400, reason: `a ${kind} payload (type "${String(body.type).slice(0, 40)}"), which the bot does not take` };
}

/** Every response_url a request names must be Slack's (or the configured stand-in's). */
function responseUrlProblem(body: Record<string, unknown>, policy: ResponseUrlPolicy): { status: number; reason: string } | undefined {
  const bad = responseUrlsOf(body).find((u) => !isTrustedResponseUrl(u, policy));
  return bad === undefined ? undefined : { status: 400, reason: `response_url ${JSON.stringify(String(bad).slice(0, 80))} is not one of this workspace's Slack URLs (accepted: ${policy.bases.join(', ')})` };
}

/** Deeper than anything Slack sends (a modal's state is about 6 levels). */
const MAX_DEPTH = 32;

/** How deep a parsed JSON value nests, without recursion (a hostile body can nest 100,000 deep). */
function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > max) max = depth;
    if (max > MAX_DEPTH) return max;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return max;
}

function parseQuery(text: string): Record<string, string | string[] | undefined> {
  return querystring.parse(text);
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
