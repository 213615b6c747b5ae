/**
 * Training and evaluating a CSI-feedback autoencoder: MSE loss on the [0, 1] data; NMSE (dB) =
 * 10·log₁₀ mean(‖x − x̂‖² / ‖x − 0.5‖²) on the 0.5-centred data; the cosine similarity ρ of
 * the frequency responses per subcarrier (CsiNet's metric, on 32 evenly spaced subcarriers of
 * the 1024, through the DFT of the 32 kept delay rows); optional AWGN on the codeword at a
 * given SNR (imperfect feedback).
 */
import type { CsiDataset } from '../scenarios/dataset.ts';
import type { Graph } from '../nets/graph.ts';
import { codewordOpOf } from '../nets/csi.ts';
import { tf } from './backend.ts';
import { lsqRange, lsqStepOfScale, meanAbs } from '../nets/quant.ts';
import type { BitAssignment, GraphModel, Perturb } from './model.ts';
import { lsqQuantize } from './quant.ts';
import { formatKey, parseKey } from './variable-key.ts';
import { InputError } from '../core/errors.ts';
import type { TrainTask } from './trainer.ts';

export function codecBatch(ds: CsiDataset, indices: ArrayLike<number>, from: number, to: number): tf.Tensor4D {
  const size = 2 * ds.rows * ds.cols;
  const out = new Float32Array((to - from) * size);
  for (let i = from; i < to; i++) out.set(ds.data.subarray(indices[i] * size, (indices[i] + 1) * size), (i - from) * size);
  return tf.tensor4d(out, [to - from, 2, ds.rows, ds.cols]);
}

/** The op whose output is the codeword: the encoder's last op. */
export function codewordOp(graph: Graph): string {
  return codewordOpOf(graph).name;
}

/**
 * What happens to the codeword between the user and the base station: quantized to `bits` per
 * element (signed LSQ with a trained step, stored as the codeword op's activation step at those
 * bits, so that the feedback is exactly M·bits and the decoder learns on what it will receive),
 * then AWGN at `snrDb` relative to each sample's mean codeword power (seed 003's noise model).
 */
export interface CodewordChannel {
  readonly bits?: number;
  readonly snrDb?: number;
}

/** The checkpoint key of a codec's codeword step at `bits`. */
export const codewordStepKey = (graph: Graph, bits: number) => formatKey({ kind: 'activationStep', op: codewordOp(graph), bits });

/** The bits a codec checkpoint's codeword was trained to (the step it holds), or undefined (trained unquantized). */
export function trainedCodewordBits(model: GraphModel): number | undefined {
  const op = codewordOp(model.graph);
  const bits = [...model.trainable.keys()].map(parseKey).flatMap((k) => (k.kind === 'activationStep' && k.op === op ? [k.bits] : []));
  if (bits.length > 1) throw new InputError('checkpoint', model.graph.name, `holds codeword steps at ${bits.join(', ')} bits; allowed: one (a codec is trained to one codeword width)`);
  return bits[0];
}

/** The codeword quantized by the codec's trained LSQ step at `bits` (made from `t` on first use, before training). */
export function quantizeTrained(model: GraphModel, t: tf.Tensor, bits: number): tf.Tensor {
  const range = lsqRange(bits, true);
  const step = model.activationStep(codewordStepKey(model.graph, bits), () => lsqStepOfScale(meanAbs(t.dataSync() as Float32Array), range));
  return lsqQuantize(t, step, range);
}

/** AWGN at `snrDb` below each sample's mean codeword power (seed 003's imperfect feedback); seeded. */
export function codewordAwgn(t: tf.Tensor, snrDb: number, seed: number): tf.Tensor {
  const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
  const power = tf.mean(tf.square(t), axes, true);
  const std = tf.sqrt(tf.div(power, 10 ** (snrDb / 10)));
  return tf.add(t, tf.mul(tf.randomNormal(t.shape, 0, 1, 'float32', seed), std));
}

/** The perturbation the channel applies after the codeword op (undefined: a clean, unquantized codeword); noise seeded. */
export function codewordPerturb(model: GraphModel, channel: CodewordChannel, seed: number): Perturb | undefined {
  const { bits, snrDb } = channel;
  if (bits === undefined && snrDb === undefined) return undefined;
  return {
    after: codewordOp(model.graph),
    apply: (t: tf.Tensor) => {
      const q = bits === undefined ? t : quantizeTrained(model, t, bits);
      return snrDb === undefined ? q : codewordAwgn(q, snrDb, seed);
    },
  };
}

export interface CodecMetrics {
  readonly nmseDb: number;
  readonly rho: number;
}

/** NMSE (dB) and ρ of the model on a dataset, with optional codeword noise. */
export async function evaluateCodec(model: GraphModel, ds: CsiDataset, options: { bits?: BitAssignment; channel?: CodewordChannel; limit?: number; seed?: number } = {}): Promise<CodecMetrics> {
  const n = Math.min(options.limit ?? ds.count, ds.count);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const size = ds.rows * ds.cols;
  const subcarriers = 32;
  let ratio = 0;
  let rho = 0;
  for (let from = 0; from < n; from += 500) {
    const to = Math.min(n, from + 500);
    const out = tf.tidy(() => {
      const x = codecBatch(ds, all, from, to);
      const perturb = codewordPerturb(model, options.channel ?? {}, (options.seed ?? 0) + from);
      return model.forward(x, { training: false, bits: options.bits, perturb });
    });
    const y = (await out.data()) as Float32Array;
    out.dispose();
    for (let i = from; i < to; i++) {
      const x = ds.data.subarray(i * 2 * size, (i + 1) * 2 * size);
      const yh = y.subarray((i - from) * 2 * size, (i - from + 1) * 2 * size);
      let err = 0;
      let pow = 0;
      for (let j = 0; j < 2 * size; j++) {
        err += (x[j] - yh[j]) ** 2;
        pow += (x[j] - 0.5) ** 2;
      }
      ratio += err / Math.max(pow, 1e-20);
      rho += similarity(x, yh, ds.rows, ds.cols, subcarriers);
    }
  }
  return { nmseDb: 10 * Math.log10(ratio / n), rho: rho / n };
}

/** Mean over subcarriers of |ĥ_kᴴ h_k| / (‖ĥ_k‖‖h_k‖), h_k[a] = Σ_d H̃[d, a] e^{−j2πkd/1024}. */
function similarity(x: Float32Array, y: Float32Array, rows: number, cols: number, subcarriers: number): number {
  const size = rows * cols;
  let total = 0;
  for (let s = 0; s < subcarriers; s++) {
    const k = (s * 1024) / subcarriers;
    let ir = 0;
    let ii = 0;
    let nx = 0;
    let ny = 0;
    for (let a = 0; a < cols; a++) {
      let xr = 0;
      let xi = 0;
      let yr = 0;
      let yi = 0;
      for (let d = 0; d < rows; d++) {
        const phase = (-2 * Math.PI * k * d) / 1024;
        const c = Math.cos(phase);
        const sn = Math.sin(phase);
        const ar = x[d * cols + a] - 0.5;
        const ai = x[size + d * cols + a] - 0.5;
        const br = y[d * cols + a] - 0.5;
        const bi = y[size + d * cols + a] - 0.5;
        xr += ar * c - ai * sn;
        xi += ar * sn + ai * c;
        yr += br * c - bi * sn;
        yi += br * sn + bi * c;
      }
      // ĥᴴh accumulates conj(y)·x
      ir += yr * xr + yi * xi;
      ii += yr * xi - yi * xr;
      nx += xr * xr + xi * xi;
      ny += yr * yr + yi * yi;
    }
    total += Math.hypot(ir, ii) / Math.max(Math.sqrt(nx * ny), 1e-20);
  }
  return total / subcarriers;
}

export function codecTask(graph: Graph, data: { train: CsiDataset; validation: CsiDataset }, channel: CodewordChannel = {}): TrainTask {
  return {
    metric: '−NMSE (dB)',
    trainCount: data.train.count,
    batch: (order, from, to) => codecBatch(data.train, order, from, to),
    loss: (model, x, o) => tf.losses.meanSquaredError(x, model.forward(x, { training: true, bits: o.bits, dropoutSeed: o.dropoutSeed, perturb: codewordPerturb(model, channel, o.dropoutSeed) })) as tf.Scalar,
    // The MSE of a batch is not an NMSE; report −10·log₁₀(MSE / mean power of x − 0.5 ≈ data).
    metricOfLoss: (loss) => -10 * Math.log10(loss),
    validate: async (model, bits) => -(await evaluateCodec(model, data.validation, { bits, channel, seed: 1 })).nmseDb,
    // The codeword step must exist before the first step takes gradients over the trainable variables.
    beforeEpoch: (model) => {
      if (channel.bits === undefined || model.trainable.has(codewordStepKey(graph, channel.bits))) return;
      const first = Int32Array.from({ length: Math.min(500, data.train.count) }, (_, i) => i);
      tf.tidy(() => {
        model.forward(codecBatch(data.train, first, 0, first.length), { training: false, perturb: codewordPerturb(model, { bits: channel.bits }, 0) });
      });
    },
  };
}

/**
 * The decoder's BN ops whose output reaches an `add` through activations only: the ends of the
 * residual branches and of the main path into the first residual block. With their γ (and β)
 * at 0 every such sum starts at 0, so a CRNet decoder starts by outputting sigmoid(0) = 0.5 —
 * the 0 dB decoder — instead of +20 dB (docs/codecs.md), and learns the deviations from there.
 */
export function residualBatchNorms(graph: Graph): string[] {
  const byName = new Map(graph.ops.map((op) => [op.name, op]));
  const consumers = new Map<string, string[]>();
  for (const op of graph.ops) for (const input of op.inputs) consumers.set(input, [...(consumers.get(input) ?? []), op.name]);
  const reachesAdd = (name: string): boolean =>
    (consumers.get(name) ?? []).some((next) => {
      const kind = byName.get(next)!.kind;
      return kind === 'add' || ((kind === 'leakyrelu' || kind === 'relu') && reachesAdd(next));
    });
  return graph.ops.filter((op) => op.kind === 'batchnorm' && op.name.startsWith('dec.') && reachesAdd(op.name)).map((op) => op.name);
}
