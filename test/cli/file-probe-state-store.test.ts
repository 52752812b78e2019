// The terminal's probe state file: what one run stores, the next one reads; a bad file never stops a run.
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileProbeStateStore } from '../../src/probes/file-probe-state-store.ts';
import { createLogger } from '../../src/logger.ts';

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'chatops-state-'));

describe('FileProbeStateStore', () => {
  it('a value stored by one run is read by the next, in a private file of a directory it creates', async () => {
    const dir = path.join(tempDir(), 'data', 'dir');
    await new FileProbeStateStore(dir).forTarget('cache').set('redis.counters', { evicted_keys: 12 });
    const file = path.join(dir, FileProbeStateStore.FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const next = new FileProbeStateStore(dir);
    const got = await next.forTarget('cache').get<{ evicted_keys: number }>('redis.counters');
    expect(got?.value).toEqual({ evicted_keys: 12 });
    expect(Date.now() - got!.at.getTime()).toBeGreaterThanOrEqual(0);
    expect(await next.forTarget('other').get('redis.counters')).toBeUndefined();
    // No temporary file is left behind.
    expect(readdirSync(dir)).toEqual([FileProbeStateStore.FILE]);
  });

  it('keeps only the latest value of each target and key, and the values of runs that wrote meanwhile', async () => {
    const dir = tempDir();
    const first = new FileProbeStateStore(dir);
    const second = new FileProbeStateStore(dir);
    await first.forTarget('db').get('postgres.deadlocks');
    await second.forTarget('cache').set('redis.counters', { evicted_keys: 1 });
    await first.forTarget('db').set('postgres.deadlocks', { total: 3 });
    await first.forTarget('db').set('postgres.deadlocks', { total: 4 });
    const stored = JSON.parse(readFileSync(path.join(dir, FileProbeStateStore.FILE), 'utf8')) as Record<string, Record<string, { value: unknown }>>;
    expect(Object.keys(stored).sort()).toEqual(['cache', 'db']);
    expect(stored.db!['postgres.deadlocks']!.value).toEqual({ total: 4 });
    expect(stored.cache!['redis.counters']!.value).toEqual({ evicted_keys: 1 });
  });

  it.each([
    ['not JSON', '{"cache": {"redis.counters": {"value": 1, "at": "2026-'],
    ['JSON of another shape', '[1, 2, 3]'],
    ['entries without a time', '{"cache": {"redis.counters": {"value": 1}}, "__proto__": {"x": {"value": 1, "at": "2026-01-01T00:00:00Z"}}}'],
  ])('a file that is %s reads as empty and is replaced by the next write', async (_what, text) => {
    const dir = tempDir();
    writeFileSync(path.join(dir, FileProbeStateStore.FILE), text);
    const store = new FileProbeStateStore(dir);
    expect(await store.forTarget('cache').get('redis.counters')).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    await store.forTarget('cache').set('redis.counters', 2);
    expect((await new FileProbeStateStore(dir).forTarget('cache').get('redis.counters'))?.value).toBe(2);
  });

  it('a directory it cannot create costs only the memory of the value, never the run', async () => {
    // A path under a regular file cannot be created, whoever runs the test.
    const blocker = path.join(tempDir(), 'file');
    writeFileSync(blocker, '');
    const store = new FileProbeStateStore(path.join(blocker, 'data'));
    await expect(store.forTarget('cache').set('k', 1)).resolves.toBeUndefined();
    await expect(store.forTarget('cache').get('k')).resolves.toMatchObject({ value: 1 });
    expect(existsSync(path.join(blocker, 'data'))).toBe(false);
  });

  it('a data directory under /proc is not made and never hangs the run; the warning is one line with the error code', async () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const store = new FileProbeStateStore('/proc/nope/data', log);
    await store.forTarget('cache').set('k', 1);
    await new FileProbeStateStore('/proc/nope', log).forTarget('cache').set('k', 1);
    expect(existsSync('/proc/nope')).toBe(false);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.trimEnd()).not.toContain('\n');
      expect(JSON.parse(line)).toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/), msg: 'probe state file not written: the next run starts its counters over' });
      expect(line).not.toMatch(/stack|"err"/);
    }
  });

  it('makes a few missing parents, but not a path of more missing directories than a data directory has', async () => {
    const root = tempDir();
    const shallow = path.join(root, 'a', 'b', 'c');
    await new FileProbeStateStore(shallow).forTarget('cache').set('k', 1);
    expect(statSync(shallow).mode & 0o777).toBe(0o700);
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const deep = path.join(root, ...Array.from({ length: 20 }, (_, i) => `d${i}`));
    await new FileProbeStateStore(deep, log).forTarget('cache').set('k', 1);
    expect(existsSync(path.join(root, 'd0'))).toBe(false);
    expect(JSON.parse(lines[0]!)).toMatchObject({ code: 'ETOODEEP' });
  });
});

describe('FileProbeStateStore trusts only its own private file', () => {
  const stored = (dir: string) => new FileProbeStateStore(dir).forTarget('cache').get('redis.counters');
  const forged = JSON.stringify({ cache: { 'redis.counters': { value: { evicted_keys: 0 }, at: new Date().toISOString() } } });

  it('does not follow a link in place of the file', async () => {
    const dir = tempDir();
    const elsewhere = path.join(tempDir(), 'forged.json');
    writeFileSync(elsewhere, forged);
    symlinkSync(elsewhere, path.join(dir, FileProbeStateStore.FILE));
    expect(await stored(dir)).toBeUndefined();
  });

  it('does not read counters from a directory other users may write to, nor write there', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, FileProbeStateStore.FILE), forged, { mode: 0o600 });
    chmodSync(dir, 0o777);
    expect(await stored(dir)).toBeUndefined();
    await new FileProbeStateStore(dir).forTarget('cache').set('redis.counters', { evicted_keys: 5 });
    expect(readFileSync(path.join(dir, FileProbeStateStore.FILE), 'utf8')).toBe(forged);
  });

  it('reads a file larger than it would ever write as empty', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, FileProbeStateStore.FILE), `${forged.slice(0, -1)}, "pad": "${'x'.repeat(1024 * 1024)}"}`);
    expect(await stored(dir)).toBeUndefined();
  });
});
