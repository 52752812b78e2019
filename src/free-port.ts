// TCP ports on this host: a free one to listen on, or whether a chosen one is taken.
import net from 'node:net';
import { UserError } from './user-error.ts';

export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Fails with a message naming the setting when `port` cannot be listened on. */
export async function assertPortFree(port: number, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', (e: NodeJS.ErrnoException) => {
      reject(new UserError(e.code === 'EADDRINUSE' ? `${setting}=${port}: the port is already in use; stop what listens there or choose another port`
        : `${setting}=${port}: cannot listen (${e.code ?? e.message})`, { cause: e }));
    });
    srv.listen(port, () => srv.close(() => resolve()));
  });
}
