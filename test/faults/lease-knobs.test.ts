// The environment knobs that say how soon a dead replica's work is taken over: defaults, accepted
// values, and refusals that name the variable, the bad value and the accepted range.
import { describe, expect, it } from 'vitest';
import { DEFAULT_DIGEST_LEASE_MS, readDigestLeaseMs } from '../../src/digest/digest-scheduler.ts';
import { DEFAULT_ESCALATION_LEASE_MS, readEscalationLeaseMs } from '../../src/incidents/escalation-engine.ts';

describe('lease knobs', () => {
  it('DIGEST_LEASE_MS: default 60 s, a whole number of ms from 300 to 3600000', () => {
    expect(readDigestLeaseMs({})).toBe(DEFAULT_DIGEST_LEASE_MS);
    expect(DEFAULT_DIGEST_LEASE_MS).toBe(60_000);
    expect(readDigestLeaseMs({ DIGEST_LEASE_MS: ' 1500 ' })).toBe(1500);
    for (const bad of ['299', '3600001', '1.5', '2s', '-1']) {
      expect(() => readDigestLeaseMs({ DIGEST_LEASE_MS: bad })).toThrow(`DIGEST_LEASE_MS="${bad}" is not accepted: expected a whole number of milliseconds from 300 to 3600000`);
    }
  });

  it('ESCALATION_LEASE_MS: default 30 s, a whole number of ms from 300 to 600000', () => {
    expect(readEscalationLeaseMs({ ESCALATION_LEASE_MS: '' })).toBe(DEFAULT_ESCALATION_LEASE_MS);
    expect(DEFAULT_ESCALATION_LEASE_MS).toBe(30_000);
    expect(readEscalationLeaseMs({ ESCALATION_LEASE_MS: '300' })).toBe(300);
    for (const bad of ['0', '600001', '30s']) {
      expect(() => readEscalationLeaseMs({ ESCALATION_LEASE_MS: bad })).toThrow(`ESCALATION_LEASE_MS="${bad}" is not accepted: expected a whole number of milliseconds from 300 to 600000`);
    }
  });
});
