/**
 * Training and evaluating a CSI-feedback autoencoder: MSE loss on the [0, 1] data; NMSE (dB) =
 * 10·log₁₀ mean(‖x − x̂‖² / ‖x − 0.5‖²) on the 0.5-centred data; the cosine similarity ρ of
 * the frequency responses per subcarrier (CsiNet's metric, on 32 evenly spaced subcarriers of
 * the 1024, through the DFT of the 32 kept delay rows); optional AWGN on the codeword at a
 * given SNR (imperfect feedback).
 */
import type { CsiDataset } from '../scenarios/dataset.ts';
import type { Graph } from '../nets/graph.ts';
import { tf } from './backend.ts';
import type { BitAssignment, GraphModel } from './model.ts';
import type { TrainTask } from './trainer.ts';

export function codecBatch(ds: CsiDataset, indices: ArrayLike<number>, from: number, to: number): tf.Tensor4D {
  const size = 2 * ds.rows * ds.cols;
  const out = new Float32Array((to - from) * size);
  for (let i = from; i < to; i++) out.set(ds.data.subarray(indices[i] * size, (indices[i] + 1) * size), (i - from) * size);
  return tf.tensor4d(out, [to - from, 2, ds.rows, ds.cols]);
}

/** The op whose output is the codeword: the encoder's last op. */
export function codewordOp(graph: Graph): string {
  const enc = graph.ops.filter((op) => op.name.startsWith('enc.'));
  return enc[enc.length - 1].name;
}

/** AWGN at `snrDb` relative to each sample's mean codeword power; seeded. */
export function codewordNoise(graph: Graph, snrDb: number, seed: number) {
  return {
    after: codewordOp(graph),
    apply: (t: tf.Tensor) => {
      const axes = Array.from({ length: t.rank - 1 }, (_, i) => i + 1);
      const power = tf.mean(tf.square(t), axes, true);
      const std = tf.sqrt(tf.div(power, 10 ** (snrDb / 10)));
      return tf.add(t, tf.mul(tf.randomNormal(t.shape, 0, 1, 'float32', seed), std));
    },
  };
}

export interface CodecMetrics {
  readonly nmseDb: number;
  readonly rho: number;
}

/** NMSE (dB) and ρ of the model on a dataset, with optional codeword noise. */
export async function evaluateCodec(model: GraphModel, ds: CsiDataset, options: { bits?: BitAssignment; snrDb?: number; limit?: number; seed?: number } = {}): Promise<CodecMetrics> {
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
      const perturb = options.snrDb === undefined ? undefined : codewordNoise(model.graph, options.snrDb, (options.seed ?? 0) + from);
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

export function codecTask(graph: Graph, data: { train: CsiDataset; validation: CsiDataset }, snrDb?: number): TrainTask {
  return {
    metric: '−NMSE (dB)',
    trainCount: data.train.count,
    batch: (order, from, to) => codecBatch(data.train, order, from, to),
    loss: (model, x, o) => {
      const perturb = snrDb === undefined ? undefined : codewordNoise(graph, snrDb, o.dropoutSeed);
      return tf.losses.meanSquaredError(x, model.forward(x, { training: true, bits: o.bits, dropoutSeed: o.dropoutSeed, perturb })) as tf.Scalar;
    },
    // The MSE of a batch is not an NMSE; report −10·log₁₀(MSE / mean power of x − 0.5 ≈ data).
    metricOfLoss: (loss) => -10 * Math.log10(loss),
    validate: async (model, bits) => -(await evaluateCodec(model, data.validation, { bits, snrDb, seed: 1 })).nmseDb,
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
