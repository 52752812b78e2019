import { describe, expect, it } from 'vitest';
import { formatBenchTable, formatFigure } from '../../bench/format-bench-table.ts';
import { leastSquaresSlope } from '../../bench/least-squares-slope.ts';

describe('the benchmark table', () => {
  it('prints one row per figure with its numbers in their unit, the ratio, the target and the verdict', () => {
    const table = formatBenchTable([
      { part: 'redis', name: '/diag redis, 1 million keys', figure: 'report time', unit: 'ms', median: 12.345, p95: 140.2, ratio: 1.126, target: '<= 1.5x', met: true },
      { part: 'soak', name: 'replica-1', figure: 'RSS trend', unit: 'MB/min', value: 2.5, target: '< 1 MB/min', met: false },
    ]);
    const lines = table.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('| Part | Benchmark | Figure | Value | Median | p95 | p99 | Ratio | Target | Met | Note |');
    expect(lines[2]).toBe('| redis | /diag redis, 1 million keys | report time | - | 12.3 ms | 140 ms | - | 1.13x | <= 1.5x | yes | - |');
    expect(lines[3]).toBe('| soak | replica-1 | RSS trend | 2.50 MB/min | - | - | - | - | < 1 MB/min | NO | - |');
  });

  it('says why a figure is missing: a part that cannot run here, or one that failed', () => {
    const table = formatBenchTable([
      { part: 'cli', name: 'vs check_postgres', figure: 'wall time ratio', target: '< 0.3x', skipped: 'check_postgres is not installed' },
      { part: 'k8s', name: '(the k8s part)', figure: '-', failed: 'the probe report is not meaningful | no figures' },
      { part: 'digest', name: 'trend chart', figure: 'render time', unit: 'ms', median: 40 },
    ]);
    const [skipped, failed, untargeted] = table.trim().split('\n').slice(2);
    expect(skipped).toContain('| skipped | not measured: check_postgres is not installed |');
    // A `|` in a message must not open a new cell.
    expect(failed).toContain('| FAILED | failed: the probe report is not meaningful \\| no figures |');
    expect(untargeted).toBe('| digest | trend chart | render time | - | 40.0 ms | - | - | - | - | - | - |');
  });

  it('shows counts whole and ratios with two decimals', () => {
    expect(formatFigure(12000)).toBe('12,000');
    expect(formatFigure(0.5, 'x')).toBe('0.50x');
    expect(formatFigure(undefined, 'ms')).toBe('-');
    expect(formatFigure(NaN, 'MB/min')).toBe('NaN');
  });
});

describe('the RSS trend', () => {
  it('is the least-squares slope: a steady climb under noise, and no trend for a flat series', () => {
    const climbing = Array.from({ length: 10 }, (_, i) => ({ x: i, y: 100 + 2 * i + (i % 2 === 0 ? 0.5 : -0.5) }));
    expect(leastSquaresSlope(climbing)).toBeCloseTo(2, 0);
    expect(leastSquaresSlope([{ x: 0, y: 5 }, { x: 1, y: 5 }, { x: 2, y: 5 }])).toBe(0);
    expect(leastSquaresSlope([{ x: 1, y: 5 }])).toBeNaN();
  });
});
