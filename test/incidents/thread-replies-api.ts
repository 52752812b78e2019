// The fake Slack Web API with conversations.replies: a thread's parent and its replies, oldest
// first, with their metadata when include_all_metadata is set, as Slack answers it (the call is
// recorded by the fake too). Every other call goes through to the fake unchanged (its records, rate limits and failures included). Pages
// to the incidents channel are replies in the incident card's thread: an interrupted one is
// looked up there.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';

export interface ThreadRepliesApi {
  /** Base for WebClient's slackApiUrl. */
  apiUrl: string;
  close(): Promise<void>;
}

export async function startThreadRepliesApi(slack: FakeSlackApi): Promise<ThreadRepliesApi> {
  const fake = new URL(slack.apiUrl);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const replies = /^\/api\/conversations\.replies$/.test(req.url ?? '');
      // Every call reaches the fake (it records them all); a thread's replies are answered here.
      const forwarded = http.request({ host: fake.hostname, port: fake.port, path: req.url, method: req.method, headers: { ...req.headers, host: fake.host }, agent }, (answer) => {
        if (replies) {
          answer.resume();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', (err) => {
        if (replies) return;
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
      forwarded.end(raw);
      if (!replies) return;
      const args = argsOf(raw.toString('utf8'), String(req.headers['content-type'] ?? ''));
      const channel = String(args.channel ?? '');
      const ts = String(args.ts ?? '');
      const withMetadata = args.include_all_metadata === 'true' || args.include_all_metadata === true;
      const thread = slack.messagesIn(channel).filter((m) => m.ts === ts || m.thread_ts === ts);
      res.writeHead(200, { 'content-type': 'application/json' });
      if (!thread.some((m) => m.ts === ts)) return void res.end(JSON.stringify({ ok: false, error: 'thread_not_found' }));
      const messages = thread.map((m) => ({ type: 'message', ts: m.ts, ...(m.thread_ts && { thread_ts: m.thread_ts }), text: m.text, ...(withMetadata && m.metadata && { metadata: m.metadata }) }));
      res.end(JSON.stringify({ ok: true, messages, has_more: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function argsOf(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}
