// A PromQL sample value as an on-call engineer reads it, by the query's unit: "5.3%", "1.2 s",
// "350 ms", "1.5 GB", "12", "0.053"; NaN and infinities named as such.
import { formatBytes } from '../format.ts';
import type { QueryUnit } from './query-config.ts';

export function formatQueryValue(value: number, unit: QueryUnit | undefined): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  switch (unit) {
    case '%':
      return `${plain(value)}%`;
    case 's':
      return Math.abs(value) < 1 && value !== 0 ? `${plain(value * 1000)} ms` : `${plain(value)} s`;
    case 'ms':
      return Math.abs(value) >= 1000 ? `${plain(value / 1000)} s` : `${plain(value)} ms`;
    case 'bytes':
      return value < 0 ? `-${formatBytes(-value)}` : formatBytes(value);
    default:
      return plain(value);
  }
}

/** Three significant digits at most, no exponent for ordinary sizes: 0.0532, 5.32, 53.2, 1234. */
function plain(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs < 0.001) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}
