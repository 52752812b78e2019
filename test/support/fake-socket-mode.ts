// A local stand-in for Slack's Socket Mode service, speaking the wire protocol that
// @slack/socket-mode 3 expects (read from node_modules/@slack/socket-mode/dist/src):
//
//   1. The client calls the Web API method apps.connections.open with `Authorization: Bearer xapp-...`
//      and expects `{ ok: true, url }`. This fake answers it on its own HTTP server and forwards every
//      other /api/<method> call unchanged to the fake Web API (test/support/fake-slack-api.ts), so a
//      test points SLACK_API_URL here and still asserts on the fake Web API's recorded calls.
//   2. The client opens a WebSocket on that url; the service's first message is `{"type":"hello"}`,
//      and only then does the client's start() resolve.
//   3. The service pushes envelopes `{ envelope_id, type, payload, accepts_response_payload }`; the
//      client acks each with `{ envelope_id, payload }` (payload `{}` for a bare ack()).
//   4. The service may send `{"type":"disconnect","reason":...}`; the client closes the socket and
//      reconnects through a fresh apps.connections.open.
//   5. Heartbeat: the client pings every clientPingTimeout/3 ms and drops the socket if pongs stop
//      (ws answers pings automatically); once the service has pinged, the client drops the socket if
//      the next ping is later than serverPingTimeout (30 s), so this fake keeps pinging while open.
//   6. Several clients (replicas of one app) may hold a socket each: Slack delivers each envelope on
//      one of them. `delivery: 'round-robin'` spreads pushes over the open sockets in turn; a socket
//      can be cut without a disconnect message (dropConnection), and an envelope can be delivered
//      again, on another socket, after it was acked (redeliver), as Slack's retries are.
//
// Every ack and every forwarded Web API call lands in one `timeline`, so tests can assert ordering.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { slashCommandPayload, type SlashCommand } from './signed-slack-request.ts';

export interface SocketModeEnvelope {
  envelope_id: string;
  type: string;
  payload: Record<string, unknown>;
  accepts_response_payload?: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface RecordedAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  /** Position in `timeline`. */
  seq: number;
  /** The socket that acked it: its index in connection order (0 for the first socket ever opened). */
  connection: number;
}

/** An envelope pushed, and the socket it went to. */
export interface Delivery {
  envelope: SocketModeEnvelope;
  connection: number;
}

export type TimelineEntry = { seq: number; kind: 'ack'; envelopeId: string } | { seq: number; kind: 'api'; method: string };

export interface ConnectionsOpenCall {
  authorization?: string;
  /** The ticket put into the returned url; the WebSocket must present it. */
  ticket: string;
}

export interface FakeSocketModeOptions {
  /** The fake Web API every method except apps.connections.open is forwarded to (its `apiUrl`). */
  upstreamApiUrl: string;
  /** Interval of the service's pings to the client. */
  pingIntervalMs?: number;
  /** Which open socket gets a push: the newest (default) or each open one in turn. */
  delivery?: 'newest' | 'round-robin';
}

export interface FakeSocketMode {
  /** Base for SLACK_API_URL: http://127.0.0.1:PORT/api/ */
  apiUrl: string;
  connectionsOpenCalls: ConnectionsOpenCall[];
  /** Sockets that completed the handshake, in order (closed ones included). */
  connectionCount(): number;
  /** Whether a client socket is open right now. */
  isConnected(): boolean;
  acks: RecordedAck[];
  /** Acks and forwarded Web API calls, in the order this fake received them. */
  timeline: TimelineEntry[];
  /** Pushes an envelope to an open socket (see `delivery`); returns its envelope_id. */
  push(envelope: Omit<SocketModeEnvelope, 'envelope_id'> & { envelope_id?: string }): string;
  /** Every envelope pushed, with the socket it went to, in order. */
  deliveries: Delivery[];
  /** Indexes (connection order) of the sockets open right now. */
  openConnections(): number[];
  /** Cuts a socket at once (the newest open one by default): no disconnect message, no close handshake. */
  dropConnection(connection?: number): void;
  /**
   * Delivers an envelope pushed before again, as Slack's retry does (`retry_attempt` 1 more,
   * `retry_reason`), on another open socket than the one it went to when there is one; returns the
   * socket it went to now.
   */
  redeliver(envelopeId: string, retryReason?: string): number;
  /** Pushes a slash command envelope as Slack does (`accepts_response_payload: true`). */
  pushSlashCommand(fields: SlashCommand): string;
  /** Asks the client to reconnect, as Slack does before recycling a connection. */
  requestDisconnect(reason?: 'warning' | 'refresh_requested' | 'link_disabled'): void;
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<RecordedAck>;
  waitForConnections(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'upgrade']);

export async function startFakeSocketMode(options: FakeSocketModeOptions): Promise<FakeSocketMode> {
  const upstream = new URL(options.upstreamApiUrl);
  const pingIntervalMs = options.pingIntervalMs ?? 5_000;
  const connectionsOpenCalls: ConnectionsOpenCall[] = [];
  const acks: RecordedAck[] = [];
  const timeline: TimelineEntry[] = [];
  const tickets = new Set<string>();
  const sockets: WebSocket[] = [];
  const deliveries: Delivery[] = [];
  let turn = 0;
  let seq = 0;
  let base = '';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const { pathname } = new URL(req.url ?? '/', 'http://localhost');
      const method = /^\/api\/([\w.]+)$/.exec(pathname)?.[1];
      if (method === 'apps.connections.open') {
        const ticket = randomUUID();
        tickets.add(ticket);
        connectionsOpenCalls.push({ authorization: req.headers.authorization, ticket });
        const wsBase = base.replace(/^http/, 'ws');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, url: `${wsBase}/link/?ticket=${ticket}&app_id=A0APP` }));
        return;
      }
      if (method) timeline.push({ seq: ++seq, kind: 'api', method });
      forward(req, res, body);
    });
  });

  function forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const headers: http.OutgoingHttpHeaders = { 'content-length': body.length };
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k)) headers[k] = v;
    const target = new URL((req.url ?? '/').replace(/^\/api\//, ''), upstream);
    // agent: false => one connection per call, closed afterwards: nothing idles past close().
    const upstreamReq = http.request(target, { method: req.method, headers, agent: false }, (upstreamRes) => {
      const out: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(upstreamRes.headers)) if (!HOP_BY_HOP.has(k)) out[k] = v;
      res.writeHead(upstreamRes.statusCode ?? 502, out);
      upstreamRes.pipe(res);
    });
    upstreamReq.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: `fake_socket_mode_forward_failed: ${err.message}` }));
    });
    upstreamReq.end(body);
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ticket = url.searchParams.get('ticket') ?? '';
    // Like Slack, a ticket from apps.connections.open is good for one connection.
    if (url.pathname !== '/link/' || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = sockets.push(ws) - 1;
      const pinger = setInterval(() => ws.ping(Buffer.from(`ping from fake service ${Date.now()}`)), pingIntervalMs);
      ws.on('close', () => clearInterval(pinger));
      ws.on('error', () => ws.terminate());
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const message = JSON.parse(data.toString()) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (typeof message.envelope_id !== 'string') return;
        const entry = { seq: ++seq, kind: 'ack' as const, envelopeId: message.envelope_id };
        timeline.push(entry);
        acks.push({ envelope_id: message.envelope_id, payload: message.payload, seq: entry.seq, connection });
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-applink', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0APP' } }));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const openConnections = (): number[] => sockets.flatMap((s, i) => (s.readyState === s.OPEN ? [i] : []));
  const openSocket = (): WebSocket => {
    const ws = sockets.findLast((s) => s.readyState === s.OPEN);
    if (!ws) throw new Error('fake Socket Mode: no client is connected');
    return ws;
  };
  /** The socket the next push goes to, by `delivery`. */
  const nextConnection = (): number => {
    const open = openConnections();
    if (open.length === 0) throw new Error('fake Socket Mode: no client is connected');
    if (options.delivery !== 'round-robin') return open.at(-1)!;
    return open[turn++ % open.length]!;
  };
  const deliver = (envelope: SocketModeEnvelope, connection: number): void => {
    sockets[connection]!.send(JSON.stringify(envelope));
    deliveries.push({ envelope, connection });
  };

  const poll = async (what: string, done: () => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`fake Socket Mode: ${what} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const fake: FakeSocketMode = {
    apiUrl: `${base}/api/`,
    connectionsOpenCalls,
    connectionCount: () => sockets.length,
    isConnected: () => sockets.some((s) => s.readyState === s.OPEN),
    acks,
    timeline,
    deliveries,
    openConnections,
    push(envelope) {
      const full: SocketModeEnvelope = { ...envelope, envelope_id: envelope.envelope_id ?? randomUUID() };
      deliver(full, nextConnection());
      return full.envelope_id;
    },
    dropConnection(connection) {
      const index = connection ?? openConnections().at(-1);
      if (index === undefined || !sockets[index]) throw new Error('fake Socket Mode: no such connection to drop');
      sockets[index].terminate();
    },
    redeliver(envelopeId, retryReason = 'timeout') {
      const first = deliveries.findLast((d) => d.envelope.envelope_id === envelopeId);
      if (!first) throw new Error(`fake Socket Mode: envelope ${envelopeId} was never pushed`);
      const open = openConnections();
      const to = open.find((c) => c !== first.connection) ?? open[0];
      if (to === undefined) throw new Error('fake Socket Mode: no client is connected');
      deliver({ ...first.envelope, retry_attempt: (first.envelope.retry_attempt ?? 0) + 1, retry_reason: retryReason }, to);
      return to;
    },
    pushSlashCommand(fields) {
      return fake.push({ type: 'slash_commands', accepts_response_payload: true, payload: slashCommandPayload(fields) });
    },
    requestDisconnect(reason = 'refresh_requested') {
      openSocket().send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-applink' } }));
    },
    async waitForAck(envelopeId, timeoutMs = 5_000) {
      await poll(`no ack for envelope ${envelopeId}`, () => acks.some((a) => a.envelope_id === envelopeId), timeoutMs);
      return acks.find((a) => a.envelope_id === envelopeId)!;
    },
    async waitForConnections(count, timeoutMs = 10_000) {
      await poll(`fewer than ${count} connection(s) open`, () => sockets.filter((s) => s.readyState === s.OPEN).length >= 1 && sockets.length >= count, timeoutMs);
    },
    async close() {
      // The bot's own disconnect is a close handshake; whatever is still open now is cut.
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
