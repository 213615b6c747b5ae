/**
 * The native matrix products (OpenBLAS over the wasm heap) against a float64 reference on random
 * shapes, transposes and batch broadcasts: 1e-5 relative. Skipped, saying why, where the addon
 * did not build (no compiler or no libopenblas-dev: the trainer then stays on plain wasm).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../train/backend.ts';
import { nativeProducts } from '../train/native-kernels.ts';

const backend = await initBackend('auto');
if (!nativeProducts()) console.warn(`test/native-kernels.test.ts skipped: ${backend}`);

/** op(A)·op(B) in float64, row-major, batch broadcast from 1. */
function reference(a: Float32Array, b: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number, ta: boolean, tb: boolean): Float64Array {
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    const oa = (batchA === 1 ? 0 : p) * m * k;
    const ob = (batchB === 1 ? 0 : p) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) s += a[oa + (ta ? q * m + i : i * k + q)] * b[ob + (tb ? j * k + q : q * n + j)];
        out[(p * m + i) * n + j] = s;
      }
  }
  return out;
}

describe.skipIf(!nativeProducts())('native matrix products (OpenBLAS on the wasm heap)', () => {
  it('equal a float64 product to 1e-5 relative, with transposes and broadcast batches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1 << 30 }), (m, n, k, batch, ta, tb, broadcast, seed) => {
        const batchA = batch;
        const batchB = broadcast ? 1 : batch;
        const a = tf.randomUniform([batchA, ta ? k : m, ta ? m : k], -1, 1, 'float32', seed);
        const b = tf.randomUniform([batchB, tb ? n : k, tb ? k : n], -1, 1, 'float32', seed + 1);
        const y = tf.matMul(a, b, ta, tb);
        const got = y.dataSync();
        const want = reference(a.dataSync() as Float32Array, b.dataSync() as Float32Array, batchA, batchB, m, n, k, ta, tb);
        tf.dispose([a, b, y]);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
        return got.length === want.length && worst < 1e-5;
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('a layer’s gradients through the native products equal the plain-wasm ones (checked against a float64 product)', () => {
    const x = tf.randomUniform([50, 30], -1, 1, 'float32', 3) as tf.Tensor2D;
    const w = tf.randomUniform([30, 20], -1, 1, 'float32', 4) as tf.Tensor2D;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))))([x, w]);
    // d/dx Σ(xw)² = 2(xw)wᵀ, d/dw = 2xᵀ(xw): computed in float64 here.
    const xv = x.dataSync() as Float32Array;
    const wv = w.dataSync() as Float32Array;
    const y = reference(xv, wv, 1, 1, 50, 20, 30, false, false);
    const twoY = Float32Array.from(y, (v) => 2 * v);
    const wantDx = reference(twoY, wv, 1, 1, 50, 30, 20, false, true);
    const wantDw = reference(xv, twoY, 1, 1, 30, 20, 50, true, false);
    const close = (got: ArrayLike<number>, want: Float64Array) => Array.from(want).every((v, i) => Math.abs(got[i] - v) <= 1e-4 * Math.max(1, Math.abs(v)));
    expect(close(dx.dataSync(), wantDx)).toBe(true);
    expect(close(dw.dataSync(), wantDw)).toBe(true);
    tf.dispose([x, w, dx, dw]);
  });
});
