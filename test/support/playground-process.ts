// The bot as `npm start` runs it without Slack credentials: its node flags (read from package.json),
// src/main.ts, no SLACK_* variable, so it starts the playground; the page's address is read from
// what it prints. For the browser tests, the start bench and the screenshots.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/main.ts');

/** npm start's node flags (heap sizes), so the process is the one `npm start` makes. */
export const START_FLAGS: readonly string[] = [
  ...(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.matchAll(/--[a-z-]+=\S+/g),
].map((m) => m[0]);

export interface PlaygroundProcess {
  child: ChildProcess;
  /** The page's address as printed (`http://127.0.0.1:<port>/`). */
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs` if it has not exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns the bot in `cwd` with exactly `env` (plus PATH and HOME) and waits until it prints the
 * playground's address; fails with its output when it exits first or prints none within `timeoutMs`.
 */
export async function startPlaygroundProcess(o: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<PlaygroundProcess> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? o.cwd, ...o.env };
  for (const name of Object.keys(env)) {
    if (name.startsWith('SLACK_')) throw new Error(`${name} is set: the playground starts only without Slack credentials`);
  }
  const child = spawn(process.execPath, [...START_FLAGS, MAIN], { cwd: o.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (graceMs = 20_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs)));
    if (await Promise.race([exited.then(() => false), late])) child.kill('SIGKILL');
    clearTimeout(timer);
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the bot printed no playground address within ${(o.timeoutMs ?? 90_000) / 1000} s; its output:\n${output}`)), o.timeoutMs ?? 90_000);
      const look = (chunk: Buffer) => {
        output += chunk.toString();
        const m = /playground: (http:\/\/[^\s/]+\/)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', look);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the bot exited (${signal ?? `code ${code}`}) before printing the playground's address; its output:\n${output}`));
      });
    });
    return { child, url, output: () => output, stop };
  } catch (error) {
    await stop(5_000);
    throw error;
  }
}
