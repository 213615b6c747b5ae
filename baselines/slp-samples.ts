/**
 * The samples symbol-level precoding is measured on (seed 002): seeded Rayleigh channels, QPSK
 * symbols, the rotated channels and (AAᴴ)⁻¹, and the unit-margin power of a precoder direction.
 * Pure float64; the learned precoder (train/slp.ts) and the optimal one (slp-curve.ts) share them.
 */
import { rayleighH } from '../scenarios/channel.ts';
import { cmat, gram as gramOf, inverse, type CMatrix } from '../linalg/complex.ts';
import { InputError } from '../core/errors.ts';
import { rng } from '../core/rng.ts';

/** QPSK: the constructive region's half-angle θ = π/4. */
export const QPSK_ORDER = 4;

export const TAN_THETA = Math.tan(Math.PI / QPSK_ORDER);

export const SLP_FEATURES = ['channels', 'gram'] as const;
export type SlpFeatures = (typeof SLP_FEATURES)[number];

export interface SlpSamples {
  readonly m: number;
  readonly k: number;
  readonly count: number;
  /** Rotated channels per sample, [1, 2M, K] channel-first: rows 0..M−1 Re a_k, M..2M−1 Im a_k. */
  readonly rotated: Float32Array;
  /** What the network reads per sample: the rotated channels, or W̃ / tr W̃ as [1, 2K, 2K]. */
  readonly features: SlpFeatures;
  readonly x: Float32Array;
  readonly inputShape: readonly [number, number, number];
  /** Per sample, the 2K × 2K real form [[Wr, −Wi], [Wi, Wr]] of W = (AAᴴ)⁻¹: power = c̃ᵀ W̃ c̃. */
  readonly gram: Float32Array;
  readonly channels: readonly CMatrix[];
  readonly phases: readonly Float64Array[];
}

/** The rotated channel matrix A (K × M, row k = a_kᵀ = h_kᵀ e^{−jφ_k}). */
export function rotatedChannel(H: CMatrix, phases: Float64Array): CMatrix {
  const A = cmat(H.rows, H.cols);
  for (let u = 0; u < H.rows; u++) {
    const c = Math.cos(phases[u]);
    const s = Math.sin(phases[u]);
    for (let n = 0; n < H.cols; n++) {
      const hr = H.re[u * H.cols + n];
      const hi = H.im[u * H.cols + n];
      A.re[u * H.cols + n] = hr * c + hi * s;
      A.im[u * H.cols + n] = hi * c - hr * s;
    }
  }
  return A;
}

/** Rayleigh channels (unit-variance entries) and random QPSK symbols, seeded. M ≥ K. */
export function slpSamples(m: number, k: number, count: number, seed: number, features: SlpFeatures = 'channels'): SlpSamples {
  if (m < k) throw new InputError('m', m, `allowed: M ≥ K = ${k} (the least-norm precoder needs AAᴴ invertible)`);
  const r = rng(seed).fork('slp-samples');
  const rotated = new Float32Array(count * 2 * m * k);
  const gram = new Float32Array(count * 4 * k * k);
  const channels: CMatrix[] = [];
  const phases: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const H = rayleighH(k, m, r);
    const phi = Float64Array.from({ length: k }, () => (Math.PI / 4) * (2 * r.int(4) + 1));
    const A = rotatedChannel(H, phi);
    const base = i * 2 * m * k;
    for (let u = 0; u < k; u++) {
      for (let n = 0; n < m; n++) {
        rotated[base + n * k + u] = A.re[u * m + n];
        rotated[base + (m + n) * k + u] = A.im[u * m + n];
      }
    }
    const W = inverse(gramOf(A)); // (AAᴴ)⁻¹
    const g = i * 4 * k * k;
    const n2 = 2 * k;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const wr = W.re[a * k + b];
        const wi = W.im[a * k + b];
        gram[g + a * n2 + b] = wr;
        gram[g + a * n2 + k + b] = -wi;
        gram[g + (k + a) * n2 + b] = wi;
        gram[g + (k + a) * n2 + k + b] = wr;
      }
    }
    channels.push(H);
    phases.push(phi);
  }
  let x = rotated;
  let inputShape: [number, number, number] = [1, 2 * m, k];
  if (features === 'gram') {
    // W̃ up to scale fixes the best received points (the offset 1 is fixed), so normalise it.
    const n2 = 4 * k * k;
    x = new Float32Array(count * n2);
    for (let i = 0; i < count; i++) {
      let trace = 0;
      for (let a = 0; a < 2 * k; a++) trace += gram[i * n2 + a * 2 * k + a];
      for (let j = 0; j < n2; j++) x[i * n2 + j] = (gram[i * n2 + j] / trace) * 2 * k;
    }
    inputShape = [1, 2 * k, 2 * k];
  }
  return { m, k, count, rotated, features, x, inputShape, gram, channels, phases };
}

/**
 * The least power at which precoder direction z = [Re x; Im x] meets every constraint at unit
 * margin: each user needs tanθ·Re ỹ_k − |Im ỹ_k| ≥ tanθ, and scaling z scales the left side.
 * Infinity when some user's left side is ≤ 0 (no scaling helps).
 */
export function feasiblePower(d: SlpSamples, i: number, z: ArrayLike<number>): number {
  const { m, k } = d;
  const base = i * 2 * m * k;
  let scale = 0;
  let norm = 0;
  for (let n = 0; n < 2 * m; n++) norm += z[n] * z[n];
  for (let u = 0; u < k; u++) {
    let re = 0;
    let im = 0;
    for (let n = 0; n < m; n++) {
      const ar = d.rotated[base + n * k + u];
      const ai = d.rotated[base + (m + n) * k + u];
      re += ar * z[n] - ai * z[m + n];
      im += ar * z[m + n] + ai * z[n];
    }
    const margin = TAN_THETA * re - Math.abs(im);
    if (!(margin > 0)) return Infinity;
    scale = Math.max(scale, TAN_THETA / margin);
  }
  return scale * scale * norm;
}

/** Power of the constructive precoder for sample i and points c̃ (float64, from W̃). */
export function constructivePower(d: SlpSamples, i: number, c: ArrayLike<number>): number {
  const n = 2 * d.k;
  const g = i * n * n;
  let p = 0;
  for (let a = 0; a < n; a++) {
    let row = 0;
    for (let b = 0; b < n; b++) row += d.gram[g + a * n + b] * c[b];
    p += c[a] * row;
  }
  return p;
}

/** Unit-margin power of "zero-forcing to the apex": every user's point at c_k = 1. */
export function apexPower(d: SlpSamples, i: number): number {
  const c = new Float64Array(2 * d.k);
  c.fill(1, 0, d.k);
  return constructivePower(d, i, c);
}
