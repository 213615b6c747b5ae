/**
 * The pure maths of the quantizers (ranges, initial steps, row errors, the row lottery); their
 * straight-through tfjs halves are in train/quant.ts.
 *
 * LSQ (Esser et al. 2020): v̂ = round(clip(v/s, −Q_N, Q_P))·s with a learned step s. Gradients:
 * ∂v̂/∂v = 1 inside the clip range, 0 outside (straight-through); ∂v̂/∂s = round(v/s) − v/s inside,
 * −Q_N or Q_P outside, scaled by g = 1/√(N·Q_P). The step starts at 2·mean|v|/√Q_P.
 * Signed (weights): Q_N = 2^(b−1), Q_P = 2^(b−1) − 1; unsigned (activations): Q_N = 0, Q_P = 2^b − 1.
 *
 * BWN binary: α·sign(W), α = mean|W|. TWN ternary: Δ = 0.7·mean|W|, α = mean of |W| above Δ.
 * Both pass gradients straight through.
 */
import { InputError } from '../core/errors.ts';

export interface LsqRange {
  readonly qn: number;
  readonly qp: number;
}

export function lsqRange(bits: number, signed: boolean): LsqRange {
  if (!Number.isInteger(bits) || bits < (signed ? 2 : 1) || bits > 32) {
    throw new InputError('bits', bits, `allowed: an integer from ${signed ? 2 : 1} to 32 for ${signed ? 'signed' : 'unsigned'} LSQ (use binary/ternary below)`);
  }
  return signed ? { qn: 2 ** (bits - 1), qp: 2 ** (bits - 1) - 1 } : { qn: 0, qp: 2 ** bits - 1 };
}

export function lsqInitialStep(values: Float32Array | number[], range: LsqRange): number {
  return lsqStepOfScale(meanAbs(values), range);
}

/** LSQ's initial step 2·mean|v|/√Q_P for values of mean magnitude `scale` (at least 10⁻⁸). */
export function lsqStepOfScale(scale: number, range: LsqRange): number {
  return Math.max((2 * scale) / Math.sqrt(range.qp), 1e-8);
}

export function meanAbs(values: Float32Array | number[]): number {
  let s = 0;
  for (const v of values) s += Math.abs(v);
  return s / Math.max(1, values.length);
}

/**
 * A step set for a kernel of mean magnitude `reference` is stale once the kernel's scale has
 * moved past this factor either way (or left zero): the step is then set afresh from the kernel.
 * Steps learn in relative terms (Adam on log s, ≤ lr per update), so a kernel that grows 14×
 * in training leaves a step set at its start clipping almost every weight at low bits.
 */
export const LSQ_STEP_DRIFT = 2;

export function lsqStepIsStale(reference: number, scale: number): boolean {
  if (!(scale > 0)) return false;
  if (!(reference > 0)) return true;
  const ratio = scale / reference;
  return ratio > LSQ_STEP_DRIFT || ratio < 1 / LSQ_STEP_DRIFT;
}

/**
 * Quantization error of each row of a [fan-in, rows] kernel (seed 002 eq. 21):
 * e_j = ‖W_j − Q_j‖₁ / ‖W_j‖₁ with Q_j the row's own BWN or TWN quantization.
 */
export function rowQuantizationErrors(kernel: Float32Array, fanIn: number, rows: number, mode: 'binary' | 'ternary'): Float64Array {
  const errors = new Float64Array(rows);
  for (let j = 0; j < rows; j++) {
    let l1 = 0;
    for (let i = 0; i < fanIn; i++) l1 += Math.abs(kernel[i * rows + j]);
    const mean = l1 / fanIn;
    let alpha = mean;
    let delta = 0;
    if (mode === 'ternary') {
      delta = 0.7 * mean;
      let above = 0;
      let n = 0;
      for (let i = 0; i < fanIn; i++) {
        const a = Math.abs(kernel[i * rows + j]);
        if (a > delta) {
          above += a;
          n++;
        }
      }
      alpha = n > 0 ? above / n : 0;
    }
    let err = 0;
    for (let i = 0; i < fanIn; i++) {
      const w = kernel[i * rows + j];
      const q = mode === 'ternary' && Math.abs(w) <= delta ? 0 : Math.sign(w || 1) * alpha;
      err += Math.abs(w - q);
    }
    errors[j] = l1 > 0 ? err / l1 : 0;
  }
  return errors;
}

/**
 * Seed 002 Algorithm 1 (circular lottery): picks `count` of the rows without replacement, each
 * draw with probability ∝ f_p = 1/(e_j + δ) (the linear QP function, δ = 10⁻⁶) among the rows
 * not yet picked. Returns a 0/1 mask (1 = quantized). `uniform` draws a number in [0, 1).
 */
export function circularLottery(errors: ArrayLike<number>, count: number, uniform: () => number): Float32Array {
  const n = errors.length;
  if (!Number.isInteger(count) || count < 0 || count > n) throw new InputError('rows to quantize', count, `allowed: an integer from 0 to ${n}`);
  const pr = Float64Array.from(errors, (e) => 1 / (e + 1e-6));
  const mask = new Float32Array(n);
  for (let picked = 0; picked < count; picked++) {
    let total = 0;
    for (const p of pr) total += p;
    const target = uniform() * total;
    // Walk the disc until the cumulative probability passes the drawn value.
    let i = 0;
    let s = 0;
    for (; i < n; i++) {
      s += pr[i];
      if (pr[i] > 0 && s > target) break;
    }
    if (i === n) i = pr.findLastIndex((p) => p > 0);
    mask[i] = 1;
    pr[i] = 0;
  }
  return mask;
}

/** Signed LSQ at its initial step for these values (the quantizer training starts from), fake-quantized. */
export function lsqQuantize(values: ArrayLike<number>, bits: number): Float32Array {
  const range = lsqRange(bits, true);
  let abs = 0;
  for (let i = 0; i < values.length; i++) abs += Math.abs(values[i]);
  const step = lsqStepOfScale(values.length > 0 ? abs / values.length : 0, range);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.min(range.qp, Math.max(-range.qn, Math.round(values[i] / step))) * step;
  return out;
}

/**
 * The relative quantization error ‖W − Q_b(W)‖² / ‖W‖² of lsqQuantize: a per-layer noise proxy
 * that needs no data.
 */
export function lsqRelativeError(values: ArrayLike<number>, bits: number): number {
  const q = lsqQuantize(values, bits);
  let err = 0;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    err += (values[i] - q[i]) ** 2;
    norm += values[i] * values[i];
  }
  return norm > 0 ? err / norm : 0;
}
