/**
 * The native matrix products (OpenBLAS over the wasm heap) against a float64 reference on random
 * shapes, transposes and batch broadcasts: 1e-5 relative. Skipped, saying why, where the addon
 * did not build (no compiler or no libopenblas-dev: the trainer then stays on plain wasm).
 */
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../train/backend.ts';
import { nativeAdam, nativeBatchNorm, nativeLeakyRelu, nativeLsq, nativeKernelsInstalled } from '../train/native-kernels.ts';
import { batchNormBroadcast } from '../train/ops.ts';

const backend = await initBackend('auto');
if (!nativeKernelsInstalled()) console.warn(`test/native-kernels.test.ts skipped: ${backend}`);

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

/** A convolution's geometry: NHWC input [n, h, w, c], kernel [kh, kw, c, f], output [n, ho, wo, f]. */
interface ConvDims {
  readonly n: number; readonly h: number; readonly w: number; readonly c: number; readonly f: number;
  readonly kh: number; readonly kw: number; readonly ho: number; readonly wo: number;
  readonly stride: number; readonly dilation: number; readonly pt: number; readonly pl: number;
}

/** Every multiply-add of the convolution: visit(input index, kernel index, output index). */
function eachTerm(d: ConvDims, visit: (xi: number, ki: number, yi: number) => void): void {
  for (let b = 0; b < d.n; b++)
    for (let oy = 0; oy < d.ho; oy++)
      for (let ox = 0; ox < d.wo; ox++)
        for (let i = 0; i < d.kh; i++)
          for (let j = 0; j < d.kw; j++) {
            const iy = oy * d.stride + i * d.dilation - d.pt;
            const ix = ox * d.stride + j * d.dilation - d.pl;
            if (iy < 0 || iy >= d.h || ix < 0 || ix >= d.w) continue;
            for (let q = 0; q < d.c; q++)
              for (let o = 0; o < d.f; o++) visit(((b * d.h + iy) * d.w + ix) * d.c + q, ((i * d.kw + j) * d.c + q) * d.f + o, ((b * d.ho + oy) * d.wo + ox) * d.f + o);
          }
}

/** The convolution's output, input gradient and filter gradient in float64. */
function convReference(d: ConvDims, x: Float32Array, k: Float32Array, dy: Float32Array): { y: Float64Array; dx: Float64Array; dk: Float64Array } {
  const y = new Float64Array(d.n * d.ho * d.wo * d.f);
  const dx = new Float64Array(x.length);
  const dk = new Float64Array(k.length);
  eachTerm(d, (xi, ki, yi) => {
    y[yi] += x[xi] * k[ki];
    dx[xi] += dy[yi] * k[ki];
    dk[ki] += dy[yi] * x[xi];
  });
  return { y, dx, dk };
}

/** The largest |got − want| / max(1, |want|). */
const worstRelative = (got: ArrayLike<number>, want: ArrayLike<number>) => Array.from(want).reduce((m, v, i) => Math.max(m, Math.abs(got[i] - v) / Math.max(1, Math.abs(v))), 0);

/**
 * The largest |got − want| over the largest |want|: the normwise error, for sums of thousands of
 * float32 terms (a 1×1 filter gradient over 6 images of 32×32 adds 6,144), where any float32
 * summation order — OpenBLAS's included — leaves ~1e-5 on the entries that cancel most.
 */
const normwise = (got: ArrayLike<number>, want: ArrayLike<number>) => Array.from(want).reduce((m, v, i) => Math.max(m, Math.abs(got[i] - v)), 0) / Math.max(1, ...Array.from(want, Math.abs));

/** tf.conv2d's value and its two gradients for a loss Σ y·dy, on whatever kernels are registered. */
function convAndGrads(x: tf.Tensor4D, kernel: tf.Tensor4D, dy: tf.Tensor4D, stride: number, pad: 'same' | 'valid', dilation: number) {
  const y = tf.conv2d(x, kernel, stride, pad, 'NHWC', dilation);
  const grads = dilation === 1 ? tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad), dy)))([x, kernel]) : undefined;
  const out = { y: y.dataSync(), dx: grads?.[0].dataSync(), dk: grads?.[1].dataSync() };
  tf.dispose([y, ...(grads ?? [])]);
  return out;
}

describe.skipIf(!nativeKernelsInstalled())('native matrix products (OpenBLAS on the wasm heap)', () => {
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

  it('one native Adam pass gives the tfjs expression’s numbers bit for bit (plain and relative steps)', () => {
    const [w, g, m, v] = [1, 2, 3, 4].map((seed) => tf.randomUniform([1000, 37], seed === 4 ? 0 : -1, 1, 'float32', seed));
    for (const relative of [false, true]) {
      const hyper = { beta1: 0.9, beta2: 0.999, c2: 1 - 0.999 ** 7, epsilon: 1e-7, rate: 1e-3 / (1 - 0.9 ** 7), relative };
      const fused = nativeAdam(w, g, m, v, hyper)!;
      const m2 = tf.add(tf.mul(m, hyper.beta1), tf.mul(g, 1 - hyper.beta1));
      const v2 = tf.add(tf.mul(v, hyper.beta2), tf.mul(tf.square(g), 1 - hyper.beta2));
      const update = tf.mul(tf.div(m2, tf.add(tf.sqrt(tf.div(v2, hyper.c2)), hyper.epsilon)), hyper.rate);
      const w2 = tf.sub(w, relative ? tf.mul(update, tf.abs(w)) : update);
      expect(Array.from(fused[0].dataSync())).toEqual(Array.from(w2.dataSync()));
      expect(Array.from(fused[1].dataSync())).toEqual(Array.from(m2.dataSync()));
      expect(Array.from(fused[2].dataSync())).toEqual(Array.from(v2.dataSync()));
      tf.dispose([...fused, m2, v2, update, w2]);
    }
    tf.dispose([w, g, m, v]);
  });

  it('LSQ in one native pass: the forward bit for bit, the gradients to 1e-5 relative', () => {
    for (const [qn, qp] of [[8, 7], [128, 127], [2, 1]]) {
      const v = tf.randomUniform([3000, 41], -2, 2, 'float32', qp);
      const s = tf.scalar(0.05 + qp * 1e-3);
      const dy = tf.randomUniform([3000, 41], -1, 1, 'float32', qp + 1);
      const native = nativeLsq()!;
      const q = native.forward(v, s, qn, qp);
      const [dv, ds] = native.backward(dy, v, s, qn, qp);
      // The tfjs expression (train/quant.ts's path without the native kernels).
      const scaled = tf.div(v, s);
      const rounded = tf.round(tf.clipByValue(scaled, -qn, qp));
      const want = tf.mul(rounded, s);
      const inside = tf.logicalAnd(tf.greaterEqual(scaled, -qn), tf.lessEqual(scaled, qp));
      const wantDv = tf.where(inside, dy, tf.zerosLike(dy));
      const wantDs = tf.sum(tf.mul(dy, tf.where(inside, tf.sub(rounded, scaled), rounded)));
      expect(Array.from(q.dataSync())).toEqual(Array.from(want.dataSync()));
      expect(Array.from(dv.dataSync())).toEqual(Array.from(wantDv.dataSync()));
      const [got, expected] = [ds.dataSync()[0], wantDs.dataSync()[0]];
      expect(Math.abs(got - expected) / Math.max(1, Math.abs(expected))).toBeLessThan(1e-5);
      tf.dispose([v, s, dy, q, dv, ds, scaled, rounded, want, inside, wantDv, wantDs]);
    }
  });

  it('convolutions and both their gradients (direct, 1×1 and im2col + sgemm paths) equal float64 sums to 1e-5 relative: strides, dilations, same and valid padding', () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 3, max: 12 }), w: fc.integer({ min: 3, max: 12 }), c: fc.integer({ min: 1, max: 5 }), f: fc.constantFrom(1, 2, 6, 16, 17, 24), kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), dilation: fc.integer({ min: 1, max: 2 }), same: fc.boolean(), seed: fc.nat() }),
        ({ n, h, w, c, f, kh, kw, stride, dilation, same, seed }) => {
          if ((Math.max(kh, kw) - 1) * dilation + 1 > Math.min(h, w) || (stride > 1 && dilation > 1)) return true;
          const x = tf.randomUniform([n, h, w, c], -1, 1, 'float32', seed) as tf.Tensor4D;
          const kernel = tf.randomUniform([kh, kw, c, f], -1, 1, 'float32', seed + 1) as tf.Tensor4D;
          const [ho, wo] = [h, w].map((size, a) => (same ? Math.ceil(size / stride) : Math.floor((size - ((a ? kw : kh) - 1) * dilation - 1) / stride) + 1));
          const dy = tf.randomUniform([n, ho, wo, f], -1, 1, 'float32', seed + 2) as tf.Tensor4D;
          const pad = (size: number, out: number, k: number) => (same ? Math.max(0, (out - 1) * stride + (k - 1) * dilation + 1 - size) >> 1 : 0);
          const dims: ConvDims = { n, h, w, c, f, kh, kw, ho, wo, stride, dilation, pt: pad(h, ho, kh), pl: pad(w, wo, kw) };
          const want = convReference(dims, x.dataSync() as Float32Array, kernel.dataSync() as Float32Array, dy.dataSync() as Float32Array);
          const got = convAndGrads(x, kernel, dy, stride, same ? 'same' : 'valid', dilation);
          tf.dispose([x, kernel, dy]);
          return worstRelative(got.y, want.y) < 1e-5 && (!got.dx || worstRelative(got.dx, want.dx) < 1e-5) && (!got.dk || worstRelative(got.dk, want.dk) < 1e-5);
        },
      ),
      { numRuns: 80, seed: 11 },
    );
  });
  it('CRNet-sized convolutions, shared among threads, and their gradients equal float64 sums to 1e-5 of their largest entry', () => {
    for (const [kh, kw, c, f] of [[9, 1, 7, 7], [1, 5, 2, 7], [1, 1, 14, 2], [3, 3, 7, 20]]) {
      const [n, h, w] = [6, 32, 32];
      const x = tf.randomUniform([n, h, w, c], -1, 1, 'float32', kh * 7 + kw) as tf.Tensor4D;
      const kernel = tf.randomUniform([kh, kw, c, f], -1, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomUniform([n, h, w, f], -1, 1, 'float32', 3) as tf.Tensor4D;
      const want = convReference({ n, h, w, c, f, kh, kw, ho: h, wo: w, stride: 1, dilation: 1, pt: (kh - 1) >> 1, pl: (kw - 1) >> 1 }, x.dataSync() as Float32Array, kernel.dataSync() as Float32Array, dy.dataSync() as Float32Array);
      const got = convAndGrads(x, kernel, dy, 1, 'same', 1);
      tf.dispose([x, kernel, dy]);
      expect(Math.max(normwise(got.y, want.y), normwise(got.dx!, want.dx), normwise(got.dk!, want.dk)), `${kh}×${kw}, ${c} → ${f}`).toBeLessThan(1e-5);
    }
  });
  it('leaky ReLU and its gradient, concatenation and split in native passes give the tfjs numbers exactly', () => {
    fc.assert(
      fc.property(fc.record({ shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), parts: fc.integer({ min: 1, max: 3 }), axis: fc.nat(), alpha: fc.double({ min: 0.01, max: 0.9, noNaN: true }), seed: fc.nat() }), ({ shape, parts, axis, alpha, seed }) => {
        const x = tf.randomUniform(shape, -1, 1, 'float32', seed);
        const w = tf.randomUniform(shape, -1, 1, 'float32', seed + 1);
        const a = Math.fround(alpha);
        const [xv, wv] = [x.dataSync(), w.dataSync()];
        const [y, dx] = tf.tidy(() => [nativeLeakyRelu(x, alpha)!.dataSync(), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(nativeLeakyRelu(t, alpha)!, w)))(x).dataSync()]);
        const leakyOk = Array.from(xv).every((v, i) => y[i] === (v > 0 ? v : Math.fround(a * v)) && dx[i] === (v > 0 ? wv[i] : Math.fround(a * wv[i])));
        // Concatenate `parts` random tensors along one axis, then split the result back.
        const ax = axis % shape.length;
        const pieces = Array.from({ length: parts }, (_, p) => tf.randomUniform(shape.map((d, i) => (i === ax ? d + p : d)), -1, 1, 'float32', seed + 2 + p));
        const joined = tf.concat(pieces, ax);
        const outer = shape.slice(0, ax).reduce((p, d) => p * d, 1);
        const want = Array.from({ length: outer }, (_, r) => pieces.flatMap((t) => { const width = t.size / outer; return Array.from(t.dataSync().subarray(r * width, (r + 1) * width)); })).flat();
        const back = tf.split(joined, pieces.map((t) => t.shape[ax]), ax);
        const concatOk = Array.from(joined.dataSync()).every((v, i) => v === want[i]) && back.every((t, p) => Array.from(t.dataSync()).every((v, i) => v === pieces[p].dataSync()[i]));
        tf.dispose([x, w, joined, ...pieces, ...back]);
        return leakyOk && concatOk;
      }),
      { numRuns: 60, seed: 17 },
    );
  });
  it('sums over leading or trailing axes (native) and any other axes (wasm) equal float64 sums to 1e-5 of the terms’ magnitude', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.boolean(), fc.nat(), (shape, pick, keepDims, seed) => {
        const axes = shape.map((_, i) => i).filter((i) => pick[i]);
        if (axes.length === 0) return true;
        const x = tf.randomNormal(shape, 0, 1, 'float32', seed);
        const y = tf.sum(x, axes, keepDims);
        const xv = x.dataSync();
        const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const want = new Float64Array(kept.reduce((p, d) => p * d, 1));
        const scale = new Float64Array(want.length);
        const strides = shape.map((_, i) => shape.slice(i + 1).reduce((p, d) => p * d, 1));
        const keptStrides = kept.map((_, i) => kept.slice(i + 1).reduce((p, d) => p * d, 1));
        for (let i = 0; i < xv.length; i++) {
          let j = 0;
          for (let a = 0; a < shape.length; a++) if (!axes.includes(a)) j += Math.floor(i / strides[a]) % shape[a] * keptStrides[a];
          want[j] += xv[i];
          scale[j] += Math.abs(xv[i]);
        }
        const expected = keepDims ? kept : shape.filter((_, i) => !axes.includes(i));
        const ok = JSON.stringify(y.shape) === JSON.stringify(expected) && Array.from(y.dataSync()).every((v, i) => Math.abs(v - want[i]) <= 1e-5 * Math.max(1, scale[i]));
        tf.dispose([x, y]);
        return ok;
      }),
      { numRuns: 80, seed: 19 },
    );
  });
  it('batch normalisation in native passes: y, batch statistics and the gradients for x, γ, β equal the tfjs path to 1e-4', () => {
    // Rows in whole blocks of 8 and several 512-row sums, a tail of 4 rows, and only a tail.
    for (const shape of [[40, 6, 5, 7], [300, 33], [1027, 2], [5, 3]]) {
      const x = tf.randomNormal(shape, 0.3, 2, 'float32', 5);
      const c = shape[shape.length - 1];
      const gamma = tf.randomUniform([c], 0.5, 1.5, 'float32', 6);
      const beta = tf.randomUniform([c], -0.5, 0.5, 'float32', 7);
      const dy = tf.randomNormal(shape, 0, 1, 'float32', 8);
      const axes = shape.slice(0, -1).map((_, i) => i);
      const reference = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, axes);
        return batchNormBroadcast(a, mean, variance, b, g, 1e-3);
      };
      const native = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => nativeBatchNorm(a, g, b, 1e-3)!.y;
      const close = (got: tf.Tensor, want: tf.Tensor) => {
        const [gv, wv] = [got.dataSync(), want.dataSync()];
        return gv.length === wv.length && Array.from(wv).every((v, i) => Math.abs(gv[i] - v) <= 1e-4 * Math.max(1, Math.abs(v)));
      };
      const stats = nativeBatchNorm(x, gamma, beta, 1e-3)!;
      const moments = tf.moments(x, axes);
      expect(close(stats.mean, moments.mean) && close(stats.variance, moments.variance)).toBe(true);
      expect(close(native(x, gamma, beta), reference(x, gamma, beta))).toBe(true);
      const want = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => reference(a, g, b))([x, gamma, beta], dy);
      const got = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => native(a, g, b))([x, gamma, beta], dy);
      got.forEach((g, i) => expect(close(g, want[i]), `gradient ${i} of [${shape}]`).toBe(true));
    }
  });

});

describe.skipIf(!nativeKernelsInstalled())('the native boundary refuses what would read or write outside its tensors', () => {
  // The addon itself, on a buffer of its own: each tensor is a view of its own elements, and C
  // checks every size it is given against overflow and every run against its tensor's view.
  const blas = createRequire(import.meta.url)('@codesign/blas') as {
    sgemmBatch(buffer: ArrayBuffer, a: Float32Array, b: Float32Array, c: Float32Array, batchA: number, batchB: number, m: number, n: number, k: number, ta: boolean, tb: boolean): void;
    conv2d(buffer: ArrayBuffer, x: Float32Array, f: Float32Array, y: Float32Array, sizes: readonly number[]): void;
  };
  const buffer = new ArrayBuffer(4 * 1024);
  const view = (from: number, length: number) => new Float32Array(buffer, 4 * from, length);
  const [A, B, C] = [view(0, 4), view(16, 8), view(32, 8)];
  it('a batch broadcast from 1 runs and gives the product', () => {
    A.set([1, 2, 3, 4]); // 1 × [2 × 2]
    B.set([1, 0, 0, 1, 2, 0, 0, 2]); // 2 × [2 × 2]
    blas.sgemmBatch(buffer, A, B, C, 1, 2, 2, 2, 2, false, false);
    expect([...C]).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
  });
  it.each([
    ['a batch of 0', [A, B, C], [0, 1, 2, 2, 2]],
    ['batches 2 and 3 (neither 1, not equal)', [A, B, C], [2, 3, 2, 2, 2]],
    ['a negative size', [A, B, C], [1, 1, -2, 2, 2]],
    ['sizes whose product overflows int64', [A, B, C], [1, 1, 2 ** 40, 2 ** 40, 2 ** 40]],
    ["a size beyond cblas's int", [A, B, C], [1, 1, 2 ** 31, 1, 0]],
    ['an output longer than its tensor, though inside the heap (per-tensor bounds)', [A, B, view(32, 7)], [1, 2, 2, 2, 2]],
    ['an input that is not a Float32Array view', [A, B, new Float64Array(8) as unknown as Float32Array], [1, 2, 2, 2, 2]],
  ] as const)('sgemmBatch with %s is refused', (_, [a, b, c], [batchA, batchB, m, n, k]) => {
    expect(() => blas.sgemmBatch(buffer, a, b, c, batchA, batchB, m, n, k, false, false)).toThrow(/sgemmBatch\(.*batchA ≥ 1.*\): bad arguments, a size that overflows, or a matrix past its view/);
  });
  const [x, f, y] = [view(0, 16), view(64, 9), view(128, 4)];
  it.each([
    ['a 3×3 valid convolution of 4×4 → 2×2', [1, 4, 4, 1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 0, 0], y, true],
    ['sizes whose product overflows', [2 ** 30, 2 ** 30, 2 ** 30, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], y, false],
    ["rows beyond cblas's int", [2 ** 20, 2 ** 11, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], y, false],
    ['an input larger than its tensor (5×5 of a 4×4 view)', [1, 5, 5, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 0, 0], view(128, 9), false],
    ['an output view one element short', [1, 4, 4, 1, 3, 3, 1, 2, 2, 1, 1, 1, 1, 0, 0], view(128, 3), false],
  ] as const)('conv2d: %s', (_, sizes, out, ok) => {
    const call = () => blas.conv2d(buffer, x, f, out, sizes);
    if (ok) expect(call).not.toThrow();
    else expect(call).toThrow(/conv2d\(buffer, X, F, Y, sizes\): bad arguments or a run past its tensor's view/);
  });
});
