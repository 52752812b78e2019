// The Wilson score interval of a proportion, one side at a time: how high (or low) the true hit
// rate can be, given `successes` out of `trials`, at a chosen confidence. Three misses and no hit
// leave the true rate anywhere from 0 to over 80%; three hundred misses pin it near 0.

/**
 * z for a one-sided 99.99% bound: a cache whose true hit rate sits at a threshold is called below
 * it by chance in at most one run out of 10,000.
 */
export const WILSON_Z = 3.719;

export interface WilsonBounds {
  /** 0..1 */
  lower: number;
  /** 0..1 */
  upper: number;
}

/** The bounds of successes/trials; [0, 1] when there are no trials. */
export function wilsonBounds(successes: number, trials: number, z = WILSON_Z): WilsonBounds {
  if (!(trials > 0)) return { lower: 0, upper: 1 };
  const p = Math.min(1, Math.max(0, successes / trials));
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const margin = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { lower: Math.max(0, centre - margin), upper: Math.min(1, centre + margin) };
}
