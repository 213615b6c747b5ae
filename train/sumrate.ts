/**
 * The self-supervised objective of seed 000 (eq. 2, 5–6) in tfjs: the sum rate of the precoder
 * a network outputs, for a batch of channels in the dataset layout.
 *
 *   x: [B, 2, N_T, N_U] with x[b,0,n,k] = Re H[k,n], x[b,1,n,k] = Im H[k,n] (row k of H is h_kᴴ)
 *   v: [B, 2·N_T·N_U], first half Re V [N_T][N_U], second half Im V
 *   (HV)_kj = Σ_n H[k,n] V[n,j] = Σ_n x[n,k] v[n,j]
 */
import { tf } from './backend.ts';

export function sumRateTensor(x: tf.Tensor4D, v: tf.Tensor2D, noiseVar: number): tf.Tensor1D {
  return tf.tidy(() => {
    const [b, , nt, nu] = x.shape;
    const [xr, xi] = tf.split(x, 2, 1).map((t) => tf.reshape(t, [b, nt, nu, 1]));
    const [vr, vi] = tf.split(v, 2, 1).map((t) => tf.reshape(t, [b, nt, 1, nu]));
    const re = tf.sum(tf.sub(tf.mul(xr, vr), tf.mul(xi, vi)), 1);
    const im = tf.sum(tf.add(tf.mul(xr, vi), tf.mul(xi, vr)), 1);
    const gain = tf.add(tf.square(re), tf.square(im)); // [B, N_U, N_U], |h_kᴴ v_j|²
    const eye = tf.eye(nu).reshape([1, nu, nu]);
    const signal = tf.sum(tf.mul(gain, eye), 2);
    const total = tf.sum(gain, 2);
    const sinr = tf.div(signal, tf.add(tf.sub(total, signal), noiseVar));
    return tf.div(tf.sum(tf.log1p(sinr), 1), Math.LN2) as tf.Tensor1D;
  });
}
