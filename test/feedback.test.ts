/**
 * Classical CSI feedback (baselines/feedback.ts): budgets that add up, exact reconstruction of
 * channels the codebook spans, quantization error that falls with bits, the gain report, and the
 * user's counted work.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../core/rng.ts';
import { GAIN_BITS, OVERSAMPLING, planFeedback, reportChannel, type ArrayShape } from '../baselines/feedback.ts';

const shape: ArrayShape = { n1: 8, n2: 8 };
const nt = 64;

/** |⟨a, b⟩| / (‖a‖‖b‖): 1 when b is a up to a complex factor. */
function correlation(aRe: ArrayLike<number>, aIm: ArrayLike<number>, bRe: ArrayLike<number>, bIm: ArrayLike<number>): number {
  let re = 0, im = 0, na = 0, nb = 0;
  for (let i = 0; i < aRe.length; i++) {
    re += aRe[i] * bRe[i] + aIm[i] * bIm[i];
    im += aRe[i] * bIm[i] - aIm[i] * bRe[i];
    na += aRe[i] ** 2 + aIm[i] ** 2;
    nb += bRe[i] ** 2 + bIm[i] ** 2;
  }
  return Math.hypot(re, im) / Math.sqrt(na * nb);
}

/** Σ_j g_j·beam(l1_j, l2_j) on the oversampled grid. */
function beams(list: readonly { l1: number; l2: number; re: number; im: number }[]) {
  const re = new Float64Array(nt);
  const im = new Float64Array(nt);
  for (const b of list) {
    for (let m = 0; m < 8; m++) {
      for (let n = 0; n < 8; n++) {
        const p = 2 * Math.PI * ((m * b.l1) / (OVERSAMPLING * 8) + (n * b.l2) / (OVERSAMPLING * 8));
        re[m * 8 + n] += b.re * Math.cos(p) - b.im * Math.sin(p);
        im[m * 8 + n] += b.re * Math.sin(p) + b.im * Math.cos(p);
      }
    }
  }
  return { re, im };
}

describe('classical CSI feedback', () => {
  it('plans the largest codebook within a budget; the fields add up to the bits', () => {
    const at = (bits: number) => planFeedback('dft', bits, shape);
    // 32 bits: L = 2 (28 bits; L = 3 needs 40); 64: L = 5 (60; L = 6 needs 70); 128: L = 12 (122; L = 13 needs 130).
    expect([at(32), at(64), at(128)].map((p) => [p.size, p.bits])).toEqual([[2, 28], [5, 60], [12, 122]]);
    for (const bits of [16, 32, 64, 128, 256]) {
      const p = at(bits);
      expect(Object.values(p.fields).reduce((a, b) => a + b, 0)).toBe(p.bits);
      expect(p.bits).toBeLessThanOrEqual(bits);
      // The plan is the largest that fits: the bits it uses plan the same, and more beams need more than the budget.
      expect(at(p.bits).size).toBe(p.size);
      expect(p.size === 64 || at(256).size > p.size || bits >= 256).toBe(true);
    }
    // L = 2: 6 gain + 4 rotation + ⌈log₂ C(64, 2)⌉ = 11 + 1 strongest + 3 amplitude + 3 phase.
    expect(at(32).fields).toEqual({ gain: 6, rotation: 4, beams: 11, strongest: 1, amplitudes: 3, phases: 3 });
    expect(() => at(15)).toThrow(/bits: got 15; allowed: at least 16 bits for the DFT codebook/);
    expect(planFeedback('scalar', 262, shape)).toMatchObject({ size: 2, bits: GAIN_BITS + 256 });
    expect(() => planFeedback('scalar', 128, shape)).toThrow(/at least 134 bits for scalar quantization/);
  });

  it('rebuilds exactly what the codebook spans: one beam, and two orthogonal beams at a Type-II amplitude and 8PSK phase', () => {
    const one = beams([{ l1: 13, l2: 6, re: 0.3, im: -0.7 }]);
    const r1 = reportChannel(planFeedback('dft', 16, shape), shape, one.re, one.im, 0.01);
    expect(correlation(one.re, one.im, r1.re, r1.im)).toBeCloseTo(1, 9);
    // Same rotation group (l ≡ q mod 4): orthogonal; the second at amplitude 1/2 and phase 3π/4 relative to the first.
    const rel = { re: 0.5 * Math.cos((3 * Math.PI) / 4), im: 0.5 * Math.sin((3 * Math.PI) / 4) };
    const two = beams([{ l1: 5, l2: 2, re: 1, im: 0 }, { l1: 21, l2: 30, re: rel.re, im: rel.im }]);
    const r2 = reportChannel(planFeedback('dft', 32, shape), shape, two.re, two.im, 0.01);
    expect(correlation(two.re, two.im, r2.re, r2.im)).toBeCloseTo(1, 9);
    // With one beam only, the second is lost: correlation 1/√(1 + 1/4).
    expect(correlation(two.re, two.im, ...Object.values(reportChannel(planFeedback('dft', 16, shape), shape, two.re, two.im, 0.01)).slice(0, 2) as [Float64Array, Float64Array])).toBeCloseTo(1 / Math.sqrt(1.25), 9);
  });

  it('on random channels the error falls with bits, and the gain is reported to within half a dB', () => {
    const r = rng(7);
    const noiseVar = 0.05;
    const mean = (scheme: 'dft' | 'scalar', bits: number) => {
      let s = 0;
      for (let t = 0; t < 20; t++) {
        const re = Float64Array.from({ length: nt }, () => r.normal());
        const im = Float64Array.from({ length: nt }, () => r.normal());
        const out = reportChannel(planFeedback(scheme, bits, shape), shape, re, im, noiseVar);
        let n2 = 0, m2 = 0;
        for (let i = 0; i < nt; i++) {
          n2 += re[i] ** 2 + im[i] ** 2;
          m2 += out.re[i] ** 2 + out.im[i] ** 2;
        }
        expect(Math.abs(10 * Math.log10(m2 / n2))).toBeLessThanOrEqual(0.5 + 1e-9);
        s += correlation(re, im, out.re, out.im);
      }
      return s / 20;
    };
    const dft = [32, 64, 128, 512].map((b) => mean('dft', b));
    for (let i = 1; i < dft.length; i++) expect(dft[i]).toBeGreaterThan(dft[i - 1]);
    const scalar = [134, 262, 518].map((b) => mean('scalar', b));
    for (let i = 1; i < scalar.length; i++) expect(scalar[i]).toBeGreaterThan(scalar[i - 1]);
    expect(scalar[2]).toBeGreaterThan(0.99);
  });

  it('counts the user’s codebook search: every oversampled beam’s coefficient', () => {
    const one = beams([{ l1: 1, l2: 2, re: 1, im: 0 }]);
    const r = reportChannel(planFeedback('dft', 64, shape), shape, one.re, one.im, 0.01);
    expect(r.counts.mults).toBeGreaterThanOrEqual(4 * nt * (OVERSAMPLING * 8) ** 2);
    const s = reportChannel(planFeedback('scalar', 134, shape), shape, one.re, one.im, 0.01);
    expect(s.counts.mults).toBeLessThan(r.counts.mults / 100);
  });
});
