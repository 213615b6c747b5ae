/**
 * train/dropout.ts draws tf.dropout's own masks in a tight loop: the uniforms equal
 * tf.randomUniform's for the same seed, and outputs and gradients equal tf.dropout's, bit for bit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { initBackend, tf } from '../train/backend.ts';
import { aleaUniform, dropout, portableDropout } from '../train/dropout.ts';

await initBackend('auto');

describe('dropout with tfjs masks', () => {
  it('aleaUniform(seed, n) is tf.randomUniform([n], 0, 1, float32, seed)', () => {
    for (const seed of [0, 1, 7919, 123456789, 2 ** 40 + 3]) {
      const want = tf.randomUniform([5000], 0, 1, 'float32', seed);
      expect(Array.from(aleaUniform(seed, 5000))).toEqual(Array.from(want.dataSync()));
      want.dispose();
    }
  });
  it.each([
    ['native where the addon is in', dropout],
    ['portable', (x: tf.Tensor, rate: number, seed: number) => portableDropout(x, Math.fround(1 - rate), seed)],
  ])('outputs and gradients (%s) equal tf.dropout’s exactly, for any shape, rate and seed', (_, drop) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }), fc.double({ min: 0.01, max: 0.95, noNaN: true }), fc.nat(), (shape, rate, seed) => {
        const x = tf.randomNormal(shape, 0, 1, 'float32', seed + 1);
        const dy = tf.randomNormal(shape, 0, 1, 'float32', seed + 2);
        const ours = tf.tidy(() => [drop(x, rate, seed), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(drop(t, rate, seed), dy)))(x)]);
        const theirs = tf.tidy(() => [tf.dropout(x, rate, undefined, seed), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.dropout(t, rate, undefined, seed), dy)))(x)]);
        const same = ours.every((t, i) => Array.from(t.dataSync()).every((v, j) => Object.is(v, theirs[i].dataSync()[j])));
        tf.dispose([x, dy, ...ours, ...theirs]);
        return same;
      }),
      { numRuns: 60, seed: 3 },
    );
  });
});
