/**
 * Symbol-level precoding (seed 002 eq. 2; Masouros & Zheng's constructive interference): for
 * one symbol vector s (M-PSK, one symbol per user) find the transmit vector x ∈ ℂ^{N_T} of least
 * power ‖x‖² such that every user's noiseless received signal, rotated by its own symbol phase,
 * ỹ_k = h_kᵀ x · e^{−jφ_k}, lies in the constructive region of its symbol:
 *     |Im ỹ_k| ≤ (Re ỹ_k − √(Γ_k σ²)) · tan(π/M).
 * With z = [Re x; Im x] ∈ ℝ^{2N_T} these are 2K linear inequalities G z ≤ h, so the problem is
 * the QP min ½‖z‖² s.t. G z ≤ h. We solve its dual, max_{λ≥0} −½‖Gᵀλ‖² − hᵀλ (z = −Gᵀλ), a
 * nonnegative QP in 2K variables, by cyclic coordinate descent, and report the KKT residuals.
 *
 * Channel convention as in seed 002: row k of H is h_kᵀ (received y_k = h_kᵀ x + n_k).
 */
import { InputError } from '../core/errors.ts';
import type { CMatrix } from '../linalg/complex.ts';

export interface SlpProblem {
  /** K × N channel, row k = h_kᵀ. */
  readonly H: CMatrix;
  /** Symbol phases φ_k (radians), one per user. */
  readonly phases: Float64Array;
  /** SINR targets Γ_k (linear). */
  readonly sinr: Float64Array;
  readonly noiseVar: number;
  /** PSK order (4 = QPSK). */
  readonly order: number;
}

export interface SlpSolution {
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly power: number;
  /** Largest constraint violation (≤ 0 when feasible). */
  readonly maxViolation: number;
  /**
   * KKT certificate (z = −Gᵀλ with λ ≥ 0 holds by construction): primal feasibility is
   * maxViolation ≤ 0, complementary slackness is max |λ_i (G z − h)_i|.
   */
  readonly slackness: number;
  readonly sweeps: number;
}

function constraints(p: SlpProblem): { G: Float64Array; h: Float64Array; rows: number; cols: number } {
  const { H } = p;
  const K = H.rows;
  const N = H.cols;
  const t = Math.tan(Math.PI / p.order);
  const rows = 2 * K;
  const cols = 2 * N;
  const G = new Float64Array(rows * cols);
  const h = new Float64Array(rows);
  for (let k = 0; k < K; k++) {
    const c = Math.cos(p.phases[k]);
    const s = Math.sin(p.phases[k]);
    const gamma = Math.sqrt(p.sinr[k] * p.noiseVar);
    for (let n = 0; n < N; n++) {
      // a = h_k e^{−jφ_k}; ỹ = Σ a_n x_n: Re = ar·xr − ai·xi, Im = ar·xi + ai·xr
      const hr = H.re[k * N + n];
      const hi = H.im[k * N + n];
      const ar = hr * c + hi * s;
      const ai = hi * c - hr * s;
      // ±Im ỹ − tanθ·Re ỹ ≤ −tanθ·γ
      for (const [row, sign] of [[2 * k, 1], [2 * k + 1, -1]] as const) {
        G[row * cols + n] = sign * ai - t * ar; // coefficient of xr_n
        G[row * cols + N + n] = sign * ar + t * ai; // coefficient of xi_n
      }
    }
    h[2 * k] = -t * gamma;
    h[2 * k + 1] = -t * gamma;
  }
  return { G, h, rows, cols };
}

export function solveSlp(p: SlpProblem, options: { tolerance?: number; maxSweeps?: number } = {}): SlpSolution {
  if (!(p.order >= 2 && Number.isInteger(p.order))) throw new InputError('order', p.order, 'allowed: an integer PSK order ≥ 2');
  if (!(p.noiseVar > 0)) throw new InputError('noiseVar', p.noiseVar, 'allowed: a number > 0');
  const { G, h, rows, cols } = constraints(p);
  // Q = G Gᵀ; minimise ½λᵀQλ + hᵀλ over λ ≥ 0.
  const Q = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += G[i * cols + c] * G[j * cols + c];
      Q[i * rows + j] = s;
      Q[j * rows + i] = s;
    }
  }
  const lambda = new Float64Array(rows);
  const tol = options.tolerance ?? 1e-12;
  let sweeps = 0;
  for (; sweeps < (options.maxSweeps ?? 100_000); sweeps++) {
    let change = 0;
    for (let i = 0; i < rows; i++) {
      let grad = h[i];
      for (let j = 0; j < rows; j++) grad += Q[i * rows + j] * lambda[j];
      const next = Math.max(0, lambda[i] - grad / Q[i * rows + i]);
      change = Math.max(change, Math.abs(next - lambda[i]) * Math.sqrt(Q[i * rows + i]));
      lambda[i] = next;
    }
    if (change < tol) break;
  }
  const z = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let c = 0; c < cols; c++) z[c] -= G[i * cols + c] * lambda[i];
  let maxViolation = -Infinity;
  let slackness = 0;
  for (let i = 0; i < rows; i++) {
    let g = -h[i];
    for (let c = 0; c < cols; c++) g += G[i * cols + c] * z[c];
    maxViolation = Math.max(maxViolation, g);
    slackness = Math.max(slackness, Math.abs(lambda[i] * g));
  }
  const N = cols / 2;
  const re = z.slice(0, N);
  const im = z.slice(N);
  let power = 0;
  for (const v of z) power += v * v;
  return { re, im, power, maxViolation, slackness, sweeps };
}

/** The rotated received signal ỹ_k = h_kᵀ x e^{−jφ_k} of every user (for checks). */
export function rotatedSignals(p: SlpProblem, xr: Float64Array, xi: Float64Array): { re: Float64Array; im: Float64Array } {
  const K = p.H.rows;
  const N = p.H.cols;
  const re = new Float64Array(K);
  const im = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let yr = 0;
    let yi = 0;
    for (let n = 0; n < N; n++) {
      const hr = p.H.re[k * N + n];
      const hi = p.H.im[k * N + n];
      yr += hr * xr[n] - hi * xi[n];
      yi += hr * xi[n] + hi * xr[n];
    }
    const c = Math.cos(p.phases[k]);
    const s = Math.sin(p.phases[k]);
    re[k] = yr * c + yi * s;
    im[k] = yi * c - yr * s;
  }
  return { re, im };
}
