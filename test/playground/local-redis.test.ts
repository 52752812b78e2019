// The demo's own redis-server: started on 127.0.0.1 with a password that is never on its command
// line, stopped with its files, and a start that fails says why without the password.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisServerOnPath, startLocalRedis } from '../../src/playground/local-redis.ts';

/** One command to the server, its first reply line. */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(command));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().split('\r\n')[0]!);
    });
    socket.once('error', reject);
  });
}

function redisDirs(): string[] {
  return readdirSync(os.tmpdir()).filter((n) => n.startsWith('chatops-playground-redis-'));
}

describe('the demo\'s own redis-server', () => {
  it('answers only with its password, which is not on its command line, and is gone with its files once stopped', async () => {
    // .ci/run installs it, as the other tests that start their own need.
    const executable = redisServerOnPath();
    expect(executable, 'redis-server on PATH (apt-get install redis-server)').toBeDefined();
    const before = new Set(redisDirs());
    const redis = await startLocalRedis(executable!);
    try {
      const url = new URL(redis.url);
      const password = decodeURIComponent(url.password);
      expect(url.hostname).toBe('127.0.0.1');
      expect(password.length).toBeGreaterThanOrEqual(24);
      expect(await ask(redis.port, 'PING\r\n')).toMatch(/^-NOAUTH/);
      expect(await ask(redis.port, `AUTH ${password}\r\n`)).toBe('+OK');
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(password);
    } finally {
      await redis.stop();
    }
    await expect(ask(redis.port, 'PING\r\n')).rejects.toThrow(/ECONNREFUSED/);
    expect(redisDirs().filter((d) => !before.has(d))).toEqual([]);
  });

  it('a redis-server that refuses its config line says so without the password, and leaves no files', async () => {
    // Stands in for redis-server's "FATAL CONFIG FILE ERROR", which quotes the line it refused.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'chatops-fake-redis-'));
    const fake = path.join(bin, 'redis-server');
    writeFileSync(fake, "#!/bin/sh\nline=$(cat)\necho '*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***' >&2\necho \">>> '$line'\" >&2\nexit 1\n");
    chmodSync(fake, 0o755);
    const before = new Set(redisDirs());
    try {
      const failed = await startLocalRedis(fake).then(() => undefined, (e: Error) => e);
      expect(failed?.message).toMatch(/^redis-server did not start on 127\.0\.0\.1:\d+: it exited with code 1; its last output: .*FATAL CONFIG FILE ERROR/);
      expect(failed?.message).toContain(">>> 'requirepass ***'");
      expect(redisDirs().filter((d) => !before.has(d))).toEqual([]);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
    expect(existsSync(fake)).toBe(false);
  });
});
