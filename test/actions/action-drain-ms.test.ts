// How long running remedies get to finish at shutdown: their share of SHUTDOWN_GRACE_MS counted
// from the shutdown's start, so time the other stops took (slow while Slack is) comes off it and
// the margin to record the rest as interrupted stays before the exit is forced.
import { describe, expect, it } from 'vitest';
import { actionDrainMs } from '../../src/actions/action-runner.ts';

describe('actionDrainMs', () => {
  it('gives most of the grace when the shutdown has just begun (25 s: 17 s; 3 s: 1.5 s)', () => {
    expect(actionDrainMs(25_000)).toBe(17_000);
    expect(actionDrainMs(25_000, 0)).toBe(17_000);
    expect(actionDrainMs(3_000)).toBe(1_500);
  });

  it('takes off the time already spent, keeping the margin before the forced exit', () => {
    // 12 s of slow stops: 5 s left to finish, and the drain still ends 8 s before the exit.
    expect(actionDrainMs(25_000, 12_000)).toBe(5_000);
    for (const elapsed of [0, 1_000, 8_000, 16_999]) expect(elapsed + actionDrainMs(25_000, elapsed)).toBe(25_000 - 8_000);
  });

  it('is 0, not negative, once the stops took the whole share', () => {
    expect(actionDrainMs(25_000, 17_000)).toBe(0);
    expect(actionDrainMs(25_000, 30_000)).toBe(0);
  });
});
