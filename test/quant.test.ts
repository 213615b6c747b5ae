import { beforeAll, describe, expect, it } from 'vitest';
import { lsqInitialStep, lsqRange } from '../nets/quant.ts';
import { binarize, lsqQuantize, ternarize } from '../train/quant.ts';
import { initBackend, tf } from '../train/backend.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('LSQ', () => {
  it.each([2, 3, 4, 5, 8])('%i-bit signed: exactly 2^b levels k·s for k ∈ [−Q_N, Q_P], clipped beyond', (bits) => {
    const { qn, qp } = lsqRange(bits, true);
    expect([qn, qp]).toEqual([2 ** (bits - 1), 2 ** (bits - 1) - 1]);
    const s = 0.125;
    const values = Array.from({ length: 4001 }, (_, i) => (i - 2000) * ((2 * (qn + 2) * s) / 4000));
    const q = lsqQuantize(tf.tensor1d(values), tf.scalar(s), { qn, qp }).dataSync();
    const levels = [...new Set(Array.from(q))].sort((a, b) => a - b);
    expect(levels).toHaveLength(2 ** bits);
    levels.forEach((level, i) => expect(level).toBeCloseTo((i - qn) * s, 6));
  });

  it('16-bit and unsigned ranges', () => {
    expect(lsqRange(16, true)).toEqual({ qn: 32768, qp: 32767 });
    expect(lsqRange(4, false)).toEqual({ qn: 0, qp: 15 });
    expect(() => lsqRange(1, true)).toThrow(/bits: got 1/);
    const q = lsqQuantize(tf.tensor1d([-1, 0.26, 0.74, 5]), tf.scalar(0.5), lsqRange(2, false)).dataSync();
    expect(Array.from(q, (x) => x + 0)).toEqual([0, 0.5, 0.5, 1.5]);
  });

  it('step initialised to 2·mean|v|/√Q_P', () => {
    expect(lsqInitialStep([1, -3, 2, -2], lsqRange(4, true))).toBeCloseTo((2 * 2) / Math.sqrt(7), 12);
  });

  it('gradients match finite differences of the straight-through surrogate inside the clip range, and the clipped levels outside', () => {
    const bits = 4;
    const range = lsqRange(bits, true);
    const s0 = 0.3;
    // Inside the range and away from rounding boundaries (v/s ≠ k + 1/2), plus two clipped values.
    const v = [-1.01, -0.52, -0.07, 0.16, 0.44, 0.95, 1.37, 1.9, -2.2, 4.0];
    const c = [0.7, -1.3, 0.4, 2.1, -0.6, 1.1, -0.9, 0.5, 1.7, -0.8];
    const vVar = tf.variable(tf.tensor1d(v), true, 'quant-test-v');
    const sVar = tf.variable(tf.scalar(s0), true, 'quant-test-s');
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.tensor1d(c), lsqQuantize(vVar, sVar, range))) as tf.Scalar, [vVar, sVar]);
    const dv = grads[vVar.name].dataSync();
    const ds = grads[sVar.name].dataSync()[0];
    const gradScale = 1 / Math.sqrt(v.length * range.qp);
    // Surrogate G(v, s) = Σ c_i·(v_i + s·δ_i) inside, Σ c_i·(s·level_i) outside, with δ_i = round(v_i/s0) − v_i/s0 frozen.
    const inside = v.map((x) => x / s0 >= -range.qn && x / s0 <= range.qp);
    const delta = v.map((x) => Math.round(x / s0) - x / s0);
    const level = v.map((x) => Math.min(range.qp, Math.max(-range.qn, Math.round(x / s0))));
    const G = (vv: number[], s: number) => vv.reduce((acc, x, i) => acc + c[i] * (inside[i] ? x + s * delta[i] : s * level[i]), 0);
    const h = 1e-4;
    for (let i = 0; i < v.length; i++) {
      const plus = v.slice();
      const minus = v.slice();
      plus[i] += h;
      minus[i] -= h;
      const fd = (G(plus, s0) - G(minus, s0)) / (2 * h);
      expect(dv[i]).toBeCloseTo(fd, 4);
      expect(dv[i]).toBeCloseTo(inside[i] ? c[i] : 0, 6);
    }
    const fdS = (G(v, s0 + h) - G(v, s0 - h)) / (2 * h);
    expect(ds).toBeCloseTo(fdS * gradScale, 4);
  });
});


describe('BWN and TWN', () => {
  const w = [0.9, -0.1, 0.05, -1.2, 0.4, -0.45, 0.0, 0.3];
  const meanAbs = w.reduce((a, b) => a + Math.abs(b), 0) / w.length;
  it('binary: α·sign(W), α = mean|W|', () => {
    const b = Array.from(binarize(tf.tensor1d(w)).dataSync());
    expect(new Set(b.map((x) => Math.abs(x).toFixed(6)))).toEqual(new Set([meanAbs.toFixed(6)]));
    b.forEach((x, i) => expect(Math.sign(x)).toBe(w[i] >= 0 ? 1 : -1));
  });
  it('ternary: Δ = 0.7·mean|W|, levels {−α, 0, α} with α the mean |W| above Δ', () => {
    const delta = 0.7 * meanAbs;
    const kept = w.filter((x) => Math.abs(x) > delta);
    const alpha = kept.reduce((a, b) => a + Math.abs(b), 0) / kept.length;
    const t = Array.from(ternarize(tf.tensor1d(w)).dataSync());
    t.forEach((x, i) => expect(x).toBeCloseTo(Math.abs(w[i]) > delta ? Math.sign(w[i]) * alpha : 0, 6));
  });
  it('per column (one scale per row of the weight matrix, as a stochastic layer quantizes): each column alone', () => {
    // [fan-in 4, 2 rows]: the two columns of w interleaved
    const k = tf.tensor2d(w, [4, 2]);
    for (const [q, f] of [
      [binarize(k, true), binarize],
      [ternarize(k, true), ternarize],
    ] as const) {
      const cols = [0, 1].map((c) => Array.from(f(tf.tensor1d([0, 1, 2, 3].map((r) => w[r * 2 + c]))).dataSync()));
      Array.from(q.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(cols[i % 2][Math.floor(i / 2)], 6));
    }
  });
  it('pass gradients straight through', () => {
    const x = tf.variable(tf.tensor1d(w), true, 'quant-test-w');
    const { grads } = tf.variableGrads(() => tf.sum(tf.add(binarize(x), ternarize(x))) as tf.Scalar, [x]);
    expect(Array.from(grads[x.name].dataSync())).toEqual(w.map(() => 2));
  });
});

describe('k-bit activation (seed 002 eq. 22)', () => {
  it('2 bits: four levels in [0, 1] over the clip range; gradient straight through inside, zero outside', async () => {
    const { kbitActivation } = await import('../train/quant.ts');
    const u = [-2, -1, -0.4, 0, 0.2, 0.7, 1, 3];
    const y = Array.from(kbitActivation(tf.tensor1d(u), 2).dataSync());
    // (clip(u) + 1)/2·3 rounded, over 3
    u.forEach((v, i) => expect(y[i]).toBeCloseTo(Math.round(((Math.min(1, Math.max(-1, v)) + 1) / 2) * 3) / 3, 6));
    expect(new Set(y.map((v) => v.toFixed(4))).size).toBeLessThanOrEqual(4);
    const x = tf.variable(tf.tensor1d(u), true, 'kbit-test-x');
    const { grads } = tf.variableGrads(() => tf.sum(kbitActivation(x, 2)) as tf.Scalar, [x]);
    expect(Array.from(grads[x.name].dataSync())).toEqual(u.map((v) => (v >= -1 && v <= 1 ? 0.5 : 0)));
  });
});
