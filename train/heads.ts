/**
 * The model-driven precoder head's steps (graph kinds gram, reginverse, beamform, userpower) in
 * tfjs, differentiable. Complex matrices are channel-first [B, 2, rows, cols] (real, imaginary
 * planes); the channel is x[b, ·, n, k] = H[k, n] (row k of H is h_kᴴ), as datasets store it.
 *
 *   U = Hᴴ (I + D G)⁻¹ = Hᴴ D^½ (I + D^½ G D^½)⁻¹ D^-½,  G = H Hᴴ,  D = diag(λ_k / σ²)
 *   w_k = √p_k · u_k / ‖u_k‖
 *
 * (Björnson, Bengtsson, Ottersten 2014; Xia et al. 2020): w_k ∝ (I + Σ_j d_j h_j h_jᴴ)⁻¹ h_k,
 * and the push-through identity turns that N_T×N_T inverse into the N_U×N_U one above. The
 * symmetric form keeps the matrix inverted Hermitian positive definite; the right factor D^-½
 * only scales columns, which the normalisation removes. The left factor D^½ does not: it scales
 * the rows of the inverse, i.e. how much of user j's channel enters user k's beam.
 */
import { tf } from './backend.ts';

type Complex = readonly [tf.Tensor3D, tf.Tensor3D];

function planes(t: tf.Tensor4D): Complex {
  const [b, , r, c] = t.shape;
  const [re, im] = tf.split(t, 2, 1);
  return [tf.reshape(re, [b, r, c]), tf.reshape(im, [b, r, c])];
}

function stack([re, im]: Complex): tf.Tensor4D {
  return tf.stack([re, im], 1) as tf.Tensor4D;
}

/** A batched product with explicit transposes (wasm's transposed matMul is ~15× slower). */
const transpose = (t: tf.Tensor3D) => tf.transpose(t, [0, 2, 1]) as tf.Tensor3D;

/** G = H Hᴴ: G[k,j] = Σ_n x[n,k]·conj(x[n,j]). */
export function gramOf(h: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [xr, xi] = planes(h);
    const xrT = transpose(xr);
    const xiT = transpose(xi);
    return stack([tf.add(tf.matMul(xrT, xr), tf.matMul(xiT, xi)), tf.sub(tf.matMul(xiT, xr), tf.matMul(xrT, xi))]);
  });
}

/** Inverts a batch of n×n matrices by Gauss–Jordan without pivoting (positive definite here). */
function invertPd(a: tf.Tensor3D): tf.Tensor3D {
  return tf.tidy(() => {
    const [bs, n] = a.shape;
    let m = tf.concat([a, tf.tile(tf.eye(n).reshape([1, n, n]), [bs, 1, 1])], 2) as tf.Tensor3D;
    for (let p = 0; p < n; p++) {
      const row = tf.div(tf.slice(m, [0, p, 0], [bs, 1, 2 * n]), tf.slice(m, [0, p, p], [bs, 1, 1]));
      const col = tf.slice(m, [0, 0, p], [bs, n, 1]);
      const unit = tf.oneHot([p], n).reshape([1, n, 1]);
      m = tf.add(tf.sub(m, tf.mul(col, row)), tf.mul(unit, row)) as tf.Tensor3D;
    }
    return tf.slice(m, [0, 0, n], [bs, n, n]);
  });
}

/** The head's d_k = λ_k/σ² are kept within this factor of RZF's loading, so A stays conditioned in float32. */
export const LOADING_RANGE = 1e4;

/** d_k = loading · softplus(scale·o_k) / ln 2, clipped to loading·[1/LOADING_RANGE, LOADING_RANGE]. */
export function loadings(o: tf.Tensor2D, users: number, loading: number, scale: number): tf.Tensor2D {
  return tf.tidy(() => {
    const first = tf.slice(o, [0, 0], [o.shape[0], users]);
    const d = tf.mul(tf.softplus(tf.mul(first, scale)), loading / Math.LN2);
    return tf.clipByValue(d, loading / LOADING_RANGE, loading * LOADING_RANGE) as tf.Tensor2D;
  });
}

/** X = D^½ (I + D^½ G D^½)⁻¹ ∝ (I + D G)⁻¹ per column, for G [B, 2, N_U, N_U] and the head's outputs o [B, 2·N_U]. */
export function regularizedInverse(g: tf.Tensor4D, o: tf.Tensor2D, loading: number, scale: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [bs, , nu] = g.shape;
    const sq = tf.sqrt(loadings(o, nu, loading, scale));
    const [gr, gi] = planes(g);
    const outer = tf.mul(sq.reshape([bs, nu, 1]), sq.reshape([bs, 1, nu]));
    const ar = tf.add(tf.mul(gr, outer), tf.eye(nu).reshape([1, nu, nu]));
    const ai = tf.mul(gi, outer);
    // A Hermitian matrix as the real 2N_U × 2N_U [[Ar, −Ai], [Ai, Ar]]; its inverse has the same form.
    const inv = invertPd(tf.concat([tf.concat([ar, tf.neg(ai)], 2), tf.concat([ai, ar], 2)], 1) as tf.Tensor3D);
    const rows = sq.reshape([bs, nu, 1]);
    return stack([tf.mul(tf.slice(inv, [0, 0, 0], [bs, nu, nu]), rows), tf.mul(tf.slice(inv, [0, nu, 0], [bs, nu, nu]), rows)]);
  });
}

/** Hᴴ·X: Hᴴ[n,k] = conj(x[n,k]). */
export function beamform(h: tf.Tensor4D, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [hr, hi] = planes(h);
    const [xr, xi] = planes(x);
    return stack([tf.add(tf.matMul(hr, xr), tf.matMul(hi, xi)), tf.sub(tf.matMul(hr, xi), tf.matMul(hi, xr))]);
  });
}

/** Powers below this stay there (√p's gradient is infinite at 0). */
const MIN_POWER = 1e-8;

/** Each column u_k to √p_k · u_k/‖u_k‖, p_k = softplus(scale·o_{N_U+k}). */
export function userPower(w: tf.Tensor4D, o: tf.Tensor2D, scale: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [bs, , , nu] = w.shape;
    const p = tf.maximum(tf.softplus(tf.mul(tf.slice(o, [0, nu], [bs, nu]), scale)), MIN_POWER);
    const norm2 = tf.sum(tf.square(w), [1, 2]); // [B, N_U]
    const factor = tf.sqrt(tf.div(p, tf.add(norm2, 1e-30))).reshape([bs, 1, 1, nu]);
    return tf.mul(w, factor) as tf.Tensor4D;
  });
}

/**
 * H·V [B, 2, N_U, N_U] for the channel x[n,k] = H[k,n] and a precoder V [B, 2, N_T, N_U] scaled
 * to ‖V‖_F² = power: (H·V)[k,j] = Σ_n x[n,k]·V[n,j]·√(power/‖V‖²).
 */
export function channelGains(h: tf.Tensor4D, v: tf.Tensor4D, power: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [xr, xi] = planes(h);
    const [vr, vi] = planes(v);
    const xrT = transpose(xr);
    const xiT = transpose(xi);
    const factor = tf.sqrt(tf.div(power, tf.add(tf.sum(tf.square(v), [1, 2, 3], true), 1e-30)));
    return tf.mul(stack([tf.sub(tf.matMul(xrT, vr), tf.matMul(xiT, vi)), tf.add(tf.matMul(xrT, vi), tf.matMul(xiT, vr))]), factor);
  });
}

/** The learned factors e^{scale·o} stay within e^{±UNFOLDED_LOG_RANGE}, so the weights and μ stay finite in float32. */
export const UNFOLDED_LOG_RANGE = 8;

export interface WmmseUpdateSpec {
  readonly offset: number;
  readonly power: number;
  readonly noiseVar: number;
  readonly scale: number;
}

/**
 * One WMMSE V update's coefficients X (V = Hᴴ·X) from H·V [B, 2, N_U, N_U], G and the head's
 * outputs o [B, L] (nets/graph.ts `wmmseupdate`). With d_k = |u_k|²w̃_k > 0,
 * (DG + μI)⁻¹B = D^½ (D^½GD^½ + μI)⁻¹ D^-½B and D^-½B = diag(u_k √w̃_k / |u_k|): the matrix
 * inverted is Hermitian positive definite, as in the structured head.
 */
export function wmmseUpdate(hv: tf.Tensor4D, g: tf.Tensor4D, o: tf.Tensor2D, spec: WmmseUpdateSpec): tf.Tensor4D {
  return tf.tidy(() => {
    const [bs, , nu] = hv.shape;
    const [hr, hi] = planes(hv);
    const eye = tf.eye(nu).reshape([1, nu, nu]);
    const received = tf.add(tf.sum(tf.add(tf.square(hr), tf.square(hi)), 2), spec.noiseVar); // [B, N_U]
    const ar = tf.sum(tf.mul(hr, eye), 2);
    const ai = tf.sum(tf.mul(hi, eye), 2);
    const signal = tf.add(tf.square(ar), tf.square(ai));
    const ur = tf.div(ar, received);
    const ui = tf.div(ai, received);
    const w = tf.div(received, tf.sub(received, signal));
    const factor = (start: number, size: number) => tf.exp(tf.clipByValue(tf.mul(tf.slice(o, [0, spec.offset + start], [bs, size]), spec.scale), -UNFOLDED_LOG_RANGE, UNFOLDED_LOG_RANGE));
    const wt = tf.mul(w, factor(0, nu));
    const u2 = tf.add(tf.add(tf.square(ur), tf.square(ui)), 1e-30);
    const d = tf.mul(u2, wt);
    const sq = tf.sqrt(d);
    const mu = tf.mul(factor(nu, 1), tf.mul(tf.sum(d, 1, true), spec.noiseVar / spec.power)); // [B, 1]
    const [gr, gi] = planes(g);
    const outer = tf.mul(sq.reshape([bs, nu, 1]), sq.reshape([bs, 1, nu]));
    const sr = tf.add(tf.mul(gr, outer), tf.mul(eye, mu.reshape([bs, 1, 1])));
    const si = tf.mul(gi, outer);
    const inv = invertPd(tf.concat([tf.concat([sr, tf.neg(si)], 2), tf.concat([si, sr], 2)], 1) as tf.Tensor3D);
    const yr = tf.slice(inv, [0, 0, 0], [bs, nu, nu]);
    const yi = tf.slice(inv, [0, nu, 0], [bs, nu, nu]);
    const amplitude = tf.div(tf.sqrt(wt), tf.sqrt(u2));
    const br = tf.mul(ur, amplitude).reshape([bs, 1, nu]);
    const bi = tf.mul(ui, amplitude).reshape([bs, 1, nu]);
    const rows = sq.reshape([bs, nu, 1]);
    return stack([
      tf.mul(tf.sub(tf.mul(yr, br), tf.mul(yi, bi)), rows) as tf.Tensor3D,
      tf.mul(tf.add(tf.mul(yr, bi), tf.mul(yi, br)), rows) as tf.Tensor3D,
    ]);
  });
}
