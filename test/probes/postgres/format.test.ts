import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatMs, formatPct } from '../../../src/probes/format.ts';

describe('postgres probe formatting', () => {
  it('writes durations the way a human says them', () => {
    expect(formatDuration(0.4)).toBe('<1 s');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(6 * 60 + 10)).toBe('6 min');
    expect(formatDuration(2 * 3600 + 5 * 60)).toBe('2 h 5 min');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3 d 4 h');
  });

  it('writes milliseconds, bytes and percentages', () => {
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(1234)).toBe('1.2 s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(7.3 * 1024 * 1024)).toBe('7.3 MB');
    expect(formatPct(91.4)).toBe('91%');
    expect(formatPct(99.87)).toBe('99.9%');
    expect(formatPct(0.01)).toBe('<0.1%');
  });
});
