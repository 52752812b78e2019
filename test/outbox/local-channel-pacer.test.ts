// The in-process channel pacer: one channel's calls one after another, each at least the interval
// after the previous one's answer; a hold (Slack's Retry-After) keeps the channel's next calls
// waiting; other channels are not held up; a stop rejects what still waits. Lower bounds only:
// a slow machine makes the gaps longer, never shorter.
import { describe, expect, it } from 'vitest';
import { LocalChannelPacer } from '../../src/coord/local-channel-pacer.ts';
import { PacerStoppedError } from '../../src/coord/channel-pacer.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LocalChannelPacer', () => {
  it("runs one channel's calls in order, each at least the interval after the previous answer", async () => {
    const pacer = new LocalChannelPacer(150);
    const log: { n: number; start: number; end: number }[] = [];
    const call = (n: number) => pacer.run('C1', async () => {
      const start = Date.now();
      await sleep(20);
      log.push({ n, start, end: Date.now() });
      return n;
    });
    expect(await Promise.all([call(1), call(2), call(3)])).toEqual([1, 2, 3]);
    expect(log.map((l) => l.n)).toEqual([1, 2, 3]);
    for (let i = 1; i < log.length; i++) expect(log[i]!.start - log[i - 1]!.end).toBeGreaterThanOrEqual(148);
  });

  it('a call that fails still spaces the next, and its error reaches its caller only', async () => {
    const pacer = new LocalChannelPacer(100);
    let failedAt = 0;
    const failing = pacer.run('C1', async () => {
      failedAt = Date.now();
      throw new Error('channel_not_found');
    });
    const next = pacer.run('C1', async () => Date.now());
    await expect(failing).rejects.toThrow('channel_not_found');
    expect(await next).toBeGreaterThanOrEqual(failedAt + 100);
  });

  it('holds a channel for a Retry-After: its next call waits the hold out, another channel does not', async () => {
    const pacer = new LocalChannelPacer(10);
    const heldAt = Date.now();
    await pacer.hold('C1', 400);
    const order: string[] = [];
    const held = pacer.run('C1', async () => {
      order.push('C1');
      return Date.now();
    });
    const other = pacer.run('C2', async () => {
      order.push('C2');
      return Date.now();
    });
    await other;
    const ranAt = await held;
    expect(order).toEqual(['C2', 'C1']);
    expect(ranAt - heldAt).toBeGreaterThanOrEqual(395);
  });

  it('a hold made while a call waits for its turn makes it wait longer', async () => {
    const pacer = new LocalChannelPacer(200);
    await pacer.run('C1', async () => undefined);
    const waiting = pacer.run('C1', async () => Date.now());
    const heldAt = Date.now();
    await pacer.hold('C1', 500);
    expect((await waiting) - heldAt).toBeGreaterThanOrEqual(495);
  });

  it('stop: a call waiting for its turn rejects with PacerStoppedError without running; later calls too', async () => {
    const pacer = new LocalChannelPacer(10);
    await pacer.hold('C1', 60_000);
    let ran = false;
    const waiting = pacer.run('C1', async () => {
      ran = true;
    });
    pacer.stop();
    await expect(waiting).rejects.toBeInstanceOf(PacerStoppedError);
    await expect(pacer.run('C2', async () => 'x')).rejects.toBeInstanceOf(PacerStoppedError);
    expect(ran).toBe(false);
  });

  it('refuses an interval that is not a duration, naming it', () => {
    expect(() => new LocalChannelPacer(-1)).toThrow(/channel interval -1 ms is not a duration: give 0 or more milliseconds/);
  });
});
