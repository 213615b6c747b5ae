/**
 * Quantizers with straight-through gradients (the tfjs half; ranges and row maths in nets/quant.ts).
 *
 * LSQ (Esser et al. 2020): v̂ = round(clip(v/s, −Q_N, Q_P))·s with a learned step s. Gradients:
 * ∂v̂/∂v = 1 inside the clip range, 0 outside (straight-through); ∂v̂/∂s = round(v/s) − v/s inside,
 * −Q_N or Q_P outside, scaled by g = 1/√(N·Q_P).
 *
 * BWN binary: α·sign(W), α = mean|W|. TWN ternary: Δ = 0.7·mean|W|, α = mean of |W| above Δ.
 * Both pass gradients straight through.
 */
import { InputError } from '../core/errors.ts';
import type { LsqRange } from '../nets/quant.ts';
import { customGrad, tf } from './backend.ts';
import { nativeLsq } from './native-kernels.ts';

/** LSQ fake-quantization of v with step s (a scalar tensor), differentiable in both. */
export function lsqQuantize(v: tf.Tensor, s: tf.Tensor, range: LsqRange): tf.Tensor {
  const gradScale = 1 / Math.sqrt(v.size * range.qp);
  const native = v.dtype === 'float32' ? nativeLsq() : undefined;
  if (native) {
    // One pass each way over the weights (16.8 M for the default FC1) instead of six or more.
    const fused = customGrad((value: tf.Tensor, step: tf.Tensor, save: tf.GradSaveFunc) => {
      save([value, step]);
      return {
        value: native.forward(value, step, range.qn, range.qp),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [dv, ds] = native.backward(dy, saved[0], saved[1], range.qn, range.qp);
          return [dv, tf.reshape(tf.mul(ds, gradScale), step.shape)];
        },
      };
    });
    return fused(v, s);
  }
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
