// A local stand-in for the Slack Web API and for response_url endpoints. It speaks the real wire
// format (form-encoded or JSON bodies in, `{ ok, ... }` JSON out) and records every call so tests
// can assert what the bot said.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** Web API method (`chat.postMessage`) or `respond` for a response_url POST. */
  method: string;
  args: Record<string, unknown>;
  /** For `respond`: the id in the response_url path. */
  responseId?: string;
  authorization?: string;
}

export interface FakeSlackApi {
  /** Base for WebClient's slackApiUrl: http://127.0.0.1:PORT/api/ */
  apiUrl: string;
  /** A response_url the bot may POST to. */
  responseUrl(id?: string): string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Makes the next call to `method` answer `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  waitFor(predicate: (calls: RecordedCall[]) => boolean, timeoutMs?: number): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const failures = new Map<string, string>();
  let ts = 1_700_000_000;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://localhost');
      const args = parseBody(raw, req.headers['content-type'] ?? '');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const respondMatch = /^\/response\/([^/]+)$/.exec(url.pathname);
      if (respondMatch) {
        calls.push({ method: 'respond', args, responseId: respondMatch[1] });
        send(200, { ok: true });
        return;
      }
      const apiMatch = /^\/api\/([\w.]+)$/.exec(url.pathname);
      if (!apiMatch) return send(404, { ok: false, error: 'unknown_method' });
      const method = apiMatch[1]!;
      calls.push({ method, args, authorization: req.headers.authorization });
      const failure = failures.get(method);
      if (failure) {
        failures.delete(method);
        return send(200, { ok: false, error: failure });
      }
      switch (method) {
        case 'auth.test':
          return send(200, { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'chatops', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' });
        case 'chat.postMessage':
          return send(200, { ok: true, channel: args.channel, ts: `${++ts}.000100`, message: { text: args.text } });
        case 'chat.update':
          return send(200, { ok: true, channel: args.channel, ts: args.ts, text: args.text });
        default:
          return send(200, { ok: true });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id = 'r1') => `${base}/response/${id}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    failNext: (method, error) => failures.set(method, error),
    async waitFor(predicate, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(calls)) {
        if (Date.now() > deadline) {
          throw new Error(`fake Slack API: condition not met within ${timeoutMs} ms; calls: ${calls.map((c) => c.method).join(', ') || 'none'}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    reset: () => {
      calls.length = 0;
      failures.clear();
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // WebClient JSON-encodes nested arguments (blocks, attachments) inside the form.
    out[k] = (v.startsWith('[') || v.startsWith('{')) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
