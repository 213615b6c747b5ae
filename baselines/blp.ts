/**
 * Conventional block-level precoding for the SLP comparison: the least-power linear precoder
 * meeting SINR targets Γ_k (Bengtsson & Ottersten), by uplink–downlink duality. With
 * a_k = conj(h_k)/σ (so y_k = h_kᵀx means a_kᴴ w after noise normalisation), the dual uplink
 * powers solve the fixed point q_k = 1 / ((1 + 1/Γ_k) · a_kᴴ (I + Σ_j q_j a_j a_jᴴ)⁻¹ a_k);
 * the beams are ŵ_k ∝ (I + Σ_j q_j a_j a_jᴴ)⁻¹ a_k, and the downlink powers solve the linear
 * system p_k |a_kᴴŵ_k|² / Γ_k − Σ_{j≠k} p_j |a_kᴴŵ_j|² = 1.
 */
import { InputError } from '../core/errors.ts';
import { cmat, identity, solve, type CMatrix } from '../linalg/complex.ts';

export interface BlpSolution {
  /** Unit-norm beams as the columns of an N × K matrix. */
  readonly beams: CMatrix;
  readonly powers: Float64Array;
  readonly totalPower: number;
  readonly iterations: number;
}

export function powerMinimizingPrecoder(H: CMatrix, sinr: Float64Array, noiseVar: number, options: { tolerance?: number; maxIter?: number } = {}): BlpSolution {
  const K = H.rows;
  const N = H.cols;
  if (K > N) throw new InputError('users', K, `allowed: at most N_T = ${N} users for block-level precoding`);
  const scale = 1 / Math.sqrt(noiseVar);
  // a_k = conj(h_k)/σ as the columns of A (N × K)
  const A = cmat(N, K);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      A.re[n * K + k] = H.re[k * N + n] * scale;
      A.im[n * K + k] = -H.im[k * N + n] * scale;
    }
  }
  const q = new Float64Array(K).fill(1);
  let iterations = 0;
  let beams = cmat(N, K);
  for (; iterations < (options.maxIter ?? 10_000); iterations++) {
    // R = I + Σ q_j a_j a_jᴴ; B = R⁻¹ A
    const R = identity(N);
    for (let j = 0; j < K; j++) {
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < N; c++) {
          const xr = A.re[r * K + j];
          const xi = A.im[r * K + j];
          const yr = A.re[c * K + j];
          const yi = -A.im[c * K + j];
          R.re[r * N + c] += q[j] * (xr * yr - xi * yi);
          R.im[r * N + c] += q[j] * (xr * yi + xi * yr);
        }
      }
    }
    beams = solve(R, A);
    let change = 0;
    for (let k = 0; k < K; k++) {
      // a_kᴴ R⁻¹ a_k (real)
      let v = 0;
      for (let n = 0; n < N; n++) v += A.re[n * K + k] * beams.re[n * K + k] + A.im[n * K + k] * beams.im[n * K + k];
      const next = 1 / ((1 + 1 / sinr[k]) * v);
      change = Math.max(change, Math.abs(next - q[k]) / Math.max(next, 1e-300));
      q[k] = next;
    }
    if (change < (options.tolerance ?? 1e-12)) break;
  }
  // Normalise the beams and find the downlink powers.
  for (let k = 0; k < K; k++) {
    let norm = 0;
    for (let n = 0; n < N; n++) norm += beams.re[n * K + k] ** 2 + beams.im[n * K + k] ** 2;
    const s = 1 / Math.sqrt(norm);
    for (let n = 0; n < N; n++) {
      beams.re[n * K + k] *= s;
      beams.im[n * K + k] *= s;
    }
  }
  const gain = (k: number, j: number) => {
    let re = 0;
    let im = 0;
    for (let n = 0; n < N; n++) {
      // a_kᴴ ŵ_j
      re += A.re[n * K + k] * beams.re[n * K + j] + A.im[n * K + k] * beams.im[n * K + j];
      im += A.re[n * K + k] * beams.im[n * K + j] - A.im[n * K + k] * beams.re[n * K + j];
    }
    return re * re + im * im;
  };
  const M = cmat(K, K);
  const ones = cmat(K, 1);
  for (let k = 0; k < K; k++) {
    ones.re[k] = 1;
    for (let j = 0; j < K; j++) M.re[k * K + j] = j === k ? gain(k, k) / sinr[k] : -gain(k, j);
  }
  const p = solve(M, ones);
  const powers = Float64Array.from({ length: K }, (_, k) => p.re[k]);
  if (powers.some((x) => !(x > 0))) throw new InputError('sinr', Array.from(sinr), 'allowed: targets these channels can meet with a linear precoder');
  return { beams, powers, totalPower: powers.reduce((a, b) => a + b, 0), iterations };
}

/** The SINR each user gets from beams and powers (for checks). */
export function achievedSinr(H: CMatrix, blp: BlpSolution, noiseVar: number): Float64Array {
  const K = H.rows;
  const N = H.cols;
  const out = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    let signal = 0;
    let interference = noiseVar;
    for (let j = 0; j < K; j++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < N; n++) {
        const hr = H.re[k * N + n];
        const hi = H.im[k * N + n];
        re += hr * blp.beams.re[n * K + j] - hi * blp.beams.im[n * K + j];
        im += hr * blp.beams.im[n * K + j] + hi * blp.beams.re[n * K + j];
      }
      const g = blp.powers[j] * (re * re + im * im);
      if (j === k) signal = g;
      else interference += g;
    }
    out[k] = signal / interference;
  }
  return out;
}
