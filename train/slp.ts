/**
 * Unsupervised training of a learned symbol-level precoder (seed 002 §II-C) at unit margin.
 *
 * For a channel H (row k = h_kᵀ) and QPSK symbols with phases φ_k, user k's rotated channel is
 * a_k = h_k e^{−jφ_k} and its rotated received signal ỹ_k = a_kᵀx; eq. (2) asks for the least
 * ‖x‖² with every ỹ_k in its constructive region, Re ỹ_k ≥ √(Γσ²) + |Im ỹ_k| / tanθ. The network
 * reads the K rotated channels, (1, 2M, K) (Table IV's input), and outputs 2K numbers. Two
 * output layers (parameter-free) turn them into a precoder:
 *
 *  - 'constructive' (default): the numbers place each user's received point c_k inside its
 *    region by construction, Im c_k = o_k, Re c_k = 1 + |o_k|/tanθ + softplus(o'_k), and the
 *    precoder is the least-norm x with A x = c, x = Aᴴ(AAᴴ)⁻¹c (M ≥ K). Every output meets every
 *    constraint, so eq. (9)'s multiplier terms are ≤ 0 at any multipliers and the loss is its
 *    first term, the power cᴴ(AAᴴ)⁻¹c (with (AAᴴ)⁻¹ precomputed per sample in float64), averaged
 *    in the log domain (constructiveLoss says why).
 *  - 'lagrangian': eq. (9)–(10) as written — the numbers are the multipliers (v₁, v₂) ≥ 0
 *    (softplus), eq. (10) forms x = −Gᵀλ, and the loss is the batch-mean Lagrangian
 *    ½‖x‖² − tanθ·Σ_k (v₁ + v₂)_k (the negative dual function; μ = 0). Such a precoder meets the
 *    constraints only at the optimal multipliers; at inference we scale it to the least power
 *    meeting all of them and count the samples where no scaling can (docs/slp.md measures this).
 *
 * The problem is homogeneous: scaling the margin √(Γσ²) scales the optimal precoder by the same
 * factor, so the power at SINR Γ is Γσ² times the unit-margin power — exact for the network and
 * the optimiser alike, so no SINR input is needed (the paper feeds random training SINRs).
 */
import { rng } from '../core/rng.ts';
import { constructivePower, feasiblePower, TAN_THETA, type SlpSamples } from '../baselines/slp-samples.ts';
import { circularLottery, rowQuantizationErrors } from '../nets/quant.ts';
import { tf } from './backend.ts';
import type { GraphModel } from './model.ts';
import type { TrainTask } from './trainer.ts';
import { paramKey } from './variable-key.ts';

export const SLP_FORMULATIONS = ['constructive', 'lagrangian'] as const;
export type SlpFormulation = (typeof SLP_FORMULATIONS)[number];

function gather(source: Float32Array, size: number, order: ArrayLike<number>, from: number, to: number): Float32Array {
  const out = new Float32Array((to - from) * size);
  for (let i = from; i < to; i++) out.set(source.subarray(order[i] * size, (order[i] + 1) * size), (i - from) * size);
  return out;
}

function batchOf(d: SlpSamples, order: ArrayLike<number>, from: number, to: number): tf.Tensor4D {
  const [c, h, w] = d.inputShape;
  return tf.tensor4d(gather(d.x, c * h * w, order, from, to), [to - from, c, h, w]);
}

function rotatedBatch(d: SlpSamples, order: ArrayLike<number>, from: number, to: number): tf.Tensor4D {
  return tf.tensor4d(gather(d.rotated, 2 * d.m * d.k, order, from, to), [to - from, 1, 2 * d.m, d.k]);
}

/** The constructive output layer: received points c̃ = [Re c; Im c] [B, 2K], inside every region. */
export function constructivePoints(o: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [offset, imag] = tf.split(o, 2, 1);
    const real = tf.add(tf.add(tf.div(tf.abs(imag), TAN_THETA), 1), tf.softplus(offset));
    return tf.concat([real, imag], 1) as tf.Tensor2D;
  });
}

/**
 * Mean log-power, mean log(c̃ᵀW̃c̃), over the batch (W̃ [B, 2K, 2K] from the samples). The log
 * weighs every channel alike: the plain mean of eq. (9) is ruled by the few ill-conditioned
 * channels (E[tr W] is infinite for square Rayleigh channels) and trained worse on both the mean
 * and the median (docs/slp.md).
 */
export function constructiveLoss(points: tf.Tensor2D, gram: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => {
    const c = tf.expandDims(points, 1); // [B, 1, 2K]
    const wc = tf.sum(tf.mul(gram, c), 2); // [B, 2K]
    return tf.mean(tf.log(tf.sum(tf.mul(wc, points), 1))) as tf.Scalar;
  });
}

/** Eq. (10) in tensors: the precoder [B, 2M] from multipliers [B, 2K] ((v₁, v₂) per user). */
export function precoderFromMultipliers(x: tf.Tensor4D, lambda: tf.Tensor2D, m: number, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const pairs = tf.reshape(lambda, [-1, k, 2]);
    const [v1, v2] = tf.split(pairs, 2, 2).map((t) => tf.reshape(t, [-1, 1, k]));
    const s = tf.mul(tf.add(v1, v2), TAN_THETA);
    const d = tf.sub(v1, v2);
    const a = tf.reshape(x, [-1, 2 * m, k]);
    const [ar, ai] = tf.split(a, 2, 1);
    const re = tf.sum(tf.sub(tf.mul(s, ar), tf.mul(d, ai)), 2);
    const im = tf.neg(tf.sum(tf.add(tf.mul(d, ar), tf.mul(s, ai)), 2));
    return tf.concat([re, im], 1) as tf.Tensor2D;
  });
}

/** The Lagrangian (9) at the eq.-(10) precoder, unit margin, batch mean. */
export function lagrangianLoss(x: tf.Tensor4D, lambda: tf.Tensor2D, m: number, k: number): tf.Scalar {
  return tf.tidy(() => {
    const z = precoderFromMultipliers(x, lambda, m, k);
    const power = tf.mul(tf.sum(tf.square(z), 1), 0.5);
    return tf.mean(tf.sub(power, tf.mul(tf.sum(lambda, 1), TAN_THETA))) as tf.Scalar;
  });
}

export interface LearnedPower {
  /** Mean unit-margin power over the samples where a feasible precoder came out. */
  readonly meanPower: number;
  /** The mean of 10·log₁₀ power over the same samples (what the log-power loss trains). */
  readonly meanLogPower_dB: number;
  readonly infeasible: number;
  readonly count: number;
  /** Per-sample unit-margin powers (Infinity where infeasible). */
  readonly perSample: Float64Array;
}

/** Unit-margin transmit power of the network's precoders on a sample set. */
export async function learnedPower(model: GraphModel, d: SlpSamples, formulation: SlpFormulation, limit = d.count): Promise<LearnedPower> {
  const n = Math.min(limit, d.count);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const perSample = new Float64Array(n);
  for (let from = 0; from < n; from += 1000) {
    const to = Math.min(n, from + 1000);
    const out = tf.tidy(() => {
      const x = batchOf(d, all, from, to);
      const o = model.forward(x, { training: false }) as tf.Tensor2D;
      return formulation === 'constructive' ? constructivePoints(o) : precoderFromMultipliers(rotatedBatch(d, all, from, to), tf.softplus(o) as tf.Tensor2D, d.m, d.k);
    });
    const v = (await out.data()) as Float32Array;
    out.dispose();
    const width = out.shape[1]!;
    for (let i = from; i < to; i++) {
      const row = v.subarray((i - from) * width, (i - from + 1) * width);
      perSample[i] = formulation === 'constructive' ? constructivePower(d, i, row) : feasiblePower(d, i, row);
    }
  }
  let total = 0;
  let logs = 0;
  let feasible = 0;
  for (const p of perSample) {
    if (Number.isFinite(p)) {
      total += p;
      logs += 10 * Math.log10(p);
      feasible++;
    }
  }
  return { meanPower: feasible > 0 ? total / feasible : Infinity, meanLogPower_dB: feasible > 0 ? logs / feasible : Infinity, infeasible: n - feasible, count: n, perSample };
}

/** Validation score, higher is better: −(mean dB power) of the feasible samples, 1 dB off per 1% infeasible. */
export function powerScore(p: LearnedPower): number {
  return -p.meanLogPower_dB - (100 * p.infeasible) / p.count;
}

/**
 * Re-draws which rows of each stochastic layer are quantized (seed 002 Algorithm 1), from the
 * layer's current weights and a stream seeded by the epoch, so a resumed run draws the same.
 */
export function redrawRowMasks(model: GraphModel, layers: readonly { readonly name: string; readonly rows: number }[], mode: 'binary' | 'ternary', qr: number, seed: number, epoch: number): void {
  for (const { name, rows } of layers) {
    const kernel = model.trainable.get(paramKey(name, 'kernel'))!;
    const values = kernel.dataSync() as Float32Array;
    const errors = rowQuantizationErrors(values, kernel.shape[0], rows, mode);
    const r = rng(seed).fork(`lottery-${name}-${epoch}`);
    model.setRowMask(name, circularLottery(errors, Math.round(qr * rows), () => r.next()));
  }
}

export interface SlpTaskOptions {
  readonly formulation?: SlpFormulation;
  /** Stochastic variants: the layers whose rows are drawn, their quantizer and QR. */
  readonly stochastic?: { readonly layers: readonly { readonly name: string; readonly rows: number }[]; readonly mode: 'binary' | 'ternary'; readonly qr: number; readonly seed: number };
}

export function slpTask(data: { train: SlpSamples; validation: SlpSamples }, options: SlpTaskOptions = {}): TrainTask {
  const { train, validation } = data;
  const formulation = options.formulation ?? 'constructive';
  const s = options.stochastic;
  // The batch's W̃ (or rotated channels) ride beside its input tensor: the trainer hands the loss only the input.
  const side = new Map<number, tf.Tensor>();
  return {
    metric: '−mean power at unit margin (dB, averaged in dB)',
    trainCount: train.count,
    batch: (order, from, to) => {
      for (const t of side.values()) t.dispose();
      side.clear();
      const x = batchOf(train, order, from, to);
      side.set(
        x.id,
        formulation === 'constructive'
          ? tf.tensor3d(gather(train.gram, 4 * train.k * train.k, order, from, to), [to - from, 2 * train.k, 2 * train.k])
          : rotatedBatch(train, order, from, to),
      );
      return x;
    },
    loss: (model, x, o) => {
      const out = model.forward(x, { training: true, ...o }) as tf.Tensor2D;
      if (formulation === 'constructive') return constructiveLoss(constructivePoints(out), side.get(x.id) as tf.Tensor3D);
      return lagrangianLoss(side.get(x.id) as tf.Tensor4D, tf.softplus(out) as tf.Tensor2D, train.m, train.k);
    },
    // The constructive loss is a mean natural-log power; the Lagrangian's value is −½ of a power bound.
    metricOfLoss: (loss) => (formulation === 'constructive' ? (-10 * loss) / Math.LN10 : loss < 0 ? -10 * Math.log10(-2 * loss) : -Infinity),
    validate: async (model) => powerScore(await learnedPower(model, validation, formulation)),
    ...(s ? { beforeEpoch: (model: GraphModel, epoch: number) => redrawRowMasks(model, s.layers, s.mode, s.qr, s.seed, epoch) } : {}),
  };
}
