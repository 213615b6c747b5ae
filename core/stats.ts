/**
 * Means with confidence intervals, and paired differences: how a rate on test samples is
 * reported, and how two answers on the same samples are compared (never by their means alone).
 */

/** A mean over samples with its two-sided 95% confidence half-width (Student's t). */
export interface Estimate {
  readonly mean: number;
  /** The interval is mean ± halfWidth. */
  readonly halfWidth: number;
  readonly sd: number;
  readonly n: number;
}

/** Student's t for two-sided 95% at 1…5 degrees of freedom (tables). */
const T95_SMALL = [12.706, 4.303, 3.182, 2.776, 2.571];

/** Student's t quantile for a two-sided 95% interval with `dof` degrees of freedom (< 0.05% error). */
export function t95(dof: number): number {
  if (!(dof >= 1)) return Infinity;
  if (dof <= T95_SMALL.length) return T95_SMALL[Math.floor(dof) - 1];
  // Cornish–Fisher expansion of t around the normal quantile.
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  const g4 = (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / 92160;
  return z + g1 / dof + g2 / dof ** 2 + g3 / dof ** 3 + g4 / dof ** 4;
}

export function estimate(values: ArrayLike<number>): Estimate {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  return { mean, sd, n, halfWidth: n > 1 ? (t95(n - 1) * sd) / Math.sqrt(n) : Infinity };
}

/** a − b sample by sample (the same samples in the same order). */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>): Estimate {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in count: ${a.length} vs ${b.length}`);
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return estimate(d);
}

/** How a difference reads: above or below zero beyond its interval, or equal within noise. */
export type Verdict = 'higher' | 'lower' | 'equal within noise';

export function verdictOf(d: Estimate): Verdict {
  if (d.mean - d.halfWidth > 0) return 'higher';
  if (d.mean + d.halfWidth < 0) return 'lower';
  return 'equal within noise';
}

/** "28.712 ± 0.181" with the digits the interval supports (at least `min`). */
export function formatEstimate(e: Estimate, min = 3): string {
  const digits = Math.max(min, Number.isFinite(e.halfWidth) && e.halfWidth > 0 ? Math.min(6, 1 - Math.floor(Math.log10(e.halfWidth))) : min);
  return `${e.mean.toFixed(digits)} ± ${e.halfWidth.toFixed(digits)}`;
}
