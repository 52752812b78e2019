// A redis-server of the playground's own, for the demo's demo-cache target: started only when
// redis-server is on PATH, on a free 127.0.0.1 port with a random password, nothing written to
// disk, its output kept out of the bot's (only its last lines are said when it fails to start).
// Stopped with the bot, and killed when the bot's process exits without stopping it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../free-port.ts';

export interface LocalRedis {
  /** redis://:password@127.0.0.1:port (the password is masked like every configured secret). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

/** The redis-server on PATH, or undefined. */
export function redisServerOnPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, 'redis-server');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Starts one; rejects with the reason (and its last output) when it does not answer within 10 s. */
export async function startLocalRedis(executable: string): Promise<LocalRedis> {
  const port = await freePort();
  const password = randomBytes(24).toString('base64url');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chatops-playground-redis-'));
  // The password goes in through stdin as a config file ("-" reads it), never on the command line where `ps` shows it.
  const args = ['-', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir];
  const child = spawn(executable, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end(`requirepass ${password}\n`);
  let output = '';
  const keep = (c: Buffer) => (output = (output + c.toString()).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanUp = () => {
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await answersPing(port, password))) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      cleanUp();
      const why = spawnError ? spawnError.message : child.exitCode !== null ? `it exited with code ${child.exitCode}` : 'it did not answer within 10 s';
      // redis-server quotes a config line it refuses: its password never goes on (into the log and the page's banner).
      const said = output.replaceAll(password, '***').trim();
      throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${why}${said ? `; its last output: ${said.split('\n').slice(-3).join(' | ')}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const late = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(late);
      }
      cleanUp();
    },
  };
}

function answersPing(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    let seen = '';
    socket.once('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on('data', (d) => {
      seen += d.toString();
      if (seen.includes('+PONG') || seen.includes('-')) {
        socket.destroy();
        resolve(seen.includes('+PONG'));
      }
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
