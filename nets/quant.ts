/**
 * Quantizers with straight-through gradients.
 *
 * LSQ (Esser et al. 2020): v̂ = round(clip(v/s, −Q_N, Q_P))·s with a learned step s. Gradients:
 * ∂v̂/∂v = 1 inside the clip range, 0 outside (straight-through); ∂v̂/∂s = round(v/s) − v/s inside,
 * −Q_N or Q_P outside, scaled by g = 1/√(N·Q_P). The step starts at 2·mean|v|/√Q_P.
 * Signed (weights): Q_N = 2^(b−1), Q_P = 2^(b−1) − 1; unsigned (activations): Q_N = 0, Q_P = 2^b − 1.
 *
 * BWN binary: α·sign(W), α = mean|W|. TWN ternary: Δ = 0.7·mean|W|, α = mean of |W| above Δ.
 * Both pass gradients straight through.
 */
import { InputError } from '../core/errors.ts';
import { customGrad, tf } from './tf/backend.ts';

export interface LsqRange {
  readonly qn: number;
  readonly qp: number;
}

export function lsqRange(bits: number, signed: boolean): LsqRange {
  if (!Number.isInteger(bits) || bits < (signed ? 2 : 1) || bits > 32) {
    throw new InputError('bits', bits, `allowed: an integer from ${signed ? 2 : 1} to 32 for ${signed ? 'signed' : 'unsigned'} LSQ (use binary/ternary below)`);
  }
  return signed ? { qn: 2 ** (bits - 1), qp: 2 ** (bits - 1) - 1 } : { qn: 0, qp: 2 ** bits - 1 };
}

export function lsqInitialStep(values: Float32Array | number[], range: LsqRange): number {
  let s = 0;
  for (const v of values) s += Math.abs(v);
  const mean = s / Math.max(1, values.length);
  return Math.max((2 * mean) / Math.sqrt(range.qp), 1e-8);
}

/** LSQ fake-quantization of v with step s (a scalar tensor), differentiable in both. */
export function lsqQuantize(v: tf.Tensor, s: tf.Tensor, range: LsqRange): tf.Tensor {
  const gradScale = 1 / Math.sqrt(v.size * range.qp);
  const f = customGrad((value: tf.Tensor, step: tf.Tensor, save: tf.GradSaveFunc) => {
    const scaled = tf.div(value, step);
    const clipped = tf.clipByValue(scaled, -range.qn, range.qp);
    const rounded = tf.round(clipped);
    save([scaled, rounded]);
    return {
      value: tf.mul(rounded, step),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sc, rd] = saved;
        const inside = tf.logicalAnd(tf.greaterEqual(sc, -range.qn), tf.lessEqual(sc, range.qp));
        const dv = tf.where(inside, dy, tf.zerosLike(dy));
        // inside: round(v/s) − v/s; outside: the clipped level (−Q_N or Q_P)
        const local = tf.where(inside, tf.sub(rd, sc), rd);
        const ds = tf.mul(tf.sum(tf.mul(dy, local)), gradScale);
        return [dv, tf.reshape(ds, step.shape)];
      },
    };
  });
  return f(v, s);
}

/**
 * BWN: α·sign(W), α = mean|W|; gradient straight through. `perColumn`: one α per column of a
 * [fan-in, rows] kernel (per output row of the weight matrix, as a stochastic layer needs).
 */
export function binarize(w: tf.Tensor, perColumn = false): tf.Tensor {
  const f = customGrad((x: tf.Tensor) => {
    const alpha = perColumn ? tf.mean(tf.abs(x), 0, true) : tf.mean(tf.abs(x));
    // sign(0) = +1 so every weight takes one of the two levels
    const sign = tf.sub(tf.mul(tf.cast(tf.greaterEqual(x, 0), 'float32'), 2), 1);
    return { value: tf.mul(sign, alpha), gradFunc: (dy: tf.Tensor) => dy };
  });
  return f(w);
}

/** TWN: α·sign(W) where |W| > Δ = 0.7·mean|W|, else 0; α = mean of |W| above Δ (`perColumn` as for binarize). */
export function ternarize(w: tf.Tensor, perColumn = false): tf.Tensor {
  const f = customGrad((x: tf.Tensor) => {
    const abs = tf.abs(x);
    const axis = perColumn ? 0 : undefined;
    const delta = tf.mul(tf.mean(abs, axis, perColumn), 0.7);
    const mask = tf.cast(tf.greater(abs, delta), 'float32');
    const alpha = tf.div(tf.sum(tf.mul(abs, mask), axis, perColumn), tf.maximum(tf.sum(mask, axis, perColumn), 1));
    return { value: tf.mul(tf.mul(tf.sign(x), mask), alpha), gradFunc: (dy: tf.Tensor) => dy };
  });
  return f(w);
}

/**
 * Quantization error of each row of a [fan-in, rows] kernel (seed 002 eq. 21):
 * e_j = ‖W_j − Q_j‖₁ / ‖W_j‖₁ with Q_j the row's own BWN or TWN quantization.
 */
export function rowQuantizationErrors(kernel: Float32Array, fanIn: number, rows: number, mode: 'binary' | 'ternary'): Float64Array {
  const errors = new Float64Array(rows);
  for (let j = 0; j < rows; j++) {
    let l1 = 0;
    for (let i = 0; i < fanIn; i++) l1 += Math.abs(kernel[i * rows + j]);
    const mean = l1 / fanIn;
    let alpha = mean;
    let delta = 0;
    if (mode === 'ternary') {
      delta = 0.7 * mean;
      let above = 0;
      let n = 0;
      for (let i = 0; i < fanIn; i++) {
        const a = Math.abs(kernel[i * rows + j]);
        if (a > delta) {
          above += a;
          n++;
        }
      }
      alpha = n > 0 ? above / n : 0;
    }
    let err = 0;
    for (let i = 0; i < fanIn; i++) {
      const w = kernel[i * rows + j];
      const q = mode === 'ternary' && Math.abs(w) <= delta ? 0 : Math.sign(w || 1) * alpha;
      err += Math.abs(w - q);
    }
    errors[j] = l1 > 0 ? err / l1 : 0;
  }
  return errors;
}

/**
 * Seed 002 Algorithm 1 (circular lottery): picks `count` of the rows without replacement, each
 * draw with probability ∝ f_p = 1/(e_j + δ) (the linear QP function, δ = 10⁻⁶) among the rows
 * not yet picked. Returns a 0/1 mask (1 = quantized). `uniform` draws a number in [0, 1).
 */
export function circularLottery(errors: ArrayLike<number>, count: number, uniform: () => number): Float32Array {
  const n = errors.length;
  if (!Number.isInteger(count) || count < 0 || count > n) throw new InputError('rows to quantize', count, `allowed: an integer from 0 to ${n}`);
  const pr = Float64Array.from(errors, (e) => 1 / (e + 1e-6));
  const mask = new Float32Array(n);
  for (let picked = 0; picked < count; picked++) {
    let total = 0;
    for (const p of pr) total += p;
    const target = uniform() * total;
    // Walk the disc until the cumulative probability passes the drawn value.
    let i = 0;
    let s = 0;
    for (; i < n; i++) {
      s += pr[i];
      if (pr[i] > 0 && s > target) break;
    }
    if (i === n) i = pr.findLastIndex((p) => p > 0);
    mask[i] = 1;
    pr[i] = 0;
  }
  return mask;
}

/**
 * Seed 002 eq. (22), the k-bit activation: a = round((clip(u, x, y) − x)·(2^k − 1)/(y − x)) / (2^k − 1),
 * 2^k levels in [0, 1] for inputs bounded by (x, y). Straight-through inside the bounds, zero
 * gradient outside (the clip).
 */
export function kbitActivation(u: tf.Tensor, bits: number, lo = -1, hi = 1): tf.Tensor {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new InputError('activation bits', bits, 'allowed: an integer from 1 to 16');
  const levels = 2 ** bits - 1;
  const f = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    const scaled = tf.div(tf.sub(tf.clipByValue(x, lo, hi), lo), hi - lo);
    return {
      value: tf.div(tf.round(tf.mul(scaled, levels)), levels),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const inside = tf.logicalAnd(tf.greaterEqual(saved[0], lo), tf.lessEqual(saved[0], hi));
        return tf.where(inside, tf.div(dy, hi - lo), tf.zerosLike(dy));
      },
    };
  });
  return f(u);
}
