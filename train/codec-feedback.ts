/**
 * A trained codec as a feedback scheme: the user encodes its 2×S×S map, the codeword's M
 * elements are quantized to b bits each, optionally disturbed by AWGN (seed 003's analog
 * feedback), and the base station decodes. Two quantizers: the codec's own trained LSQ step when
 * it was trained to send b bits (`--codeword-bits`), or post-training quantization — a uniform
 * quantizer on a range fixed from training maps, the same for every user: the 0.1% and 99.9%
 * quantiles of the training codewords — for a codec trained on the unquantized codeword.
 */
import type { CsiDataset } from '../scenarios/dataset.ts';
import { tf } from './backend.ts';
import { codecBatch, codewordAwgn, codewordOp, codewordPerturb } from './codec.ts';
import type { GraphModel } from './model.ts';

export interface CodewordQuantizer {
  readonly lo: number;
  readonly hi: number;
  readonly bits: number;
  /** Codeword elements per map. */
  readonly length: number;
}

const BATCH = 500;

/** Every codeword of the first `limit` maps, flattened. */
async function codewords(model: GraphModel, ds: CsiDataset, limit: number): Promise<Float32Array> {
  const after = codewordOp(model.graph);
  const n = Math.min(limit, ds.count);
  const all = Int32Array.from({ length: n }, (_, i) => i);
  const parts: Float32Array[] = [];
  for (let from = 0; from < n; from += BATCH) {
    const to = Math.min(n, from + BATCH);
    let captured: tf.Tensor | undefined;
    tf.tidy(() => {
      const x = codecBatch(ds, all, from, to);
      model.forward(x, { training: false, perturb: { after, apply: (t) => ((captured = tf.keep(t.clone())), t) } });
    });
    parts.push((await captured!.data()) as Float32Array);
    captured!.dispose();
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The quantizer's range from the training maps' codewords. */
export async function calibrateQuantizer(model: GraphModel, train: CsiDataset, bits: number, limit = 2000): Promise<CodewordQuantizer> {
  const values = await codewords(model, train, limit);
  const sorted = Float32Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  const length = values.length / Math.min(limit, train.count);
  return { lo: at(0.001), hi: at(0.999), bits, length };
}

/** Uniform mid-rise quantization of t to the quantizer's 2^bits levels on [lo, hi]. */
export function quantizeCodeword(t: tf.Tensor, q: CodewordQuantizer): tf.Tensor {
  return tf.tidy(() => {
    const levels = 2 ** q.bits;
    const step = (q.hi - q.lo) / levels;
    const cell = tf.clipByValue(tf.floor(tf.div(tf.sub(t, q.lo), step)), 0, levels - 1);
    return tf.add(tf.mul(tf.add(cell, 0.5), step), q.lo);
  });
}

/** How the codeword reaches the base station: quantized (by the codec's trained step, or after training by `ptq`) or not, then optionally AWGN. */
export type CodewordPath =
  | { readonly quantizer: 'none'; readonly snrDb?: number }
  | { readonly quantizer: 'trained'; readonly bits: number; readonly snrDb?: number }
  | { readonly quantizer: 'ptq'; readonly ptq: CodewordQuantizer; readonly snrDb?: number };

/** The decoded maps of every map of `ds`, the codeword sent along `path` (noise seeded by `seed` and the batch). */
export async function decodeMaps(model: GraphModel, ds: CsiDataset, path: CodewordPath = { quantizer: 'none' }, seed = 7): Promise<Float32Array> {
  const after = codewordOp(model.graph);
  const all = Int32Array.from({ length: ds.count }, (_, i) => i);
  const size = 2 * ds.rows * ds.cols;
  const out = new Float32Array(ds.count * size);
  // The trained and unquantized paths are the training channel itself (codewordPerturb); only post-training quantization is added here.
  const send = (t: tf.Tensor, from: number) => {
    if (path.quantizer === 'ptq') return path.snrDb === undefined ? quantizeCodeword(t, path.ptq) : codewordAwgn(quantizeCodeword(t, path.ptq), path.snrDb, seed + from);
    const channel = { ...(path.quantizer === 'trained' ? { bits: path.bits } : {}), ...(path.snrDb !== undefined ? { snrDb: path.snrDb } : {}) };
    return codewordPerturb(model, channel, seed + from)?.apply(t) ?? t;
  };
  for (let from = 0; from < ds.count; from += BATCH) {
    const to = Math.min(ds.count, from + BATCH);
    const y = tf.tidy(() => model.forward(codecBatch(ds, all, from, to), { training: false, perturb: { after, apply: (t: tf.Tensor) => send(t, from) } }));
    out.set((await y.data()) as Float32Array, from * size);
    y.dispose();
  }
  return out;
}
