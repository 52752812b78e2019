// Kubernetes quantities as the API server and metrics-server write them, read as numbers.
import { describe, expect, it } from 'vitest';
import { formatCpu, formatMemory, parseQuantity } from '../../../src/probes/kubernetes/quantity.ts';

describe('parseQuantity', () => {
  it('reads binary and decimal suffixes as bytes', () => {
    expect(parseQuantity('256Mi')).toBe(256 * 2 ** 20);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('15223608Ki')).toBe(15223608 * 1024);
    expect(parseQuantity('2Ti')).toBe(2 * 2 ** 40);
    expect(parseQuantity('500M')).toBe(500e6);
    expect(parseQuantity('128k')).toBe(128_000);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('93478772582')).toBe(93478772582);
  });

  it('reads cpu in cores: millicores, nanocores from metrics-server, whole and fractional cores', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25, 12);
    expect(parseQuantity('3920m')).toBeCloseTo(3.92, 12);
    expect(parseQuantity('123456n')).toBeCloseTo(0.000123456, 15);
    expect(parseQuantity('2718948n')).toBeCloseTo(0.002718948, 15);
    expect(parseQuantity('1500u')).toBeCloseTo(0.0015, 15);
    expect(parseQuantity('4')).toBe(4);
    expect(parseQuantity('0.5')).toBe(0.5);
    expect(parseQuantity('.5')).toBe(0.5);
  });

  it('reads exponent forms, a plus sign and numbers', () => {
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('12E-3')).toBeCloseTo(0.012, 12);
    expect(parseQuantity('1.5e+2')).toBe(150);
    expect(parseQuantity('+2')).toBe(2);
    expect(parseQuantity(3)).toBe(3);
  });

  it('refuses a negative amount: a limit, usage or allocatable below zero is no amount', () => {
    for (const bad of ['-1Ki', '-500m', '-1e3', '-0.5', -3]) expect(parseQuantity(bad), String(bad)).toBeUndefined();
    expect(parseQuantity('0')).toBe(0);
  });

  it('refuses what is not a quantity instead of reading it as zero', () => {
    // '1K' is not a Kubernetes quantity (kilo is 'k'): the API server refuses it, so do we.
    for (const bad of ['', ' ', 'abc', '1 Gi', '12KB', '1K', '1Gb', 'Mi', '1.2.3', '1e', '0x10', '1mi', undefined, null, Number.NaN, {}]) {
      expect(parseQuantity(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('formatting', () => {
  it('writes bytes in binary units and cpu as kubectl does', () => {
    expect(formatMemory(256 * 2 ** 20)).toBe('256Mi');
    expect(formatMemory(1.5 * 2 ** 30)).toBe('1.5Gi');
    expect(formatMemory(2048)).toBe('2Ki');
    expect(formatMemory(100)).toBe('100B');
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatCpu(1)).toBe('1 core');
    expect(formatCpu(3.92)).toBe('3.9 cores');
  });
});
