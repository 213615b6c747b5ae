/**
 * Differentiable building blocks tuned for the wasm backend: its matMul with transposeA or
 * transposeB is ~15× slower than an explicit transpose followed by a plain matMul, and tfjs's
 * default matMul gradient uses exactly those flags — so the product here brings its own gradient.
 */
import { customGrad, tf } from './backend.ts';
import { nativeConvFilterGrad, nativeKernelsInstalled } from './native-kernels.ts';

/** a·b for 2-D a [m, k] and b [k, n], with gradients computed by plain matMuls. */
export const matMul = customGrad((a: tf.Tensor2D, b: tf.Tensor2D, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as tf.Tensor2D[];
      // OpenBLAS transposes for free; the wasm kernel's transposed path is the slow one.
      if (nativeKernelsInstalled()) return [tf.matMul(dy as tf.Tensor2D, sb, false, true), tf.matMul(sa, dy as tf.Tensor2D, true, false)];
      const bt = tf.transpose(sb);
      const at = tf.transpose(sa);
      const da = tf.matMul(dy as tf.Tensor2D, bt);
      const db = tf.matMul(at, dy as tf.Tensor2D);
      bt.dispose();
      at.dispose();
      return [da, db];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * A k_h×k_w convolution, NHWC, as an im2col product: the input's shifted windows are
 * concatenated along channels and multiplied by the flattened kernel. Only slices, a pad, a
 * concat and a matMul are involved — all with wasm kernels and gradients (the wasm backend has
 * no Conv2DBackpropFilter).
 */
export function conv2dIm2col(
  x: tf.Tensor4D,
  kernel: tf.Tensor2D,
  kh: number,
  kw: number,
  padding: 'same' | 'valid',
): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = x.shape;
    const ph = padding === 'same' ? kh - 1 : 0;
    const pw = padding === 'same' ? kw - 1 : 0;
    const padded = ph + pw > 0 ? tf.pad(x, [[0, 0], [Math.floor(ph / 2), ph - Math.floor(ph / 2)], [Math.floor(pw / 2), pw - Math.floor(pw / 2)], [0, 0]]) : x;
    const ho = h + ph - kh + 1;
    const wo = w + pw - kw + 1;
    const windows: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) windows.push(tf.slice(padded, [0, i, j, 0], [b, ho, wo, c]));
    const patches = windows.length === 1 ? windows[0] : tf.concat(windows, 3);
    const out = matMul(tf.reshape(patches, [b * ho * wo, kh * kw * c]) as tf.Tensor2D, kernel);
    return tf.reshape(out, [b, ho, wo, kernel.shape[1]]) as tf.Tensor4D;
  });
}

/**
 * A stride-1 convolution (NHWC, kernel [k_h, k_w, C_in, C_out]) on tfjs's own Conv2D kernel,
 * with its gradients: the input's by Conv2DBackpropInput (conv2dTranspose), the filter's by a
 * second Conv2D with batch and channels swapped — ∂W[i,j,c,o] = Σ_{b,h,w} x̃[b,h+i,w+j,c]·∂y[b,h,w,o]
 * is the 'valid' convolution of x̃ᵀ [C_in, H̃, W̃, B] with ∂yᵀ [H, W, B, C_out] as the filter.
 * Several times faster than im2col on wasm, where slices and concats dominate. With the native
 * kernels the filter's gradient is one im2col(x)ᵀ·∂y product instead (no transposes, no pad).
 */
export function conv2dFast(x: tf.Tensor4D, kernel: tf.Tensor4D, padding: 'same' | 'valid'): tf.Tensor4D {
  const [kh, kw] = kernel.shape;
  const f = customGrad((input: tf.Tensor4D, k: tf.Tensor4D, save: tf.GradSaveFunc) => {
    save([input, k]);
    return {
      value: tf.conv2d(input, k, 1, padding),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ks] = saved as tf.Tensor4D[];
        const dx = tf.conv2dTranspose(dy as tf.Tensor4D, ks, xs.shape, 1, padding);
        const native = nativeConvFilterGrad(xs, dy as tf.Tensor4D, ks.shape, [1, 1], padding);
        if (native) return [dx, native];
        const dk = tf.tidy(() => {
          const ph = padding === 'same' ? kh - 1 : 0;
          const pw = padding === 'same' ? kw - 1 : 0;
          const padded = ph + pw > 0 ? tf.pad(xs, [[0, 0], [Math.floor(ph / 2), ph - Math.floor(ph / 2)], [Math.floor(pw / 2), pw - Math.floor(pw / 2)], [0, 0]]) : xs;
          const xt = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
          const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
          return tf.transpose(tf.conv2d(xt, dyt, 1, 'valid'), [1, 2, 0, 3]);
        });
        return [dx, dk];
      },
    };
  });
  return f(x, kernel) as tf.Tensor4D;
}

/**
 * Batch normalisation (t − μ)·γ/√(σ² + ε) + β from broadcasting ops, for training. tf.batchNorm's
 * gradient tiles per-channel values to the input's full shape (Tile, then Sum, over the 16 M
 * conv activations of a (64, 1024) batch); broadcasting ops' gradients only reduce. A (64, 1024)
 * step at B = 1000 took 9.84 s with tf.batchNorm and 8.29 s with this, on the same idle machine
 * (`npx tsx bench/step-time.ts 64 1024 4`).
 */
export function batchNormBroadcast(t: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, beta: tf.Tensor, gamma: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(tf.sub(t, mean), tf.mul(gamma, tf.rsqrt(tf.add(variance, epsilon)))), beta));
}
