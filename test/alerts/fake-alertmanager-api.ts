// A local HTTP server speaking Alertmanager's API v2 for silences, as Alertmanager 0.27 answers:
// POST /api/v2/silences validates the postable silence (matchers present, each with name, value,
// isRegex; endsAt after startsAt) and answers {silenceID}, 400 with its plain-text reason
// otherwise; DELETE /api/v2/silence/{id} expires a known silence (404 for an unknown one); GET
// /api/v2/silence/{id} shows it. It records every request (method, path, headers, body) and can
// be told to refuse the next creations with a 400 of given text.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface AmRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface StoredSilence {
  id: string;
  matchers: Array<{ name: string; value: string; isRegex: boolean; isEqual?: boolean }>;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: 'active' | 'expired' };
}

export interface FakeAlertmanagerApi {
  url: string;
  requests: AmRequest[];
  silences: Map<string, StoredSilence>;
  /** The next POSTs to /api/v2/silences answer 400 with this text (until cleared with undefined). */
  refuseWith(text: string | undefined): void;
  close(): Promise<void>;
}

export async function startFakeAlertmanagerApi(): Promise<FakeAlertmanagerApi> {
  const requests: AmRequest[] = [];
  const silences = new Map<string, StoredSilence>();
  let refusal: string | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch { /* kept as text */ }
      const path = (req.url ?? '').split('?')[0]!;
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });
      const send = (status: number, payload: unknown) => {
        const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
        res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json' }).end(text);
      };
      if (req.method === 'POST' && path === '/api/v2/silences') {
        if (refusal !== undefined) return send(400, refusal);
        const s = body as Partial<StoredSilence> | undefined;
        if (!s || !Array.isArray(s.matchers) || s.matchers.length === 0) return send(400, 'silence invalid: at least one matcher required');
        if (s.matchers.some((m) => typeof m.name !== 'string' || typeof m.value !== 'string' || typeof m.isRegex !== 'boolean')) return send(422, { code: 602, message: 'matchers in body is required' });
        if (!s.startsAt || !s.endsAt || Date.parse(s.endsAt) <= Date.parse(s.startsAt)) return send(400, 'silence invalid: end time must not be before start time');
        const id = randomUUID();
        silences.set(id, { id, matchers: s.matchers, startsAt: s.startsAt, endsAt: s.endsAt, createdBy: s.createdBy ?? '', comment: s.comment ?? '', status: { state: 'active' } });
        return send(200, { silenceID: id });
      }
      const one = /^\/api\/v2\/silence\/([^/]+)$/.exec(path);
      if (one) {
        const s = silences.get(decodeURIComponent(one[1]!));
        if (!s) return send(404, 'silence not found');
        if (req.method === 'GET') return send(200, s);
        if (req.method === 'DELETE') {
          if (s.status.state === 'expired') return send(500, `silence ${s.id} already expired`);
          s.status.state = 'expired';
          s.endsAt = new Date().toISOString();
          return send(200, '');
        }
      }
      send(404, 'not found');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    silences,
    refuseWith: (text) => { refusal = text; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
