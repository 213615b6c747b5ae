import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { noiseVarForSnrDb, rayleighH, type Channel } from '../scenarios/channel.ts';
import { fromArrays, frobenius2, matmul } from '../linalg/complex.ts';
import { mrt, rzf, sumRate, zf } from '../baselines/precoders.ts';
import { rayleighChannels, runBaseline } from '../baselines/run.ts';
import { wmmse } from '../baselines/wmmse.ts';
import { rng } from '../core/rng.ts';

const channelArb = fc.record({
  seed: fc.integer({ min: 0, max: 1e6 }),
  nu: fc.integer({ min: 1, max: 4 }),
  extra: fc.integer({ min: 0, max: 12 }),
  snrDb: fc.integer({ min: -5, max: 25 }),
}).map(({ seed, nu, extra, snrDb }): Channel => ({ H: rayleighH(nu, nu + extra, rng(seed)), power: 1 + (seed % 3), noiseVar: noiseVarForSnrDb(snrDb, 1 + (seed % 3)) }));

/** |cos| of the angle between two precoders seen as vectors. */
function alignment(a: ReturnType<typeof zf>, b: ReturnType<typeof zf>): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < a.re.length; i++) {
    re += a.re[i] * b.re[i] + a.im[i] * b.im[i];
    im += a.im[i] * b.re[i] - a.re[i] * b.im[i];
  }
  return Math.hypot(re, im) / Math.sqrt(frobenius2(a) * frobenius2(b));
}

describe('linear precoders', () => {
  it('ZF nulls interference: |h_kᴴ v_j| ≈ 0 for j ≠ k', () => {
    fc.assert(
      fc.property(channelArb, (channel) => {
        const hv = matmul(channel.H, zf(channel));
        const k = hv.rows;
        const scale = Math.max(...Array.from({ length: k }, (_, i) => Math.hypot(hv.re[i * k + i], hv.im[i * k + i])));
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) expect(Math.hypot(hv.re[i * k + j], hv.im[i * k + j])).toBeLessThan(1e-9 * scale);
      }),
    );
  });

  it('every precoder meets the power constraint to 1e-9', () => {
    fc.assert(
      fc.property(channelArb, (channel) => {
        for (const v of [zf(channel), rzf(channel), mrt(channel)]) expect(Math.abs(frobenius2(v) - channel.power)).toBeLessThan(1e-9);
        expect(frobenius2(wmmse(channel, { tol: 1e-6, rule: 'abs', maxIter: 200 }).V)).toBeLessThan(channel.power + 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('RZF tends to MRT at very low SNR and to ZF at very high SNR', () => {
    const H = rayleighH(4, 16, rng(7));
    const at = (snrDb: number): Channel => ({ H, power: 1, noiseVar: noiseVarForSnrDb(snrDb) });
    expect(alignment(rzf(at(-60)), mrt(at(-60)))).toBeGreaterThan(1 - 1e-6);
    expect(alignment(rzf(at(80)), zf(at(80)))).toBeGreaterThan(1 - 1e-6);
    expect(alignment(zf(at(0)), mrt(at(0)))).toBeLessThan(0.99);
  });
});

describe('WMMSE', () => {
  it('never lowers the sum rate from one iteration to the next (the WMMSE objective at optimal u, w)', () => {
    fc.assert(
      fc.property(channelArb, (channel) => {
        const { rateHistory } = wmmse(channel, { tol: 0, rule: 'abs', maxIter: 40 });
        for (let i = 1; i < rateHistory.length; i++) expect(rateHistory[i]).toBeGreaterThanOrEqual(rateHistory[i - 1] - 1e-9 * Math.max(1, rateHistory[i - 1]));
      }),
      { numRuns: 60 },
    );
  });

  it('reaches at least the ZF and RZF sum rates (minus its tolerance) on random channels', () => {
    fc.assert(
      fc.property(channelArb, (channel) => {
        const r = wmmse(channel, { tol: 1e-7, rule: 'abs', maxIter: 3000 });
        expect(r.sumRate).toBeGreaterThanOrEqual(sumRate(channel, zf(channel)).sumRate - 1e-3);
        expect(r.sumRate).toBeGreaterThanOrEqual(sumRate(channel, rzf(channel)).sumRate - 1e-3);
      }),
      { numRuns: 40 },
    );
  });

  it('golden: on orthogonal (diagonal) channels it converges to water-filling', () => {
    // Gains 4, 1, 0.25 at σ² = 0.5, P = 1: water level ν from Σ (ν − σ²/g)⁺ = P.
    const channel: Channel = { H: fromArrays([[2, 0, 0], [0, 1, 0], [0, 0, 0.5]]), power: 1, noiseVar: 0.5 };
    const floors = [0.5 / 4, 0.5 / 1, 0.5 / 0.25];
    // Only the first two channels are active: ν = (1 + 0.125 + 0.5)/2 = 0.8125 < 2.
    const nu = (1 + floors[0] + floors[1]) / 2;
    const expected = Math.log2(1 + ((nu - floors[0]) * 4) / 0.5) + Math.log2(1 + ((nu - floors[1]) * 1) / 0.5);
    const r = wmmse(channel, { tol: 1e-12, rule: 'abs', maxIter: 20000 });
    expect(r.sumRate).toBeCloseTo(expected, 5);
    expect(r.rates[2]).toBeLessThan(1e-3);
  });

  it('golden: a fixed seeded 8×2 channel at 10 dB', () => {
    const [channel] = rayleighChannels({ nt: 8, nu: 2, snrDb: 10, samples: 1, seed: 42 });
    const z = sumRate(channel, zf(channel)).sumRate;
    const w = wmmse(channel, { tol: 1e-9, rule: 'abs', maxIter: 5000 });
    // Regression values of this implementation at seed 42 (change only with a reason).
    expect(z).toBeCloseTo(GOLDEN_ZF, 10);
    expect(w.sumRate).toBeCloseTo(GOLDEN_WMMSE, 8);
    expect(w.sumRate).toBeGreaterThan(z);
  });

  it('the abs and rel rules stop at different iterations; the cap is honoured', () => {
    const channels = rayleighChannels({ nt: 16, nu: 4, snrDb: 15, samples: 5, seed: 3 });
    const abs = runBaseline('wmmse', channels, { tol: 1e-5, rule: 'abs', maxIter: 5000 }, 15);
    const rel = runBaseline('wmmse', channels, { tol: 1e-5, rule: 'rel', maxIter: 5000 }, 15);
    expect(rel.iterations.mean).toBeLessThan(abs.iterations.mean);
    const capped = runBaseline('wmmse', channels, { tol: 0, rule: 'abs', maxIter: 7, init: 'mrt' }, 15);
    expect(capped.iterations.max).toBe(7);
    expect(capped.iterations.convergedFraction).toBe(0);
    // From the best start the cap holds per start: three starts, 7 iterations each.
    expect(runBaseline('wmmse', channels, { tol: 0, rule: 'abs', maxIter: 7 }, 15).iterations.max).toBe(21);
  });

  it('rejects a NaN channel and bad options, naming the field', () => {
    const H = rayleighH(2, 4, rng(1));
    H.re[5] = NaN;
    expect(() => wmmse({ H, power: 1, noiseVar: 0.1 })).toThrow(/channel\.H\[1\]\[1\]: got "NaN.*allowed: finite complex entries/);
    const ok = { H: rayleighH(2, 4, rng(1)), power: 1, noiseVar: 0.1 };
    expect(() => wmmse({ ...ok, noiseVar: 0 })).toThrow(/noiseVar: got 0/);
    expect(() => wmmse(ok, { tol: -1, rule: 'abs', maxIter: 10 })).toThrow(/tol: got -1/);
    expect(() => wmmse(ok, { tol: 1e-5, rule: 'abs', maxIter: 0 })).toThrow(/maxIter: got 0/);
  });
});

describe('seeded channels', () => {
  it('same seed, same bytes; another seed, other bytes', () => {
    const a = rayleighChannels({ nt: 8, nu: 2, snrDb: 10, samples: 3, seed: 9 });
    const b = rayleighChannels({ nt: 8, nu: 2, snrDb: 10, samples: 3, seed: 9 });
    const c = rayleighChannels({ nt: 8, nu: 2, snrDb: 10, samples: 3, seed: 10 });
    expect(Buffer.from(a[2].H.re.buffer)).toEqual(Buffer.from(b[2].H.re.buffer));
    expect(Buffer.from(a[2].H.re.buffer)).not.toEqual(Buffer.from(c[2].H.re.buffer));
  });
});

const GOLDEN_ZF = 10.153330216877784;
const GOLDEN_WMMSE = 10.242875342688611;
