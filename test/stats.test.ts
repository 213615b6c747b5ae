import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimate, formatEstimate, pairedDifference, t95, verdictOf } from '../core/stats.ts';
import { rng } from '../core/rng.ts';

describe('confidence intervals and paired differences', () => {
  it('t quantiles match the tables (3 decimals)', () => {
    for (const [dof, t] of [[3, 3.182], [5, 2.571], [6, 2.447], [10, 2.228], [30, 2.042], [100, 1.984], [999, 1.962]] as const) expect(Math.abs(t95(dof) - t)).toBeLessThan(1.5e-3);
  });

  it('the half-width is t·s/√n with the sample standard deviation', () => {
    const e = estimate([1, 2, 3, 4, 5]);
    expect(e.mean).toBe(3);
    expect(e.sd).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(e.halfWidth).toBeCloseTo((t95(4) * Math.sqrt(2.5)) / Math.sqrt(5), 12);
  });

  it('pairing removes what two answers share: a small gain on noisy samples is found paired and lost unpaired', () => {
    const r = rng(5);
    const base = Float64Array.from({ length: 500 }, () => 20 + 3 * r.normal());
    const better = base.map((v) => v + 0.05 + 0.01 * r.normal());
    const d = pairedDifference(better, base);
    expect(verdictOf(d)).toBe('higher');
    const a = estimate(better);
    const b = estimate(base);
    expect(a.mean - a.halfWidth < b.mean + b.halfWidth).toBe(true); // unpaired intervals overlap
  });

  it('covers the true mean in about 95% of seeded draws', () => {
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const r = rng(1000 + t);
      const e = estimate(Float64Array.from({ length: 40 }, () => 1 + r.normal()));
      if (Math.abs(e.mean - 1) <= e.halfWidth) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.92);
    expect(covered / trials).toBeLessThan(0.98);
  });

  it('the verdict is symmetric and says equal within noise when the interval holds zero', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 50 }), (xs) => {
        const zeros = xs.map(() => 0);
        const up = verdictOf(pairedDifference(xs, zeros));
        const down = verdictOf(pairedDifference(zeros, xs));
        expect(up === 'higher' ? down === 'lower' : up === 'lower' ? down === 'higher' : down === 'equal within noise').toBe(true);
      }),
    );
    expect(verdictOf(pairedDifference([1, -1, 1, -1], [0, 0, 0, 0]))).toBe('equal within noise');
    expect(formatEstimate({ mean: 28.71234, halfWidth: 0.1812, sd: 1, n: 500 })).toBe('28.712 ± 0.181');
  });
});
