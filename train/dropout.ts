/**
 * Dropout with tfjs's own masks, drawn fast. tf.dropout draws its uniforms through
 * UniformRandom.nextValue — a method call and a closure per value of seedrandom's Alea — about
 * 20 ns a value: 60 ms of a 250 ms (8, 512) precoder step at B = 1000 went to the 3 M draws of
 * its three dropout layers. The same generator in one tight loop over local doubles gives the
 * same numbers (Alea and its Mash seeding are plain double arithmetic, reproduced here from
 * seedrandom 3.0.5's lib/alea.js), and the mask is formed with tf.dropout's float32 operations:
 * ⌊u + keep⌋ / keep. So masks, outputs and gradients are tf.dropout's, bit for bit (tested).
 * With the native kernels the draws, the mask and the product are one C pass (the generator's
 * double arithmetic reproduced there).
 */
import { tf } from './backend.ts';
import { nativeDropout } from './native-kernels.ts';

/** seedrandom's Mash: hashes the seed's text into the generator's state. */
function mash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * 0x100000000;
    }
    return (n >>> 0) * 2.3283064365386963e-10;
  };
}

/** Alea's state after seeding with String(seed), as seedrandom.alea(seed) starts. */
export interface AleaState {
  readonly s0: number;
  readonly s1: number;
  readonly s2: number;
  readonly c: number;
}

export function aleaState(seed: number): AleaState {
  const m = mash();
  let s0 = m(' ');
  let s1 = m(' ');
  let s2 = m(' ');
  const text = String(seed);
  s0 -= m(text);
  if (s0 < 0) s0 += 1;
  s1 -= m(text);
  if (s1 < 0) s1 += 1;
  s2 -= m(text);
  if (s2 < 0) s2 += 1;
  return { s0, s1, s2, c: 1 };
}

/** `count` draws of seedrandom.alea(String(seed)), each stored as float32 (tf.randomUniform's values on [0, 1)). */
export function aleaUniform(seed: number, count: number): Float32Array {
  let { s0, s1, s2, c } = aleaState(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const t = 2091639 * s0 + c * 2.3283064365386963e-10;
    s0 = s1;
    s1 = s2;
    c = t | 0;
    s2 = t - c;
    out[i] = s2;
  }
  return out;
}

/** tf.dropout(x, rate, undefined, seed): natively in one pass where the addon is in, else portably. */
export function dropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  const keep = Math.fround(1 - rate);
  return nativeDropout(x, aleaState(seed), keep) ?? portableDropout(x, keep, seed);
}

/** The same without the addon: aleaUniform's draws, the mask in float32, a tfjs product. */
export function portableDropout(x: tf.Tensor, keep: number, seed: number): tf.Tensor {
  const u = aleaUniform(seed, x.size);
  // ⌊u + keep⌋ / keep in float32, as tf.dropout's add, floor and div kernels compute it.
  const scale = Math.fround(1 / keep);
  for (let i = 0; i < u.length; i++) u[i] = Math.fround(u[i] + keep) >= 1 ? scale : 0;
  return tf.tidy(() => tf.mul(x, tf.tensor(u, x.shape, 'float32')));
}
