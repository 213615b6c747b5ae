/**
 * A site scenario's users as CSI-feedback inputs (issue #31): each user's channel row h (1 × N_T,
 * an N₁ × N₂ UPA with element (m, n) at entry m·N₂ + n) as a 2 × N₁ × N₂ map in the angular domain
 * — the unitary 2-D DFT of the spatial map, where a site's few paths are few entries, as the
 * angular-delay maps of COST2100 are for CsiNet — scaled to unit norm and then to the codecs'
 * [0, 1] range: x = 0.5 + 0.5·F(h)/‖h‖ (every entry of a unit vector is within ±1). The gain ‖h‖ is
 * not in the map: a user reports it separately (baselines/feedback.ts, GAIN_BITS).
 *
 * Splits keep the scenario's held-out positions: the maps of a split are the users of that split.
 */
import { InputError } from '../core/errors.ts';
import type { Channel } from './channel.ts';
import { channelOf, type CsiDataset, type MimoDataset } from './dataset.ts';

export interface UpaShape {
  readonly n1: number;
  readonly n2: number;
}

/**
 * The 2-D DFT of an N₁ × N₂ complex map (row-major), forward (sign −1) or inverse (+1), scaled by
 * 1/√(N₁N₂): unitary at oversampling 1; at oversampling O, the (O·N₁) × (O·N₂) grid of
 * oversampled DFT beams' coefficients bᴴh (a Type-II codebook's search, baselines/feedback.ts).
 */
export function dft2(re: ArrayLike<number>, im: ArrayLike<number>, shape: UpaShape, sign: 1 | -1, oversampling = 1): { re: Float64Array; im: Float64Array } {
  const { n1, n2 } = shape;
  const g1 = oversampling * n1;
  const g2 = oversampling * n2;
  // Separable: first along n for every m (N₁ × G₂ sums of N₂), then along m (G₁ × G₂ sums of N₁);
  // the twiddles e^{sign·j2πk/G} come from tables indexed by (q·n) mod G, so no trigonometry per entry.
  const [c1, s1] = twiddles(g1, sign);
  const [c2, s2] = twiddles(g2, sign);
  const rowRe = new Float64Array(n1 * g2);
  const rowIm = new Float64Array(n1 * g2);
  for (let m = 0; m < n1; m++) {
    for (let q = 0; q < g2; q++) {
      let sr = 0;
      let si = 0;
      for (let n = 0, k = 0; n < n2; n++, k = (k + q) % g2) {
        const i = m * n2 + n;
        sr += re[i] * c2[k] - im[i] * s2[k];
        si += re[i] * s2[k] + im[i] * c2[k];
      }
      rowRe[m * g2 + q] = sr;
      rowIm[m * g2 + q] = si;
    }
  }
  const outRe = new Float64Array(g1 * g2);
  const outIm = new Float64Array(g1 * g2);
  const scale = 1 / Math.sqrt(n1 * n2);
  for (let p = 0; p < g1; p++) {
    for (let q = 0; q < g2; q++) {
      let sr = 0;
      let si = 0;
      for (let m = 0, k = 0; m < n1; m++, k = (k + p) % g1) {
        const xr = rowRe[m * g2 + q];
        const xi = rowIm[m * g2 + q];
        sr += xr * c1[k] - xi * s1[k];
        si += xr * s1[k] + xi * c1[k];
      }
      outRe[p * g2 + q] = sr * scale;
      outIm[p * g2 + q] = si * scale;
    }
  }
  return { re: outRe, im: outIm };
}

const TWIDDLES = new Map<number, readonly [Float64Array, Float64Array]>();

/** cos and sin of sign·2πk/g for k = 0 … g − 1 (cached per size and sign). */
function twiddles(g: number, sign: 1 | -1): readonly [Float64Array, Float64Array] {
  const key = sign * g;
  let t = TWIDDLES.get(key);
  if (!t) {
    const c = new Float64Array(g);
    const s = new Float64Array(g);
    for (let k = 0; k < g; k++) {
      c[k] = Math.cos((sign * 2 * Math.PI * k) / g);
      s[k] = Math.sin((sign * 2 * Math.PI * k) / g);
    }
    t = [c, s] as const;
    TWIDDLES.set(key, t);
  }
  return t;
}

/** One channel row as its codec map [re plane | im plane], written into `out` at `offset`. */
export function rowToMap(re: ArrayLike<number>, im: ArrayLike<number>, shape: UpaShape, out: Float32Array, offset: number): void {
  const n = shape.n1 * shape.n2;
  let norm2 = 0;
  for (let i = 0; i < n; i++) norm2 += re[i] ** 2 + im[i] ** 2;
  const f = norm2 > 0 ? 0.5 / Math.sqrt(norm2) : 0;
  const a = dft2(re, im, shape, -1);
  for (let i = 0; i < n; i++) {
    out[offset + i] = 0.5 + f * a.re[i];
    out[offset + n + i] = 0.5 + f * a.im[i];
  }
}

/** A rebuilt map back to a channel row of squared norm `gain` (the inverse of rowToMap up to that scale). */
export function mapToRow(map: ArrayLike<number>, offset: number, shape: UpaShape, gain: number): { re: Float64Array; im: Float64Array } {
  const n = shape.n1 * shape.n2;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    re[i] = map[offset + i] - 0.5;
    im[i] = map[offset + n + i] - 0.5;
  }
  const h = dft2(re, im, shape, 1);
  let norm2 = 0;
  for (let i = 0; i < n; i++) norm2 += h.re[i] ** 2 + h.im[i] ** 2;
  const f = norm2 > 0 ? Math.sqrt(gain / norm2) : 0;
  for (let i = 0; i < n; i++) {
    h.re[i] *= f;
    h.im[i] *= f;
  }
  return h;
}

/** Every user of every sample of a MIMO split as a codec map (count = samples × N_U), in sample-then-user order. */
export function feedbackMaps(ds: MimoDataset, shape: UpaShape): CsiDataset {
  const n = shape.n1 * shape.n2;
  if (ds.nt !== n) throw new InputError('scenario', ds.scenario, `allowed: a scenario whose ${ds.nt} antennas form the ${shape.n1}×${shape.n2} array`);
  const count = ds.count * ds.nu;
  const data = new Float32Array(count * 2 * n);
  for (let s = 0; s < ds.count; s++) {
    const ch: Channel = channelOf(ds, s);
    for (let k = 0; k < ds.nu; k++) {
      const row = k * n;
      rowToMap(ch.H.re.subarray(row, row + n), ch.H.im.subarray(row, row + n), shape, data, (s * ds.nu + k) * 2 * n);
    }
  }
  return { kind: 'csi', scenario: `${ds.scenario} (feedback maps)`, split: ds.split, count, rows: shape.n1, cols: shape.n2, data };
}
