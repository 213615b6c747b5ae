/**
 * Accuracy on the user's data (`search --model FILE --data FILE.npz`): the model runs in
 * onnxruntime (its WebAssembly build) on the data's inputs with every conv/dense kernel fake-quantized to a
 * candidate assignment by the quantizer of the noise proxy (signed LSQ at its initial step), and
 * is rated by top-1 accuracy against the data's labels, or by its output's relative error
 * against reference outputs. onnxruntime is loaded on this path only.
 */
import { readFileSync } from 'node:fs';
import { INPUT_LIMITS, readInput } from '../core/files.ts';
import { InputError } from '../core/errors.ts';
import { readNpz } from '../core/npz.ts';
import { lsqQuantize } from '../nets/quant.ts';
import { decodeModel, encodeModel, floatTensor, tensorValues, type Tensor } from '../nets/onnx/proto.ts';
import { loadOrt, QUIET, type Ort } from './onnx-runtime.ts';

export interface ModelData {
  readonly file: string;
  /** Inputs, C order, with the batch axis first. */
  readonly inputs: Float32Array;
  readonly shape: readonly number[];
  /** Class labels (top-1 accuracy), or reference outputs (relative error), one per sample. */
  readonly target: { readonly kind: 'labels'; readonly labels: Float64Array } | { readonly kind: 'outputs'; readonly outputs: Float64Array };
}

/** Samples one evaluation may run (each candidate runs them all). */
export const MAX_DATA_VALUES = 50_000_000;

export function loadModelData(file: string): ModelData {
  const arrays = readNpz(readInput(file, 'data', INPUT_LIMITS.data, 'a readable .npz file'), file);
  const inputs = arrays.get('inputs');
  const labels = arrays.get('labels');
  const outputs = arrays.get('outputs');
  const names = [...arrays.keys()].join(', ') || 'none';
  if (!inputs) throw new InputError(`${file}: arrays`, names, 'allowed: an array named inputs (batch first), with labels (class indices) or outputs (reference outputs)');
  if (!labels && !outputs) throw new InputError(`${file}: arrays`, names, 'allowed: labels (class indices, one per sample) or outputs (reference outputs) beside inputs');
  const n = inputs.shape[0];
  const target = labels ?? outputs!;
  if (inputs.shape.length < 2 || target.shape[0] !== n) throw new InputError(`${file}: shapes`, `inputs [${inputs.shape.join(', ')}], ${labels ? 'labels' : 'outputs'} [${target.shape.join(', ')}]`, 'allowed: the same number of samples first in both');
  if (inputs.data.length > MAX_DATA_VALUES) throw new InputError(`${file}: inputs`, `${inputs.data.length} values`, `allowed: at most ${MAX_DATA_VALUES.toLocaleString('en-US')} (every candidate runs them all): a subset of the samples`);
  return { file, inputs: Float32Array.from(inputs.data), shape: inputs.shape, target: labels ? { kind: 'labels', labels: labels.data } : { kind: 'outputs', outputs: outputs!.data } };
}

export interface AccuracyRater {
  /** What `rate` measures, in words. */
  readonly metric: string;
  /** Rates one assignment (bits per layer, in `layers` order): one score per sample (its mean is the quality). */
  rate(bits: readonly number[]): Promise<Float64Array>;
  close(): Promise<void>;
}

/** A rater for a model file and its data; `kernels` are the import's conv/dense weight tensors by layer name. */
export async function accuracyRater(modelFile: string, layers: readonly string[], kernels: ReadonlyMap<string, Tensor>, data: ModelData): Promise<AccuracyRater> {
  let ort: Ort;
  try {
    ort = await loadOrt();
  } catch (error) {
    throw new InputError('data', data.file, `allowed only where onnxruntime-web loads (${(error as Error).message.split('\n')[0]}): run without --data for the energy-vs-noise front`);
  }
  const bytes = readFileSync(modelFile);
  const weights = layers.map((name) => {
    const t = kernels.get(name);
    if (!t) throw new InputError('model', modelFile, `allowed: a model whose layer ${name} has its weights in the file`);
    return { name: t.name, dims: t.dims.map(Number), values: tensorValues(t) };
  });
  const input = new ort.Tensor('float32', data.inputs, [...data.shape]);
  const run = async (model: Uint8Array): Promise<Float32Array> => {
    const session = await ort.InferenceSession.create(model, QUIET);
    try {
      const out = await session.run({ [session.inputNames[0]]: input });
      return out[session.outputNames[0]].data as Float32Array;
    } finally {
      await session.release();
    }
  };
  const n = data.shape[0];
  // Per sample: 1 if its top class is its label, else 0; or minus its squared output error
  // relative to the mean squared reference output (the mean is then −‖y − ref‖²/‖ref‖²).
  const score = (y: Float32Array): Float64Array => {
    const out = new Float64Array(n);
    const width = y.length / n;
    if (data.target.kind === 'labels') {
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < width; c++) if (y[i * width + c] > y[i * width + best]) best = c;
        out[i] = best === data.target.labels[i] ? 1 : 0;
      }
      return out;
    }
    const ref = data.target.outputs;
    if (ref.length !== y.length) throw new InputError(`${data.file}: outputs`, `${ref.length} values`, `allowed: the model's ${y.length} outputs for these inputs`);
    let norm = 0;
    for (let i = 0; i < ref.length; i++) norm += ref[i] ** 2;
    const scale = norm > 0 ? norm / n : 1;
    for (let i = 0; i < n; i++) {
      let e = 0;
      for (let j = i * width; j < (i + 1) * width; j++) e += (y[j] - ref[j]) ** 2;
      out[i] = -e / scale;
    }
    return out;
  };
  return {
    metric: data.target.kind === 'labels' ? `top-1 accuracy on ${n} samples of ${data.file}` : `−(relative output error) on ${n} samples of ${data.file}`,
    rate: async (bits) => {
      const model = decodeModel(bytes);
      const quantized = new Map(weights.map((w, l) => [w.name, floatTensor(w.name, w.dims, lsqQuantize(w.values, bits[l]))]));
      const initializer = (model.graph!.initializer ?? []).map((t) => quantized.get(t.name) ?? t);
      return score(await run(encodeModel({ ...model, graph: { ...model.graph!, initializer } })));
    },
    close: async () => {},
  };
}
