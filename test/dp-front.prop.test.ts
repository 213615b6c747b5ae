/** The DP front of sums equals the brute-force Pareto front (6 layers × 4 choices, random costs and noises). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paretoSums } from '../search/dp-front.ts';

const layerArb = fc.record({
  cost: fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }),
  noise: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
});

function bruteFront(layers: readonly { cost: number[]; noise: number[] }[]) {
  const all: { cost: number; noise: number; choices: number[] }[] = [];
  for (let code = 0; code < 4 ** layers.length; code++) {
    const choices = layers.map((_, l) => Math.floor(code / 4 ** (layers.length - 1 - l)) % 4);
    all.push({ cost: choices.reduce((s, c, l) => s + layers[l].cost[c], 0), noise: choices.reduce((s, c, l) => s + layers[l].noise[c], 0), choices });
  }
  // Non-dominated (sum by sum, in the same order the DP adds them, so ties compare exactly).
  return all.filter((p) => !all.some((q) => q.cost <= p.cost && q.noise <= p.noise && (q.cost < p.cost || q.noise < p.noise)));
}

describe('paretoSums', () => {
  it('equals the brute-force front of all 4⁶ assignments (costs and noises of the front, as sets)', () => {
    fc.assert(
      fc.property(fc.array(layerArb, { minLength: 6, maxLength: 6 }), (layers) => {
        const dp = paretoSums(layers);
        const brute = bruteFront(layers);
        const pairs = (xs: readonly { cost: number; noise: number }[]) => new Set(xs.map((p) => `${p.cost.toPrecision(12)}|${p.noise.toPrecision(12)}`));
        expect(pairs(dp)).toEqual(pairs(brute));
        // Each DP point's choices give back its sums.
        for (const p of dp) {
          expect(p.choices.reduce((s, c, l) => s + layers[l].cost[c], 0)).toBeCloseTo(p.cost, 9);
          expect(p.choices.reduce((s, c, l) => s + layers[l].noise[c], 0)).toBeCloseTo(p.noise, 9);
        }
      }),
      { numRuns: 25, seed: 20261204 },
    );
  });
});
