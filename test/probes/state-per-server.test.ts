// Counters are compared on the same server only: one target name pointed at two servers in turn
// (a repointed target, or `chatops diag redis --url` against several) never compares one server's
// counters with the other's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { MemoryProbeStateStore } from '../../src/probes/probe-state.ts';
import { runProbe } from '../../src/probes/run-probe.ts';
import { startTestRedis, type RunningRedis } from '../support/start-test-redis.ts';

let a: RunningRedis;
let b: RunningRedis;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestRedis(), startTestRedis()]);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

const target = (url: string) => parseConfig({ targets: { cache: { kind: 'redis', url } } }, 'test.yml', {}).targets[0]!;

describe('probe state per server', () => {
  it("a target's second run on another server is that server's first run", async () => {
    const state = new MemoryProbeStateStore();
    const run = async (url: string) => (await runProbe(target(url), { log: silentLogger(), state })).findings.find((f) => f.check === 'redis.hit_rate')!;
    const firstOnA = await run(a.url);
    const firstOnB = await run(b.url);
    const secondOnA = await run(a.url);
    expect(firstOnA.title).toContain('since the server started');
    expect(firstOnB.title).toContain('since the server started');
    expect(secondOnA.title).not.toContain('since the server started');
  });
});
