import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { achievedSinr, powerMinimizingPrecoder } from '../baselines/blp.ts';
import { rayleighH } from '../scenarios/channel.ts';
import { rotatedSignals, solveSlp } from '../baselines/slp.ts';
import { rng } from '../core/rng.ts';

const instance = (seed: number, users: number, antennas: number, snrDb: number) => {
  const r = rng(seed);
  const H = rayleighH(users, antennas, r);
  return {
    H,
    phases: Float64Array.from({ length: users }, () => (Math.PI / 4) * (2 * r.int(4) + 1)),
    sinr: new Float64Array(users).fill(10 ** (snrDb / 10)),
    noiseVar: 1,
    order: 4,
  };
};

describe('symbol-level precoding (seed 002 eq. 2)', () => {
  it('meets every constructive-interference constraint on random instances, with a KKT certificate', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 30 }), (seed, users, extra, snrDb) => {
        const p = instance(seed, users, users + extra, snrDb);
        const s = solveSlp(p);
        const gamma = Math.sqrt(10 ** (snrDb / 10));
        const y = rotatedSignals(p, s.re, s.im);
        for (let k = 0; k < users; k++) {
          // |Im ỹ| ≤ (Re ỹ − √(Γσ²))·tan(π/4), to numerical tolerance relative to the signal
          expect(Math.abs(y.im[k]) - (y.re[k] - gamma)).toBeLessThanOrEqual(1e-8 * Math.max(1, gamma));
        }
        expect(s.maxViolation).toBeLessThanOrEqual(1e-8 * Math.max(1, gamma));
        expect(s.slackness).toBeLessThanOrEqual(1e-6 * Math.max(1, s.power));
      }),
      { numRuns: 80 },
    );
  });

  it('is optimal: no feasible point along a random direction from the solution has less power', () => {
    const p = instance(11, 4, 4, 15);
    const s = solveSlp(p);
    const r = rng(3);
    for (let trial = 0; trial < 200; trial++) {
      const dr = Float64Array.from({ length: 4 }, () => r.normal() * 0.01);
      const di = Float64Array.from({ length: 4 }, () => r.normal() * 0.01);
      const xr = s.re.map((v, i) => v + dr[i]);
      const xi = s.im.map((v, i) => v + di[i]);
      const y = rotatedSignals(p, xr, xi);
      const feasible = Array.from(y.re).every((re, k) => Math.abs(y.im[k]) <= re - Math.sqrt(p.sinr[k]) + 1e-12);
      const power = xr.reduce((a, v) => a + v * v, 0) + xi.reduce((a, v) => a + v * v, 0);
      if (feasible) expect(power).toBeGreaterThanOrEqual(s.power - 1e-9);
    }
  });
});

describe('block-level precoding (least power for SINR targets)', () => {
  it('meets its SINR targets exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 25 }), (seed, snrDb) => {
        const p = instance(seed, 4, 4, snrDb);
        const b = powerMinimizingPrecoder(p.H, p.sinr, 1);
        achievedSinr(p.H, b, 1).forEach((g, k) => expect(g / p.sinr[k]).toBeCloseTo(1, 6));
      }),
      { numRuns: 40 },
    );
  });

  it('at M = K = 4, SLP needs less transmit power than block-level precoding from 10 dB up (30 channels × random QPSK symbols)', () => {
    // SLP's constraints scale with √γ, so its power scales with the SINR target γ: solved once at
    // 10 dB (checked against a direct solve on a few channels), scaled to 20 and 30 dB. Block-level
    // precoding's fixed point is slow at 30 dB (≈ 0.24 s a channel here), so 30 channels: SLP's
    // total is 0.38–0.50 of BLP's on them, far from the line the test draws.
    const channels = 30;
    const at10 = Array.from({ length: channels }, (_, seed) => solveSlp(instance(1000 + seed, 4, 4, 10)).power);
    for (const seed of [0, 1, 2]) expect(solveSlp(instance(1000 + seed, 4, 4, 30)).power).toBeCloseTo(100 * at10[seed], 4);
    for (const snrDb of [10, 20, 30]) {
      let blp = 0;
      for (let seed = 0; seed < channels; seed++) {
        const p = instance(1000 + seed, 4, 4, snrDb);
        blp += powerMinimizingPrecoder(p.H, p.sinr, 1).totalPower;
      }
      const slp = 10 ** ((snrDb - 10) / 10) * at10.reduce((a, b) => a + b, 0);
      expect(slp).toBeLessThan(blp);
    }
  });
});
