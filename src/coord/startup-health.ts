// The HTTP port while the bot starts (state store, migrations, Slack token): every route answers
// 503 with what is still being done, so Kubernetes sees "not ready" (and a startup probe "still
// starting") rather than "connection refused". /healthz keeps its meaning, "started and alive": it
// turns 200 once the Slack app listens; a startup probe's failure threshold gives the start (the
// longest migration) its time. A Slack event gets 503 too, which Slack retries. Closed just
// before the Slack app listens on the same port.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../user-error.ts';

export class StartupHealth {
  readonly #server: http.Server;
  #doing: string;

  private constructor(server: http.Server, doing: string) {
    this.#server = server;
    this.#doing = doing;
  }

  /** Listens on `port`; fails naming `setting` when the port is taken. */
  static async listen(port: number, setting: string, doing: string): Promise<StartupHealth> {
    const server = http.createServer();
    const health = new StartupHealth(server, doing);
    server.on('request', (req, res) => health.#answer(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        reject(new UserError(e.code === 'EADDRINUSE' ? `${setting}=${port}: the port is already in use; stop what listens there or choose another port`
          : `${setting}=${port}: cannot listen (${e.code ?? e.message})`, { cause: e }));
      });
      server.listen(port, () => resolve());
    });
    return health;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** What /readyz says the bot is doing now. */
  set doing(what: string) {
    this.#doing = what;
  }

  /** Stops listening (the Slack app takes the port over). */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5', connection: 'close' });
      res.end(JSON.stringify({ ok: false, starting: this.#doing }));
      return;
    }
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5', connection: 'close' });
    res.end(JSON.stringify({ ready: false, reasons: [`starting: ${this.#doing}`] }));
  }
}
