/**
 * A Graph as an ONNX model (opset 17), so a user can take our precoder or codec to
 * onnxruntime, PyTorch or a hardware tool. Weights come from a `WeightSource` in codesign's
 * layouts (the trainable model's: conv kernels as the im2col matrix [k_h·k_w·C_in/groups, C_out],
 * dense kernels [in, out]); they are rewritten in ONNX's (conv [C_out, C_in/groups, k_h, k_w],
 * Gemm B = [in, out]). Tensors are NCHW with a symbolic batch axis. Every op's precision goes
 * into the model's metadata, so importing the file gives back the same counts, shapes and energy.
 *
 * Padding: a 'same' convolution exports explicit pads ⌊(k−1)/2⌋ before and the rest after at
 * its stride — the positions codesign's forward pass computes (a stride-1 'same' convolution
 * subsampled), which ONNX's SAME_UPPER at a stride > 1 would not give.
 */
import { InputError } from '../../core/errors.ts';
import type { Graph, Op, OpKind, Precision } from '../graph.ts';
import { PRECISION_METADATA } from './import.ts';
import { ATTRIBUTE_TYPE, encodeModel, floatTensor, int64Tensor, type Attribute, type Node, type Tensor, type ValueInfo } from './proto.ts';

export type WeightParameter = 'kernel' | 'bias' | 'gamma' | 'beta' | 'mean' | 'variance' | 'alpha';

/** An op's parameter values in codesign's layout. */
export type WeightSource = (op: Op, parameter: WeightParameter) => Float32Array;

export const EXPORT_OPSET = 17;

/** Activation functions with no parameters: our kind → ONNX op type. */
const UNARY = { relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh', softplus: 'Softplus' } as const;

const ints = (name: string, values: readonly number[]): Attribute => ({ name, type: ATTRIBUTE_TYPE.INTS, ints: [...values] });
const intAttr = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.INT, i: value });
const floatAttr = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f: value });

/** A conv kernel from the im2col layout [k_h·k_w·C_in/g, C_out] to ONNX's [C_out, C_in/g, k_h, k_w]. */
export function convKernelToOnnx(k: Float32Array, kh: number, kw: number, cinG: number, cout: number): Float32Array {
  const out = new Float32Array(k.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let c = 0; c < cinG; c++) {
        const row = ((i * kw + j) * cinG + c) * cout;
        for (let o = 0; o < cout; o++) out[((o * cinG + c) * kh + i) * kw + j] = k[row + o];
      }
    }
  }
  return out;
}

/** What an op's exporter writes with: initializers, nodes and graph inputs of the model being built. */
interface ExportContext {
  /** An op's parameter as an initializer (values from the weight source unless given); its name. */
  tensor(op: Op, parameter: WeightParameter, dims: readonly number[], values?: Float32Array): string;
  /** A float scalar initializer; its name. */
  scalar(name: string, value: number): string;
  /** An int64 initializer; its name. */
  int64(name: string, dims: readonly number[], values: readonly number[]): string;
  /** One node named for the op, writing the op's output (or `output`). */
  node(op: Op, opType: string, input: readonly string[], attribute?: readonly Attribute[]): void;
  /** A node of a multi-node op, named and wired by the caller. */
  raw(node: Node): void;
  input(name: string, shape: readonly number[]): void;
  readonly weights: WeightSource;
}

type OpOf<K extends OpKind> = Extract<Op, { kind: K }>;
type Exporter<K extends OpKind> = (op: OpOf<K>, x: readonly string[], c: ExportContext) => void;

/**
 * One exporter per op kind, or the reason it has none: a new kind is a compile error here until
 * it is given one or refused.
 */
const EXPORTERS: { readonly [K in OpKind]: Exporter<K> | { readonly noOnnxForm: string } } = {
  input: (op, _, c) => c.input(op.name, op.shape),
  conv2d: (op, x, c) => {
    const cinG = op.inputShapes[0][0] / op.groups;
    const [kh, kw] = op.kernel;
    const w = c.tensor(op, 'kernel', [op.filters, cinG, kh, kw], convKernelToOnnx(c.weights(op, 'kernel'), kh, kw, cinG, op.filters));
    const [dh, dw] = op.dilation ?? [1, 1];
    const pads =
      op.padding === 'valid' ? [0, 0, 0, 0]
      : op.padding === 'same' ? [Math.floor((dh * (kh - 1)) / 2), Math.floor((dw * (kw - 1)) / 2), dh * (kh - 1) - Math.floor((dh * (kh - 1)) / 2), dw * (kw - 1) - Math.floor((dw * (kw - 1)) / 2)]
      : [op.padding[0], op.padding[1], op.padding[0], op.padding[1]];
    const attrs = [ints('kernel_shape', [kh, kw]), ints('strides', op.stride), ints('pads', pads), ints('dilations', [dh, dw]), intAttr('group', op.groups)];
    c.node(op, 'Conv', [x[0], w, ...(op.bias ? [c.tensor(op, 'bias', [op.filters])] : [])], attrs);
  },
  dense: (op, x, c) => c.node(op, 'Gemm', [x[0], c.tensor(op, 'kernel', [op.inputShapes[0][0], op.units]), ...(op.bias ? [c.tensor(op, 'bias', [op.units])] : [])]),
  batchnorm: (op, x, c) => {
    const ch = op.outputShape[0];
    c.node(op, 'BatchNormalization', [x[0], c.tensor(op, 'gamma', [ch]), c.tensor(op, 'beta', [ch]), c.tensor(op, 'mean', [ch]), c.tensor(op, 'variance', [ch])], [floatAttr('epsilon', 1e-3)]);
  },
  relu: (op, x, c) => c.node(op, UNARY[op.kind], x),
  sigmoid: (op, x, c) => c.node(op, UNARY[op.kind], x),
  tanh: (op, x, c) => c.node(op, UNARY[op.kind], x),
  softplus: (op, x, c) => c.node(op, UNARY[op.kind], x),
  leakyrelu: (op, x, c) => c.node(op, 'LeakyRelu', x, [floatAttr('alpha', op.alpha)]),
  // One slope per channel, broadcast over the spatial axes.
  prelu: (op, x, c) => c.node(op, 'PRelu', [x[0], c.tensor(op, 'alpha', [op.outputShape[0], ...op.outputShape.slice(1).map(() => 1)])]),
  // Inference: the identity; the ratio is kept so a re-import sees the same layer.
  dropout: (op, x, c) => c.node(op, 'Dropout', [x[0], c.scalar(`${op.name}.ratio`, op.rate)]),
  add: (op, x, c) => c.node(op, x.length === 2 ? 'Add' : 'Sum', x),
  concat: (op, x, c) => c.node(op, 'Concat', x, [intAttr('axis', 1)]),
  flatten: (op, x, c) => c.node(op, 'Flatten', x, [intAttr('axis', 1)]),
  reshape: (op, x, c) => c.node(op, 'Reshape', [x[0], c.int64(`${op.name}.shape`, [op.shape.length + 1], [-1, ...op.shape])]),
  transpose: (op, x, c) => c.node(op, 'Transpose', x, [ints('perm', [0, ...op.perm.map((d) => d + 1)])]),
  avgpool: (op, x, c) => c.node(op, 'AveragePool', x, [...poolAttributes(op), intAttr('count_include_pad', 1)]), // our average divides by the whole window, padding included
  maxpool: (op, x, c) => c.node(op, 'MaxPool', x, poolAttributes(op)),
  clip: (op, x, c) => c.node(op, 'Clip', [x[0], c.scalar(`${op.name}.min`, op.min), c.scalar(`${op.name}.max`, op.max)]),
  softmax: (op, x, c) => c.node(op, 'Softmax', x, [intAttr('axis', 1)]),
  scale: (op, x, c) => c.node(op, 'Mul', [x[0], c.scalar(`${op.name}.factor`, op.factor)]),
  powernorm: (op, x, c) => {
    // x / sqrt(Σx² + 1e-12) · √power, over every per-sample axis (the trainable model's form).
    const axes = op.outputShape.map((_, k) => k + 1);
    const n = op.name;
    c.raw({ name: n, opType: 'ReduceSumSquare', input: [x[0]], output: [`${n}/sumsq`], attribute: [ints('axes', axes), intAttr('keepdims', 1)] });
    c.raw({ name: `${n}/eps`, opType: 'Add', input: [`${n}/sumsq`, c.scalar(`${n}.epsilon`, 1e-12)], output: [`${n}/sumsq+eps`], attribute: [] });
    c.raw({ name: `${n}/sqrt`, opType: 'Sqrt', input: [`${n}/sumsq+eps`], output: [`${n}/norm`], attribute: [] });
    c.raw({ name: `${n}/div`, opType: 'Div', input: [x[0], `${n}/norm`], output: [`${n}/unit`], attribute: [] });
    c.raw({ name: `${n}/mul`, opType: 'Mul', input: [`${n}/unit`, c.scalar(`${n}.scale`, Math.sqrt(op.power))], output: [n], attribute: [] });
  },
  gram: { noOnnxForm: 'the structured precoder head' },
  reginverse: { noOnnxForm: 'the structured precoder head' },
  beamform: { noOnnxForm: 'the structured precoder head' },
  userpower: { noOnnxForm: 'the structured precoder head' },
  channelgains: { noOnnxForm: 'the unfolded WMMSE precoder head' },
  wmmseupdate: { noOnnxForm: 'the unfolded WMMSE precoder head' },
  trace: { noOnnxForm: 'an op-count trace' },
  matmul: { noOnnxForm: 'an op-count trace' },
};

function poolAttributes(op: OpOf<'avgpool'> | OpOf<'maxpool'>): Attribute[] {
  const [ph, pw] = op.padding ?? [0, 0];
  return [ints('kernel_shape', op.pool), ints('strides', op.stride), ints('pads', [ph, pw, ph, pw]), intAttr('ceil_mode', op.ceilMode ? 1 : 0)];
}

/** Refuses, before any weights are made, a graph with an op that has no ONNX form. */
export function checkExportable(graph: Graph): void {
  for (const op of graph.ops) {
    const e = EXPORTERS[op.kind];
    if ('noOnnxForm' in e) throw new InputError('net', `${graph.name}: op ${op.name} (${op.kind})`, `allowed: a graph of network layers (${e.noOnnxForm} has no ONNX form; export the direct head)`);
  }
}

export function exportOnnx(graph: Graph, weights: WeightSource, producerVersion: string): Uint8Array {
  checkExportable(graph);
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const inputs: ValueInfo[] = [];
  const info = (name: string, shape: readonly number[]): ValueInfo => ({
    name,
    type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, ...shape.map((d) => ({ dimValue: d }))] } } },
  });
  const context: ExportContext = {
    weights,
    tensor(op, parameter, dims, values) {
      const name = `${op.name}.${parameter}`;
      initializers.push(floatTensor(name, dims, values ?? weights(op, parameter)));
      return name;
    },
    scalar: (name, value) => tensorOf(initializers, name, value),
    int64(name, dims, values) {
      initializers.push(int64Tensor(name, dims, values));
      return name;
    },
    node: (op, opType, input, attribute = []) => void nodes.push({ name: op.name, opType, input: [...input], output: [op.name], attribute: [...attribute] }),
    raw: (node) => void nodes.push(node),
    input: (name, shape) => void inputs.push(info(name, shape)),
  };
  for (const op of graph.ops) (EXPORTERS[op.kind] as Exporter<OpKind>)(op as never, op.inputs, context);
  const last = graph.ops[graph.ops.length - 1];
  const precision: Record<string, Precision> = Object.fromEntries(graph.ops.map((op) => [op.name, op.precision]));
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: EXPORT_OPSET }],
    producerName: 'codesign',
    producerVersion,
    graph: { name: graph.name, node: nodes, initializer: initializers, input: inputs, output: [info(last.name, last.outputShape)] },
    metadataProps: [{ key: PRECISION_METADATA, value: JSON.stringify(precision) }],
  });
}

function tensorOf(initializers: Tensor[], name: string, value: number): string {
  initializers.push(floatTensor(name, [], [value]));
  return name;
}
