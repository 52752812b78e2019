// Slowlog redaction against the key positions a real server reports (COMMAND INFO), and the
// counter comparison that turns totals into rates.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import type { Redis } from 'ioredis';
import { parseCommandInfo, redactCommand, type CommandKeys } from '../../../src/probes/redis/redact-command.ts';
import { compareCounters, type Reading } from '../../../src/probes/redis/counters.ts';
import { parseInfo, keyspace } from '../../../src/probes/redis/info.ts';
import { ClientBag } from './redis-helpers.ts';

const bag = new ClientBag();
let client: Redis;
let commands: Map<string, CommandKeys>;

const NAMES = ['set', 'get', 'mset', 'hset', 'del', 'eval', 'zunionstore', 'xread', 'config', 'object', 'auth', 'migrate', 'lpush'];

beforeAll(async () => {
  client = await bag.open(inject('redisUrl'), 'command-info');
  const reply = await client.call('COMMAND', ['INFO', ...NAMES]);
  commands = new Map();
  for (const entry of reply as unknown[]) {
    const info = parseCommandInfo(entry);
    if (info) commands.set(info.name, info);
  }
});

afterAll(() => bag.closeAll());

describe('redactCommand', () => {
  it.each([
    [['set', 'user:42', 's3cret', 'EX', '60'], 'SET user:42 ? ? ?'],
    [['GET', 'user:42'], 'GET user:42'],
    [['mset', 'a', '1', 'b', '2'], 'MSET a ? b ?'],
    [['hset', 'profile:7', 'email', 'jane@example.com'], 'HSET profile:7 ? ?'],
    [['del', 'k1', 'k2', 'k3'], 'DEL k1 k2 k3'],
    [['eval', 'return redis.call("get", KEYS[1])', '2', 'k1', 'k2', 'arg-value'], 'EVAL ? ? k1 k2 ?'],
    [['zunionstore', 'dest', '2', 'z1', 'z2', 'WEIGHTS', '1', '2'], 'ZUNIONSTORE dest ? z1 z2 ? ? ?'],
    [['xread', 'COUNT', '10', 'STREAMS', 's1', 's2', '0-0', '0-0'], 'XREAD ? ? ? s1 s2 ? ?'],
    [['config', 'set', 'requirepass', 'hunter2'], 'CONFIG SET ? ?'],
    [['object', 'encoding', 'big:hash'], 'OBJECT ENCODING big:hash'],
    [['auth', 'admin', 'hunter2'], 'AUTH ? ?'],
    [['migrate', 'host', '6379', '', '0', '5000', 'AUTH', 'hunter2', 'KEYS', 'k1'], 'MIGRATE ? ? "" ? ? ? ? ? … (1 more)'],
  ])('%j -> %s', (argv, expected) => {
    expect(redactCommand(argv, commands)).toBe(expected);
  });

  it('keeps the keys of an entry the slowlog shortened to 32 arguments', () => {
    // Redis keeps 31 arguments and replaces the rest by one that says how many were left out.
    const lpush = ['lpush', 'queue:jobs', ...Array.from({ length: 29 }, (_, i) => `payload-${i}`), '... (71 more arguments)'];
    expect(redactCommand(lpush, commands)).toBe('LPUSH queue:jobs ? ? ? ? ? ? ? … (93 more)');
    const mset = ['mset', ...Array.from({ length: 15 }, (_, i) => [`key:${i}`, `value-${i}`]).flat(), '... (10 more arguments)'];
    expect(redactCommand(mset, commands)).toBe('MSET key:0 ? key:1 ? key:2 ? key:3 ? … (32 more)');
    const del = ['del', 'k1', 'k2', '... (3 more arguments)'];
    expect(redactCommand(del, commands)).toBe('DEL k1 k2 … (3 more)');
  });

  it('without COMMAND INFO keeps only the first argument of common key commands', () => {
    expect(redactCommand(['set', 'user:42', 's3cret'], undefined)).toBe('SET user:42 ?');
    expect(redactCommand(['config', 'set', 'requirepass', 'x'], undefined)).toBe('CONFIG ? ? ?');
    expect(redactCommand(['mymodule.cmd', 'a', 'b'], undefined)).toBe('MYMODULE.CMD ? ?');
  });

  it('shortens long key names and keeps them on one line', () => {
    const long = `k:${'x'.repeat(100)}`;
    const out = redactCommand(['get', long], commands);
    expect(out.length).toBeLessThan(70);
    expect(out).toMatch(/^GET k:x+…$/);
    expect(redactCommand(['get', 'a\nb'], commands)).toBe('GET a b');
  });
});

describe('compareCounters', () => {
  const reading = (over: Partial<Reading>): Reading => ({
    runId: 'r1', uptimeS: 1000, evictedKeys: 10, rejectedConnections: 0, keyspaceHits: 100, keyspaceMisses: 50, ...over,
  });
  const at = new Date('2026-01-01T00:00:00Z');

  it('reports growth over the time since the previous run', () => {
    const c = compareCounters(reading({ uptimeS: 1300, evictedKeys: 22 }), { value: reading({}), at }, at.getTime() + 300_000);
    expect(c.basis).toBe('previous-run');
    expect(c.delta('evictedKeys')).toBe(12);
    expect(c.phrase).toBe('in the last 5 min');
  });

  it('starts over after a restart or a stats reset, never negative', () => {
    const restarted = compareCounters(reading({ runId: 'r2', uptimeS: 60, evictedKeys: 3 }), { value: reading({}), at }, at.getTime() + 300_000);
    expect(restarted.basis).toBe('restart');
    expect(restarted.delta('evictedKeys')).toBe(3);
    expect(restarted.phrase).toBe('since the server restarted 1 min ago');

    const reset = compareCounters(reading({ uptimeS: 1300, evictedKeys: 0, keyspaceHits: 5 }), { value: reading({}), at }, at.getTime() + 300_000);
    expect(reset.basis).toBe('stats-reset');
    expect(reset.delta('keyspaceHits')).toBe(5);
    expect(reset.delta('evictedKeys')).toBe(0);
  });

  it('treats a stored value of another shape as no previous run', () => {
    const c = compareCounters(reading({}), { value: { runId: 'r1', evictedKeys: 'many' }, at });
    expect(c.basis).toBe('server-start');
    expect(c.phrase).toBe('since the server started 16 min ago');
  });
});

describe('INFO parsing', () => {
  it('reads fields and the keyspace without touching keys', () => {
    const info = parseInfo('# Server\r\nredis_version:7.0.15\r\n\r\n# Keyspace\r\ndb0:keys=10,expires=2,avg_ttl=0\r\ndb3:keys=5,expires=5,avg_ttl=10\r\n');
    expect(info.get('redis_version')).toBe('7.0.15');
    expect(keyspace(info)).toEqual({
      keys: 15,
      expires: 7,
      databases: [{ db: 'db0', keys: 10, expires: 2 }, { db: 'db3', keys: 5, expires: 5 }],
    });
  });
});
