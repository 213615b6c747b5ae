/**
 * One importer per ONNX op type: what a node of that type becomes in the Graph. `IMPORTED_AS`
 * says, for every op kind of ours, which ONNX op types give it (or why none does), so a new op
 * kind is a compile error here until its import is decided. The importer of a file
 * (nets/onnx/import.ts) runs each node's importer with a context bound to that node.
 */
import { InputError } from '../../core/errors.ts';
import type { OpKind, OpSpec, Padding, Precision, Shape } from '../graph.ts';
import { INTEGER_BITS, attribute, tensorValues, type Node, type Tensor } from './proto.ts';

/** The file's state and tools, bound to one node (its name, inputs and attributes). */
export interface ImportContext {
  readonly node: Node;
  /** The node's first three inputs (x, and often a weight and a bias). */
  readonly x: string;
  readonly second: string | undefined;
  readonly third: string | undefined;
  /** The model's default-domain opset (0 when it names none), and whether it names any opset. */
  readonly opset: number;
  readonly opsetDeclared: boolean;
  /** "file: node NAME (OpType)", for messages. */
  readonly where: string;
  /** Constant tensors (initializers and Constant nodes) by name. */
  readonly constants: Map<string, Tensor>;
  /** Bits a QDQ pair declares for a tensor: weights (an initializer's integer type) or activations. */
  readonly weightBits: Map<string, number>;
  readonly activationBits: Map<string, number>;
  /** A MatMul's output → the Add of a constant that is its bias (absorbed into the dense layer). */
  readonly biasOf: ReadonlyMap<string, string>;
  constant(tensor: string, what: string): Tensor;
  ints(key: string, fallback: readonly number[]): number[];
  int(key: string, fallback: number): number;
  float(key: string, fallback: number): number;
  /** The node's output is `from`'s producer (a view that prices nothing). */
  alias(from: string): void;
  /** Another tensor is the node's output's producer too (a bias Add absorbed into its MatMul). */
  aliasOutput(tensor: string): void;
  /** Adds an op for the node; its name. */
  add(spec: OpSpec, inputs: readonly string[], bits?: Partial<Precision>): string;
  /** A conv or dense layer's weight tensor, under the op just added. */
  keepKernel(w: Tensor): void;
  /** The per-sample shape of a tensor (batch axis excluded). */
  shapeOf(tensor: string): Shape;
  /** A computed shape or a constant's values, the batch axis as a symbol. */
  valuesOf(tensor: string): (number | 'batch')[] | undefined;
  /** The node's output is a value folded here (shape arithmetic). */
  fold(value: (number | 'batch')[]): void;
}

type Importer = (c: ImportContext) => void;

/** The bits a QDQ pair or a weight's integer type declares for a layer's weight and input. */
const layerBits = (c: ImportContext, weight: string, input: string): Partial<Precision> => ({
  ...(c.weightBits.has(weight) ? { weightBits: c.weightBits.get(weight) } : {}),
  ...(c.activationBits.has(input) ? { activationBits: c.activationBits.get(input) } : {}),
});

/** The width of an integer tensor's ONNX data type; any other type is refused by name. */
function integerBits(c: ImportContext, t: Tensor, what: string): number {
  const bits = INTEGER_BITS[t.dataType];
  if (bits === undefined) throw new InputError(`${c.where}: ${what} ${t.name}`, `data type ${t.dataType}`, `allowed: an integer type (ONNX data types ${Object.keys(INTEGER_BITS).join(', ')}: int/uint 4, 8, 16, 32)`);
  return bits;
}

/** A QLinear op's input zero point says the activation width (uint8 when it is absent). */
function zeroPointBits(c: ImportContext, name: string | undefined): number {
  const z = name ? c.constants.get(name) : undefined;
  return z ? integerBits(c, z, 'zero point') : 8;
}

function padsOf(c: ImportContext, pads: readonly number[], kernel: readonly [number, number], dilation: readonly number[]): Padding {
  const [t, l, bottom, r] = pads;
  if (t === bottom && l === r) return t === 0 && l === 0 ? 'valid' : [t, l];
  // TensorFlow's 'same' at stride 1 (what codesign exports for an even kernel): ⌊(k−1)/2⌋ before, the rest after.
  const span = kernel.map((k, j) => dilation[j] * (k - 1));
  if (t === Math.floor(span[0] / 2) && bottom === span[0] - t && l === Math.floor(span[1] / 2) && r === span[1] - l) return 'same';
  throw new InputError(`${c.where}: pads`, `[${pads.join(', ')}]`, 'allowed: symmetric pads (top = bottom, left = right), or "same" padding');
}

function conv(c: ImportContext, w: Tensor, bias: boolean, bits: Partial<Precision>): void {
  if (w.dims.length !== 4) throw new InputError(`${c.where}: weight ${w.name}`, `[${w.dims.join(', ')}]`, 'allowed: a 4-D kernel [filters, channels/groups, height, width] (2-D convolutions)');
  const [filters, , kh, kw] = w.dims.map(Number);
  const stride = c.ints('strides', [1, 1]);
  const dilation = c.ints('dilations', [1, 1]);
  const groups = c.int('group', 1);
  const channels = c.shapeOf(c.x)[0];
  if (!(Number.isInteger(groups) && groups >= 1 && channels % groups === 0 && filters % groups === 0)) {
    throw new InputError(`${c.where}: group`, groups, `allowed: a positive integer dividing both the ${channels} input channels and the ${filters} filters`);
  }
  if (Number(w.dims[1]) !== channels / groups) throw new InputError(`${c.where}: weight ${w.name}`, `[${w.dims.join(', ')}]`, `allowed: a kernel of ${channels / groups} channels per group (the input has ${channels} channels in ${groups} group${groups === 1 ? '' : 's'})`);
  const autoPad = new TextDecoder().decode(attribute(c.node, 'auto_pad')?.s ?? new Uint8Array()) || 'NOTSET';
  let padding: Padding;
  if (autoPad === 'VALID') padding = 'valid';
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') padding = 'same';
  else if (autoPad === 'NOTSET') padding = padsOf(c, c.ints('pads', [0, 0, 0, 0]), [kh, kw], dilation);
  else throw new InputError(`${c.where}: auto_pad`, autoPad, 'allowed: NOTSET, VALID, SAME_UPPER, SAME_LOWER');
  c.add({ kind: 'conv2d', filters, kernel: [kh, kw], stride: [stride[0], stride[1]], padding, groups, bias, ...(dilation[0] !== 1 || dilation[1] !== 1 ? { dilation: [dilation[0], dilation[1]] } : {}) }, [c.x], bits);
  c.keepKernel(w);
}

function dense(c: ImportContext, units: number, bias: boolean, bits: Partial<Precision>, w: Tensor, k: number): void {
  const s = c.shapeOf(c.x);
  if (s.length !== 1) throw new InputError(`${c.where}: input ${c.x}`, `per-sample shape [${s.join(', ')}]`, 'allowed: a 1-D (flattened) input to Gemm or MatMul');
  if (k !== s[0]) throw new InputError(`${c.where}: weight ${w.name}`, `[${w.dims.join(', ')}]`, `allowed: a matrix whose inner dimension K is the input's ${s[0]} features (this one has K = ${k})`);
  c.add({ kind: 'dense', units, bias }, [c.x], bits);
  c.keepKernel(w);
}

function matrix(c: ImportContext, name: string, what: string): Tensor {
  const w = c.constant(name, what);
  if (w.dims.length !== 2) throw new InputError(`${c.where}: B`, `[${w.dims.join(', ')}]`, 'allowed: a 2-D weight matrix');
  return w;
}

const pool =
  (kind: 'avgpool' | 'maxpool'): Importer =>
  (c) => {
    const kernel = c.ints('kernel_shape', []);
    const pads = c.ints('pads', [0, 0, 0, 0]);
    if (kernel.length !== 2) throw new InputError(`${c.where}: kernel_shape`, `[${kernel.join(', ')}]`, 'allowed: a 2-D pooling window');
    if (pads[0] !== pads[2] || pads[1] !== pads[3]) throw new InputError(`${c.where}: pads`, `[${pads.join(', ')}]`, 'allowed: symmetric pads');
    const stride = c.ints('strides', [1, 1]);
    const ceil = c.int('ceil_mode', 0) === 1;
    c.add({ kind, pool: [kernel[0], kernel[1]], stride: [stride[0], stride[1]], ...(pads[0] > 0 || pads[1] > 0 ? { padding: [pads[0], pads[1]] as const } : {}), ...(ceil ? { ceilMode: true } : {}) }, [c.node.input[0]]);
  };

const unary =
  (kind: 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'batchnorm' | 'prelu'): Importer =>
  (c) =>
    void c.add({ kind }, [c.x]);

function quantizeDequantize(c: ImportContext): void {
  const { x, third } = c;
  const zeroPoint = third === undefined || third === '' ? undefined : c.constants.get(third);
  const bits = zeroPoint ? integerBits(c, zeroPoint, 'zero point') : (INTEGER_BITS[c.constants.get(x)?.dataType ?? 2] ?? 8);
  const out = c.node.output[0];
  if (c.constants.has(x)) {
    // Weights: the initializer (integer or float) passes through; its consumer reads the bits.
    c.constants.set(out, c.constants.get(x)!);
    c.weightBits.set(out, c.node.opType === 'DequantizeLinear' && c.weightBits.has(x) ? c.weightBits.get(x)! : (INTEGER_BITS[c.constants.get(x)!.dataType] ?? bits));
  } else {
    c.alias(x);
    c.activationBits.set(out, c.activationBits.get(x) ?? bits);
  }
}

function matMul(c: ImportContext): void {
  const q = c.node.opType === 'QLinearMatMul';
  const wName = q ? c.node.input[3] : c.second!;
  const w = matrix(c, wName, 'the weight matrix (a product of two activations is not a layer)');
  const bits = q ? { weightBits: integerBits(c, w, 'weight matrix'), activationBits: zeroPointBits(c, c.node.input[2]) } : layerBits(c, wName, c.x);
  const bias = c.biasOf.get(c.node.output[0]);
  dense(c, Number(w.dims[1]), bias !== undefined, bits, w, Number(w.dims[0]));
  if (bias !== undefined) c.aliasOutput(bias);
}

function scale(c: ImportContext): void {
  const { x, second } = c;
  const k = (second !== undefined ? c.constants.get(second) : undefined) ?? (c.node.opType === 'Mul' ? c.constants.get(x) : undefined);
  const values = k ? tensorValues(k) : [];
  if (!k || values.length !== 1) throw new InputError(c.where, `${c.node.opType} of ${k ? `a ${values.length}-element constant` : 'two activations'}`, 'allowed: Mul or Div by a scalar constant');
  const activation = second !== undefined && k === c.constants.get(second) ? x : second!;
  c.add({ kind: 'scale', factor: c.node.opType === 'Mul' ? values[0] : 1 / values[0] }, [activation]);
}

/**
 * Shapes computed in the graph (PyTorch's x.view(x.size(0), -1) exports Shape → Gather →
 * Unsqueeze → Concat → Reshape): folded here, the batch axis kept as a symbol. A Concat of
 * activations is a layer.
 */
function shapeArithmetic(c: ImportContext): void {
  const { node } = c;
  const symbols = node.input.map((t) => (t === '' ? undefined : c.valuesOf(t)));
  if (node.opType !== 'Concat' && symbols[0] === undefined) {
    throw new InputError(c.where, node.opType, 'allowed: on a shape or a constant (a shape computed from one), or on activations: Concat only');
  }
  if (node.opType === 'Concat' && symbols.some((v) => v === undefined)) {
    const axis = c.int('axis', 1);
    const rank = c.shapeOf(c.x).length + 1;
    if (axis !== 1 && axis !== 1 - rank) throw new InputError(`${c.where}: axis`, axis, 'allowed: 1 (channels)');
    c.add({ kind: 'concat' }, node.input);
    return;
  }
  const v = symbols[0]!;
  if (node.opType === 'Gather') {
    const idx = (symbols[1] ?? []).map((d) => (typeof d === 'number' && d < 0 ? v.length + d : d));
    c.fold(idx.map((d) => v[d as number]));
  } else if (node.opType === 'Concat') c.fold(symbols.flatMap((s) => s!));
  else if (node.opType === 'Slice') {
    const [start, end] = [Number(symbols[1]?.[0] ?? 0), Number(symbols[2]?.[0] ?? v.length)];
    c.fold(v.slice(start < 0 ? v.length + start : start, Math.min(end < 0 ? v.length + end : end, v.length)));
  } else c.fold(v);
}

function reshape(c: ImportContext): void {
  const second = c.second ?? '';
  const raw = c.valuesOf(second);
  if (!raw) throw new InputError(c.where, second, 'allowed: a target shape given as an initializer, a Constant node or a shape computed from a tensor\'s shape');
  if (raw.slice(1).includes('batch')) throw new InputError(`${c.where}: shape`, `[${raw.join(', ')}]`, 'allowed: the batch axis first only');
  const target = raw.map((d) => (d === 'batch' ? 0 : d));
  const sample = c.shapeOf(c.x);
  const total = sample.reduce((p, d) => p * d, 1);
  if (target.length < 1 || !(target[0] === 0 || target[0] === -1 || target[0] > 0)) throw new InputError(`${c.where}: shape`, `[${target.join(', ')}]`, 'allowed: the batch axis first (0, -1 or its size)');
  let rest = target.slice(1).map((d, k) => (d === 0 ? sample[k] : d));
  const unknown = rest.filter((d) => d === -1).length;
  if (unknown > 1 || rest.some((d) => d < -1)) throw new InputError(`${c.where}: shape`, `[${target.join(', ')}]`, 'allowed: at most one -1 among the per-sample axes');
  if (unknown === 1) rest = rest.map((d) => (d === -1 ? total / rest.filter((e) => e !== -1).reduce((p, e) => p * e, 1) : d));
  c.add({ kind: 'reshape', shape: rest }, [c.x]);
}

function constantNode(c: ImportContext): void {
  const { node } = c;
  const out = node.output[0];
  const t = attribute(node, 'value')?.t;
  const scalar = attribute(node, 'value_float')?.f ?? attribute(node, 'value_int')?.i;
  const list = attribute(node, 'value_floats')?.floats ?? attribute(node, 'value_ints')?.ints;
  if (t) c.constants.set(out, { ...t, name: out });
  else if (scalar !== undefined) c.constants.set(out, { name: out, dims: [], dataType: 1, floatData: [Number(scalar)] });
  else if (list !== undefined) c.constants.set(out, { name: out, dims: [list.length], dataType: 1, floatData: list.map(Number) });
  else throw new InputError(c.where, 'a Constant without a value', 'allowed: value, value_float(s) or value_int(s)');
}

/** The importers, in the order the "allowed" list of an unsupported node names them. */
export const IMPORTERS = {
  Conv: (c) => {
    const w = c.constant(c.second ?? '', 'the kernel');
    conv(c, w, c.third !== undefined && c.third !== '', layerBits(c, c.second!, c.x));
  },
  Gemm: (c) => {
    if (c.int('transA', 0) !== 0) throw new InputError(`${c.where}: transA`, 1, 'allowed: 0 (activations as rows)');
    const w = matrix(c, c.second ?? '', 'the weight matrix B');
    const transB = c.int('transB', 0) === 1;
    dense(c, Number(transB ? w.dims[0] : w.dims[1]), c.third !== undefined && c.third !== '', layerBits(c, c.second!, c.x), w, Number(transB ? w.dims[1] : w.dims[0]));
  },
  MatMul: matMul,
  BatchNormalization: unary('batchnorm'),
  Relu: unary('relu'),
  LeakyRelu: (c) => void c.add({ kind: 'leakyrelu', alpha: c.float('alpha', 0.01) }, [c.x]),
  PRelu: unary('prelu'),
  Sigmoid: unary('sigmoid'),
  Tanh: unary('tanh'),
  Softplus: unary('softplus'),
  Add: (c) => {
    if (c.constants.has(c.x) || (c.second !== undefined && c.constants.has(c.second))) throw new InputError(c.where, 'an Add of a constant tensor', 'allowed: Add of two activations, or the bias after a MatMul');
    c.add({ kind: 'add' }, c.node.input);
  },
  Mul: scale,
  Div: scale,
  Concat: shapeArithmetic,
  Reshape: reshape,
  Flatten: (c) => {
    if (c.int('axis', 1) !== 1) throw new InputError(`${c.where}: axis`, c.int('axis', 1), 'allowed: 1 (keep the batch axis)');
    c.add({ kind: 'flatten' }, [c.x]);
  },
  Transpose: (c) => {
    const perm = c.ints('perm', []);
    if (perm.length === 0 || perm[0] !== 0) throw new InputError(`${c.where}: perm`, `[${perm.join(', ')}]`, 'allowed: a permutation that keeps the batch axis first');
    c.add({ kind: 'transpose', perm: perm.slice(1).map((d) => d - 1) }, [c.x]);
  },
  AveragePool: pool('avgpool'),
  MaxPool: pool('maxpool'),
  GlobalAveragePool: (c) => {
    const s = c.shapeOf(c.x);
    c.add({ kind: 'avgpool', pool: [s[1], s[2]], stride: [1, 1] }, [c.x]);
  },
  // Off at inference; kept as an op (it prices nothing) with its ratio (opset ≥ 12: an input; before: an attribute).
  Dropout: (c) => void c.add({ kind: 'dropout', rate: c.second ? tensorValues(c.constant(c.second, 'the ratio'))[0] : c.float('ratio', 0.5) }, [c.x]),
  Identity: (c) => {
    if (c.constants.has(c.x)) {
      c.constants.set(c.node.output[0], c.constants.get(c.x)!);
      if (c.weightBits.has(c.x)) c.weightBits.set(c.node.output[0], c.weightBits.get(c.x)!);
    } else c.alias(c.x);
  },
  Constant: constantNode,
  QuantizeLinear: quantizeDequantize,
  DequantizeLinear: quantizeDequantize,
  QLinearConv: (c) => {
    const w = c.constant(c.node.input[3], 'the kernel');
    conv(c, w, c.node.input[8] !== undefined && c.node.input[8] !== '', { weightBits: integerBits(c, w, 'kernel'), activationBits: zeroPointBits(c, c.node.input[2]) });
  },
  QLinearMatMul: matMul,
  Clip: (c) => {
    const bound = (input: string | undefined, attr: string, fallback: number) => (input ? Number(c.valuesOf(input)?.[0] ?? fallback) : c.float(attr, fallback));
    c.add({ kind: 'clip', min: bound(c.node.input[1], 'min', -Infinity), max: bound(c.node.input[2], 'max', Infinity) }, [c.x]);
  },
  Softmax: (c) => {
    const axis = c.int('axis', c.opsetDeclared && c.opset < 13 ? 1 : -1);
    const rank = c.shapeOf(c.x).length + 1;
    if (axis !== 1 && !(axis === -1 && rank === 2) && axis !== 1 - rank) throw new InputError(`${c.where}: axis`, axis, 'allowed: the channel axis (1)');
    c.add({ kind: 'softmax' }, [c.x]);
  },
  Shape: (c) => c.fold(['batch', ...c.shapeOf(c.x)]),
  Gather: shapeArithmetic,
  Unsqueeze: shapeArithmetic,
  Squeeze: shapeArithmetic,
  Slice: shapeArithmetic,
  Cast: shapeArithmetic,
} as const satisfies Readonly<Record<string, Importer>>;

export type OnnxOp = keyof typeof IMPORTERS;

/** Op types folded as shape arithmetic (listed once, as a group, in messages). */
const SHAPE_OPS: readonly OnnxOp[] = ['Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Slice', 'Cast'];

/** Op types the importer maps (and what an unsupported node's message lists). */
export const SUPPORTED_ONNX_OPS: readonly string[] = [
  ...(Object.keys(IMPORTERS) as OnnxOp[]).filter((op) => !SHAPE_OPS.includes(op)),
  'Shape, Gather, Unsqueeze, Squeeze, Slice, Cast, Concat on shapes (folded)',
  'ReduceSumSquare → Add → Sqrt → Div → Mul (a total-power normalisation, as codesign exports it)',
];

/**
 * For every op kind of ours, the ONNX op types it is imported from, or why none is: adding a
 * kind without deciding its import is a compile error.
 */
export const IMPORTED_AS: { readonly [K in OpKind]: readonly OnnxOp[] | { readonly notImported: string } } = {
  input: { notImported: 'made from the graph inputs, not from a node' },
  conv2d: ['Conv', 'QLinearConv'],
  dense: ['Gemm', 'MatMul', 'QLinearMatMul'],
  batchnorm: ['BatchNormalization'],
  relu: ['Relu'],
  leakyrelu: ['LeakyRelu'],
  prelu: ['PRelu'],
  sigmoid: ['Sigmoid'],
  tanh: ['Tanh'],
  softplus: ['Softplus'],
  dropout: ['Dropout'],
  add: ['Add'],
  concat: ['Concat'],
  flatten: ['Flatten'],
  reshape: ['Reshape'],
  transpose: ['Transpose'],
  avgpool: ['AveragePool', 'GlobalAveragePool'],
  maxpool: ['MaxPool'],
  clip: ['Clip'],
  softmax: ['Softmax'],
  scale: ['Mul', 'Div'],
  powernorm: { notImported: 'recognised from the node chain ReduceSumSquare → Add → Sqrt → Div → Mul that codesign exports' },
  gram: { notImported: 'the structured precoder head has no ONNX form' },
  reginverse: { notImported: 'the structured precoder head has no ONNX form' },
  beamform: { notImported: 'the structured precoder head has no ONNX form' },
  userpower: { notImported: 'the structured precoder head has no ONNX form' },
  channelgains: { notImported: 'the unfolded WMMSE precoder head has no ONNX form' },
  wmmseupdate: { notImported: 'the unfolded WMMSE precoder head has no ONNX form' },
  trace: { notImported: 'an op-count trace has no ONNX form' },
  matmul: { notImported: 'an op-count trace has no ONNX form' },
};
