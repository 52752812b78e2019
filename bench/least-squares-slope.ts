// The trend of a series of samples: the slope of the least-squares line through (x, y), in y per x.
// The soak benchmark judges memory growth by it (MB per minute), not by first and last alone, so a
// single garbage collection near either end does not decide the verdict.

/** NaN with fewer than two distinct x: no trend can be drawn. */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.x - mx) * (p.y - my);
    sxx += (p.x - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}
