// A heartbeat outage's message: missed since when (HH:MM UTC, with the day when it is not today),
// what was expected, whether it never beat; then recovered with how long it was missing.
import { describe, expect, it } from 'vitest';
import { heartbeatMessage } from '../../src/heartbeats/heartbeat-message.ts';
import { plainText } from '../../src/message/message.ts';

const base = { name: 'nightly-backup', everyMs: 24 * 3_600_000, graceMs: 3_600_000, neverBeat: false, watchedSince: new Date('2026-11-20T09:00:00Z') };

describe('heartbeatMessage', () => {
  it('says since when a beat is missed, with the day when it is not today', () => {
    const m = heartbeatMessage({ ...base, status: 'missed', missedSince: new Date('2026-12-01T23:30:00Z'), recoveredAt: null }, new Date('2026-12-02T00:45:00Z'));
    expect(plainText(m.notification)).toBe('heartbeat nightly-backup missed since 23:30 UTC on 2026-12-01 (expected every 1 d, grace 1 h)');
    expect(m.blocks[0]).toEqual({ type: 'header', text: 'Missed: heartbeat nightly-backup', icon: 'crit' });
  });

  it('says when it never beat, and a grace of none', () => {
    const m = heartbeatMessage({ ...base, everyMs: 600_000, graceMs: 0, neverBeat: true, watchedSince: new Date('2026-12-02T02:00:00Z'), status: 'missed', missedSince: new Date('2026-12-02T02:10:00Z'), recoveredAt: null }, new Date('2026-12-02T02:11:00Z'));
    expect(plainText(m.notification)).toBe('heartbeat nightly-backup missed since 02:10 UTC (expected every 10 min, grace none; no beat since the bot started watching it at 02:00 UTC)');
  });

  it('turns recovered with how long it was missing', () => {
    const m = heartbeatMessage({ ...base, status: 'ok', missedSince: new Date('2026-12-02T02:00:00Z'), recoveredAt: new Date('2026-12-02T05:12:00Z') }, new Date('2026-12-02T05:12:00Z'));
    expect(plainText(m.notification)).toBe('heartbeat nightly-backup recovered at 05:12 UTC after 3 h 12 min missing (missed since 02:00 UTC, expected every 1 d, grace 1 h)');
    expect(m.blocks[0]).toEqual({ type: 'header', text: 'Recovered: heartbeat nightly-backup', icon: 'ok' });
  });
});
