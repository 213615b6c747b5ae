/**
 * Classical CSI feedback for a single-antenna user and an N₁ × N₂ UPA at the base station: what
 * the user reports of its channel row h (1 × N_T) in a budget of bits, and what the base station
 * rebuilds from it. Only |h·v|² enters any rate, so a user's common phase is never reported.
 *
 * - `dft`: a rank-1 Type-II-style codebook (3GPP TS 38.214 §5.2.2.2.3): oversampled 2-D DFT beams
 *   (O₁ = O₂ = 4), one rotation group (log₂ O₁O₂ bits), L orthogonal beams of the group
 *   (⌈log₂ C(N₁N₂, L)⌉ bits), the strongest of them (⌈log₂ L⌉ bits) as reference, and for the L − 1
 *   others a wideband amplitude (3 bits, the specification's set 1, 1/√2, …, 1/8, 0) and phase
 *   (8PSK, 3 bits) relative to it. L is the largest that fits the budget.
 * - `scalar`: each real and imaginary part of h/‖h‖ by a uniform b-bit quantizer on [−a, a]
 *   (a = 3/√(2N_T), three standard deviations of an entry of a unit vector), b = ⌊(B − gain bits)/(2N_T)⌋.
 *
 * Both report the channel's gain ‖h‖²/σ² in dB with GAIN_BITS bits (1 dB steps over GAIN_RANGE_DB),
 * which the base station's regularised precoders need. Each scheme's user-side work is counted
 * (OpCounter) so that the user's energy is priced like any other trace.
 */
import { InputError } from '../core/errors.ts';
import { cmat, newCounter, type OpCounter } from '../linalg/complex.ts';
import { channelOf, datasetOfChannels, type MimoDataset } from '../scenarios/dataset.ts';
import { dft2 } from '../scenarios/feedback-maps.ts';

export const FEEDBACK_SCHEMES = ['dft', 'scalar'] as const;
export type FeedbackScheme = (typeof FEEDBACK_SCHEMES)[number];

/** The gain report: 10·log₁₀(‖h‖²/σ²) in 1 dB steps over [GAIN_RANGE_DB[0], GAIN_RANGE_DB[0] + 2^GAIN_BITS − 1]. */
export const GAIN_BITS = 6;
export const GAIN_RANGE_DB = [-20, 43] as const;

/** The Type-II wideband amplitude set (3 bits) and the oversampling of the DFT beams. */
export const TYPE2_AMPLITUDES = [1, Math.SQRT1_2, 0.5, Math.sqrt(0.125), 0.25, Math.sqrt(1 / 32), 0.125, 0] as const;
export const OVERSAMPLING = 4;
const AMPLITUDE_BITS = 3;
const PHASE_BITS = 3;

export interface ArrayShape {
  /** Elements along the first index (element (m, n) is entry m·n2 + n). */
  readonly n1: number;
  readonly n2: number;
}

export interface FeedbackPlan {
  readonly scheme: FeedbackScheme;
  /** Bits per user actually used (≤ the budget). */
  readonly bits: number;
  /** dft: beams L; scalar: bits per real entry. */
  readonly size: number;
  /** The bits by field, so that a report adds up. */
  readonly fields: Readonly<Record<string, number>>;
}

const log2Ceil = (x: number) => (x <= 1 ? 0 : Math.ceil(Math.log2(x) - 1e-12));

function log2Binomial(n: number, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) s += Math.log2(n - i) - Math.log2(i + 1);
  return s;
}

function dftFields(shape: ArrayShape, beams: number): Record<string, number> {
  return {
    gain: GAIN_BITS,
    rotation: log2Ceil(OVERSAMPLING * OVERSAMPLING),
    beams: Math.ceil(log2Binomial(shape.n1 * shape.n2, beams) - 1e-9),
    strongest: log2Ceil(beams),
    amplitudes: (beams - 1) * AMPLITUDE_BITS,
    phases: (beams - 1) * PHASE_BITS,
  };
}

/** A report's bits: the sum of its fields. */
export const feedbackBits = (fields: Readonly<Record<string, number>>) => Object.values(fields).reduce((a, b) => a + b, 0);

/** The largest configuration of a scheme within `budget` bits per user, or a clear refusal. */
export function planFeedback(scheme: FeedbackScheme, budget: number, shape: ArrayShape): FeedbackPlan {
  if (!Number.isInteger(budget) || budget < 1) throw new InputError('bits', budget, 'allowed: a positive integer number of feedback bits per user');
  const nt = shape.n1 * shape.n2;
  if (scheme === 'dft') {
    let best: Record<string, number> | undefined;
    let beams = 0;
    for (let l = 1; l <= nt; l++) {
      const f = dftFields(shape, l);
      if (feedbackBits(f) > budget) break;
      best = f;
      beams = l;
    }
    if (!best) throw new InputError('bits', budget, `allowed: at least ${feedbackBits(dftFields(shape, 1))} bits for the DFT codebook (gain, rotation, one beam)`);
    return { scheme, bits: feedbackBits(best), size: beams, fields: best };
  }
  const perEntry = Math.floor((budget - GAIN_BITS) / (2 * nt));
  if (perEntry < 1) throw new InputError('bits', budget, `allowed: at least ${GAIN_BITS + 2 * nt} bits for scalar quantization (${GAIN_BITS} gain bits and 1 bit for each of the ${2 * nt} real entries of a ${nt}-antenna channel)`);
  const fields = { gain: GAIN_BITS, entries: 2 * nt * perEntry };
  return { scheme, bits: feedbackBits(fields), size: perEntry, fields };
}

/** A channel row as the base station rebuilds it, and the user's counted work. */
export interface Reported {
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly counts: OpCounter;
}

/** The gain the base station reads: ‖h‖² rounded to a 1 dB step, clamped to the range (GAIN_BITS bits). */
export function quantizedGain(norm2: number, noiseVar: number): number {
  const db = 10 * Math.log10(norm2 / noiseVar);
  const step = Math.min(GAIN_RANGE_DB[1], Math.max(GAIN_RANGE_DB[0], Math.round(db)));
  return noiseVar * 10 ** (step / 10);
}

function reportedGain(norm2: number, noiseVar: number, counter: OpCounter): number {
  counter.special += 2;
  return quantizedGain(norm2, noiseVar);
}

/** Scales (re, im) to squared norm `target`. */
function toNorm(re: Float64Array, im: Float64Array, target: number): void {
  let n2 = 0;
  for (let i = 0; i < re.length; i++) n2 += re[i] ** 2 + im[i] ** 2;
  const f = n2 > 0 ? Math.sqrt(target / n2) : 0;
  for (let i = 0; i < re.length; i++) {
    re[i] *= f;
    im[i] *= f;
  }
}

/** Reports one channel row (re, im of length N_T) by a plan; returns the rebuilt row. */
export function reportChannel(plan: FeedbackPlan, shape: ArrayShape, hRe: ArrayLike<number>, hIm: ArrayLike<number>, noiseVar: number): Reported {
  const nt = shape.n1 * shape.n2;
  if (hRe.length !== nt || hIm.length !== nt) throw new InputError('channel', hRe.length, `allowed: a row of ${nt} entries for a ${shape.n1}×${shape.n2} array`);
  const counts = newCounter();
  let norm2 = 0;
  for (let i = 0; i < nt; i++) norm2 += hRe[i] ** 2 + hIm[i] ** 2;
  counts.mults += 2 * nt;
  counts.adds += 2 * nt;
  const gain = reportedGain(norm2, noiseVar, counts);
  const rebuilt = plan.scheme === 'dft' ? dftReport(plan.size, shape, hRe, hIm, counts) : scalarReport(plan.size, nt, hRe, hIm, norm2, counts);
  toNorm(rebuilt.re, rebuilt.im, gain);
  return { ...rebuilt, counts };
}

function scalarReport(bits: number, nt: number, hRe: ArrayLike<number>, hIm: ArrayLike<number>, norm2: number, counts: OpCounter) {
  const a = 3 / Math.sqrt(2 * nt);
  const levels = 2 ** bits;
  const step = (2 * a) / levels;
  const inv = 1 / Math.sqrt(norm2);
  // Mid-rise: cell i of [−a, a] is read as its centre.
  const q = (x: number) => {
    const cell = Math.min(levels - 1, Math.max(0, Math.floor((x * inv + a) / step)));
    return -a + (cell + 0.5) * step;
  };
  const re = new Float64Array(nt);
  const im = new Float64Array(nt);
  for (let i = 0; i < nt; i++) {
    re[i] = q(hRe[i]);
    im[i] = q(hIm[i]);
  }
  // Per real entry: scale, offset, divide by the step, floor and clamp (two comparisons).
  counts.mults += 2 * 2 * nt;
  counts.adds += 2 * nt;
  counts.special += 1 + 3 * 2 * nt;
  return { re, im };
}

/** Beam (l₁, l₂) of the oversampled grid at entry (m, n): e^{j2π(m·l₁/(O N₁) + n·l₂/(O N₂))}/√(N₁N₂). */
function beamPhase(shape: ArrayShape, l1: number, l2: number, m: number, n: number): number {
  return 2 * Math.PI * ((m * l1) / (OVERSAMPLING * shape.n1) + (n * l2) / (OVERSAMPLING * shape.n2));
}

function dftReport(beams: number, shape: ArrayShape, hRe: ArrayLike<number>, hIm: ArrayLike<number>, counts: OpCounter) {
  const { n1, n2 } = shape;
  const nt = n1 * n2;
  const scale = 1 / Math.sqrt(nt);
  const g1 = OVERSAMPLING * n1;
  const g2 = OVERSAMPLING * n2;
  // Every oversampled beam's coefficient c = bᴴh: the codebook search, a (1 × N_T)·(N_T × O²N_T) complex product.
  const { re: cRe, im: cIm } = dft2(hRe, hIm, shape, -1, OVERSAMPLING);
  const grid = g1 * g2;
  counts.mults += 4 * nt * grid + 2 * grid;
  counts.adds += 4 * nt * grid;
  // Per rotation group: the L strongest orthogonal beams and their energy; the best group.
  const power = (k: number) => cRe[k] ** 2 + cIm[k] ** 2;
  counts.mults += 2 * grid;
  counts.adds += grid;
  let chosen: number[] = [];
  let chosenEnergy = -1;
  for (let q1 = 0; q1 < OVERSAMPLING; q1++) {
    for (let q2 = 0; q2 < OVERSAMPLING; q2++) {
      const group: number[] = [];
      for (let a = 0; a < n1; a++) for (let b = 0; b < n2; b++) group.push((OVERSAMPLING * a + q1) * g2 + (OVERSAMPLING * b + q2));
      group.sort((x, y) => power(y) - power(x));
      const top = group.slice(0, beams);
      const energy = top.reduce((s, k) => s + power(k), 0);
      if (energy > chosenEnergy) {
        chosenEnergy = energy;
        chosen = top;
      }
    }
  }
  // Selection: a partial sort of each group (≈ N_T·log₂ L comparisons) and L − 1 adds.
  counts.special += OVERSAMPLING * OVERSAMPLING * nt * Math.max(1, Math.ceil(Math.log2(beams + 1)));
  counts.adds += OVERSAMPLING * OVERSAMPLING * (beams - 1);
  // Coefficients relative to the strongest (chosen[0]): amplitude to the 3-bit set (nearest in dB), phase to 8PSK.
  const refRe = cRe[chosen[0]];
  const refIm = cIm[chosen[0]];
  const ref2 = refRe * refRe + refIm * refIm;
  const re = new Float64Array(nt);
  const im = new Float64Array(nt);
  for (const [j, k] of chosen.entries()) {
    let amp = 1;
    let phase = 0;
    if (j > 0) {
      // c_k / c_ref = c_k·conj(c_ref)/|c_ref|²
      const pr = (cRe[k] * refRe + cIm[k] * refIm) / ref2;
      const pi = (cIm[k] * refRe - cRe[k] * refIm) / ref2;
      amp = nearestAmplitude(Math.hypot(pr, pi));
      const step = (2 * Math.PI) / 2 ** PHASE_BITS;
      phase = Math.round(Math.atan2(pi, pr) / step) * step;
    }
    const l1 = Math.floor(k / g2);
    const l2 = k % g2;
    for (let m = 0; m < n1; m++) {
      for (let n = 0; n < n2; n++) {
        const p = beamPhase(shape, l1, l2, m, n) + phase;
        re[m * n2 + n] += amp * Math.cos(p) * scale;
        im[m * n2 + n] += amp * Math.sin(p) * scale;
      }
    }
  }
  // Per reported beam: the ratio (a complex division), |·|, its dB and the nearest of 8 levels, the angle and its rounding.
  counts.mults += (beams - 1) * 8;
  counts.adds += (beams - 1) * 4;
  counts.special += (beams - 1) * (4 + TYPE2_AMPLITUDES.length);
  return { re, im };
}

/** The Type-II amplitude nearest in dB (0 below half the smallest non-zero level). */
function nearestAmplitude(x: number): number {
  if (x < TYPE2_AMPLITUDES[6] / 2) return 0;
  let best: number = TYPE2_AMPLITUDES[0];
  for (const a of TYPE2_AMPLITUDES.slice(0, 7)) if (Math.abs(Math.log(x / a)) < Math.abs(Math.log(x / best))) best = a;
  return best;
}

/**
 * What the base station knows of every sample of a dataset when each user reports by `plan`:
 * the rebuilt channels, same samples and order (a precoder trained on them learns for imperfect CSI).
 */
export function reportDataset(plan: FeedbackPlan, shape: ArrayShape, ds: MimoDataset): MimoDataset {
  if (ds.nt !== shape.n1 * shape.n2) throw new InputError('scenario', ds.scenario, `allowed: ${shape.n1 * shape.n2} antennas for a ${shape.n1}×${shape.n2} array (it has ${ds.nt})`);
  const hats = Array.from({ length: ds.count }, (_, i) => {
    const { H, noiseVar } = channelOf(ds, i);
    const hat = cmat(H.rows, H.cols);
    for (let k = 0; k < H.rows; k++) {
      const r = reportChannel(plan, shape, H.re.subarray(k * H.cols, (k + 1) * H.cols), H.im.subarray(k * H.cols, (k + 1) * H.cols), noiseVar);
      hat.re.set(r.re, k * H.cols);
      hat.im.set(r.im, k * H.cols);
    }
    return hat;
  });
  return datasetOfChannels(ds, hats);
}
