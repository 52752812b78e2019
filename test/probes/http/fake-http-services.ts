// Local HTTP(S) servers for the http, prometheus and alertmanager probe tests. Routes answer with
// the shapes of the real APIs (Prometheus /api/v1, Alertmanager /api/v2); a route can be slow,
// fail, answer garbage, or look at the request (a header the probe must send).
import { execFile } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';

export interface FakeResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  /** Wait this long before answering (headers included). */
  delayMs?: number;
}

export interface SeenRequest {
  method: string;
  /** Path and query, e.g. /api/v1/targets?state=active. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

export type Route = FakeResponse | ((req: SeenRequest) => FakeResponse);

export class FakeHttpServer {
  readonly requests: SeenRequest[] = [];
  readonly routes: Map<string, Route>;
  readonly #server: http.Server;
  readonly #timers = new Set<NodeJS.Timeout>();
  url = '';

  private constructor(server: http.Server, routes: Record<string, Route>) {
    this.#server = server;
    this.routes = new Map(Object.entries(routes));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.#handle(req, res));
  }

  /** Starts on a free port of 127.0.0.1; routes are keyed by path without the query. */
  static async start(routes: Record<string, Route> = {}, tls?: { key: string; cert: string }): Promise<FakeHttpServer> {
    const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }) : http.createServer();
    const fake = new FakeHttpServer(server, routes);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    fake.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return fake;
  }

  set(pathname: string, route: Route): void {
    this.routes.set(pathname, route);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const seen: SeenRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers };
    this.requests.push(seen);
    req.resume();
    const pathname = new URL(seen.url, 'http://x').pathname;
    const route = this.routes.get(pathname);
    const answer: FakeResponse = route === undefined ? { status: 404, body: '404 page not found\n' } : typeof route === 'function' ? route(seen) : route;
    const send = () => {
      if (res.destroyed) return;
      const isText = typeof answer.body === 'string' || answer.body === undefined;
      const text = answer.body === undefined ? '' : isText ? (answer.body as string) : JSON.stringify(answer.body);
      res.writeHead(answer.status ?? 200, {
        'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json',
        ...answer.headers,
      });
      res.end(seen.method === 'HEAD' ? undefined : text);
    };
    if (answer.delayMs) {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        send();
      }, answer.delayMs);
      this.#timers.add(timer);
    } else {
      send();
    }
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A port nothing listens on (bound, then released). */
/**
 * `serve(...)` for one test file: starts a FakeHttpServer, and closes every server it started
 * after each test.
 */
export function useFakeHttpServers(): (...args: Parameters<typeof FakeHttpServer.start>) => Promise<FakeHttpServer> {
  const servers: FakeHttpServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (...args) => {
    const s = await FakeHttpServer.start(...args);
    servers.push(s);
    return s;
  };
}

export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A self-signed certificate for localhost and 127.0.0.1 made by openssl at test time.
 * `openssl req -x509 -days N` starts it now, so it expires in N days.
 */
export async function selfSignedCertificate(days: number): Promise<{ key: string; cert: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'chatops-http-cert-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    try {
      await promisify(execFile)('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days),
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', key, '-out', cert,
      ]);
    } catch (e) {
      throw new Error(`openssl could not make a test certificate (install it: apt-get install -y openssl): ${(e as Error).message}`, { cause: e });
    }
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- Prometheus /api/v1 ----------------------------------------------------------------------

export function success(data: unknown): { status: 'success'; data: unknown } {
  return { status: 'success', data };
}

export interface TargetSpec {
  job: string;
  instance: string;
  health?: 'up' | 'down' | 'unknown';
  lastError?: string;
  secondsAgo?: number;
}

/** One entry of data.activeTargets, as Prometheus 2.x/3.x returns it. */
export function activeTarget(t: TargetSpec, now = Date.now()): Record<string, unknown> {
  return {
    discoveredLabels: { __address__: t.instance, __metrics_path__: '/metrics', __scheme__: 'http', __scrape_interval__: '15s', __scrape_timeout__: '10s', job: t.job },
    labels: { instance: t.instance, job: t.job },
    scrapePool: t.job,
    scrapeUrl: `http://${t.instance}/metrics`,
    globalUrl: `http://${t.instance}/metrics`,
    lastError: t.lastError ?? '',
    lastScrape: t.health === 'unknown' ? '0001-01-01T00:00:00Z' : new Date(now - (t.secondsAgo ?? 7.5) * 1000).toISOString(),
    lastScrapeDuration: t.health === 'down' ? 10.001 : 0.0123,
    health: t.health ?? 'up',
    scrapeInterval: '15s',
    scrapeTimeout: '10s',
  };
}

export interface PromAlertSpec {
  alertname: string;
  severity?: string;
  state?: 'firing' | 'pending' | 'inactive';
  labels?: Record<string, string>;
  summary?: string;
  minutesAgo?: number;
}

/** One entry of data.alerts of /api/v1/alerts. */
export function prometheusAlert(a: PromAlertSpec, now = Date.now()): Record<string, unknown> {
  return {
    labels: { alertname: a.alertname, ...(a.severity ? { severity: a.severity } : {}), ...a.labels },
    annotations: a.summary ? { summary: a.summary, runbook_url: `https://runbooks.example.com/${a.alertname}` } : {},
    state: a.state ?? 'firing',
    activeAt: new Date(now - (a.minutesAgo ?? 10.5) * 60_000).toISOString(),
    value: '1e+00',
  };
}

export interface RuleSpec {
  name: string;
  type?: 'alerting' | 'recording';
  lastError?: string;
}

/** One entry of data.groups of /api/v1/rules. */
export function ruleGroup(name: string, rules: RuleSpec[], timing: { interval?: number; evaluationTime?: number } = {}): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    name,
    file: `/etc/prometheus/rules/${name}.yml`,
    rules: rules.map((r) => {
      const base = {
        name: r.name,
        query: 'up == 0',
        health: r.lastError ? 'err' : 'ok',
        ...(r.lastError ? { lastError: r.lastError } : {}),
        evaluationTime: 0.000512,
        lastEvaluation: now,
        type: r.type ?? 'alerting',
      };
      return r.type === 'recording'
        ? { ...base, labels: {} }
        : { ...base, state: 'inactive', duration: 300, keepFiringFor: 0, labels: { severity: 'warning' }, annotations: { summary: r.name }, alerts: [] };
    }),
    interval: timing.interval ?? 30,
    limit: 0,
    evaluationTime: timing.evaluationTime ?? 0.0021,
    lastEvaluation: now,
  };
}

export interface PrometheusState {
  targets?: TargetSpec[];
  alerts?: PromAlertSpec[];
  ruleGroups?: Record<string, unknown>[];
  alertmanagers?: string[];
  droppedAlertmanagers?: string[];
  /** How long ago the server started, for /api/v1/status/runtimeinfo; default 3 days. */
  startedSecondsAgo?: number;
}

/** data of /api/v1/status/runtimeinfo, as Prometheus 3.x returns it (startTime with nanoseconds). */
export function runtimeInfo(startedSecondsAgo: number, now = Date.now()): Record<string, unknown> {
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1456789Z');
  return {
    startTime: iso(now - startedSecondsAgo * 1000),
    CWD: '/prometheus',
    hostname: 'prometheus-0',
    serverTime: iso(now),
    reloadConfigSuccess: true,
    lastConfigTime: iso(now - startedSecondsAgo * 1000 + 150),
    corruptionCount: 0,
    goroutineCount: 41,
    GOMAXPROCS: 2,
    GOMEMLIMIT: 1_073_741_824,
    GOGC: '75',
    GODEBUG: '',
    storageRetention: '15d',
  };
}

/** The routes of a Prometheus server in the given state. */
export function prometheusRoutes(state: PrometheusState = {}): Record<string, Route> {
  return {
    '/-/healthy': { body: 'Prometheus Server is Healthy.\n' },
    '/-/ready': { body: 'Prometheus Server is Ready.\n' },
    '/api/v1/status/buildinfo': {
      body: success({ version: '3.5.0', revision: 'abc123', branch: 'HEAD', buildUser: 'root@build', buildDate: '20250714-16:15:23', goVersion: 'go1.24.5' }),
    },
    '/api/v1/status/runtimeinfo': () => ({ body: success(runtimeInfo(state.startedSecondsAgo ?? 3 * 86_400)) }),
    '/api/v1/targets': () => ({
      body: success({ activeTargets: (state.targets ?? [{ job: 'prometheus', instance: 'localhost:9090' }]).map((t) => activeTarget(t)), droppedTargets: [] }),
    }),
    '/api/v1/alerts': () => ({ body: success({ alerts: (state.alerts ?? []).map((a) => prometheusAlert(a)) }) }),
    '/api/v1/rules': { body: success({ groups: state.ruleGroups ?? [ruleGroup('node', [{ name: 'NodeDown' }, { name: 'job:up:sum', type: 'recording' }])] }) },
    '/api/v1/alertmanagers': {
      body: success({
        activeAlertmanagers: (state.alertmanagers ?? ['http://alertmanager:9093/api/v2/alerts']).map((url) => ({ url })),
        droppedAlertmanagers: (state.droppedAlertmanagers ?? []).map((url) => ({ url })),
      }),
    },
  };
}

// ---- Alertmanager /api/v2 --------------------------------------------------------------------

export interface AmAlertSpec {
  alertname: string;
  severity?: string;
  labels?: Record<string, string>;
  summary?: string;
  receiver?: string;
  minutesAgo?: number;
  state?: 'active' | 'suppressed' | 'unprocessed';
}

/** One gettableAlert of GET /api/v2/alerts. */
export function alertmanagerAlert(a: AmAlertSpec, now = Date.now()): Record<string, unknown> {
  const startsAt = new Date(now - (a.minutesAgo ?? 30.5) * 60_000);
  return {
    annotations: a.summary ? { summary: a.summary, description: `${a.summary}, see the dashboard.` } : {},
    endsAt: new Date(now + 4 * 60_000).toISOString(),
    fingerprint: Buffer.from(a.alertname + JSON.stringify(a.labels ?? {})).toString('hex').slice(0, 16),
    receivers: [{ name: a.receiver ?? 'team-pager' }],
    startsAt: startsAt.toISOString(),
    status: { inhibitedBy: [], silencedBy: [], mutedBy: [], state: a.state ?? 'active' },
    updatedAt: new Date(now - 15_000).toISOString(),
    generatorURL: `http://prometheus:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1`,
    labels: { alertname: a.alertname, ...(a.severity ? { severity: a.severity } : {}), prometheus: 'monitoring/k8s', ...a.labels },
  };
}

/** The routes of an Alertmanager holding these active alerts. */
export function alertmanagerRoutes(alerts: AmAlertSpec[] = []): Record<string, Route> {
  return {
    '/-/healthy': { body: 'OK' },
    '/-/ready': { body: 'OK' },
    '/api/v2/alerts': () => ({ body: alerts.map((a) => alertmanagerAlert(a)) }),
  };
}
