// OpenAI's rate-limit headers read per dimension, and the Go durations of their resets.
import { describe, expect, it } from 'vitest';
import { parseResetDuration, readOpenaiRateLimits } from '../../../src/probes/openai/openai-rate-limits.ts';

describe('parseResetDuration', () => {
  it.each([
    ['6m0s', 360],
    ['1s', 1],
    ['20ms', 0.02],
    ['1h2m3.5s', 3723.5],
    ['0s', 0],
    ['8.64s', 8.64],
    ['30', 30],
    ['250us', 0.00025],
  ])('%s is %d s', (raw, seconds) => {
    expect(parseResetDuration(raw)).toBeCloseTo(seconds, 9);
  });

  it.each(['', 'soon', '6 minutes', '-1s', '1d', 'm5', '9'.repeat(400), `${'9'.repeat(400)}s`])('"%s" is not a duration', (raw) => {
    expect(parseResetDuration(raw)).toBeUndefined();
  });
});

describe('readOpenaiRateLimits', () => {
  it('reads both dimensions with their percent and reset', () => {
    const r = readOpenaiRateLimits({
      'x-ratelimit-limit-requests': '10000', 'x-ratelimit-remaining-requests': '9999', 'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-limit-tokens': '200000', 'x-ratelimit-remaining-tokens': '20000', 'x-ratelimit-reset-tokens': '54m0s',
    });
    expect(r.requests).toEqual({ state: 'read', limit: 10000, remaining: 9999, pct: 99.99, resetS: 0.006 });
    expect(r.tokens).toEqual({ state: 'read', limit: 200000, remaining: 20000, pct: 10, resetS: 3240 });
  });

  it('-1, remaining without a limit, nothing, and unreadable values are said, not guessed', () => {
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-requests': '-1', 'x-ratelimit-remaining-requests': '-1' }).requests).toEqual({ state: 'unlimited', header: 'x-ratelimit-limit-requests', value: '-1' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-remaining-tokens': '500' }).tokens).toEqual({ state: 'no-limit', remaining: 500 });
    expect(readOpenaiRateLimits({}).requests).toEqual({ state: 'absent' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': 'lots' }).tokens).toMatchObject({ state: 'bad', header: 'x-ratelimit-remaining-tokens', value: 'lots' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-tokens': '0', 'x-ratelimit-remaining-tokens': '0' }).tokens).toMatchObject({ state: 'bad', header: 'x-ratelimit-limit-tokens' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-tokens': '1000' }).tokens).toMatchObject({ state: 'bad', header: 'x-ratelimit-remaining-tokens' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '1001' }).tokens).toMatchObject({ state: 'bad', value: '1001', expected: 'a whole number from 0 to the limit (1000)' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '-5' }).tokens).toMatchObject({ state: 'bad', value: '-5' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-tokens': '9'.repeat(30), 'x-ratelimit-remaining-tokens': '1' }).tokens).toMatchObject({ state: 'bad', header: 'x-ratelimit-limit-tokens' });
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': 'x'.repeat(5000) }).tokens).toMatchObject({ state: 'bad', value: `${'x'.repeat(40)}...` });
  });

  it('a reset that is not a duration is kept aside, the percent still read', () => {
    expect(readOpenaiRateLimits({ 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': '50', 'x-ratelimit-reset-requests': 'tomorrow' }).requests)
      .toEqual({ state: 'read', limit: 100, remaining: 50, pct: 50, badReset: 'tomorrow' });
  });
});
