/**
 * A site's users as codec maps (scenarios/feedback-maps.ts): the unitary 2-D DFT against a direct
 * float64 sum, round trips, a grid beam landing on one angular entry, maps within the codecs'
 * [0, 1], and held-out splits kept.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../core/rng.ts';
import { dft2, feedbackMaps, mapToRow, rowToMap } from '../scenarios/feedback-maps.ts';
import { asMimo, channelOf, generateSplit } from '../scenarios/dataset.ts';
import { loadScenario, validateScenario } from '../scenarios/schema.ts';

const shape = { n1: 8, n2: 8 };

describe('feedback maps of a site scenario', () => {
  it('the 2-D DFT is unitary (norm kept, inverse exact) and puts a DFT beam on one entry', () => {
    const r = rng(3);
    const re = Float64Array.from({ length: 64 }, () => r.normal());
    const im = Float64Array.from({ length: 64 }, () => r.normal());
    const f = dft2(re, im, shape, -1);
    const back = dft2(f.re, f.im, shape, 1);
    const norm = (a: { re: ArrayLike<number>; im: ArrayLike<number> }) => Array.from(a.re).reduce((s, x, i) => s + x * x + a.im[i] ** 2, 0);
    expect(norm(f)).toBeCloseTo(norm({ re, im }), 9);
    for (let i = 0; i < 64; i++) {
      expect(back.re[i]).toBeCloseTo(re[i], 12);
      expect(back.im[i]).toBeCloseTo(im[i], 12);
    }
    // e^{+j2π(3m/8 + 5n/8)}: all its energy at angular entry (3, 5).
    const beam = { re: new Float64Array(64), im: new Float64Array(64) };
    for (let m = 0; m < 8; m++) for (let n = 0; n < 8; n++) {
      beam.re[m * 8 + n] = Math.cos(2 * Math.PI * ((3 * m) / 8 + (5 * n) / 8));
      beam.im[m * 8 + n] = Math.sin(2 * Math.PI * ((3 * m) / 8 + (5 * n) / 8));
    }
    const a = dft2(beam.re, beam.im, shape, -1);
    expect(Math.hypot(a.re[3 * 8 + 5], a.im[3 * 8 + 5])).toBeCloseTo(8, 9);
    expect(norm(a) - 64).toBeCloseTo(0, 9);
  });

  it('the separable, table-driven DFT equals the direct double sum, oversampled and on non-square arrays', () => {
    const r = rng(9);
    for (const [n1, n2, o, sign] of [[8, 8, 4, -1], [4, 8, 2, 1], [3, 5, 4, -1], [8, 8, 1, 1]] as const) {
      const re = Float64Array.from({ length: n1 * n2 }, () => r.normal());
      const im = Float64Array.from({ length: n1 * n2 }, () => r.normal());
      const got = dft2(re, im, { n1, n2 }, sign, o);
      const g1 = o * n1;
      const g2 = o * n2;
      for (let p = 0; p < g1; p++) {
        for (let q = 0; q < g2; q++) {
          let sr = 0;
          let si = 0;
          for (let m = 0; m < n1; m++) {
            for (let n = 0; n < n2; n++) {
              const a = sign * 2 * Math.PI * ((p * m) / g1 + (q * n) / g2);
              sr += re[m * n2 + n] * Math.cos(a) - im[m * n2 + n] * Math.sin(a);
              si += re[m * n2 + n] * Math.sin(a) + im[m * n2 + n] * Math.cos(a);
            }
          }
          expect(got.re[p * g2 + q]).toBeCloseTo(sr / Math.sqrt(n1 * n2), 10);
          expect(got.im[p * g2 + q]).toBeCloseTo(si / Math.sqrt(n1 * n2), 10);
        }
      }
    }
  });

  it('a row → map → row round trip keeps the direction exactly and takes the reported gain', () => {
    const r = rng(4);
    const re = Float64Array.from({ length: 64 }, () => r.normal());
    const im = Float64Array.from({ length: 64 }, () => r.normal());
    const map = new Float32Array(128);
    rowToMap(re, im, shape, map, 0);
    for (const v of map) expect(v >= 0 && v <= 1).toBe(true);
    const h = mapToRow(map, 0, shape, 2.5);
    let dot = 0, n2 = 0, g = 0;
    for (let i = 0; i < 64; i++) {
      dot += re[i] * h.re[i] + im[i] * h.im[i];
      n2 += re[i] ** 2 + im[i] ** 2;
      g += h.re[i] ** 2 + h.im[i] ** 2;
    }
    expect(g).toBeCloseTo(2.5, 9);
    // float32 maps: the direction to 1e-6.
    expect(dot / Math.sqrt(n2 * g)).toBeCloseTo(1, 6);
  });

  it('a split’s maps are its users, in sample-then-user order', () => {
    const site = validateScenario({ ...loadScenario('udem-nlos'), name: 'maps-site', split: { train: 20, validation: 10, test: 6 } }, 'maps-site');
    const test = asMimo(generateSplit(site, 'test'));
    const maps = feedbackMaps(test, shape);
    expect([maps.count, maps.rows, maps.cols, maps.split]).toEqual([6 * 4, 8, 8, 'test']);
    const ch = channelOf(test, 2);
    const one = new Float32Array(128);
    rowToMap(ch.H.re.subarray(3 * 64, 4 * 64), ch.H.im.subarray(3 * 64, 4 * 64), shape, one, 0);
    expect(Array.from(maps.data.subarray((2 * 4 + 3) * 128, (2 * 4 + 4) * 128))).toEqual(Array.from(one));
  });
});
