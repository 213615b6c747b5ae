import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { paperTraceGraph } from '../baselines/paper-traces.ts';
import { rayleighChannels, runBaseline } from '../baselines/run.ts';
import { graphCounts } from '../nets/counts.ts';
import { priceGraph } from '../sim/energy.ts';
import { KASALAEE_2025 } from '../sim/presets.ts';
import { baselineEnergy } from '../studies/classical-energy.ts';

describe('paper traces', () => {
  it('give exactly the eq. (12) and (13) counts for any N_T, N_U and I', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 64 }), fc.double({ min: 0.5, max: 1000, noNaN: true }), (nt, nu, iterations) => {
        const wmmse = graphCounts(paperTraceGraph({ algorithm: 'wmmse', nt, nu, iterations })).macs;
        const perIteration = (8 / 3) * nt ** 3 * nu + 4 * nt ** 2 * nu + 4 * nt * (4 * nu ** 2 + 2 * nu) + 4 * nu ** 2 + (56 / 3) * nu;
        expect(wmmse).toBeCloseTo(iterations * perIteration, 6);
        expect(graphCounts(paperTraceGraph({ algorithm: 'zf', nt, nu })).macs).toBeCloseTo(8 * nu ** 2 * nt + (8 / 3) * nu ** 3, 9);
      }),
    );
  });

  it('are priced by eq. (14): E_MAC·N_c + E_L·N_c/√p, nothing else', () => {
    const graph = paperTraceGraph({ algorithm: 'zf', nt: 32, nu: 8 });
    const nc = graphCounts(graph).macs;
    for (const p of [4, 64, 100]) {
      const e = priceGraph(graph, KASALAEE_2025, { p }).energy;
      expect(e.compute).toBeCloseTo(0.86 * nc, 6);
      expect(e.weight).toBe(0);
      expect(e.activation).toBeCloseTo((0.86 * nc) / Math.sqrt(p), 6);
    }
  });
});

describe('measured traces', () => {
  it('report our implementation’s counted operations next to the paper’s, at the measured mean I', () => {
    const channels = rayleighChannels({ nt: 16, nu: 4, snrDb: 10, samples: 4, seed: 5 });
    const run = runBaseline('wmmse', channels, { tol: 1e-5, rule: 'abs', maxIter: 500 }, 10);
    const energy = baselineEnergy(run, KASALAEE_2025);
    expect(graphCounts(run.paperGraph!).macs).toBeCloseTo(graphCounts(paperTraceGraph({ algorithm: 'wmmse', nt: 16, nu: 4, iterations: run.iterations.mean })).macs, 6);
    expect(run.measuredGraph.ops.map((op) => op.name)).toEqual(['gram', 'init', 'receivers.product', 'receivers', 'multiplier', 'precoder.product', 'precoder']);
    // The shaped products plus the remainders keep the measured totals when the mean iteration count is whole.
    expect(energy.measured.totals.macs).toBeGreaterThan(0);
    expect(energy.measured.energy.total).toBeGreaterThan(0);
    // The push-through form is O(N_T·N_U²) per iteration, far below eq. (12)'s O(N_T³·N_U).
    expect(energy.measured.totals.macs).toBeLessThan(energy.paper!.totals.macs);
  });

  it('shaped products carry exactly the counted multiplications (whole iteration counts)', () => {
    const channels = rayleighChannels({ nt: 8, nu: 2, snrDb: 10, samples: 1, seed: 3 });
    for (const [init, starts] of [['mrt', 1], ['best', 3]] as const) {
      const run = runBaseline('wmmse', channels, { tol: 0, rule: 'abs', maxIter: 7, init }, 10);
      const counted = Object.values(run.samples[0].counts).reduce((s, c) => s + c.mults, 0);
      expect(graphCounts(run.measuredGraph).macs).toBe(counted);
      // Every start's iterations are counted: 7 per start, and one H·V per start besides.
      const product = run.measuredGraph.ops.find((op) => op.name === 'precoder.product')!;
      expect(product).toMatchObject({ kind: 'matmul', M: 8, N: 2, K: 2, complex: true, repeat: 7 * starts });
      expect(run.measuredGraph.ops.find((op) => op.name === 'receivers.product')).toMatchObject({ repeat: 7 * starts + starts });
      expect(graphCounts({ name: 'p', ops: [run.measuredGraph.ops.find((op) => op.name === 'precoder')!] }).macs).toBe(0);
    }
  });

  it('ZF measured multiplications follow the implementation: Gram, N_U×N_U inverse, Hᴴ·G⁻¹, scaling', () => {
    const channels = rayleighChannels({ nt: 64, nu: 4, snrDb: 10, samples: 1, seed: 5 });
    const run = runBaseline('zf', channels, { tol: 1e-5, rule: 'abs', maxIter: 10 }, 10);
    const gramMults = 4 * 10 * 64; // 10 distinct (i ≤ j) pairs of 64-long complex dot products
    const productMults = 4 * 64 * 4 * 4;
    const measured = graphCounts(run.measuredGraph).macs;
    expect(measured).toBeGreaterThan(gramMults + productMults);
    expect(measured).toBeLessThan(gramMults + productMults + 2000);
  });
});
