/**
 * An ONNX model as a Graph: the network a user brings from PyTorch, Keras or another tool,
 * priced like ours. Shapes come from the graph's inputs and the initializers; the batch axis
 * (the first, symbolic or not) is dropped — the engine's `--batch` says it. Bits come from
 * QuantizeLinear/DequantizeLinear pairs and QLinear ops (their integer types give the widths),
 * or from codesign's own export metadata; otherwise the caller's `--bits` apply.
 *
 * Bad input is an InputError naming the file, the node (name and op type) or field, the value
 * and what is allowed — never a stack trace.
 */
import { FileError, InputError, type FileIssue } from '../../core/errors.ts';
import { precisionMapOf } from '../precision-map.ts';
import { graphBuilder } from '../builder.ts';
import { type Graph, type OpSpec, type Padding, type Precision, type Shape } from '../graph.ts';
import { withBits } from '../layers.ts';
import { INTEGER_BITS, attribute, decodeModel, tensorValues, type Model, type Node, type Tensor } from './proto.ts';

/** Op types the importer maps (and what an unsupported node's message lists). */
export const SUPPORTED_ONNX_OPS = [
  'Conv', 'Gemm', 'MatMul', 'BatchNormalization', 'Relu', 'LeakyRelu', 'PRelu', 'Sigmoid', 'Tanh', 'Softplus',
  'Add', 'Mul', 'Div', 'Concat', 'Reshape', 'Flatten', 'Transpose', 'AveragePool', 'MaxPool', 'GlobalAveragePool',
  'Dropout', 'Identity', 'Constant', 'QuantizeLinear', 'DequantizeLinear', 'QLinearConv', 'QLinearMatMul', 'Clip', 'Softmax',
  'Shape, Gather, Unsqueeze, Squeeze, Slice, Cast, Concat on shapes (folded)',
  'ReduceSumSquare → Add → Sqrt → Div → Mul (a total-power normalisation, as codesign exports it)',
] as const;

const PASS_BITS = new Set<OpSpec['kind']>(['maxpool', 'avgpool', 'flatten', 'reshape', 'transpose', 'relu', 'clip', 'dropout']);

/** The key of codesign's export metadata: every op's precision, so a round trip keeps the bits. */
export const PRECISION_METADATA = 'codesign.precision';

export interface ImportedModel {
  readonly graph: Graph;
  /** Whether the file declared its bits (QDQ, QLinear ops or codesign's metadata). */
  readonly declaresBits: boolean;
  readonly producer: string;
  readonly opset: number;
  /** Each conv/dense layer's weight tensor, by op name (for a quantization-noise proxy; decoded on demand). */
  readonly kernels: ReadonlyMap<string, Tensor>;
}

export function importOnnx(bytes: Uint8Array, file: string): ImportedModel {
  let model: Model;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    // protobuf's own words ("index out of range: 13 + 6 > 16") name its internals, not the file.
    const truncated = /index out of range/.test((error as Error).message);
    throw new InputError(file, `${bytes.length} bytes`, `allowed: an ONNX model (protobuf ModelProto); this file ${truncated ? 'ends in the middle of a field (truncated?)' : 'is not protobuf (an ONNX file is binary, not text or JSON)'}`);
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0 || !(model.irVersion > 0)) {
    throw new InputError(file, `${bytes.length} bytes`, 'allowed: an ONNX model (protobuf ModelProto with a graph of nodes); this decodes to none');
  }
  const opset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0;
  const g = model.graph;
  // Named for the file (exporters' graph names are often generic: torch_jit, main_graph).
  const b = graphBuilder(`onnx:${file.replace(/^.*\//, '')}`);
  const initializers = new Map<string, Tensor>((g.initializer ?? []).map((t) => [t.name, t]));
  /** ONNX tensor → the op that produces it. */
  const producer = new Map<string, string>();
  /** Constant tensors (initializers and Constant nodes) by name. */
  const constants = new Map<string, Tensor>(initializers);
  /** Bits a QDQ pair declares for a tensor: weights (an initializer's integer type) or activations. */
  const weightBits = new Map<string, number>();
  const activationBits = new Map<string, number>();
  const declared: Record<string, Partial<Precision>> = {};
  const where = (node: Node, i: number) => `${file}: node ${node.name || `#${i}`} (${node.opType})`;

  for (const input of g.input) {
    if (initializers.has(input.name)) continue;
    const dims = input.type?.tensorType?.shape?.dim ?? [];
    if (dims.length < 2) throw new InputError(`${file}: input ${input.name}`, `${dims.length} dimensions`, 'allowed: a batch axis first, then the per-sample axes (at least 2 dimensions)');
    const shape = dims.slice(1).map((d, k) => {
      if (d.dimValue !== undefined && d.dimValue > 0) return d.dimValue;
      throw new InputError(`${file}: input ${input.name}, dimension ${k + 1}`, d.dimParam ?? '(unknown)', 'allowed: a fixed size (only the first, batch axis may be symbolic; the engine\'s --batch sets it)');
    });
    producer.set(input.name, b.add(input.name, { kind: 'input', shape }));
  }

  // MatMul followed by Add of a constant vector is a dense layer with a bias (PyTorch's Linear on N-D inputs).
  const biasOf = new Map<string, string>();
  const absorbed = new Set<Node>();
  for (const node of g.node) {
    if (node.opType !== 'Add') continue;
    const [a, c] = node.input;
    const matmul = g.node.find((n) => n.opType === 'MatMul' && n.output[0] === a && initializers.has(n.input[1]));
    if (matmul && constants.has(c) && g.node.filter((n) => n.input.includes(a)).length === 1) {
      biasOf.set(matmul.output[0], node.output[0]);
      absorbed.add(node);
    }
  }

  // x / sqrt(Σx² + ε) · k, as codesign exports a total-power normalisation: one op of power k².
  const powerNorms = new Map<Node, { readonly input: string; readonly power: number; readonly output: string }>();
  const consumer = (tensor: string, type: string) => {
    const users = g.node.filter((n) => n.input.includes(tensor));
    return users.length === 1 && users[0].opType === type ? users[0] : undefined;
  };
  for (const node of g.node) {
    if (node.opType !== 'ReduceSumSquare') continue;
    const eps = consumer(node.output[0], 'Add');
    const sqrt = eps && consumer(eps.output[0], 'Sqrt');
    const div = sqrt && consumer(sqrt.output[0], 'Div');
    const mul = div && div.input[0] === node.input[0] ? consumer(div.output[0], 'Mul') : undefined;
    const k = mul ? tensorValues(constants.get(mul.input[1]) ?? { name: '', dims: [], dataType: 0 }) : [];
    if (!eps || !sqrt || !div || !mul || k.length !== 1) continue;
    powerNorms.set(node, { input: node.input[0], power: k[0] * k[0], output: mul.output[0] });
    for (const n of [eps, sqrt, div, mul]) absorbed.add(n);
  }

  const source = (node: Node, i: number, tensor: string): string => {
    const op = producer.get(tensor);
    if (op === undefined) throw new InputError(where(node, i), tensor, 'allowed: a graph input or an earlier node\'s output (this tensor has no producer: a dynamic or missing value)');
    return op;
  };
  const constant = (node: Node, i: number, tensor: string, what: string): Tensor => {
    const t = constants.get(tensor);
    if (!t) throw new InputError(where(node, i), tensor, `allowed: ${what} given as an initializer or a Constant node`);
    return t;
  };
  const ints = (node: Node, key: string, fallback: readonly number[]): number[] => {
    const a = attribute(node, key);
    return a?.ints && a.ints.length > 0 ? a.ints.map(Number) : [...fallback];
  };
  // An attribute that is present but holds protobuf's default (0) is decoded without its field.
  const int = (node: Node, key: string, fallback: number): number => {
    const a = attribute(node, key);
    return a === undefined ? fallback : Number(a.i ?? 0);
  };
  const float = (node: Node, key: string, fallback: number): number => {
    const a = attribute(node, key);
    return a === undefined ? fallback : (a.f ?? 0);
  };
  const alias = (node: Node, i: number, from: string) => producer.set(node.output[0], source(node, i, from));
  const add = (node: Node, i: number, spec: OpSpec, inputs: readonly string[], bits?: Partial<Precision>): string => {
    const opName = uniqueName(node, i);
    lastOp = opName;
    const out = b.add(opName, spec, inputs.map((t) => source(node, i, t)));
    producer.set(node.output[0], out);
    // A quantized activation stays quantized through pools, views and ReLU.
    if (PASS_BITS.has(spec.kind) && activationBits.has(inputs[0])) activationBits.set(node.output[0], activationBits.get(inputs[0])!);
    if (bits && (bits.weightBits !== undefined || bits.activationBits !== undefined)) declared[opName] = bits;
    return out;
  };
  const used = new Set<string>();
  const kernels = new Map<string, Tensor>();
  let lastOp = '';
  const uniqueName = (node: Node, i: number): string => {
    let n = node.name && node.name.length > 0 ? node.name : `${node.opType}_${i}`;
    while (used.has(n)) n = `${n}_`;
    used.add(n);
    return n;
  };
  /** The per-sample rank of a tensor (batch axis excluded). */
  const shapeOf = (node: Node, i: number, tensor: string): Shape => b.shapeOf(source(node, i, tensor));
  const layerBits = (weight: string, input: string): Partial<Precision> => ({
    ...(weightBits.has(weight) ? { weightBits: weightBits.get(weight) } : {}),
    ...(activationBits.has(input) ? { activationBits: activationBits.get(input) } : {}),
  });

  /** The width of an integer tensor's ONNX data type; any other type is refused by name. */
  const integerBits = (node: Node, i: number, t: Tensor, what: string): number => {
    const bits = INTEGER_BITS[t.dataType];
    if (bits === undefined) throw new InputError(`${where(node, i)}: ${what} ${t.name}`, `data type ${t.dataType}`, `allowed: an integer type (ONNX data types ${Object.keys(INTEGER_BITS).join(', ')}: int/uint 4, 8, 16, 32)`);
    return bits;
  };
  /** A QLinear op's input zero point says the activation width (uint8 when it is absent). */
  const zeroPointBits = (node: Node, i: number, name: string | undefined): number => {
    const z = name ? constants.get(name) : undefined;
    return z ? integerBits(node, i, z, 'zero point') : 8;
  };
  const conv = (node: Node, i: number, x: string, w: Tensor, bias: boolean, bits: Partial<Precision>) => {
    if (w.dims.length !== 4) throw new InputError(`${where(node, i)}: weight ${w.name}`, `[${w.dims.join(', ')}]`, 'allowed: a 4-D kernel [filters, channels/groups, height, width] (2-D convolutions)');
    const [filters, , kh, kw] = w.dims.map(Number);
    const stride = ints(node, 'strides', [1, 1]);
    const dilation = ints(node, 'dilations', [1, 1]);
    const groups = int(node, 'group', 1);
    const channels = shapeOf(node, i, x)[0];
    if (!(Number.isInteger(groups) && groups >= 1 && channels % groups === 0 && filters % groups === 0)) {
      throw new InputError(`${where(node, i)}: group`, groups, `allowed: a positive integer dividing both the ${channels} input channels and the ${filters} filters`);
    }
    if (Number(w.dims[1]) !== channels / groups) throw new InputError(`${where(node, i)}: weight ${w.name}`, `[${w.dims.join(', ')}]`, `allowed: a kernel of ${channels / groups} channels per group (the input has ${channels} channels in ${groups} group${groups === 1 ? '' : 's'})`);
    const autoPad = new TextDecoder().decode(attribute(node, 'auto_pad')?.s ?? new Uint8Array()) || 'NOTSET';
    let padding: Padding;
    if (autoPad === 'VALID') padding = 'valid';
    else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') padding = 'same';
    else if (autoPad === 'NOTSET') padding = padsOf(node, i, ints(node, 'pads', [0, 0, 0, 0]), [kh, kw], dilation);
    else throw new InputError(`${where(node, i)}: auto_pad`, autoPad, 'allowed: NOTSET, VALID, SAME_UPPER, SAME_LOWER');
    add(node, i, { kind: 'conv2d', filters, kernel: [kh, kw], stride: [stride[0], stride[1]], padding, groups, bias, ...(dilation[0] !== 1 || dilation[1] !== 1 ? { dilation: [dilation[0], dilation[1]] } : {}) }, [x], bits);
    kernels.set(lastOp, w);
  };
  const padsOf = (node: Node, i: number, pads: readonly number[], kernel: readonly [number, number], dilation: readonly number[]): Padding => {
    const [t, l, bottom, r] = pads;
    if (t === bottom && l === r) return t === 0 && l === 0 ? 'valid' : [t, l];
    // TensorFlow's 'same' at stride 1 (what codesign exports for an even kernel): ⌊(k−1)/2⌋ before, the rest after.
    const span = kernel.map((k, j) => dilation[j] * (k - 1));
    if (t === Math.floor(span[0] / 2) && bottom === span[0] - t && l === Math.floor(span[1] / 2) && r === span[1] - l) return 'same';
    throw new InputError(`${where(node, i)}: pads`, `[${pads.join(', ')}]`, 'allowed: symmetric pads (top = bottom, left = right), or "same" padding');
  };
  const dense = (node: Node, i: number, x: string, units: number, bias: boolean, bits: Partial<Precision>, w: Tensor, k: number) => {
    const s = shapeOf(node, i, x);
    if (s.length !== 1) throw new InputError(`${where(node, i)}: input ${x}`, `per-sample shape [${s.join(', ')}]`, 'allowed: a 1-D (flattened) input to Gemm or MatMul');
    if (k !== s[0]) throw new InputError(`${where(node, i)}: weight ${w.name}`, `[${w.dims.join(', ')}]`, `allowed: a matrix whose inner dimension K is the input's ${s[0]} features (this one has K = ${k})`);
    add(node, i, { kind: 'dense', units, bias }, [x], bits);
    kernels.set(lastOp, w);
  };
  const pool = (node: Node, i: number, kind: 'avgpool' | 'maxpool') => {
    const kernel = ints(node, 'kernel_shape', []);
    const pads = ints(node, 'pads', [0, 0, 0, 0]);
    if (kernel.length !== 2) throw new InputError(`${where(node, i)}: kernel_shape`, `[${kernel.join(', ')}]`, 'allowed: a 2-D pooling window');
    if (pads[0] !== pads[2] || pads[1] !== pads[3]) throw new InputError(`${where(node, i)}: pads`, `[${pads.join(', ')}]`, 'allowed: symmetric pads');
    const stride = ints(node, 'strides', [1, 1]);
    const ceil = int(node, 'ceil_mode', 0) === 1;
    add(node, i, { kind, pool: [kernel[0], kernel[1]], stride: [stride[0], stride[1]], ...(pads[0] > 0 || pads[1] > 0 ? { padding: [pads[0], pads[1]] as const } : {}), ...(ceil ? { ceilMode: true } : {}) }, [node.input[0]]);
  };
  /**
   * Shapes computed in the graph (PyTorch's x.view(x.size(0), -1) exports Shape → Gather →
   * Unsqueeze → Concat → Reshape): folded here, the batch axis kept as a symbol.
   */
  const symbolic = new Map<string, (number | 'batch')[]>();
  const valuesOf = (tensor: string): (number | 'batch')[] | undefined => symbolic.get(tensor) ?? (constants.has(tensor) ? tensorValues(constants.get(tensor)!).map(Number) : undefined);
  const fold = (node: Node, value: (number | 'batch')[]) => symbolic.set(node.output[0], value);

  for (const [i, node] of g.node.entries()) {
    if (absorbed.has(node)) continue;
    if (node.domain && node.domain !== 'ai.onnx') {
      throw new InputError(where(node, i), node.domain, 'allowed: operators of the default ONNX domain');
    }
    const [x, second, third] = node.input;
    const norm = powerNorms.get(node);
    if (norm) {
      add({ ...node, output: [norm.output] }, i, { kind: 'powernorm', power: norm.power }, [norm.input]);
      continue;
    }
    switch (node.opType) {
      case 'Constant': {
        const t = attribute(node, 'value')?.t;
        const scalar = attribute(node, 'value_float')?.f ?? attribute(node, 'value_int')?.i;
        const list = attribute(node, 'value_floats')?.floats ?? attribute(node, 'value_ints')?.ints;
        if (t) constants.set(node.output[0], { ...t, name: node.output[0] });
        else if (scalar !== undefined) constants.set(node.output[0], { name: node.output[0], dims: [], dataType: 1, floatData: [Number(scalar)] });
        else if (list !== undefined) constants.set(node.output[0], { name: node.output[0], dims: [list.length], dataType: 1, floatData: list.map(Number) });
        else throw new InputError(where(node, i), 'a Constant without a value', 'allowed: value, value_float(s) or value_int(s)');
        break;
      }
      case 'QuantizeLinear':
      case 'DequantizeLinear': {
        const zeroPoint = third === undefined || third === '' ? undefined : constants.get(third);
        const bits = zeroPoint ? integerBits(node, i, zeroPoint, 'zero point') : (INTEGER_BITS[constants.get(x)?.dataType ?? 2] ?? 8);
        if (constants.has(x)) {
          // Weights: the initializer (integer or float) passes through; its consumer reads the bits.
          constants.set(node.output[0], constants.get(x)!);
          weightBits.set(node.output[0], node.opType === 'DequantizeLinear' && weightBits.has(x) ? weightBits.get(x)! : INTEGER_BITS[constants.get(x)!.dataType] ?? bits);
        } else {
          alias(node, i, x);
          activationBits.set(node.output[0], activationBits.get(x) ?? bits);
        }
        break;
      }
      case 'Conv': {
        const w = constant(node, i, second, 'the kernel');
        conv(node, i, x, w, third !== undefined && third !== '', layerBits(second, x));
        break;
      }
      case 'QLinearConv': {
        const w = constant(node, i, node.input[3], 'the kernel');
        const bits = { weightBits: integerBits(node, i, w, 'kernel'), activationBits: zeroPointBits(node, i, node.input[2]) };
        conv(node, i, x, w, node.input[8] !== undefined && node.input[8] !== '', bits);
        break;
      }
      case 'Gemm': {
        if (int(node, 'transA', 0) !== 0) throw new InputError(`${where(node, i)}: transA`, 1, 'allowed: 0 (activations as rows)');
        const w = constant(node, i, second, 'the weight matrix B');
        if (w.dims.length !== 2) throw new InputError(`${where(node, i)}: B`, `[${w.dims.join(', ')}]`, 'allowed: a 2-D weight matrix');
        const transB = int(node, 'transB', 0) === 1;
        dense(node, i, x, Number(transB ? w.dims[0] : w.dims[1]), third !== undefined && third !== '', layerBits(second, x), w, Number(transB ? w.dims[1] : w.dims[0]));
        break;
      }
      case 'MatMul':
      case 'QLinearMatMul': {
        const q = node.opType === 'QLinearMatMul';
        const wName = q ? node.input[3] : second;
        const w = constant(node, i, wName, 'the weight matrix (a product of two activations is not a layer)');
        if (w.dims.length !== 2) throw new InputError(`${where(node, i)}: B`, `[${w.dims.join(', ')}]`, 'allowed: a 2-D weight matrix');
        const bits = q ? { weightBits: integerBits(node, i, w, 'weight matrix'), activationBits: zeroPointBits(node, i, node.input[2]) } : layerBits(wName, x);
        const bias = biasOf.get(node.output[0]);
        dense(node, i, x, Number(w.dims[1]), bias !== undefined, bits, w, Number(w.dims[0]));
        if (bias !== undefined) producer.set(bias, producer.get(node.output[0])!);
        break;
      }
      case 'BatchNormalization':
        add(node, i, { kind: 'batchnorm' }, [x]);
        break;
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Softplus':
        add(node, i, { kind: node.opType.toLowerCase() as 'relu' | 'sigmoid' | 'tanh' | 'softplus' }, [x]);
        break;
      case 'LeakyRelu':
        add(node, i, { kind: 'leakyrelu', alpha: float(node, 'alpha', 0.01) }, [x]);
        break;
      case 'PRelu':
        add(node, i, { kind: 'prelu' }, [x]);
        break;
      case 'Add': {
        if (constants.has(x) || constants.has(second)) throw new InputError(where(node, i), 'an Add of a constant tensor', 'allowed: Add of two activations, or the bias after a MatMul');
        add(node, i, { kind: 'add' }, node.input);
        break;
      }
      case 'Mul':
      case 'Div': {
        const c = constants.get(second) ?? (node.opType === 'Mul' ? constants.get(x) : undefined);
        const values = c ? tensorValues(c) : [];
        if (!c || values.length !== 1) throw new InputError(where(node, i), `${node.opType} of ${c ? `a ${values.length}-element constant` : 'two activations'}`, 'allowed: Mul or Div by a scalar constant');
        const activation = c === constants.get(second) ? x : second;
        add(node, i, { kind: 'scale', factor: node.opType === 'Mul' ? values[0] : 1 / values[0] }, [activation]);
        break;
      }
      case 'Flatten':
        if (int(node, 'axis', 1) !== 1) throw new InputError(`${where(node, i)}: axis`, int(node, 'axis', 1), 'allowed: 1 (keep the batch axis)');
        add(node, i, { kind: 'flatten' }, [x]);
        break;
      case 'Shape':
        fold(node, ['batch', ...shapeOf(node, i, x)]);
        break;
      case 'Gather':
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Cast':
      case 'Concat':
      case 'Slice': {
        const symbols = node.input.map((t) => (t === '' ? undefined : valuesOf(t)));
        if (node.opType !== 'Concat' && symbols[0] === undefined) {
          throw new InputError(where(node, i), node.opType, 'allowed: on a shape or a constant (a shape computed from one), or on activations: Concat only');
        }
        if (node.opType === 'Concat' && symbols.some((v) => v === undefined)) {
          const axis = int(node, 'axis', 1);
          const rank = shapeOf(node, i, x).length + 1;
          if (axis !== 1 && axis !== 1 - rank) throw new InputError(`${where(node, i)}: axis`, axis, 'allowed: 1 (channels)');
          add(node, i, { kind: 'concat' }, node.input);
          break;
        }
        const v = symbols[0]!;
        if (node.opType === 'Gather') {
          const idx = (symbols[1] ?? []).map((d) => (typeof d === 'number' && d < 0 ? v.length + d : d));
          fold(node, idx.map((d) => v[d as number]));
        } else if (node.opType === 'Concat') fold(node, symbols.flatMap((s) => s!));
        else if (node.opType === 'Slice') {
          const [start, end] = [Number(symbols[1]?.[0] ?? 0), Number(symbols[2]?.[0] ?? v.length)];
          fold(node, v.slice(start < 0 ? v.length + start : start, Math.min(end < 0 ? v.length + end : end, v.length)));
        } else fold(node, v);
        break;
      }
      case 'Clip': {
        const bound = (input: string | undefined, attr: string, fallback: number) => {
          if (input) return Number(valuesOf(input)?.[0] ?? fallback);
          return float(node, attr, fallback);
        };
        add(node, i, { kind: 'clip', min: bound(node.input[1], 'min', -Infinity), max: bound(node.input[2], 'max', Infinity) }, [x]);
        break;
      }
      case 'Softmax': {
        const axis = int(node, 'axis', model.opsetImport.length > 0 && opset < 13 ? 1 : -1);
        const rank = shapeOf(node, i, x).length + 1;
        if (axis !== 1 && !(axis === -1 && rank === 2) && axis !== 1 - rank) throw new InputError(`${where(node, i)}: axis`, axis, 'allowed: the channel axis (1)');
        add(node, i, { kind: 'softmax' }, [x]);
        break;
      }
      case 'Reshape': {
        const raw = valuesOf(second);
        if (!raw) throw new InputError(where(node, i), second, 'allowed: a target shape given as an initializer, a Constant node or a shape computed from a tensor\'s shape');
        if (raw.slice(1).includes('batch')) throw new InputError(`${where(node, i)}: shape`, `[${raw.join(', ')}]`, 'allowed: the batch axis first only');
        const target = raw.map((d) => (d === 'batch' ? 0 : d));
        const sample = shapeOf(node, i, x);
        const total = sample.reduce((p, d) => p * d, 1);
        if (target.length < 1 || !(target[0] === 0 || target[0] === -1 || target[0] > 0)) throw new InputError(`${where(node, i)}: shape`, `[${target.join(', ')}]`, 'allowed: the batch axis first (0, -1 or its size)');
        let rest = target.slice(1).map((d, k) => (d === 0 ? sample[k] : d));
        const unknown = rest.filter((d) => d === -1).length;
        if (unknown > 1 || rest.some((d) => d < -1)) throw new InputError(`${where(node, i)}: shape`, `[${target.join(', ')}]`, 'allowed: at most one -1 among the per-sample axes');
        if (unknown === 1) rest = rest.map((d) => (d === -1 ? total / rest.filter((e) => e !== -1).reduce((p, e) => p * e, 1) : d));
        add(node, i, { kind: 'reshape', shape: rest }, [x]);
        break;
      }
      case 'Transpose': {
        const perm = ints(node, 'perm', []);
        if (perm.length === 0 || perm[0] !== 0) throw new InputError(`${where(node, i)}: perm`, `[${perm.join(', ')}]`, 'allowed: a permutation that keeps the batch axis first');
        add(node, i, { kind: 'transpose', perm: perm.slice(1).map((d) => d - 1) }, [x]);
        break;
      }
      case 'AveragePool':
        pool(node, i, 'avgpool');
        break;
      case 'MaxPool':
        pool(node, i, 'maxpool');
        break;
      case 'GlobalAveragePool': {
        const s = shapeOf(node, i, x);
        add(node, i, { kind: 'avgpool', pool: [s[1], s[2]], stride: [1, 1] }, [x]);
        break;
      }
      case 'Dropout': {
        // Off at inference; kept as an op (it prices nothing) with its ratio (opset ≥ 12: an input; before: an attribute).
        const ratio = second ? tensorValues(constant(node, i, second, 'the ratio'))[0] : float(node, 'ratio', 0.5);
        add(node, i, { kind: 'dropout', rate: ratio }, [x]);
        break;
      }
      case 'Identity':
        if (constants.has(x)) {
          constants.set(node.output[0], constants.get(x)!);
          if (weightBits.has(x)) weightBits.set(node.output[0], weightBits.get(x)!);
        } else alias(node, i, x);
        break;
      default:
        throw new InputError(where(node, i), node.opType, `allowed (ONNX ops codesign prices): ${SUPPORTED_ONNX_OPS.join(', ')}`);
    }
  }
  let graph = b.build();
  // codesign's own export says every op's precision; QDQ and QLinear ops say their layers'.
  const meta = model.metadataProps?.find((p) => p.key === PRECISION_METADATA);
  if (meta) {
    const precision = precisionMetadataOf(meta.value, file, graph.ops.map((op) => op.name));
    graph = { ...graph, ops: graph.ops.map((op) => ({ ...op, precision: { ...op.precision, ...precision[op.name] } })) };
  } else if (Object.keys(declared).length > 0) {
    graph = withBits(graph, { perLayer: declared });
  }
  return { graph, kernels, declaresBits: meta !== undefined || Object.keys(declared).length > 0, producer: `${model.producerName ?? 'unknown'} ${model.producerVersion ?? ''}`.trim(), opset };
}

/** codesign's export metadata: JSON of op name → precision, each width checked like a bits file's. */
function precisionMetadataOf(text: string, file: string, names: readonly string[]): Record<string, Partial<Precision>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FileError('onnx', file, [{ path: `metadata ${PRECISION_METADATA}`, value: text.slice(0, 60), allowed: 'JSON: an object of op name → { "weightBits", "activationBits" } (as codesign export writes it)' }]);
  }
  const issues: FileIssue[] = [];
  const out = precisionMapOf(raw, issues, names);
  if (issues.length > 0) throw new FileError('onnx', file, issues.map((i) => ({ ...i, path: `metadata ${PRECISION_METADATA}: ${i.path}` })));
  return out;
}
