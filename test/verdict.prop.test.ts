import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { againstFrontier, bestGain, cheapestClassical, claimedRate, classicalFrontier } from '../studies/verdict.ts';
import type { BaselinePoint } from '../studies/report-numbers.ts';
import type { StoredPoint } from '../search/store.ts';
import { pointKey, type TableRate } from '../search/rates-table.ts';

const classicalArb = fc.array(
  fc.record({ rate: fc.double({ min: 1, max: 30, noNaN: true }), measured: fc.double({ min: 1e-3, max: 100, noNaN: true }), paper: fc.option(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), { nil: null }) }),
  { minLength: 1, maxLength: 12 },
).map((xs) => xs.map((x, i): BaselinePoint => ({ label: `c${i}`, sumRate: x.rate, ci95: 0.1, energy_uJ: { measured: x.measured, paper: x.paper }, iterations: 1, capped: 0, samples: 100 })));

const dnn = (rate: number, energy: number, bits = [16, 16, 16, 16]): StoredPoint => ({ hash: `${rate}/${energy}`, experiment: 'x', head: 'structured', cout: 8, dfcl: 512, bits, preset: 'kasalaee2025', energy_uJ: energy, sumRate: rate, quality: 'q', config: {} });

describe('the classical frontier and the verdict (studies/verdict.ts)', () => {
  it('the frontier rises in rate as it rises in energy, and the cheapest answer reaching a rate is never beaten by another classical point', () => {
    fc.assert(
      fc.property(classicalArb, fc.double({ min: 0, max: 31, noNaN: true }), fc.constantFrom('measured' as const, 'paper' as const), (classical, rate, count) => {
        const front = classicalFrontier(classical, count);
        for (let i = 1; i < front.length; i++) {
          expect(front[i].energy_uJ[count]!).toBeGreaterThanOrEqual(front[i - 1].energy_uJ[count]!);
          expect(front[i].sumRate).toBeGreaterThan(front[i - 1].sumRate);
        }
        const cheapest = cheapestClassical(classical, rate, count);
        const reaching = classical.filter((c) => c.sumRate >= rate && c.energy_uJ[count] !== null);
        if (reaching.length === 0) expect(cheapest).toBeUndefined();
        else expect(cheapest!.energy_uJ[count]).toBe(Math.min(...reaching.map((c) => c.energy_uJ[count]!)));
      }),
      { seed: 29 },
    );
  });

  it('a DNN within noise of equal-power RZF claims no more than its rate; above it beyond noise it keeps its own', () => {
    const rzfEp: BaselinePoint = { label: 'equal-power RZF', sumRate: 10, ci95: 0.2, energy_uJ: { measured: 0.01, paper: 0.008 }, iterations: 1, capped: 0, samples: 100 };
    const p = dnn(10.3, 1);
    const rate = (mean: number, ci: number): TableRate => ({ sumRate: 10.3, std: 0, seeds: 1, testSamples: 100, ci95: 0.2, vsRzfEp: { mean, ci95: ci }, vsWmmse: null });
    expect(claimedRate(p, rate(0.3, 0.4), rzfEp)).toBe(10);
    expect(claimedRate(p, rate(0.3, 0.1), rzfEp)).toBe(10.3);
    expect(claimedRate(p, undefined, rzfEp)).toBe(10.3);
  });

  it('the headline gain: none when every DNN point costs more than the frontier at its rate, else the largest ratio', () => {
    const classical: BaselinePoint[] = [
      { label: 'cheap', sumRate: 10, ci95: 0.1, energy_uJ: { measured: 0.01, paper: 0.01 }, iterations: 1, capped: 0, samples: 100 },
      { label: 'dear', sumRate: 12, ci95: 0.1, energy_uJ: { measured: 5, paper: 500 }, iterations: 100, capped: 0, samples: 100 },
    ];
    const rates = new Map<string, TableRate>();
    const expensive = [dnn(9, 1), dnn(10, 2, [8, 8, 8, 8])];
    expect(bestGain(againstFrontier(expensive, rates, classical, classical[0], 'measured'))).toBeNull();
    const good = dnn(11, 0.5, [4, 4, 4, 4]);
    rates.set(pointKey(good), { sumRate: 11, std: 0, seeds: 1, testSamples: 100, ci95: 0.1, vsRzfEp: { mean: 1, ci95: 0.05 }, vsWmmse: null });
    const top = bestGain(againstFrontier([...expensive, good], rates, classical, classical[0], 'measured'));
    expect(top?.classical?.label).toBe('dear');
    expect(top?.gain).toBeCloseTo(10, 12);
    // Under the paper's count the same point gains 1000×.
    expect(bestGain(againstFrontier([good], rates, classical, classical[0], 'paper'))?.gain).toBeCloseTo(1000, 9);
  });
});
